"""Wall display callbacks: the fleet every second (deltas, as on the live map), tiles and alerts every
five seconds, the heatmap every minute. No drill-down, no names of people."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, html, no_update
from flask import g

from dashboard.analytics.metrics import FIGURE
from dashboard.core.auditing import record_look
from dashboard.core.i18n import _
from dashboard.core.inputs import BIGINT, counter, mapping, whole_number
from dashboard.core.runtime import runtime
from dashboard.live.presence import ACTIVITIES, NO_POSITION, OFFLINE, PAUSED
from dashboard.live.wall import (
    INTERRUPTS,
    TILE_FIGURES,
    cycle_seconds,
    heat_today,
    team_area,
    tiles,
    verdicts,
    wall_alerts,
)

HEAT_EVERY_TICKS = 12  # the slow tick is 5 s: the heatmap is redrawn, and the maps framed, every minute
LEGEND = (*ACTIVITIES, OFFLINE, PAUSED, NO_POSITION)  # the map's legend, counted with the tiles
ALERT_ROWS = 7  # as many as the screen holds whole, help requests first
TILE_IDS = {"visits": "visits", "tasks_done": "done", "overdue_tasks": "overdue", "satisfaction": "satisfaction"}


def fleet(_tick: int, cursor: object) -> dict:
    cursor = mapping(cursor)
    since = whole_number(cursor.get("v"), BIGINT)  # the feed version: a Redis counter
    paused_digest = whole_number(cursor.get("p"), BIGINT)  # which paused people the display holds
    payload = runtime().livemap.fleet_payload(g.viewer.scope, since, paused_digest)
    payload["team"] = None
    if payload["full"]:  # as on the live map: who was shown, once per (re)load
        record_look("view_live_map", payload["id"], {"wall": True})
    return payload


def static_layers(_id: object) -> tuple[dict, dict]:
    """Streets for both maps."""
    streets = runtime().livemap.streets_geojson()
    return streets, streets


def area(tick: object) -> object:
    """The team's area (work areas and the people in view) for both maps to frame (assets/wall.js fits it
    beside the legend), at first and then every HEAT_EVERY_TICKS slow ticks: people move out and back."""
    if counter(tick) % HEAT_EVERY_TICKS:
        return no_update
    bounds = team_area(runtime(), g.viewer.scope)
    return no_update if bounds is None else {"bounds": bounds}


def _number(value: object, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def _alert_row(kind: str, css: str, time_text: str, where: str) -> html.Div:
    return html.Div(
        [html.Span(kind, className="fo-wall-alert-kind"), html.Span(time_text), html.Span(where)],
        className=f"fo-wall-alert {css}",
    )


def tiles_and_alerts(_tick: int) -> tuple:
    rt = runtime()
    scope = g.viewer.scope
    figures = tiles(rt, scope)
    found = wall_alerts(rt, scope)
    rows = (
        [
            _alert_row(_("Help requested"), "fo-wall-alert-help", rt.local(a["at"], "%H:%M"), a["team"] or "")
            for a in found["help"]
        ]
        + [
            _alert_row(
                _("Left work area"),
                "fo-wall-alert-breach",
                rt.local(b["at"], "%H:%M"),
                f"{b['zone']} · {b['team'] or ''}",
            )
            for b in found["breaches"]
        ]
        + [
            _alert_row(
                _("Overdue"),
                "fo-wall-alert-overdue",
                rt.local(t["at"], "%H:%M"),
                f"{t['customer']} · {t['team'] or ''}",
            )
            for t in found["overdue"]
        ]
    )
    more = len(rows) - ALERT_ROWS
    if more > 0:  # whole rows only: the rest are counted, never cut off at the screen's edge
        rows = [*rows[:ALERT_ROWS], html.Div(_("and {count} more", count=more), className="fo-wall-alert-more")]
    alerts_view = rows or html.Div(_("No open alerts"), className="fo-wall-calm")
    settings = rt.org_settings()
    state = {
        "alerts": [a["id"] for group in INTERRUPTS for a in found[group]],
        "interrupt": [a["id"] for group, interrupts in INTERRUPTS.items() if interrupts for a in found[group]],
        "cycle_s": cycle_seconds(settings),
    }
    judged = verdicts(figures, settings)
    return (
        _number(figures["active"]),
        _number(figures["visits"]),
        _number(figures["tasks_done"]),
        _number(figures["overdue_tasks"]),
        _number(figures["satisfaction"], 1),
        *[f"fo-wall-tile fo-wall-tile-{TILE_IDS[key]} fo-wall-{judged[key]}" for key in TILE_FIGURES],
        *[_target(key, settings) for key in TILE_FIGURES],
        *[_number(figures["people"][key]) for key in LEGEND],
        alerts_view,
        state,
    )


def _target(key: str, settings: dict) -> str:
    """ "target 4.0" under a tile whose figure has one: the colour's reason, in words."""
    figure = FIGURE[key]
    goal = figure.goal(settings)
    return "" if goal is None else _("target {value}", value=_number(float(goal), 1 if figure.digits else 0))


def heatmap(tick: object) -> object:
    """Today's hours per map cell (issue 5's rollups), redrawn every HEAT_EVERY_TICKS slow ticks."""
    if counter(tick) % HEAT_EVERY_TICKS:
        return no_update
    return heat_today(runtime(), g.viewer.scope)


def register(app: Dash) -> None:
    app.callback(Output("wall-feed", "data"), Input("wall-tick", "n_intervals"), State("wall-cursor", "data"))(fleet)
    app.clientside_callback(
        ClientsideFunction(namespace="fieldops", function_name="mergeFleetOnly"),
        Output("wall-fleet", "data"),
        Output("wall-cursor", "data"),
        Input("wall-feed", "data"),
    )
    # Every answer from the server marks the display fresh (assets/wall.js shows the stale indicator).
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsWall", function_name="alive"),
        Output("wall-clock", "title"),
        Input("wall-feed", "data"),
        State("wall-config", "data"),
    )
    app.callback(
        Output("wall-streets", "data"),
        Output("wall-heat-streets", "data"),
        Input("wall-page", "id"),
    )(static_layers)
    app.callback(Output("wall-area", "data"), Input("wall-slow", "n_intervals"))(area)
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsWall", function_name="frame"),
        Output("wall-map", "viewport"),
        Output("wall-heatmap", "viewport"),
        Input("wall-area", "data"),
        Input("wall-heat", "data"),
    )
    app.callback(
        *[Output(f"wall-kpi-{key}", "children") for key in ("active", "visits", "done", "overdue", "satisfaction")],
        *[Output(f"wall-tile-{TILE_IDS[key]}", "className") for key in TILE_FIGURES],
        *[Output(f"wall-kpi-{TILE_IDS[key]}-target", "children") for key in TILE_FIGURES],
        *[Output(f"wall-count-{key}", "children") for key in LEGEND],
        Output("wall-alerts", "children"),
        Output("wall-alerts-seen", "data"),
        Input("wall-slow", "n_intervals"),
    )(tiles_and_alerts)
    app.callback(Output("wall-heat", "data"), Input("wall-slow", "n_intervals"))(heatmap)
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsWall", function_name="configure"),
        Output("wall-title", "title"),
        Input("wall-alerts-seen", "data"),
        State("wall-config", "data"),
    )
