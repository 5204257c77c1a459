"""Live map callbacks: thin, they read inputs, ask dashboard.live.livemap and shape the output."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import dash
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.auditing import record_look
from dashboard.core.errors import AppError
from dashboard.core.i18n import _, relative_time
from dashboard.core.inputs import BIGINT, mapping, whole_number, whole_number_vector
from dashboard.core.permissions import ALERT_ROLES, may_open, may_see_individuals
from dashboard.core.runtime import Runtime, runtime
from dashboard.geo.tiles import map_frame
from dashboard.live.livemap import LiveMap
from dashboard.live.presence import COUNTS
from dashboard.web.components import severity_chip
from dashboard.work import alerting
from dashboard.work.lifecycle import state_label as task_state_label
from data import activities, alerts, employees, tasks, teams


def live_map() -> LiveMap:
    return runtime().livemap


def team_options(_pathname: object) -> list[dict]:
    return [{"label": team["name"], "value": team["id"]} for team in teams.list_teams(runtime().db, g.viewer.scope)]


def static_layers(team_id: int | None) -> tuple[dict, dict, dict, dict]:
    """Zones, customers and streets for the chosen team, and the view that frames them: all in the map's system
    (dashboard/live/livemap.py converts them)."""
    team_id = whole_number(team_id)
    livemap = live_map()
    scope = g.viewer.scope.narrowed_to_team(team_id)
    customers = livemap.customers_geojson(scope)
    points = [f["geometry"]["coordinates"] for f in customers["features"]]
    viewport: object = no_update
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        viewport = {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]], "transition": "flyToBounds"}
    return livemap.zones_geojson(scope), customers, livemap.streets_geojson(), viewport


def fleet(_tick: int, team_id: int | None, cursor: dict | None) -> dict:
    """Only what changed since the browser's version; everything after a team change or a reload."""
    team_id = whole_number(team_id)
    since = None
    cursor = mapping(cursor)
    if ctx.triggered_id != "livemap-team" and cursor and cursor.get("team") == team_id:
        since = whole_number_vector(cursor.get("v"), BIGINT)  # the feed version: a Redis counter per shard
    paused_digest = whole_number(cursor.get("p"), BIGINT)  # which paused people the browser holds
    payload = live_map().fleet_payload(g.viewer.scope.narrowed_to_team(team_id), since, paused_digest)
    payload["team"] = team_id
    if payload["full"]:
        record_look("view_live_map", payload["id"], {"team": team_id})
    return payload


def people_names(team_id: int | None, _roster: int | None = None) -> dict[str, dict]:
    """Everyone the viewer may see (the chosen team's) with name, code, team and the name's Latin reading, for
    the list beside the map and the search box: the same roster the counts are taken over, so the list holds
    the people without a position too; none for the wall or an executive who may not see individuals."""
    if not may_see_individuals(g.viewer, runtime().org_settings()):
        return {}
    scope = g.viewer.scope.narrowed_to_team(whole_number(team_id))
    return {str(employee_id): person for employee_id, person in live_map().people(scope).items()}


def select_person(click: dict | None, badge_click: dict | None = None) -> object:
    """The person whose marker (or alert badge) was clicked."""
    if ctx.triggered_id == "livemap-alert-badges":
        click = {"properties": {}, "id": mapping(mapping(badge_click).get("properties")).get("id")}
    if not isinstance(click, dict) or (click.get("properties") or {}).get("cluster"):
        return no_update
    return whole_number(click.get("id")) or no_update


def person_details(employee_id: int | None, _tick: int) -> object:
    employee_id = whole_number(employee_id)
    if employee_id is None:
        return no_update
    rt = runtime()
    person = employees.get_employee(rt.db, g.viewer.scope, employee_id)
    if person is None:
        return html.P(_("This person is not in your view."), className="text-muted")
    if ctx.triggered_id == "livemap-selected":
        record_look("view_person", [person["id"]])
    fix = rt.feed.latest(person["id"])
    task = tasks.current_task(rt.db, person["id"])
    day_start = datetime.now(rt.settings.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    today = activities.day_summary(rt.db, person["id"], day_start, day_start + timedelta(days=1))
    note = activities.last_note(rt.db, person["id"], day_start)
    rows = [
        (_("Team"), person["team_name"] or "—"),
        (_("Speed"), _("{kmh} km/h", kmh=round(fix.speed * 3.6)) if fix and fix.speed is not None else "—"),
        (_("Last report"), relative_time(time.time() - fix.ts_ms / 1000) if fix else _("never")),
        (_("Current task"), _task_text(task)),
        (
            _("Check-ins today"),
            _("{verified} of {total} verified", verified=today["verified"], total=today["check_ins"]),
        ),
        (
            _("Last note"),
            f"{rt.local(note['started_at'], '%H:%M')} {note['customer_name'] or ''}: {note['notes']}" if note else "—",
        ),
    ]
    return html.Div(
        [
            html.H2(person["plain_name"], id="livemap-details-name", className="h5"),  # the code is beneath
            html.Div(person["code"], className="text-muted small"),
            _onward_links(person["id"], day_start, activities.current_visit(rt.db, person["id"])),
            html.Dl([part for label, value in rows for part in (html.Dt(label), html.Dd(value))]),
        ]
    )


def _onward_links(employee_id: int, day: datetime, visit: dict | None) -> html.Nav | None:
    """Where a supervisor goes next from a person: their day, their tasks, the customer they are with; only the
    pages the viewer's role may open."""
    links = [
        (f"/analytics/day?employee={employee_id}&date={day:%Y-%m-%d}", _("Their day"), "day"),
        (f"/tasks?employee={employee_id}", _("Their tasks"), "tasks"),
    ]
    if visit and visit["customer_id"] is not None:
        customer = visit["customer_name"] or _("Customer")
        links.append((f"/customers?customer={visit['customer_id']}", _("Customer: {name}", name=customer), "customer"))
    pages = {page["relative_path"]: page for page in dash.page_registry.values()}
    settings = runtime().org_settings()
    allowed = [
        html.A(text, href=href, id=f"livemap-link-{key}", className="btn btn-sm btn-outline-primary")
        for href, text, key in links
        if (page := pages.get(href.split("?", 1)[0])) is not None and may_open(g.viewer, page, settings)
    ]
    return html.Nav(allowed, className="fo-onward", **{"aria-label": _("Go to")}) if allowed else None


BADGED = ("warning", "critical")  # info alerts are in the list only


def _when(rt: Runtime, at: datetime) -> str:
    """An alert's time: the hour today, the day too when it is older."""
    today = datetime.now(rt.settings.tz).date()
    return rt.local(at, "%H:%M") if at.astimezone(rt.settings.tz).date() == today else rt.local(at, "%Y-%m-%d %H:%M")


def _alert_row(alert: dict, acts: bool) -> html.Div:
    kind = alerting.kind_label(alert["kind"])
    place = alert["zone_name"] or alert["customer_name"]
    buttons = []
    if acts and alert["state"] == "open":
        buttons.append(
            html.Button(
                _("Acknowledge"),
                id={"type": "livemap-alert-ack", "alert": alert["id"]},
                className="btn btn-sm btn-outline-secondary",
            )
        )
    if acts:
        buttons.append(
            html.Button(
                _("Resolve"),
                id={"type": "livemap-alert-resolve", "alert": alert["id"]},
                className="btn btn-sm btn-outline-primary",
            )
        )
    return html.Div(
        [
            severity_chip(alert["severity"]),
            html.Span(f"{kind} · {place}" if place else kind, className="fo-livemap-alert-kind"),
            html.Span(alert["name"], className="fo-livemap-alert-name"),
            html.Span(_when(runtime(), alert["at"]), className="fo-livemap-alert-time"),
            html.Span(_("Acknowledged"), className="fo-livemap-alert-state")
            if alert["state"] == "acknowledged"
            else None,
            *buttons,
        ],
        className=f"fo-livemap-alert fo-livemap-alert-{alert['severity']}",
        id=f"livemap-alert-{alert['id']}",
    )


def alerts_view(_tick: int, team_id: int | None, _done: object, shown: object) -> tuple:
    """Every open or acknowledged alert in the viewer's scope (the chosen team's), the most severe first: a list
    above the map (names only for viewers who may see individuals; Acknowledge and Resolve for ALERT_ROLES) and,
    for each person with a warning or a critical, a badge on their marker (assets/livemap.js alertBadges). The
    alerts' version is read every second (one Redis read); the list is read again only when it moved, and
    redrawn only when what it shows changed, so a button stays put under the pointer."""
    rt = runtime()
    viewer = g.viewer
    team_id = whole_number(team_id)
    version = alerting.state(rt).version()
    shown = mapping(shown)
    if ctx.triggered_id == "livemap-alerts-tick" and shown.get("v") == version and shown.get("team") == team_id:
        return no_update, no_update, no_update
    found = alerts.open_alerts_placed(rt.db, viewer.scope.narrowed_to_team(team_id))
    digest = [[a["id"], a["state"], a["updated_at"].isoformat()] for a in found]  # a help pressed again moves
    mark = {"v": version, "team": team_id, "digest": digest}
    if shown.get("team") == team_id and shown.get("digest") == digest and ctx.triggered_id != "livemap-alert-done":
        return no_update, no_update, mark
    people: dict[str, dict] = {}
    frame = map_frame(rt)  # a badge's place, when its person has no marker, is drawn in the map's system
    for alert in found:  # the most severe first: a person's badge takes the colour of their worst alert
        if alert["severity"] not in BADGED:
            continue
        text = f"{alerting.severity_label(alert['severity'])}: {alerting.kind_label(alert['kind'])}"
        badge = people.get(str(alert["employee_id"]))
        if badge is None:
            placed = (
                (None, None) if alert["lat"] is None or alert["lon"] is None else frame.out(alert["lat"], alert["lon"])
            )
            people[str(alert["employee_id"])] = {
                "severity": alert["severity"],
                "text": text,
                "lat": placed[0],
                "lon": placed[1],
            }
        else:
            badge["text"] += f" · {text}"
    if not found:
        return [], people, mark
    if not may_see_individuals(viewer, rt.org_settings()):
        summary = html.Div(_("{count} open alert(s)", count=len(found)), className="fo-livemap-alert")
        return [summary], people, mark
    acts = viewer.role in ALERT_ROLES
    return [_alert_row(alert, acts) for alert in found], people, mark


def act_on_alert(request: object) -> object:
    """Acknowledge or resolve the alert whose button was pressed, for a viewer in ALERT_ROLES, in their scope."""
    if request is None:  # nothing pressed
        return no_update
    if g.viewer.role not in ALERT_ROLES:
        raise AppError(403, "forbidden", _("Only supervisors and managers act on alerts."))
    request = mapping(request)
    alert_id = whole_number(request.get("alert"), BIGINT)  # alerts.id is a bigserial
    action = request.get("action")
    if alert_id is None or action not in ("acknowledge", "resolve"):
        return no_update  # not a press of one of the page's buttons: nothing to do
    act = alerting.acknowledge if action == "acknowledge" else alerting.resolve
    return {"alert": alert_id, "action": action, "done": act(runtime(), g.viewer, alert_id)}


def _task_text(task: dict | None) -> str:
    if task is None:
        return _("none")
    window = ""
    if task["window_start"] and task["window_end"]:
        rt = runtime()
        window = f" ({rt.local(task['window_start'], '%H:%M')}–{rt.local(task['window_end'], '%H:%M')})"
    return f"{task['customer_name']}{window} · {task_state_label(task['state'])}"


def register(app: Dash) -> None:
    app.callback(Output("livemap-team", "options"), Input("livemap-team", "id"))(team_options)
    app.callback(
        Output("livemap-zones", "data"),
        Output("livemap-customers", "data"),
        Output("livemap-streets", "data"),
        Output("livemap-map", "viewport"),
        Input("livemap-team", "value"),
    )(static_layers)
    app.callback(
        Output("livemap-feed", "data"),
        Input("livemap-tick", "n_intervals"),
        Input("livemap-team", "value"),
        State("livemap-cursor", "data"),
    )(fleet)
    app.clientside_callback(
        ClientsideFunction(namespace="fieldops", function_name="mergeFleet"),
        Output("livemap-fleet", "data"),
        Output("livemap-cursor", "data"),
        *[Output(f"livemap-count-{key}", "children") for key in COUNTS],
        Output("livemap-updated", "children"),
        Output("livemap-roster", "data"),  # the people in the scope changed (a move, a deactivation)
        Input("livemap-feed", "data"),
        State("livemap-labels", "data"),
    )
    app.callback(Output("livemap-names", "data"), Input("livemap-team", "value"), Input("livemap-roster", "data"))(
        people_names
    )
    app.callback(
        Output("livemap-selected", "data"),
        Input("livemap-fleet", "clickData"),
        Input("livemap-alert-badges", "clickData"),
    )(select_person)
    # Names on the markers and the states' words for the clusters (issue 16): the fleet layer's hideout.
    app.clientside_callback(
        ClientsideFunction(namespace="fieldops", function_name="fleetNames"),
        Output("livemap-fleet", "hideout"),
        Input("livemap-names", "data"),
        State("livemap-labels", "data"),
    )
    # The people beside the map (issue 16, as Traccar's device list): rows drawn in the browser from the fleet it
    # holds and the roster, narrowed by the search box; a row or the search's Enter chooses a person, flies the
    # map to them and opens their details (assets/livemap_people.js).
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsPeople", function_name="rows"),
        Output("livemap-people", "rowData"),
        Input("livemap-cursor", "data"),  # every refresh, so that "last report" ages while markers stand still
        Input("livemap-names", "data"),
        Input("livemap-search", "value"),
        Input("livemap-selected", "data"),
        State("livemap-fleet", "data"),
        State("livemap-labels", "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsPeople", function_name="pickFirst"),
        Output("livemap-picked", "data"),
        Input("livemap-search", "n_submit"),
        State("livemap-people", "virtualRowData"),
        prevent_initial_call=True,
    )
    # Follow: the map keeps the chosen person in its centre as their fixes arrive, until switched off or
    # another person is chosen.
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsPeople", function_name="follow"),
        Output("livemap-follow", "value"),
        Output("livemap-followed", "data"),
        Output("livemap-follow-box", "hidden"),
        Input("livemap-follow", "value"),
        Input("livemap-selected", "data"),
        State("livemap-followed", "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsPeople", function_name="keepCentred"),
        Output("livemap-follow-at", "data"),
        Input("livemap-cursor", "data"),
        Input("livemap-followed", "data"),
        State("livemap-follow-at", "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="fieldops", function_name="announceChoice"),
        Output("livemap-announce", "children"),
        Input("livemap-selected", "data"),
        State("livemap-names", "data"),
        State("livemap-labels", "data"),
        prevent_initial_call=True,
    )
    app.callback(
        Output("livemap-details", "children"),
        Input("livemap-selected", "data"),
        Input("livemap-details-tick", "n_intervals"),
    )(person_details)
    # Alerts (issue 17): the list and the badges, checked every second against the alerts' version; a press on
    # Acknowledge or Resolve goes through a store to the server, and the list follows at once.
    app.callback(
        Output("livemap-alerts", "children"),
        Output("livemap-alert-people", "data"),
        Output("livemap-alerts-shown", "data"),
        Input("livemap-alerts-tick", "n_intervals"),
        Input("livemap-team", "value"),
        Input("livemap-alert-done", "data"),
        State("livemap-alerts-shown", "data"),
    )(alerts_view)
    app.clientside_callback(
        ClientsideFunction(namespace="fieldops", function_name="alertBadges"),
        Output("livemap-alert-badges", "data"),
        Input("livemap-alert-people", "data"),
        Input("livemap-cursor", "data"),  # every refresh: a badge follows its person
    )
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsAlerts", function_name="pressed"),
        Output("livemap-alert-action", "data"),
        Input({"type": "livemap-alert-ack", "alert": ALL}, "n_clicks"),
        Input({"type": "livemap-alert-resolve", "alert": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    app.callback(
        Output("livemap-alert-done", "data"), Input("livemap-alert-action", "data"), prevent_initial_call=True
    )(act_on_alert)
