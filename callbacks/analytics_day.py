"""Day replay callbacks: one person's track, stays, visits, tasks and time split for a day (audited)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dash_leaflet as dl
import plotly.graph_objects as go
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update
from flask import g

from dashboard.core.auditing import record_look
from dashboard.core.i18n import _
from dashboard.core.inputs import calendar_day, whole_number
from dashboard.core.palette import GREY, SPLIT_COLORS
from dashboard.core.permissions import may_see_trust
from dashboard.core.runtime import runtime
from dashboard.geo.coords import Frame
from dashboard.geo.tiles import map_frame
from dashboard.ingest.privacy import tracking_policy, working_spans
from dashboard.web.charts import chart_config, empty, figure
from dashboard.web.components import trust_summary
from dashboard.work.lifecycle import state_label
from data import analytics, employees

STOP_COLORS = {"visit": SPLIT_COLORS["visit"], "stay": SPLIT_COLORS["idle"]}
TIMELINE_MARGIN = timedelta(minutes=15)  # beyond the first and last thing of the day, before rounding


def employee_options(_id: object, chosen: object) -> tuple[list[dict], object, dict]:
    """The people in the viewer's scope and, with them, the one asked for in the address (field staff:
    themselves), and the demo city's street lines under the track."""
    rt = runtime()
    people = employees.roster(rt.db, g.viewer.scope)
    options = [{"label": f"{_person(p)} · {p['team_name'] or ''}", "value": p["id"]} for p in people]
    chosen = whole_number(chosen)
    if chosen is None and g.viewer.role == "field":
        chosen = g.viewer.employee_id
    return options, chosen, rt.livemap.streets_geojson()


def _person(person: dict) -> str:
    """Name and code: two people of one name (two 王芳 in the demo) stay apart."""
    return f"{person['name']} ({person['code']})"


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
    tz = rt.settings.tz
    start = datetime.combine(day, datetime.min.time(), tz)
    end = start + timedelta(days=1)
    record_look("view_track", [employee_id], {"day": day.isoformat()})
    track = analytics.day_track(rt.db, scope, employee_id, start, end)
    stops = analytics.day_activities(rt.db, scope, employee_id, start, end)
    tasks = analytics.day_tasks(rt.db, scope, employee_id, start, end)
    hours = analytics.employee_hours(rt.db, scope, employee_id, start, end)
    working = working_spans(tracking_policy(rt).refresh().schedules.get(employee_id, []), day, tz)
    frame = map_frame(rt)  # the track, stops and playhead as the map's tiles draw them
    store = _replay_track(track, rt.settings.timezone, frame)
    path = [[lat, lon] for lat, lon in zip(store.get("lat", []), store.get("lon", []), strict=True)]
    viewport: object = no_update
    if track:
        lats, lons = store["lat"], store["lon"]
        viewport = {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]], "transition": "flyToBounds"}
    summary = _("{fixes} positions · {name}", fixes=len(track), name=_person(person))
    return (
        store,
        path,
        math.ceil(store["t"][-1]) if track else 0,
        _stop_markers(stops, frame),
        _timeline(stops, tasks, track, working, start, end),
        _task_rows(tasks),
        _split(hours),
        summary,
        viewport,
    )


def _replay_track(track: list[dict], timezone: str, frame: Frame) -> dict:
    """The track as the browser replays it (assets/analytics.js), in the map's system: seconds after the first
    fix, and the zone the playhead's clock reads in."""
    if not track:
        return {}
    first = track[0]["ts"]
    points = frame.out_many((p["lat"], p["lon"]) for p in track)
    return {
        "t0": first.timestamp(),
        "t": [round((p["ts"] - first).total_seconds(), 1) for p in track],
        "lat": [lat for lat, _lon in points],
        "lon": [lon for _lat, lon in points],
        "tz": timezone,
    }


def _stop_markers(stops: list[dict], frame: Frame) -> list:
    """Visits and stays on the map; a visit opened by a scored check-in says its trust to supervisors (issue 19)."""
    trust = may_see_trust(g.viewer, runtime().org_settings())
    markers = []
    for stop in stops:
        attributes = stop["attributes"] or {}
        lat, lon = attributes.get("lat", stop["customer_lat"]), attributes.get("lon", stop["customer_lon"])
        if stop["kind"] not in STOP_COLORS or not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            continue
        label = stop["customer_name"] or (_("Visit") if stop["kind"] == "visit" else _("Stay"))
        markers.append(
            dl.CircleMarker(
                center=list(frame.out(lat, lon)),
                radius=6,
                color=STOP_COLORS[stop["kind"]],
                fillOpacity=0.6,
                children=dl.Tooltip(_stop_text(stop, label, trust)),
            )
        )
    return markers


def _stop_text(stop: dict, label: str, trust: bool) -> str:
    text = f"{label} · {runtime().local(stop['started_at'], '%H:%M')}"
    if trust and stop.get("trust_score") is not None:
        text += " · " + _("Trust {score}", score=trust_summary(stop["trust_score"], stop.get("trust_reasons")))
    return text


def _timeline(
    stops: list[dict],
    tasks: list[dict],
    track: list[dict],
    working: list[tuple[datetime, datetime]],
    start: datetime,
    end: datetime,
) -> go.Figure:
    title = _("The day on a timeline")
    if not stops and not tasks:
        return empty(title, _("Nothing recorded on this day."), height=220)
    tz = start.tzinfo
    fig = figure(title, height=240)
    visits = [(s["started_at"], s["ended_at"], s["customer_name"]) for s in stops if s["kind"] == "visit"]
    stays = [(s["started_at"], s["ended_at"]) for s in stops if s["kind"] == "stay" and not s["customer_id"]]
    rows = (
        (_("Task windows"), [(t["window_start"], t["window_end"], t["customer_name"]) for t in tasks], "#b8c2cc"),
        (_("Visits"), visits, SPLIT_COLORS["visit"]),
        (_("Stays away from customers"), _outside_visits(stays, visits), SPLIT_COLORS["idle"]),
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
    labels = [label for label, _spans, _color in rows]
    fig.update_yaxes(categoryorder="array", categoryarray=labels, range=[-0.5, len(labels) - 0.5])  # empty rows too
    shifts = [(first, last) for first, last in working if first > start or last < end]
    for first, last in shifts:
        fig.add_vrect(x0=first, x1=last, fillcolor=GREY, opacity=0.12, line_width=0, layer="below")
    if shifts:
        fig.add_annotation(
            x=shifts[0][0],
            y=1,
            xref="x",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            text=_("Working hours"),
            font={"size": 11, "color": "#55606b"},
        )
    instants = [p["ts"] for p in track[:1] + track[-1:]]
    instants += [s[key] for s in stops for key in ("started_at", "ended_at")]
    instants += [t[key] for t in tasks for key in ("window_start", "window_end", "arrived_at", "departed_at")]
    first, last = timeline_range(instants, shifts, start, end)
    fig.update_xaxes(range=[first, last], tickformat="%H:%M")
    fig.update_layout(showlegend=False, margin={"l": 170})
    return fig


def _outside_visits(stays: list[tuple], visits: list[tuple]) -> list[tuple]:
    """The parts of the stays no visit covers, as the time split counts idle time (a stay at a customer whose
    site has no geofence has no customer, yet its visit is no idle time)."""
    parts = []
    for first, last in stays:
        last = last or first
        for visit_start, visit_end, _name in sorted((v for v in visits if v[0] is not None), key=lambda v: v[0]):
            visit_end = visit_end or visit_start
            if visit_end <= first or visit_start >= last:
                continue
            if visit_start > first:
                parts.append((first, visit_start, ""))
            first = max(first, visit_end)
        if first < last:
            parts.append((first, last, ""))
    return parts


def timeline_range(
    instants: list[datetime | None], working: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    """The part of the day [start, end) the timeline shows: the day's data and the working hours together, a
    margin either side, out to the half hour in the day's zone; the whole day when there is nothing."""
    points = [moment for moment in instants if moment is not None] + [moment for span in working for moment in span]
    if not points:
        return start, end
    tz = start.tzinfo
    first = _half_hour(min(points) - TIMELINE_MARGIN, tz, up=False)
    last = _half_hour(max(points) + TIMELINE_MARGIN, tz, up=True)
    return max(start, first), min(end, last)


def _half_hour(moment: datetime, tz: ZoneInfo, *, up: bool) -> datetime:
    local = moment.astimezone(tz)
    down = local.replace(minute=30 if local.minute >= 30 else 0, second=0, microsecond=0)
    return down + timedelta(minutes=30) if up and down < local else down


def _task_rows(tasks: list[dict]) -> list[dict]:
    rt = runtime()
    arrivals = sorted((t["arrived_at"], t["id"]) for t in tasks if t["arrived_at"])
    actual = {task_id: n for n, (_at, task_id) in enumerate(arrivals, start=1)}
    rows = []
    verdicts = {True: _("yes"), False: _("no"), None: None}
    for t in tasks:
        rows.append(
            {
                "planned_seq": t["planned_seq"],
                "actual_seq": actual.get(t["id"]),
                "customer": t["customer_name"],
                "window": f"{rt.local(t['window_start'], '%H:%M')}–{rt.local(t['window_end'], '%H:%M')}",
                "arrived": rt.local(t["arrived_at"], "%H:%M"),
                "departed": rt.local(t["departed_at"], "%H:%M"),
                "on_time": verdicts[t["on_time"]],
                "state": state_label(t["state"]),
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
    fig = figure(_("Time split"), height=200)
    for key, label, seconds in parts[:3]:
        fig.add_bar(y=[""], x=[seconds / 3600], name=label, orientation="h", marker_color=SPLIT_COLORS[key])
    fig.update_xaxes(ticksuffix=" h")
    # The legend under the bar, wrapping in the narrow panel; automargin makes room for it inside the figure.
    fig.update_layout(
        barmode="stack",
        margin={"l": 8, "r": 8, "t": 36, "b": 8},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.3, "yanchor": "top"},
    )
    facts = [
        (_("Tracked"), f"{tracked / 3600:.1f} h"),
        (_("Distance"), f"{total['distance_m'] / 1000:.1f} km"),
        (_("Visits"), f"{total['visits']} ({total['visits_on_time']} {_('on time')})"),
        *[
            (label, f"{_('{minutes} min', minutes=f'{seconds / 60:.0f}')} · {seconds / tracked:.0%}")
            for _key, label, seconds in parts
        ],
    ]
    return [
        html.Dl(
            [html.Div([html.Dt(term), html.Dd(value)]) for term, value in facts],
            className="fo-day-facts",
        ),
        dcc.Graph(figure=fig, config=chart_config()),
    ]


def register(app: Dash) -> None:
    app.callback(
        Output("day-employee", "options"),
        Output("day-employee", "value"),
        Output("day-streets", "data"),
        Input("day-employee", "id"),
        State("day-asked", "data"),
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
        Output("day-marker", "pathOptions"),  # react-leaflet restyles a path only when its pathOptions change
        Input("day-slider", "value"),
        Input("day-track", "data"),
    )
    app.clientside_callback(
        ClientsideFunction("fieldopsAnalytics", "replayControl"),
        Output("day-slider", "value"),
        Output("day-ticker", "disabled"),
        Output("day-play", "children"),
        Input("day-play", "n_clicks"),
        Input("day-ticker", "n_intervals"),
        Input("day-track", "data"),
        Input("day-slider", "value"),  # its own output too: Dash fires it only when a person drags the slider
        State("day-speed", "value"),
        State("day-ticker", "disabled"),
        State("day-play-labels", "data"),
        prevent_initial_call=True,
    )
