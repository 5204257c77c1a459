"""Employees and teams, read and written by an ERP (issue 18), through dashboard/work/people.py only: the same
checks, history rows and webhooks (`employee.*`, `team.*`) as the People page and the CLI. The token acts as
`token:<name>` within its team limit: a team-limited token adds, changes and moves people of its teams only, and
makes, renames or merges no team it does not hold (teams are made by a token without a team limit)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g

from dashboard.core.errors import AppError
from dashboard.core.runtime import runtime
from dashboard.web.api import preconditions
from dashboard.web.api.records import EXTERNAL_ID, RECORD_ERRORS
from dashboard.web.api.routes import ID, _param, _ref, checked_body, route
from dashboard.work import people
from data import employees, teams

EMPLOYEE_ID = _param("employee_id", ID, "the employee's id", where="path")
TEAM_ID = _param("team_id", ID, "the team's id", where="path")
BY_EXTERNAL_ID = _param("external_id", EXTERNAL_ID, "the ERP's id", where="path")
WRITE_ERRORS = (400, 401, 403, 404, 409)

_TEXT = {"type": "string", "nullable": True}
PERSON_PROPERTIES = {
    "code": {"type": "string", "minLength": 1, "maxLength": people.TEXT_LIMITS["code"]},
    "name": {"type": "string", "minLength": 1, "maxLength": people.TEXT_LIMITS["name"]},
    "team_id": ID | {"nullable": True, "description": "a team-limited token: one of its teams (required then)"},
    "phone": _TEXT | {"maxLength": people.TEXT_LIMITS["phone"]},
    "email": _TEXT | {"maxLength": people.TEXT_LIMITS["email"]},
    "external_id": _TEXT | {"maxLength": people.TEXT_LIMITS["external_id"], "description": "the ERP's id (unique)"},
    "supervisor_user_id": ID | {"nullable": True, "description": "an enabled supervisor's or manager's account"},
    "skills": {"type": "array", "maxItems": people.MAX_SKILLS, "items": {"type": "string", "maxLength": 40}},
    "home_lat": {"type": "number", "nullable": True, "minimum": -90, "maximum": 90},
    "home_lon": {"type": "number", "nullable": True, "minimum": -180, "maximum": 180},
}
EMPLOYEE_BODY = {
    "type": "object",
    "required": ["code", "name"],
    "properties": PERSON_PROPERTIES,
    "additionalProperties": False,
}
EMPLOYEE_CHANGE_BODY = {
    "type": "object",
    "properties": PERSON_PROPERTIES
    | {"active": {"type": "boolean", "description": "false deactivates the person, true reactivates them"}},
    "additionalProperties": False,
}
TEAM_PROPERTIES = {
    "name": {"type": "string", "minLength": 1, "maxLength": people.TEXT_LIMITS["team_name"]},
    "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
    "external_id": _TEXT | {"maxLength": people.TEXT_LIMITS["external_id"]},
}
TEAM_BODY = {"type": "object", "required": ["name"], "properties": TEAM_PROPERTIES, "additionalProperties": False}
TEAM_CHANGE_BODY = {
    "type": "object",
    "properties": TEAM_PROPERTIES
    | {"supervisor_ids": {"type": "array", "maxItems": 100, "items": ID, "description": "supervisors' accounts"}},
    "additionalProperties": False,
}


def _created(schema: str, what: str) -> dict:
    return {
        "201": {
            "description": f"Created; Location names the new {what}, ETag is its version",
            "headers": {"Location": {"schema": {"type": "string"}}} | preconditions.ETAG_HEADER,
            "content": {"application/json": {"schema": _ref(schema)}},
        }
    }


def _actor() -> people.Actor:
    return people.Actor(None, g.viewer.username, g.viewer.scope)


def _core(write: Callable[[], object]) -> object:
    """Run a write of the core; its refusal `stale` (the record changed since If-Match's version) is the API's 412."""
    try:
        return write()
    except AppError as exc:
        if exc.status == 412:
            raise preconditions.stale() from None
        raise


def _person_answer(person: dict, status: int = 200) -> Response:
    location = f"/api/v1/employees/{person['id']}" if status == 201 else None
    return preconditions.record_answer(people.public(person), person["version"], status, location)


def _team_answer(team: dict, status: int = 200) -> Response:
    location = f"/api/v1/teams/{team['id']}" if status == 201 else None
    return preconditions.record_answer(people.public_team(team), team["version"], status, location)


@route(
    "GET",
    "/api/v1/employees/{employee_id}",
    "employees:read",
    "One employee",
    [EMPLOYEE_ID],
    _ref("Employee"),
    errors=RECORD_ERRORS,
    individuals=True,
    etag=True,
)
def get_employee(employee_id: int) -> Response:
    """The person (active or deactivated) with their version as the ETag: 404 outside the token's teams, as for an
    id that does not exist."""
    return _person_answer(people.person_in_scope(runtime(), _actor(), employee_id))


@route(
    "GET",
    "/api/v1/employees/by-external-id/{external_id}",
    "employees:read",
    "One employee, by its external id",
    [BY_EXTERNAL_ID],
    _ref("Employee"),
    errors=RECORD_ERRORS,
    individuals=True,
    etag=True,
)
def get_employee_by_external_id(external_id: str) -> Response:
    """The person the ERP names so: 404 outside the token's teams, as for an unknown id."""
    person = employees.person_by(runtime().db, g.viewer.scope, external_id=external_id)
    if person is None:
        raise AppError(404, "not_found", "no such employee in this token's teams")
    return _person_answer(person)


@route(
    "POST",
    "/api/v1/employees",
    "people:write",
    "Add an employee",
    [],
    {},
    body={"application/json": {"schema": EMPLOYEE_BODY}},
    errors=WRITE_ERRORS,
    extra_answers=_created("Employee", "employee"),
    individuals=True,
)
def create_employee() -> Response:
    """A new, active person: code and name required, the code (and external_id) unique (409 `conflict` naming the
    field otherwise). Announced by the webhook event `employee.created`. A 400 names the field at fault in
    `field`."""
    person = people.add_person(runtime(), _actor(), checked_body(EMPLOYEE_BODY))
    return _person_answer(person, 201)


@route(
    "PATCH",
    "/api/v1/employees/{employee_id}",
    "people:write",
    "Change, move, deactivate or reactivate an employee",
    [EMPLOYEE_ID],
    _ref("Employee"),
    body={"application/json": {"schema": EMPLOYEE_CHANGE_BODY}},
    errors=WRITE_ERRORS,
    individuals=True,
    etag=True,
)
def change_employee(employee_id: int) -> Response:
    """The fields sent change, the others stay; `team_id` moves the person. `"active": false` deactivates them: their
    history stays, their devices are refused at once, their accounts are signed out and their open tasks go back to
    new (each announced by `task.state_changed`); `"active": true` reactivates them. Webhooks: `employee.updated`,
    `employee.deactivated`, `employee.reactivated`. With If-Match, a person changed since that version is 412 and
    nothing changes."""
    rt, actor = runtime(), _actor()
    body = checked_body(EMPLOYEE_CHANGE_BODY)
    active = body.pop("active", None)
    version = preconditions.check_version(people.person_in_scope(rt, actor, employee_id)["version"])
    if body:
        _core(lambda: people.change_person(rt, actor, employee_id, body, version=version))
    person = people.person_in_scope(rt, actor, employee_id)
    if active is False and person["active"]:
        person = people.deactivate_person(rt, actor, employee_id).person
    elif active is True and not person["active"]:
        person = people.reactivate_person(rt, actor, employee_id)
    return _person_answer(person)


@route(
    "GET",
    "/api/v1/teams/{team_id}",
    "teams:read",
    "One team",
    [TEAM_ID],
    _ref("Team"),
    errors=RECORD_ERRORS,
    etag=True,
)
def get_team(team_id: int) -> Response:
    """The team with its version as the ETag: 404 outside the token's teams, as for an id that does not exist."""
    return _team_answer(people.team_in_scope(runtime(), _actor(), team_id))


@route(
    "GET",
    "/api/v1/teams/by-external-id/{external_id}",
    "teams:read",
    "One team, by its external id",
    [BY_EXTERNAL_ID],
    _ref("Team"),
    errors=RECORD_ERRORS,
    etag=True,
)
def get_team_by_external_id(external_id: str) -> Response:
    """The team the ERP names so: 404 outside the token's teams, as for an unknown id."""
    team = teams.team_by(runtime().db, g.viewer.scope, external_id=external_id)
    if team is None:
        raise AppError(404, "not_found", "no such team in this token's teams")
    return _team_answer(team)


@route(
    "POST",
    "/api/v1/teams",
    "people:write",
    "Make a team",
    [],
    {},
    body={"application/json": {"schema": TEAM_BODY}},
    errors=WRITE_ERRORS,
    extra_answers=_created("Team", "team"),
)
def create_team() -> Response:
    """A new team (a token without a team limit only: 403 otherwise); its name unique in any case (409). Without a
    colour it gets the next of the palette. Announced by `team.created`."""
    return _team_answer(people.add_team(runtime(), _actor(), checked_body(TEAM_BODY)), 201)


@route(
    "PATCH",
    "/api/v1/teams/{team_id}",
    "people:write",
    "Rename a team, or set its colour, external id or supervisors",
    [TEAM_ID],
    _ref("Team"),
    body={"application/json": {"schema": TEAM_CHANGE_BODY}},
    errors=WRITE_ERRORS,
    etag=True,
)
def change_team(team_id: int) -> Response:
    """The fields sent change, the others stay; `supervisor_ids` makes exactly these supervisors' accounts the team's
    (their views change at their next sign-in). Announced by `team.updated`. With If-Match, a team changed since that
    version is 412 and nothing changes."""
    rt, actor = runtime(), _actor()
    body = checked_body(TEAM_CHANGE_BODY)
    supervisor_ids = body.pop("supervisor_ids", None)
    version = preconditions.check_version(people.team_in_scope(rt, actor, team_id)["version"])
    if body:
        _core(lambda: people.change_team(rt, actor, team_id, body, version=version))
    if supervisor_ids is not None:
        people.set_team_supervisors(rt, actor, team_id, supervisor_ids)
    return _team_answer(people.team_in_scope(rt, actor, team_id))
