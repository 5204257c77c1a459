"""Tasks page callbacks: thin; the board from dashboard.work.taskboard, state changes through
dashboard.work.lifecycle.change_state, candidates from dashboard.work.dispatch, routes from dashboard.work.routing.
Who is behind a task (names, planned routes from live fixes, help requests) is shown only to viewers who may see
individuals (permissions.may_see_individuals: executives only when the organisation allows)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from datetime import UTC, datetime

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, mapping, text, whole_number
from dashboard.core.permissions import PLANNER_ROLES, may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_frame
from dashboard.web.components import person_options, result, side_panel_class, side_panel_focus
from dashboard.work.dispatch import rank_candidates
from dashboard.work.lifecycle import (
    FINAL_STATES,
    STATES,
    TaskError,
    change_state,
    create_task,
    default_duration_min,
    edit_task,
    import_csv,
    kind_label,
    state_label,
    validate_task,
)
from dashboard.work.routing import plan_route
from dashboard.work.taskboard import (
    new_task_window,
    routes_geojson,
    tasks_geojson,
    team_progress,
    today,
    todays_tasks,
)
from data import alerts, customers, employees, teams
from data import tasks as task_rows

BOARD_CARDS = 40  # per column; the rest are counted
CANDIDATES = 6
ACTIONS = {"cancel": "cancelled", "unassign": "new", "fail": "failed"}


def _scope(team_id: object, employee: object = None):
    """The viewer's scope, narrowed by the team chosen and by ?employee= (one person's tasks; only for a viewer
    who may see individuals)."""
    scope = g.viewer.scope.narrowed_to_team(whole_number(team_id))
    employee = whole_number(employee)
    if employee is None or scope.employee_id is not None or not _named():
        return scope
    return replace(scope, employee_id=employee)


def _planner() -> bool:
    return g.viewer.role in PLANNER_ROLES


def _named() -> bool:
    return may_see_individuals(g.viewer, runtime().org_settings())


def _assignee(task: dict) -> str:
    """The assignee's name; without it (hidden, or nobody) only whether someone has the task."""
    return task["employee_name"] or (_("assigned") if task["employee_id"] else _("unassigned"))


def team_options(_id: object) -> tuple[list[dict], dict]:
    """The viewer's teams to choose from, and the street lines under the map (cached by the live map)."""
    rt = runtime()
    return [{"label": t["name"], "value": t["id"]} for t in teams.list_teams(rt.db, g.viewer.scope)], (
        rt.livemap.streets_geojson()
    )


def planner_controls(_id: object) -> tuple[bool, bool, bool]:
    """New task, CSV import and daily routes: shown only to a role that may change tasks (the guard and
    lifecycle refuse the others anyway)."""
    hidden = not _planner()
    return hidden, hidden, hidden


def form_options(_id: object) -> tuple[list[dict], list[dict]]:
    """Every customer and person of the viewer's scope (not only the chosen team's): the panel shows any task
    of the board with its own customer and assignee."""
    rt = runtime()
    scope = g.viewer.scope
    roster = employees.roster(rt.db, scope) if _named() else []
    people = person_options(roster, value="id")
    places = [{"label": c["name"], "value": c["id"]} for c in customers.list_customers(rt.db, scope)]
    return places, people


def _window(task: dict) -> str:
    rt = runtime()
    if not task["window_start"]:
        return _("as soon as possible")
    return f"{rt.local(task['window_start'], '%H:%M')}–{rt.local(task['window_end'], '%H:%M')}"


def _risk_label(risk: str | None) -> str:
    return {"overdue": _("overdue"), "at_risk": _("at risk")}.get(risk or "", "")


def _card(task: dict) -> html.Button:
    classes = [
        "fo-task-card",
        f"fo-risk-{task['risk']}" if task["risk"] else "",
        "fo-urgent" if task["priority"] == 1 else "",
    ]
    return html.Button(
        [
            html.Div([html.B(task["customer_name"]), html.Span(f" #{task['id']}", className="text-muted small")]),
            html.Div(" · ".join((_assignee(task), _window(task))), className="small"),
            html.Div(
                " · ".join(p for p in (_("urgent") if task["priority"] == 1 else "", _risk_label(task["risk"])) if p),
                className="small fo-task-flags",
            ),
        ],
        id={"type": "tasks-card", "task": task["id"]},
        className=" ".join(c for c in classes if c),
        **{"data-state": task["state"]},
    )


def board(_tick: object, team_id: object, _refresh: object, employee: object, signature: object) -> tuple:
    """Board, progress, map and counts; redrawn only when a task, its state or its risk changed."""
    rt = runtime()
    scope = _scope(team_id, employee)
    named = _named()
    rows = todays_tasks(rt, scope)
    if not named:
        rows = [{**task, "employee_name": None} for task in rows]
    updated = _("Updated {time}", time=rt.local(datetime.now(UTC), "%H:%M:%S"))
    current = [[t["id"], t["state"], t["risk"], t["employee_id"], t["updated_at"].isoformat()] for t in rows]
    if current == signature and ctx.triggered_id == "tasks-tick":
        return no_update, no_update, no_update, no_update, no_update, updated, no_update, no_update
    columns = []
    for state in STATES:
        cards = [t for t in rows if t["state"] == state]
        more = len(cards) - BOARD_CARDS
        columns.append(
            html.Div(
                [
                    html.H4([state_label(state), " ", html.Span(str(len(cards)), className="badge bg-secondary")]),
                    *[_card(t) for t in cards[:BOARD_CARDS]],
                    html.Div(_("and {count} more", count=more), className="small text-muted") if more > 0 else None,
                ],
                className="fo-board-column",
                id=f"tasks-column-{state}",
            )
        )
    progress = team_progress(rt, scope, rows)
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in (_("Team"), _("Done"), _("Open"), _("Overdue"), _("At risk"))])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(p["team"] or _("unassigned")),
                            html.Td(
                                [
                                    f"{p['done']} / {p['total']} ",
                                    html.Progress(value=str(p["done"]), max=str(max(p["total"], 1))),
                                ]
                            ),
                            html.Td(str(p["open"])),
                            html.Td(str(p["overdue"]), className="fo-overdue" if p["overdue"] else ""),
                            html.Td(str(p["at_risk"]), className="fo-at-risk" if p["at_risk"] else ""),
                        ]
                    )
                    for p in progress
                ]
            ),
        ],
        className="table table-sm fo-table",
        id="tasks-progress-table",
    )
    overdue = sum(t["risk"] == "overdue" for t in rows)
    at_risk = sum(t["risk"] == "at_risk" for t in rows)
    summary = _(
        "{total} tasks today · {done} done · {overdue} overdue · {at_risk} at risk",
        total=len(rows),
        done=sum(t["state"] == "done" for t in rows),
        overdue=overdue,
        at_risk=at_risk,
    )
    frame = map_frame(rt)  # tasks and routes as the map's tiles draw them
    points = frame.out_geojson(tasks_geojson(rows))
    viewport = _view(points) if ctx.triggered_id == "tasks-team" or signature is None else no_update
    routes = frame.out_geojson(routes_geojson(rt, scope)) if named else {"type": "FeatureCollection", "features": []}
    return columns, table, points, routes, summary, updated, current, viewport


def _view(points: dict) -> object:
    """The map's view around the day's tasks (as the map was given them), on opening and on a team change."""
    if not points["features"]:
        return no_update
    lons, lats = zip(*(f["geometry"]["coordinates"] for f in points["features"]), strict=True)
    return {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]], "transition": "flyToBounds"}


def filter_chip(employee: object) -> object:
    """?employee=: whose tasks the board shows, with a way back to everyone's."""
    employee = whole_number(employee)
    if employee is None or not _named():
        return None
    person = employees.get_employee(runtime().db, g.viewer.scope, employee)
    who = f"{person['plain_name']} ({person['code']})" if person else _("a person not in your view")
    return html.Span(
        [
            _("Tasks of {person}", person=who),
            dcc.Link(
                [
                    html.Span("×", **{"aria-hidden": "true"}),
                    html.Span(_("Show everyone's tasks"), className="visually-hidden"),
                ],
                href="/tasks",
                className="fo-chip-remove",
                title=_("Show everyone's tasks"),
            ),
        ],
        className="fo-chip",
        id="tasks-filter-chip",
    )


def open_panel(_cards: object, point: object, _new: object, _close: object) -> tuple:
    """A card or a map point opens its task in the panel; New task opens an empty one; Close closes it."""
    triggered = ctx.triggered_id
    cleared = ("", "")  # the last task's messages do not belong to the next one
    if triggered == "tasks-new":
        return (None, "new", *cleared) if _planner() else (no_update,) * 4
    if triggered == "tasks-panel-close":
        return None, None, *cleared
    task_id = None
    if triggered == "tasks-points":
        task_id = whole_number((mapping(point).get("properties") or {}).get("id"))
    elif isinstance(triggered, dict) and ctx.triggered and ctx.triggered[0].get("value"):
        task_id = whole_number(triggered.get("task"))
    if task_id is None:
        return (no_update,) * 4
    return task_id, "edit", *cleared


def _version(task: dict) -> list:
    return [task["id"], task["state"], task["employee_id"], task["updated_at"].isoformat()]


def panel(mode: object, task_id: object, _refresh: object, _board: object, shown: object) -> tuple:
    """The panel's frame, title and fields, always the task as stored now: refilled when it opens, after this
    viewer's changes (assign, state, save), and when the task changed meanwhile; never while the viewer types
    into a form whose task did not change. A new task starts empty: nobody, the next two hours from the next
    quarter hour, the organisation's default minutes."""
    rt = runtime()
    day = today(rt).isoformat()
    placeholders = (f"{day} 09:00", f"{day} 11:00")
    opened = ctx.triggered_id in (None, "tasks-panel-mode", "tasks-selected")
    mode, task_id = text(mode, 10), whole_number(task_id)
    closed = (side_panel_class(False), "", True, True, True, *(no_update,) * 8, *placeholders, None, no_update)
    if mode == "new" and _planner():
        frame = (side_panel_class(True), _("New task"), False, False, True)
        if not opened:
            return (*frame, *(no_update,) * 8, *placeholders, None, no_update)
        start, end = new_task_window(rt)
        values = (None, "visit", 2, rt.local(start), rt.local(end), default_duration_min(rt), None, "")
        return (*frame, *values, *placeholders, None, no_update)
    if mode != "edit" or task_id is None:
        return closed
    task = task_rows.get_task(rt.db, g.viewer.scope, task_id)
    if task is None:
        return (side_panel_class(True), _("This task is not in your view."), True, True, True, *closed[5:])
    editable = _planner() and task["state"] not in FINAL_STATES
    title = f"#{task['id']} {task['customer_name']}"
    frame = (
        side_panel_class(True),
        _("Edit task {title}", title=title) if editable else _("Task {title}", title=title),
    )
    frame += (not editable, True, not editable)
    version = _version(task)
    if not opened and ctx.triggered_id != "tasks-refresh" and version == shown:
        return (*frame, *(no_update,) * 8, *placeholders, no_update, no_update)
    values = (
        task["customer_id"],
        task["kind"],
        task["priority"],
        rt.local(task["window_start"]),
        rt.local(task["window_end"]),
        task["duration_min"],
        task["employee_id"] if _named() else None,
        task["notes"] or "",
    )
    changed_meanwhile = not opened and ctx.triggered_id == "tasks-signature" and editable
    note = result(_("This task changed meanwhile: the panel shows it as it is now."), ok=True)
    return (*frame, *values, *placeholders, version, note if changed_meanwhile else no_update)


def details(task_id: object, _refresh: object, _board: object) -> object:
    """The selected task: what, where, when, its history, and who could go (by travel time)."""
    task_id = whole_number(task_id)
    if task_id is None:
        return None
    rt = runtime()
    task = task_rows.get_task(rt.db, g.viewer.scope, task_id)
    if task is None:
        return html.P(_("This task is not in your view."), className="text-muted")
    named = _named()
    if not named:
        task = {**task, "employee_name": None}
    editable = _planner() and task["state"] not in FINAL_STATES  # the form above shows what it is
    rows = [
        (_("Customer"), task["customer_name"]),
        (_("Address"), task["customer_address"] or "—"),
        (_("Kind"), kind_label(task["kind"])),
        (_("State"), state_label(task["state"])),
        (_("Assigned to"), _assignee(task)),
        (_("Window"), _window(task)),
        (_("Expected minutes"), str(task["duration_min"])),
        (_("Arrived"), rt.local(task["arrived_at"], "%H:%M") or "—"),
        (_("Left"), rt.local(task["departed_at"], "%H:%M") or "—"),
        (_("Notes"), task["notes"] or "—"),
    ]
    if editable:
        in_form = {_("Customer"), _("Kind"), _("Assigned to"), _("Window"), _("Expected minutes"), _("Notes")}
        rows = [(label, value) for label, value in rows if label not in in_form]
    history = [
        html.Li(
            " · ".join(
                part
                for part in (
                    f"{rt.local(e['at'], '%H:%M:%S')} {state_label(e['to_state'])}",
                    (e["username"] or _("system")) if named else "",
                    e["reason"],
                )
                if part
            )
        )
        for e in task_rows.events(rt.db, g.viewer.scope, task_id)
    ]
    parts = []
    if _planner() and named and task["state"] not in FINAL_STATES:
        others = rank_candidates(rt, g.viewer.scope, task["lat"], task["lon"], exclude=task["employee_id"])
        parts += [_candidates_view(others), _actions(task)]
    parts += [
        html.Dl([part for label, value in rows for part in (html.Dt(label), html.Dd(value))], className="mt-2"),
        html.H6(_("History")),
        html.Ul(history, className="small", id="tasks-history")
        if history
        else html.P(_("Nothing yet."), className="small text-muted", id="tasks-history"),
    ]
    return html.Div(parts)


def _actions(task: dict) -> html.Div:
    buttons = []
    if task["state"] in ("assigned", "accepted"):
        buttons.append(("unassign", _("Unassign"), "btn-outline-secondary"))
    if task["state"] in ("assigned", "accepted", "en_route", "on_site"):
        buttons.append(("fail", _("Mark failed"), "btn-outline-danger"))
    if task["state"] != "on_site":
        buttons.append(("cancel", _("Cancel task"), "btn-outline-danger"))
    return html.Div(
        [
            html.Button(label, id={"type": "tasks-action", "action": action}, className=f"btn btn-sm {style}")
            for action, label, style in buttons
        ],
        className="fo-form-row",
    )


def _availability(candidate) -> str:
    reasons = {
        "stale": _("no recent position"),
        "paused": _("sharing paused"),
        "off_hours": _("outside working hours"),
        "on_visit": _("on a visit"),
    }
    return _("available") if candidate.available else reasons.get(candidate.reason or "", "")


def _candidates_view(ranked: list) -> html.Div:
    if not ranked:
        return html.P(_("Nobody in your teams is sharing a position nearby."), className="text-muted small")
    items = [
        html.Li(
            [
                html.Div(
                    [
                        html.B(c.name),
                        html.Span(f" ({c.code})", className="text-muted"),
                        " · ",
                        _("about {minutes} min", minutes=c.minutes),
                    ]
                ),
                html.Div(
                    " · ".join((c.team_name or "", _availability(c), _("{count} open today", count=c.open_today))),
                    className="small text-muted",
                ),
                html.Button(
                    _("Assign"),
                    id={"type": "tasks-assign", "employee": c.employee_id},
                    className="btn btn-sm btn-primary" if c.available else "btn btn-sm btn-outline-primary",
                ),
            ],
            className="fo-candidate",
        )
        for c in ranked[:CANDIDATES]
    ]
    return html.Div(
        [html.H6(_("Who can get there first (by street)")), html.Ol(items, id="tasks-candidates")],
        className="mt-2",
    )


def assign(_clicks: object, task_id: object, refresh: object) -> tuple:
    """Assign (or reassign) the selected task to the chosen person, then re-plan that person's day."""
    triggered = ctx.triggered_id
    task_id = whole_number(task_id)
    if not isinstance(triggered, dict) or task_id is None or not (ctx.triggered and ctx.triggered[0].get("value")):
        return no_update, no_update
    employee_id = whole_number(triggered.get("employee"))
    rt = runtime()
    task = task_rows.get_task(rt.db, g.viewer.scope, task_id)
    try:
        if employee_id is None or task is None:
            raise TaskError(_("Choose who the task goes to."))
        change_state(rt, task_id, "assigned", g.viewer, assignee=employee_id, reason="dispatch")
    except TaskError as exc:
        return result(str(exc), ok=False), no_update
    plan = plan_route(
        rt, employee_id, user_id=g.viewer.user_id, reason="urgent" if task["priority"] == 1 else "reassign"
    )
    person = employees.get_employee(rt.db, g.viewer.scope, employee_id)
    message = _("Task #{task} assigned to {name}.", task=task_id, name=person["name"])
    if plan is not None:
        message += " " + _("Their route was re-planned: {count} stops.", count=len(plan.task_ids))
    return result(message, ok=True), counter(refresh) + 1


def act(_clicks: object, task_id: object, refresh: object) -> tuple:
    triggered = ctx.triggered_id
    task_id = whole_number(task_id)
    if not isinstance(triggered, dict) or task_id is None or not (ctx.triggered and ctx.triggered[0].get("value")):
        return no_update, no_update
    wanted = ACTIONS.get(text(triggered.get("action")))
    if wanted is None:
        return no_update, no_update
    try:
        change_state(runtime(), task_id, wanted, g.viewer, reason=triggered.get("action"))
    except TaskError as exc:
        return result(str(exc), ok=False), no_update
    return result(_("Task #{task} is now “{state}”.", task=task_id, state=state_label(wanted)), ok=True), (
        counter(refresh) + 1
    )


def save(
    _create: object,
    _save: object,
    task_id: object,
    customer_id: object,
    kind: object,
    priority: object,
    window_start: object,
    window_end: object,
    duration: object,
    assignee: object,
    notes: object,
    refresh: object,
) -> tuple:
    """Create the new task (the panel then shows it, with who can go), or save the shown one as its form says,
    its assignee included; a form saved unchanged changes nothing."""
    rt = runtime()
    editing = ctx.triggered_id == "tasks-save"
    try:
        task = validate_task(
            rt,
            g.viewer,
            customer_id=whole_number(customer_id),
            kind=kind,
            priority=whole_number(priority),
            window_start=text(window_start, 40),
            window_end=text(window_end, 40),
            duration_min=whole_number(duration),
            notes=text(notes, 2000),
            employee_id=whole_number(assignee),
        )
        if editing:
            task_id = whole_number(task_id)
            if task_id is None:
                raise TaskError(_("Select a task to edit first."))
            changed, reassigned = edit_task(rt, g.viewer, task_id, task)
        else:
            new_id = create_task(rt, g.viewer, task)
    except TaskError as exc:
        return result(str(exc), ok=False), no_update, no_update, no_update
    if not editing or reassigned:
        _replan(rt, task)
    if not editing:
        return result(_("Task #{task} created.", task=new_id), ok=True), counter(refresh) + 1, new_id, "edit"
    if not (changed or reassigned):
        return result(_("Nothing to save: the task is as it was."), ok=True), no_update, no_update, no_update
    return result(_("Task #{task} saved.", task=task_id), ok=True), counter(refresh) + 1, no_update, no_update


def _replan(rt, task) -> None:
    """A task straight to someone: their day is re-planned around it."""
    if task.employee_id is not None:
        reason = "urgent" if task.priority == 1 else "plan"
        plan_route(rt, task.employee_id, user_id=g.viewer.user_id, reason=reason)


def upload(contents: object, refresh: object) -> tuple:
    if not isinstance(contents, str) or "," not in contents:
        return result(_("The file is not a UTF-8 CSV file."), ok=False), no_update
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=True)
        created, errors = import_csv(runtime(), g.viewer, data)
    except (binascii.Error, ValueError) as exc:
        message = str(exc) if isinstance(exc, TaskError) else _("The file is not a UTF-8 CSV file.")
        return result(message, ok=False), no_update
    if errors:
        return html.Div(
            [html.P(_("Nothing was imported:")), html.Ul([html.Li(e) for e in errors[:50]])],
            className="alert alert-danger py-2 my-2",
        ), no_update
    return result(_("{count} tasks imported.", count=len(created)), ok=True), counter(refresh) + 1


def optimise(_clicks: object, team_id: object, refresh: object) -> tuple:
    """Plan every person's open visits of today in the chosen team(s); show the travel saved."""
    if not _planner():
        return result(_("Your role cannot change tasks."), ok=False), no_update
    rt = runtime()
    rows = []
    for person in employees.roster(rt.db, _scope(team_id)):
        plan = plan_route(rt, person["id"], user_id=g.viewer.user_id)
        if plan is not None:
            rows.append((person["name"], plan))
    if not rows:
        return result(_("No open visits to plan today."), ok=True), no_update
    entered = sum(p.entered_travel_s for _n, p in rows)
    planned = sum(p.planned_travel_s for _n, p in rows)
    table = html.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(h)
                        for h in (
                            _("Person"),
                            _("Stops"),
                            _("Entered order, min"),
                            _("Planned, min"),
                            _("Saved, min"),
                            _("Late"),
                        )
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(name),
                            html.Td(str(len(p.task_ids))),
                            html.Td(minutes(p.entered_travel_s)),
                            html.Td(minutes(p.planned_travel_s)),
                            html.Td(minutes(p.saved_s)),
                            html.Td(str(p.late_tasks)),
                        ]
                    )
                    for name, p in rows
                ]
            ),
        ],
        className="table table-sm fo-table",
        id="tasks-routes-table",
    )
    saved = _(
        "Travel {planned} min instead of {entered} min in the entered order: {saved} min saved.",
        planned=minutes(planned),
        entered=minutes(entered),
        saved=minutes(entered - planned),
    )
    return html.Div([result(saved, ok=True), table]), counter(refresh) + 1


def minutes(seconds: float) -> str:
    return str(round(seconds / 60))


def help_requests(_tick: object) -> object:
    """Open help alerts in the viewer's teams, each with the colleagues who can get there first."""
    if not _named():
        return []
    rt = runtime()
    items = []
    for alert in alerts.open_alerts(rt.db, g.viewer.scope):
        if alert["lat"] is None:
            continue
        ranked = rank_candidates(rt, g.viewer.scope, alert["lat"], alert["lon"], exclude=alert["employee_id"], limit=3)
        nearest = ", ".join(_("{name} ({minutes} min)", name=c.name, minutes=c.minutes) for c in ranked)
        items.append(
            html.Div(
                [html.B(_("Help requested")), f" · {alert['name']} · ", _("nearest: {people}", people=nearest or "—")],
                className="fo-alert-item",
            )
        )
    return items


def register(app: Dash) -> None:
    app.callback(Output("tasks-team", "options"), Output("tasks-streets", "data"), Input("tasks-team", "id"))(
        team_options
    )
    app.callback(
        Output("tasks-new", "hidden"),
        Output("tasks-import-section", "hidden"),
        Output("tasks-routes-section", "hidden"),
        Input("tasks-team", "id"),
    )(planner_controls)
    app.callback(Output("tasks-customer", "options"), Output("tasks-assignee", "options"), Input("tasks-team", "id"))(
        form_options
    )
    app.callback(Output("tasks-filter", "children"), Input("tasks-employee", "data"))(filter_chip)
    app.callback(
        Output("tasks-board", "children"),
        Output("tasks-progress", "children"),
        Output("tasks-points", "data"),
        Output("tasks-routes", "data"),
        Output("tasks-summary", "children"),
        Output("tasks-updated", "children"),
        Output("tasks-signature", "data"),
        Output("tasks-map", "viewport"),
        Input("tasks-tick", "n_intervals"),
        Input("tasks-team", "value"),
        Input("tasks-refresh", "data"),
        State("tasks-employee", "data"),
        State("tasks-signature", "data"),
    )(board)
    app.callback(
        Output("tasks-selected", "data"),
        Output("tasks-panel-mode", "data"),
        Output("tasks-form-result", "children"),
        Output("tasks-action-result", "children"),
        Input({"type": "tasks-card", "task": ALL}, "n_clicks"),
        Input("tasks-points", "clickData"),
        Input("tasks-new", "n_clicks"),
        Input("tasks-panel-close", "n_clicks"),
        prevent_initial_call=True,
    )(open_panel)
    app.callback(
        Output("tasks-panel", "className"),
        Output("tasks-panel-title", "children"),
        Output("tasks-form", "hidden"),
        Output("tasks-create", "hidden"),
        Output("tasks-save", "hidden"),
        Output("tasks-customer", "value"),
        Output("tasks-kind", "value"),
        Output("tasks-priority", "value"),
        Output("tasks-window-start", "value"),
        Output("tasks-window-end", "value"),
        Output("tasks-duration", "value"),
        Output("tasks-assignee", "value"),
        Output("tasks-notes", "value"),
        Output("tasks-window-start", "placeholder"),
        Output("tasks-window-end", "placeholder"),
        Output("tasks-form-version", "data"),
        Output("tasks-form-result", "children", allow_duplicate=True),
        Input("tasks-panel-mode", "data"),
        Input("tasks-selected", "data"),
        Input("tasks-refresh", "data"),
        Input("tasks-signature", "data"),  # the board changed: the shown task may have too
        State("tasks-form-version", "data"),
        prevent_initial_call=True,
    )(panel)
    side_panel_focus(app, "tasks-panel")
    app.callback(
        Output("tasks-details", "children"),
        Input("tasks-selected", "data"),
        Input("tasks-refresh", "data"),
        Input("tasks-signature", "data"),  # the board changed: the selected task may have too
    )(details)
    app.callback(
        Output("tasks-action-result", "children", allow_duplicate=True),
        Output("tasks-refresh", "data"),
        Input({"type": "tasks-assign", "employee": ALL}, "n_clicks"),
        State("tasks-selected", "data"),
        State("tasks-refresh", "data"),
        prevent_initial_call=True,
    )(assign)
    app.callback(
        Output("tasks-action-result", "children", allow_duplicate=True),
        Output("tasks-refresh", "data", allow_duplicate=True),
        Input({"type": "tasks-action", "action": ALL}, "n_clicks"),
        State("tasks-selected", "data"),
        State("tasks-refresh", "data"),
        prevent_initial_call=True,
    )(act)
    app.callback(
        Output("tasks-form-result", "children", allow_duplicate=True),
        Output("tasks-refresh", "data", allow_duplicate=True),
        Output("tasks-selected", "data", allow_duplicate=True),
        Output("tasks-panel-mode", "data", allow_duplicate=True),
        Input("tasks-create", "n_clicks"),
        Input("tasks-save", "n_clicks"),
        State("tasks-selected", "data"),
        State("tasks-customer", "value"),
        State("tasks-kind", "value"),
        State("tasks-priority", "value"),
        State("tasks-window-start", "value"),
        State("tasks-window-end", "value"),
        State("tasks-duration", "value"),
        State("tasks-assignee", "value"),
        State("tasks-notes", "value"),
        State("tasks-refresh", "data"),
        prevent_initial_call=True,
    )(save)
    app.callback(
        Output("tasks-import-result", "children"),
        Output("tasks-refresh", "data", allow_duplicate=True),
        Input("tasks-import", "contents"),
        State("tasks-refresh", "data"),
        prevent_initial_call=True,
    )(upload)
    app.callback(
        Output("tasks-routes-result", "children"),
        Output("tasks-refresh", "data", allow_duplicate=True),
        Input("tasks-optimise", "n_clicks"),
        State("tasks-team", "value"),
        State("tasks-refresh", "data"),
        prevent_initial_call=True,
    )(optimise)
    app.callback(Output("tasks-help", "children"), Input("tasks-tick", "n_intervals"))(help_requests)
