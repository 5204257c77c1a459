"""Wall display callbacks: the fleet every second (deltas, as on the live map), the alerts every second when
their version moved, tiles every five seconds, the heatmap every minute. No drill-down, no names of people."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, html, no_update
from flask import g

from dashboard.analytics.metrics import FIGURE
from dashboard.core.auditing import record_look
from dashboard.core.i18n import _
from dashboard.core.inputs import BIGINT, counter, mapping, whole_number, whole_number_vector
from dashboard.core.runtime import runtime
from dashboard.live.presence import ACTIVITIES, NO_POSITION, OFFLINE, PAUSED
from dashboard.live.wall import TILE_FIGURES, cycle_seconds, heat_today, team_area, tiles, verdicts, wall_alerts
from dashboard.web.components import severity_chip
from dashboard.work import alerting

HEAT_EVERY_TICKS = 12  # the slow tick is 5 s: the heatmap is redrawn, and the maps framed, every minute
LEGEND = (*ACTIVITIES, OFFLINE, PAUSED, NO_POSITION)  # the map's legend, counted with the tiles
ALERT_ROWS = 5  # as many as the screen holds whole, the most severe first
TILE_IDS = {"visits": "visits", "tasks_done": "done", "overdue_tasks": "overdue", "satisfaction": "satisfaction"}


def fleet(_tick: int, cursor: object) -> dict:
    cursor = mapping(cursor)
    since = whole_number_vector(cursor.get("v"), BIGINT)  # the feed version: a Redis counter per shard
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


def _alert_row(alert: dict) -> html.Div:
    """An alert as the room reads it: severity, kind, time; team and place beneath. Never a person."""
    where = " · ".join(part for part in (alert["team"], alert["place"]) if part)
    return html.Div(
        [
            severity_chip(alert["severity"]),
            html.Span(alerting.kind_label(alert["kind"]), className="fo-wall-alert-kind"),
            html.Span(runtime().local(alert["at"], "%H:%M"), className="fo-wall-alert-time"),
            html.Span(where, className="fo-wall-alert-where"),
        ],
        className=f"fo-wall-alert fo-wall-alert-{alert['severity']}",
        id=f"wall-alert-{alert['id']}",
    )


def alerts_view(_tick: int, seen: object) -> tuple:
    """The alerts panel and what the rotation needs to know (assets/wall.js): every alert shown, those that
    interrupt when new (warnings and criticals), the cycle. Redrawn only when the alerts' version or the cycle
    moved, checked every second (one Redis read), so a new alert interrupts within about a second."""
    rt = runtime()
    version = alerting.state(rt).version()
    cycle_s = cycle_seconds(rt.org_settings())
    seen = mapping(seen)
    if seen.get("v") == version and seen.get("cycle_s") == cycle_s:
        return no_update, no_update
    found = wall_alerts(rt, g.viewer.scope, version)
    rows = [_alert_row(alert) for alert in found[:ALERT_ROWS]]
    more = len(found) - ALERT_ROWS
    if more > 0:  # whole rows only: the rest are counted, never cut off at the screen's edge
        rows.append(html.Div(_("and {count} more", count=more), className="fo-wall-alert-more"))
    state = {
        "v": version,
        "alerts": [alert["id"] for alert in found],
        "interrupt": [alert["id"] for alert in found if alert["interrupts"]],
        "critical": [alert["id"] for alert in found if alert["severity"] == "critical"],
        "cycle_s": cycle_s,
    }
    return rows or html.Div(_("No open alerts"), className="fo-wall-calm"), state


def tiles_view(_tick: int) -> tuple:
    rt = runtime()
    figures = tiles(rt, g.viewer.scope)
    settings = rt.org_settings()
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
        Input("wall-slow", "n_intervals"),
    )(tiles_view)
    app.callback(
        Output("wall-alerts", "children"),
        Output("wall-alerts-seen", "data"),
        Input("wall-tick", "n_intervals"),
        State("wall-alerts-seen", "data"),
    )(alerts_view)
    app.callback(Output("wall-heat", "data"), Input("wall-slow", "n_intervals"))(heatmap)
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsWall", function_name="configure"),
        Output("wall-title", "title"),
        Input("wall-alerts-seen", "data"),
        State("wall-config", "data"),
    )
