"""Live map callbacks: thin, they read inputs, ask dashboard.live.livemap and shape the output."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import dash
import dash_leaflet as dl
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.core.auditing import record_look
from dashboard.core.i18n import _, relative_time
from dashboard.core.inputs import BIGINT, mapping, whole_number
from dashboard.core.permissions import ALERT_RESOLVER_ROLES, may_open, may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.live.livemap import LiveMap
from dashboard.live.presence import COUNTS
from dashboard.work.lifecycle import state_label as task_state_label
from data import activities, alerts, employees, tasks, teams


def live_map() -> LiveMap:
    return runtime().livemap


def team_options(_pathname: object) -> list[dict]:
    return [{"label": team["name"], "value": team["id"]} for team in teams.list_teams(runtime().db, g.viewer.scope)]


def static_layers(team_id: int | None) -> tuple[dict, dict, dict, dict]:
    """Zones, customers and streets for the chosen team, and the view that frames them."""
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
        since = whole_number(cursor.get("v"), BIGINT)  # the feed version: a Redis counter
    paused_digest = whole_number(cursor.get("p"), BIGINT)  # which paused people the browser holds
    payload = live_map().fleet_payload(g.viewer.scope.narrowed_to_team(team_id), since, paused_digest)
    payload["team"] = team_id
    if payload["full"]:
        record_look("view_live_map", payload["id"], {"team": team_id})
    return payload


def people_names(team_id: int | None) -> dict[str, dict]:
    """Everyone the viewer may see (the chosen team's) with name, code, team and the name's Latin reading, for
    the list beside the map and the search box: the same roster the counts are taken over, so the list holds
    the people without a position too; none for the wall or an executive who may not see individuals."""
    if not may_see_individuals(g.viewer, runtime().org_settings()):
        return {}
    scope = g.viewer.scope.narrowed_to_team(whole_number(team_id))
    return {str(employee_id): person for employee_id, person in live_map().people(scope).items()}


def select_person(click: dict | None) -> object:
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


def alerts_view(_tick: int, _resolved: object, shown: object) -> tuple:
    """Open help alerts in the viewer's scope: a banner and a red marker each; names only for people viewers.
    Redrawn only when the set of open alerts changes, so a Resolve button stays put under the pointer."""
    rt = runtime()
    viewer = g.viewer
    open_alerts = alerts.open_alerts(rt.db, viewer.scope)
    ids = [a["id"] for a in open_alerts]
    if ids == shown:
        return no_update, no_update, no_update
    if not open_alerts:
        return [], [], ids
    named = may_see_individuals(viewer, rt.org_settings())
    markers = [
        dl.CircleMarker(
            center=[a["lat"], a["lon"]],
            radius=14,
            color="#d62728",
            fillColor="#d62728",
            fillOpacity=0.35,
            children=dl.Tooltip(a["name"] if named else _("Help requested")),
            id=f"livemap-alert-marker-{a['id']}",
        )
        for a in open_alerts
        if a["lat"] is not None
    ]
    if not named:
        return (
            [html.Div(_("{count} open help alert(s)", count=len(open_alerts)), className="fo-alert-item")],
            markers,
            ids,
        )
    items = [
        html.Div(
            [
                html.B(_("Help requested"), className="me-1"),
                html.Span(a["name"], className="fo-alert-name"),
                html.Span(f" · {rt.local(a['created_at'], '%H:%M:%S')}"),
                html.Button(
                    _("Resolve"),
                    id={"type": "livemap-alert-resolve-button", "alert": a["id"]},
                    className="btn btn-sm btn-light ms-2",
                )
                if viewer.role in ALERT_RESOLVER_ROLES
                else None,
            ],
            className="fo-alert-item",
            id=f"livemap-alert-{a['id']}",
        )
        for a in open_alerts
    ]
    return items, markers, ids


def resolve_alert(request: object) -> object:
    alert_id = whole_number(mapping(request).get("alert"), BIGINT)  # alerts.id is a bigserial
    if alert_id is None or g.viewer.role not in ALERT_RESOLVER_ROLES:
        return no_update
    alerts.resolve(runtime().db, alert_id, g.viewer.scope, g.viewer.user_id)
    return {"resolved": alert_id}


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
        Input("livemap-feed", "data"),
        State("livemap-labels", "data"),
    )
    app.callback(Output("livemap-names", "data"), Input("livemap-team", "value"))(people_names)
    app.callback(Output("livemap-selected", "data"), Input("livemap-fleet", "clickData"))(select_person)
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
    # Help alerts from the phone page (issue 7): polled with the fleet; a press on Resolve goes through a store.
    app.callback(
        Output("livemap-alerts", "children"),
        Output("livemap-alert-markers", "children"),
        Output("livemap-alerts-shown", "data"),
        Input("livemap-tick", "n_intervals"),
        Input("livemap-alert-resolved", "data"),
        State("livemap-alerts-shown", "data"),
    )(alerts_view)
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsAlerts", function_name="pressed"),
        Output("livemap-alert-resolve", "data"),
        Input({"type": "livemap-alert-resolve-button", "alert": ALL}, "n_clicks"),
    )
    app.callback(
        Output("livemap-alert-resolved", "data"), Input("livemap-alert-resolve", "data"), prevent_initial_call=True
    )(resolve_alert)
