"""Ingest status callbacks: read the live feed's backlog, lag and writers, and the readiness verdict, every tick."""

from __future__ import annotations

from dash import Dash, Input, Output, html

from dashboard.core.i18n import _
from dashboard.core.runtime import runtime
from dashboard.web.health import report


def ingest_status(_tick: int | None) -> tuple[str, str, str, html.Table | html.P, list[html.P]]:
    rt = runtime()
    health = report(rt)  # as /readyz answers it; reasons and warnings are the operators' English, as in logs
    reasons = health["reasons"]
    ready = html.P(
        _("Not ready: {reasons}", reasons="; ".join(reasons))
        if reasons
        else _("Ready: every dependency answers and the writers keep up."),
        className="text-danger-emphasis" if reasons else "text-success-emphasis",
    )
    writers = rt.feed.writer_consumers()
    warnings = [
        html.P(_("Warning: {warning}", warning=warning), className="text-warning-emphasis")
        for warning in health["warnings"]
    ]
    table: html.Table | html.P = html.P(
        _("No writer has started yet: run fieldops worker."), className="text-danger-emphasis"
    )
    if writers:
        header = html.Tr([html.Th(_("Writer")), html.Th(_("Holding")), html.Th(_("Last read"))])
        rows = [
            html.Tr(
                [
                    html.Td(w["name"]),
                    html.Td(f"{w['pending']:,}", className="fo-num"),
                    html.Td(_("{n} s ago", n=w["idle_ms"] // 1000), className="fo-num"),
                ]
            )
            for w in writers
        ]
        table = html.Table(
            [html.Thead(header), html.Tbody(rows)], id="ops-writers-table", className="table table-sm fo-report"
        )
    return (
        f"{rt.feed.stream_backlog():,}",
        f"{rt.feed.writer_lag_s():.1f} s",
        f"{rt.settings.max_backlog:,}",
        table,
        [ready, *warnings],
    )


def register(app: Dash) -> None:
    app.callback(
        Output("ops-backlog", "children"),
        Output("ops-lag", "children"),
        Output("ops-limit", "children"),
        Output("ops-writers", "children"),
        Output("ops-ready", "children"),
        Input("ops-tick", "n_intervals"),
    )(ingest_status)
