"""Day replay callbacks: one person's track, stays, visits, tasks and time split for a day (audited)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import dash_leaflet as dl
import plotly.graph_objects as go
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update
from flask import g

from dashboard.core.auditing import record_look
from dashboard.core.i18n import _
from dashboard.core.inputs import calendar_day, whole_number
from dashboard.core.palette import SPLIT_COLORS
from dashboard.core.runtime import runtime
from dashboard.web.charts import empty, figure
from data import analytics, employees

REPLAY_TICKS = 300  # a day replays in about a minute: 300 ticks of the 200 ms interval
STOP_COLORS = {"visit": SPLIT_COLORS["visit"], "stay": SPLIT_COLORS["idle"]}


def employee_options(_id: object, chosen: object) -> tuple[list[dict], object, dict]:
    """The people in the viewer's scope (the one asked for in the address kept, field staff: themselves),
    and the demo city's street lines under the track."""
    rt = runtime()
    people = employees.roster(rt.db, g.viewer.scope)
    options = [{"label": f"{p['name']} · {p['team_name'] or ''}", "value": p["id"]} for p in people]
    chosen = whole_number(chosen)
    if chosen is None and g.viewer.role == "field":
        chosen = g.viewer.employee_id
    return options, chosen, rt.livemap.streets_geojson()


def _day(value: object) -> date:
    return calendar_day(value) or datetime.now(runtime().settings.tz).date()


def load_day(employee: object, day_value: object):
    employee_id = whole_number(employee)
    rt = runtime()
    nothing = ({}, [], 0, None, empty("", _("Choose a person and a day.")), [], None, "", no_update)
    if employee_id is None:
        return nothing
    scope = g.viewer.scope
    person = employees.get_employee(rt.db, scope, employee_id)
    if person is None:
        return (*nothing[:6], html.P(_("This person is not in your view."), className="text-muted"), "", no_update)
    day = _day(day_value)
    start = datetime.combine(day, datetime.min.time(), rt.settings.tz)
    end = start + timedelta(days=1)
    record_look("view_track", [employee_id], {"day": day.isoformat()})
    track = analytics.day_track(rt.db, scope, employee_id, start, end)
    stops = analytics.day_activities(rt.db, scope, employee_id, start, end)
    tasks = analytics.day_tasks(rt.db, scope, employee_id, start, end)
    hours = analytics.employee_hours(rt.db, scope, employee_id, start, end)
    store = {
        "lat": [p["lat"] for p in track],
        "lon": [p["lon"] for p in track],
        "time": [rt.local(p["ts"], "%H:%M:%S") for p in track],
        "step": max(1, math.ceil(len(track) / REPLAY_TICKS)),
    }
    path = [[p["lat"], p["lon"]] for p in track]
    viewport: object = no_update
    if track:
        lats, lons = store["lat"], store["lon"]
        viewport = {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]], "transition": "flyToBounds"}
    summary = _("{fixes} positions · {name}", fixes=len(track), name=person["name"])
    return (
        store,
        path,
        max(0, len(track) - 1),
        _stop_markers(stops),
        _timeline(stops, tasks, start, end),
        _task_rows(tasks),
        _split(hours),
        summary,
        viewport,
    )


def _stop_markers(stops: list[dict]) -> list:
    markers = []
    for stop in stops:
        attributes = stop["attributes"] or {}
        lat, lon = attributes.get("lat", stop["customer_lat"]), attributes.get("lon", stop["customer_lon"])
        if stop["kind"] not in STOP_COLORS or not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            continue
        label = stop["customer_name"] or (_("Visit") if stop["kind"] == "visit" else _("Stay"))
        markers.append(
            dl.CircleMarker(
                center=[lat, lon],
                radius=6,
                color=STOP_COLORS[stop["kind"]],
                fillOpacity=0.6,
                children=dl.Tooltip(f"{label} · {runtime().local(stop['started_at'], '%H:%M')}"),
            )
        )
    return markers


def _timeline(stops: list[dict], tasks: list[dict], start: datetime, end: datetime) -> go.Figure:
    title = _("The day on a timeline")
    if not stops and not tasks:
        return empty(title, _("Nothing recorded on this day."), height=220)
    tz = runtime().settings.tz
    fig = figure(title, height=240)
    rows = (
        (_("Task windows"), [(t["window_start"], t["window_end"], t["customer_name"]) for t in tasks], "#b8c2cc"),
        (
            _("Visits"),
            [(s["started_at"], s["ended_at"], s["customer_name"]) for s in stops if s["kind"] == "visit"],
            SPLIT_COLORS["visit"],
        ),
        (
            _("Stays away from customers"),
            [(s["started_at"], s["ended_at"], "") for s in stops if s["kind"] == "stay" and not s["customer_id"]],
            SPLIT_COLORS["idle"],
        ),
    )
    for label, spans, color in rows:
        xs, ys, texts = [], [], []
        for first, last, name in spans:
            if first is None:
                continue
            last = last or first
            xs += [first.astimezone(tz), last.astimezone(tz), None]
            ys += [label, label, None]
            texts += [name or "", name or "", None]
        fig.add_scatter(
            x=xs, y=ys, mode="lines", line={"width": 14, "color": color}, name=label, text=texts, hoverinfo="x+text"
        )
    fig.update_xaxes(range=[start.replace(hour=6), start.replace(hour=20)], tickformat="%H:%M")
    fig.update_layout(showlegend=False, margin={"l": 170})
    return fig


def _task_rows(tasks: list[dict]) -> list[dict]:
    rt = runtime()
    arrivals = sorted((t["arrived_at"], t["id"]) for t in tasks if t["arrived_at"])
    actual = {task_id: n for n, (_at, task_id) in enumerate(arrivals, start=1)}
    rows = []
    for t in tasks:
        on_time = None
        if t["arrived_at"] and t["window_start"] and t["window_end"]:
            on_time = _("yes") if t["window_start"] <= t["arrived_at"] <= t["window_end"] else _("no")
        rows.append(
            {
                "planned_seq": t["planned_seq"],
                "actual_seq": actual.get(t["id"]),
                "customer": t["customer_name"],
                "window": f"{rt.local(t['window_start'], '%H:%M')}–{rt.local(t['window_end'], '%H:%M')}",
                "arrived": rt.local(t["arrived_at"], "%H:%M"),
                "departed": rt.local(t["departed_at"], "%H:%M"),
                "on_time": on_time,
                "state": t["state"],
                "score": t["score"],
                "comment": t["comment"],
            }
        )
    return rows


def _split(hours: list[dict]) -> list:
    if not hours:
        return [html.P(_("No time split for this day yet (it is computed every minute)."), className="text-muted")]
    total = {key: sum(h[key] or 0 for h in hours) for key in hours[0] if key != "hour"}
    tracked = total["tracked_s"] or 1
    parts = (
        ("visit", _("On visits"), total["visit_s"]),
        ("travel", _("Travelling"), total["travel_s"]),
        ("idle", _("Idle away from customers"), total["idle_s"]),
        ("outside", _("Outside work areas"), total["outside_s"]),
    )
    fig = figure(_("Time split"), height=240)
    for key, label, seconds in parts[:3]:
        fig.add_bar(y=[""], x=[seconds / 3600], name=label, orientation="h", marker_color=SPLIT_COLORS[key])
    fig.update_layout(barmode="stack", margin={"l": 8, "r": 8, "t": 36, "b": 8}, legend={"y": -0.25})
    facts = [
        (_("Tracked"), f"{tracked / 3600:.1f} h"),
        (_("Distance"), f"{total['distance_m'] / 1000:.1f} km"),
        (_("Visits"), f"{total['visits']} ({total['visits_on_time']} {_('on time')})"),
        *[(label, f"{seconds / 60:.0f} min · {seconds / tracked:.0%}") for _key, label, seconds in parts],
    ]
    return [
        html.Dl([item for term, value in facts for item in (html.Dt(term), html.Dd(value))]),
        dcc.Graph(figure=fig, config={"displayModeBar": False}),
    ]


def register(app: Dash) -> None:
    app.callback(
        Output("day-employee", "options"),
        Output("day-employee", "value"),
        Output("day-streets", "data"),
        Input("day-employee", "id"),
        State("day-employee", "value"),
    )(employee_options)
    app.callback(
        Output("day-track", "data"),
        Output("day-path", "positions"),
        Output("day-slider", "max"),
        Output("day-stops", "children"),
        Output("day-timeline", "figure"),
        Output("day-tasks", "rowData"),
        Output("day-split", "children"),
        Output("day-summary", "children"),
        Output("day-map", "viewport"),
        Input("day-employee", "value"),
        Input("day-date", "date"),
    )(load_day)
    app.clientside_callback(
        ClientsideFunction("fieldopsAnalytics", "replayPosition"),
        Output("day-marker", "center"),
        Output("day-clock", "children"),
        Output("day-marker", "fillOpacity"),
        Input("day-slider", "value"),
        Input("day-track", "data"),
    )
    app.clientside_callback(
        ClientsideFunction("fieldopsAnalytics", "replayControl"),
        Output("day-slider", "value"),
        Output("day-ticker", "disabled"),
        Input("day-play", "n_clicks"),
        Input("day-ticker", "n_intervals"),
        State("day-slider", "value"),
        State("day-ticker", "disabled"),
        State("day-track", "data"),
        prevent_initial_call=True,
    )
