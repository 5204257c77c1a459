"""Admin teams page: teams made, renamed, merged, removed and given supervisors (all through
dashboard/work/people.py), and weekly working hours of the organisation, a team or an employee."""

from __future__ import annotations

from datetime import time

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from flask import g

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text, whole_number, whole_number_in_text, whole_numbers
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.work import people
from data import employees, teams, users, working_hours
from data.scope import Scope

DAYS = range(7)
CHANGES = ("teams-rename", "teams-supervisors-save", "teams-merge", "teams-remove")  # the buttons of one team


def load(_refresh: int) -> tuple[list[dict], list[dict], list[dict]]:
    db = runtime().db
    rows = [
        {key: team[key] for key in ("id", "name", "members", "former_members", "supervisors")}
        for team in teams.managed_teams(db, g.viewer.scope)
    ]
    options = [{"label": _("Organisation default"), "value": "org"}]
    options += [{"label": _("Team: {name}", name=t["name"]), "value": f"team:{t['id']}"} for t in rows]
    options += [
        {"label": _("Employee: {name}", name=p["name"]), "value": f"employee:{p['id']}"}
        for p in employees.roster(db, Scope.everything())
    ]
    return rows, options, [{"label": t["name"], "value": t["id"]} for t in rows]


def _target(value: str) -> dict:
    kind, _sep, ident = (text(value) or "org").partition(":")
    number = whole_number_in_text(ident)
    if kind == "team" and number is not None:
        return {"team_id": number}
    if kind == "employee" and number is not None:
        return {"employee_id": number}
    return {}


def show_hours(target: str) -> list:
    slots = {day: (starts, ends) for day, starts, ends in working_hours.slots_for(runtime().db, **_target(target))}
    starts = [slots[day][0].strftime("%H:%M") if day in slots else None for day in DAYS]
    ends = [slots[day][1].strftime("%H:%M") if day in slots else None for day in DAYS]
    return starts + ends


def slots_from(starts: list[str], ends: list[str]) -> list[tuple[int, time, time]]:
    """The week's slots from the hours table's times (Monday first); an AppError says what is wrong."""
    slots = []
    for day in DAYS:
        if not starts[day] and not ends[day]:
            continue
        try:
            begin, end = time.fromisoformat(starts[day]), time.fromisoformat(ends[day])
        except ValueError:
            raise AppError(400, "invalid_hours", _("Give both times of a working day, or neither.")) from None
        if end <= begin and end != time(0):
            raise AppError(400, "invalid_hours", _("A working day ends after it starts."))
        slots.append((day, begin, end))
    return slots


def save_hours(_clicks: int, target: str, *values: str | None) -> object:
    try:
        slots = slots_from([text(v, 8) for v in values[:7]], [text(v, 8) for v in values[7:]])
    except AppError as exc:
        return result(exc.message, ok=False)
    working_hours.replace_slots(runtime().db, slots, **_target(target))
    return result(_("Working hours saved."), ok=True)


def create_team(_clicks: int, name: str | None, refresh: int) -> tuple:
    try:
        team = people.add_team(runtime(), people.Actor.of(g.viewer), {"name": text(name, 100)})
    except AppError as exc:
        return result(exc.message, ok=False), no_update
    return result(_("Team {name} created.", name=team["name"]), ok=True), counter(refresh) + 1


def _chosen_team(chosen: object) -> dict | None:
    team_id = whole_number(chosen)
    return None if team_id is None else teams.team(runtime().db, g.viewer.scope, team_id)


def show_team(chosen: object, _refresh: object) -> tuple:
    """The chosen team as stored now: its name, supervisors, the teams it may merge into, and whether it may be
    deleted (only when nobody belongs to it, deactivated people included) with why not."""
    team = _chosen_team(chosen)
    if team is None:
        return True, "", [], [], [], True, "", None
    db = runtime().db
    supervisors = [
        {"label": a["username"], "value": a["id"]} for a in users.planner_accounts(db) if a["role"] == "supervisor"
    ]
    others = [{"label": t["name"], "value": t["id"]} for t in teams.managed_teams(db, g.viewer.scope)]
    others = [option for option in others if option["value"] != team["id"]]
    belongs = team["members"] + team["former_members"]
    why = (
        _("Team {name} still has people (deactivated ones count): move them or merge the team.", name=team["name"])
        if belongs
        else ""
    )
    return False, team["name"], supervisors, team["supervisor_ids"], others, bool(belongs), why, team["version"]


def merge_question(chosen: object, into: object) -> tuple[str, bool]:
    """What the merge's confirmation asks, naming how many people move (deactivated ones too); the Merge button
    waits for a team to merge into."""
    source, target = _chosen_team(chosen), _chosen_team(into)
    if source is None or target is None:
        return _("Choose the team to merge into first."), True
    question = _(
        "Merge {source} into {target}? {n} people move to {target} and {source} is removed.",
        source=source["name"],
        target=target["name"],
        n=source["members"] + source["former_members"],
    )
    return question, False


def change_team(
    _rename: object,
    _supervisors: object,
    _merge: object,
    _remove: object,
    chosen: object,
    name: object,
    supervisor_ids: object,
    into: object,
    version: object,
    refresh: object,
) -> tuple:
    """Rename (refused when someone changed the team since it was shown), set supervisors, merge or remove the
    chosen team; a refusal is shown as people.py words it."""
    action = ctx.triggered_id
    if action not in CHANGES or not (ctx.triggered and ctx.triggered[0].get("value")):
        raise PreventUpdate
    team = _chosen_team(chosen)
    if team is None:
        return result(_("Choose a team first."), ok=False), no_update, no_update
    rt, actor = runtime(), people.Actor.of(g.viewer)
    chosen_next = no_update
    try:
        if action == "teams-rename":
            renamed = people.change_team(
                rt, actor, team["id"], {"name": text(name, 100)}, version=text(version, 40) or None
            )
            message = _("Team {old} renamed to {new}.", old=team["name"], new=renamed["name"])
        elif action == "teams-supervisors-save":
            people.set_team_supervisors(rt, actor, team["id"], whole_numbers(supervisor_ids))
            message = _("Supervisors of {name} saved.", name=team["name"])
        elif action == "teams-merge":
            target = whole_number(into)
            if target is None:
                return result(_("Choose the team to merge into first."), ok=False), no_update, no_update
            merged = people.merge_teams(rt, actor, team["id"], target)
            message = _("Team {source} merged into {target}.", source=team["name"], target=merged["name"])
            chosen_next = merged["id"]
        else:
            people.remove_team(rt, actor, team["id"])
            message = _("Team {name} deleted.", name=team["name"])
            chosen_next = None
    except AppError as exc:
        return result(exc.message, ok=False), counter(refresh) + 1, no_update
    return result(message, ok=True), counter(refresh) + 1, chosen_next


def register(app: Dash) -> None:
    app.callback(
        Output("teams-grid", "rowData"),
        Output("teams-hours-of", "options"),
        Output("teams-chosen", "options"),
        Input("teams-refresh", "data"),
    )(load)
    app.callback(
        Output("teams-change", "hidden"),
        Output("teams-rename-name", "value"),
        Output("teams-supervisors", "options"),
        Output("teams-supervisors", "value"),
        Output("teams-merge-into", "options"),
        Output("teams-remove", "disabled"),
        Output("teams-remove-why", "children"),
        Output("teams-version", "data"),
        Input("teams-chosen", "value"),
        Input("teams-refresh", "data"),
    )(show_team)
    app.callback(
        Output("teams-merge", "message"),
        Output("teams-merge-button", "disabled"),
        Input("teams-chosen", "value"),
        Input("teams-merge-into", "value"),
    )(merge_question)
    app.callback(
        Output("teams-change-result", "children"),
        Output("teams-refresh", "data", allow_duplicate=True),
        Output("teams-chosen", "value"),
        Input("teams-rename", "n_clicks"),
        Input("teams-supervisors-save", "n_clicks"),
        Input("teams-merge", "submit_n_clicks"),
        Input("teams-remove", "n_clicks"),
        State("teams-chosen", "value"),
        State("teams-rename-name", "value"),
        State("teams-supervisors", "value"),
        State("teams-merge-into", "value"),
        State("teams-version", "data"),
        State("teams-refresh", "data"),
        prevent_initial_call=True,
    )(change_team)
    app.callback(
        *[Output(f"teams-start-{day}", "value") for day in DAYS],
        *[Output(f"teams-end-{day}", "value") for day in DAYS],
        Input("teams-hours-of", "value"),
    )(show_hours)
    app.callback(
        Output("teams-hours-result", "children"),
        Input("teams-hours-save", "n_clicks"),
        State("teams-hours-of", "value"),
        *[State(f"teams-start-{day}", "value") for day in DAYS],
        *[State(f"teams-end-{day}", "value") for day in DAYS],
        prevent_initial_call=True,
    )(save_hours)
    app.callback(
        Output("teams-create-result", "children"),
        Output("teams-refresh", "data"),
        Input("teams-create", "n_clicks"),
        State("teams-new-name", "value"),
        State("teams-refresh", "data"),
        prevent_initial_call=True,
    )(create_team)
