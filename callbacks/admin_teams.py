"""Admin teams page: teams, and weekly working hours of the organisation, a team or an employee."""

from __future__ import annotations

from datetime import time

from dash import Dash, Input, Output, State, no_update
from flask import g

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text, whole_number_in_text
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.work import people
from data import employees, teams, working_hours
from data.scope import Scope

DAYS = range(7)


def load(_refresh: int) -> tuple[list[dict], list[dict]]:
    db = runtime().db
    rows = teams.team_summary(db)
    options = [{"label": _("Organisation default"), "value": "org"}]
    options += [{"label": _("Team: {name}", name=t["name"]), "value": f"team:{t['id']}"} for t in rows]
    options += [
        {"label": _("Employee: {name}", name=p["name"]), "value": f"employee:{p['id']}"}
        for p in employees.roster(db, Scope.everything())
    ]
    return rows, options


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


def register(app: Dash) -> None:
    app.callback(Output("teams-grid", "rowData"), Output("teams-hours-of", "options"), Input("teams-refresh", "data"))(
        load
    )
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
