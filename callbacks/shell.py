"""The shell's callbacks (dashboard/web/shell.py): the alerts' bell, on every page of the roles that have it.

Every few seconds each open page asks only the alerts' version (one Redis read); the open count is read from
PostgreSQL when the version moved, once per process for each scope (a supervisor's teams, everything), so a
hundred open pages cost one query per change, not one per page per tick."""

from __future__ import annotations

import threading
import time

from dash import Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from flask import g

from dashboard.core.i18n import _
from dashboard.core.runtime import runtime
from dashboard.work import alerting
from data import alerts
from data.scope import Scope

URGENT = ("warning", "critical")  # a bell with one of these open is red; info only, grey
CACHE_MAX_AGE_S = 60.0  # a Redis that lost its counter starts again at 0: an old entry is not trusted forever


class OpenCounts:
    """Open alerts per severity by (alerts' version, scope), kept for the newest version only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._counts: dict[Scope, tuple[float, dict[str, int]]] = {}

    def get(self, version: int, scope: Scope, read) -> dict[str, int]:
        now = time.monotonic()
        with self._lock:
            if version != self._version:
                self._version, self._counts = version, {}
            cached = self._counts.get(scope)
            if cached is not None and now - cached[0] < CACHE_MAX_AGE_S:
                return cached[1]
        counts = read()
        with self._lock:
            if version == self._version:
                self._counts[scope] = (now, counts)
        return counts


def open_counts(rt) -> OpenCounts:
    """The serving process's one cache (kept on its runtime: an app of its own has its own)."""
    return rt.extensions.setdefault("alerts_open_counts", OpenCounts())


def bell_label(count: int) -> str:
    return _("1 open alert") if count == 1 else _("{count} open alerts", count=count)


def bell(_tick: object, seen: object) -> tuple:
    """The bell's count, its name and its colour: redrawn only when the alerts' version moved."""
    rt = runtime()
    version = alerting.state(rt).version()
    scope = g.viewer.scope
    counts = open_counts(rt).get(version, scope, lambda: alerts.open_count_by_severity(rt.db, scope))
    total = sum(counts.values())
    shown = [version, total, sum(counts[s] for s in URGENT)]
    if shown == seen:
        raise PreventUpdate
    tone = " fo-bell-urgent" if shown[2] else " fo-bell-info" if total else ""
    return str(total) if total < 100 else "99+", total == 0, bell_label(total), f"fo-bell{tone}", shown


def register(app: Dash) -> None:
    app.callback(
        Output("shell-alerts-count", "children"),
        Output("shell-alerts-count", "hidden"),
        Output("shell-alerts-label", "children"),
        Output("shell-alerts-bell", "className"),
        Output("shell-alerts-seen", "data"),
        Input("shell-alerts-tick", "n_intervals"),
        State("shell-alerts-seen", "data"),
    )(bell)
