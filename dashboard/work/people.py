"""People and teams, managed (issue 18): the ONE way a person or a team is added, changed, moved, deactivated,
reactivated, merged or removed, whoever asks: the People page, the bulk import, the CLI or the API.

Every operation takes an `Actor` (who, for the history and the webhooks; the scope that limits what they may
touch), checks the values, and writes in one transaction the change, its `people_changes` row and its webhook
(`employee.*`, `team.*`). A refusal is an `AppError` naming the field, shown as it is by every surface: 400 a
value, 403 outside the actor's teams, 404 not in scope, 409 taken or not empty, 412 changed since it was read.

A person is never deleted. Deactivation keeps their history (positions, visits and reports of past periods stay
as they were) and, at once: refuses their devices' next fixes in every process, takes them off the live map,
signs their accounts out (disabled until reactivated), and frees their open tasks through the task lifecycle (back
to new, each with its event), with a notice to their supervisors (the built-in alert rule `tasks_freed`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg2.errors

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.palette import CHART_COLORS
from dashboard.core.permissions import Viewer
from dashboard.core.runtime import Runtime
from dashboard.ingest.trackers import forget_devices
from dashboard.work import erp, lifecycle
from data import alerts, employees, teams, users
from data import people as writes
from data import tasks as task_rows
from data.scope import Scope

MAX_SKILLS = 20
SKILL = re.compile(r"^[^\x00-\x1f,]{1,40}$")  # a free tag: no control characters, no comma (the import's separator)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
TEXT_LIMITS = {"code": 64, "name": 200, "phone": 40, "email": 320, "external_id": 100, "team_name": 60}
# Open tasks a deactivation hands back to the planners (on site included: the visit cannot be finished by them).
FREED_STATES = ("assigned", "accepted", "en_route", "on_site")
IMPORT_COLUMNS = (
    "code",
    "name",
    "team",
    "phone",
    "email",
    "external_id",
    "supervisor",
    "skills",
    "home_lat",
    "home_lon",
)


@dataclass(frozen=True)
class Actor:
    """Who changes people or teams: a signed-in user, an API token or the command line."""

    user_id: int | None
    username: str
    scope: Scope

    @classmethod
    def of(cls, viewer: Viewer) -> Actor:
        return cls(viewer.user_id, viewer.username, viewer.scope)

    @classmethod
    def command_line(cls) -> Actor:
        return cls(None, "cli", Scope.everything())

    @property
    def by(self) -> dict:
        return {"user_id": self.user_id, "username": self.username}

    def may_manage_teams(self) -> bool:
        """Creating, merging and removing teams is for an actor without a team limit."""
        return self.scope.all_teams


def _refused(message: str, field: str | None = None, status: int = 400, code: str = "invalid") -> AppError:
    return AppError(status, code, message, **({"field": field} if field else {}))


# People


public = writes.public_person  # a person as the API answers and the webhooks announce them


def check_person(rt: Runtime, actor: Actor, values: dict, current: dict | None = None) -> dict:
    """The PERSON_FIELDS among `values`, checked and normalised (text trimmed, empty optional text as None, skills
    deduplicated); a new person (no `current`) needs a code and a name. Raises AppError naming the field."""
    if not isinstance(values, dict):
        raise _refused(_("A person is an object of field: value."))
    unknown = sorted(set(values) - set(employees.PERSON_FIELDS))
    if unknown:
        raise _refused(_("Unknown field: {field}.", field=unknown[0]), unknown[0])
    out: dict = {}
    for key in ("code", "name", "phone", "email", "external_id"):
        if key in values or current is None:
            out[key] = _text(values.get(key), key, required=key in ("code", "name"))
    if out.get("email") and not EMAIL.match(out["email"]):
        raise _refused(_("An e-mail address looks like name@example.com."), "email")
    if "team_id" in values or current is None:
        out["team_id"] = _team_in_scope(rt, actor, values.get("team_id"))
    if "supervisor_user_id" in values:
        out["supervisor_user_id"] = _supervisor(rt, values["supervisor_user_id"])
    elif current is None:
        out["supervisor_user_id"] = None
    if "skills" in values or current is None:
        out["skills"] = _skills(values.get("skills"))
    if "home_lat" in values or "home_lon" in values or current is None:
        lat = _coordinate(values.get("home_lat", (current or {}).get("home_lat")), "home_lat", 90)
        lon = _coordinate(values.get("home_lon", (current or {}).get("home_lon")), "home_lon", 180)
        if (lat is None) != (lon is None):
            raise _refused(_("A home base needs both latitude and longitude, or neither."), "home_lat")
        out["home_lat"], out["home_lon"] = lat, lon
    return out


def _text(value: object, key: str, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _refused(_("{field} is required.", field=key), key)
        return None
    if not isinstance(value, str) or "\x00" in value or len(value.strip()) > TEXT_LIMITS[key]:
        raise _refused(_("{field} is text of at most {n} characters.", field=key, n=TEXT_LIMITS[key]), key)
    return value.strip()


def _whole(value: object, key: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise _refused(_("{field} is a whole number.", field=key), key)
    return value


def _team_in_scope(rt: Runtime, actor: Actor, value: object) -> int | None:
    team_id = _whole(value, "team_id")
    if team_id is None:
        if not actor.scope.all_teams:
            raise _refused(_("Choose one of your teams."), "team_id")
        return None
    if teams.team(rt.db, actor.scope, team_id) is None:
        raise _refused(_("There is no such team among yours."), "team_id")
    return team_id


def _supervisor(rt: Runtime, value: object) -> int | None:
    user_id = _whole(value, "supervisor_user_id")
    if user_id is None:
        return None
    if user_id not in {account["id"] for account in users.planner_accounts(rt.db)}:
        raise _refused(_("A supervisor is an enabled supervisor's or manager's account."), "supervisor_user_id")
    return user_id


def _skills(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise _refused(_("Skills are a list of tags."), "skills")
    tags = list(dict.fromkeys(tag.strip() for tag in value if tag.strip()))
    if len(tags) > MAX_SKILLS or not all(SKILL.match(tag) for tag in tags):
        raise _refused(_("At most {n} skills, each of at most 40 characters, without commas.", n=MAX_SKILLS), "skills")
    return tags


def _coordinate(value: object, key: str, bound: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value) if isinstance(value, int | float | str) and not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not -bound <= number <= bound:
        raise _refused(_("{field} is a number from {low} to {high}.", field=key, low=-bound, high=bound), key)
    return number


def _taken(exc: psycopg2.errors.UniqueViolation) -> AppError:
    field = "external_id" if "external_id" in str(exc) else "code" if "code" in str(exc) else "name"
    return _refused(_("Another record already has this {field}.", field=field), field, 409, "conflict")


def person_in_scope(rt: Runtime, actor: Actor, employee_id: int) -> dict:
    found = employees.person(rt.db, actor.scope, employee_id)
    if found is None:
        raise _refused(_("There is no such person among yours."), status=404, code="not_found")
    return found


def add_person(rt: Runtime, actor: Actor, values: dict) -> dict:
    """A new, active person; returns their record."""
    person = check_person(rt, actor, values)
    try:
        return writes.add_person(rt.db, person, actor.by)
    except psycopg2.errors.UniqueViolation as exc:
        raise _taken(exc) from None


def change_person(rt: Runtime, actor: Actor, employee_id: int, values: dict, version: str | None = None) -> dict:
    """Change some of a person's fields (a move between teams included); with `version`, only if nobody changed
    them since it was read (412 otherwise). Returns the record as it is now."""
    current = person_in_scope(rt, actor, employee_id)
    changes = {k: v for k, v in check_person(rt, actor, values, current).items() if v != current[k]}
    return _written(
        current, changes, version, lambda: writes.change_person(rt.db, employee_id, changes, version, actor.by, current)
    )


def _written(current: dict, changes: dict, version: str | None, write) -> dict:
    """A record's checked changes written (None from `write`: its version was stale), or the record as it is when
    nothing changes; a stale `version` is refused either way."""
    if not changes:
        if version is not None and version != current["version"]:
            raise _stale()
        return current
    try:
        changed = write()
    except psycopg2.errors.UniqueViolation as exc:
        raise _taken(exc) from None
    if changed is None:
        raise _stale()
    return changed


def move_person(rt: Runtime, actor: Actor, employee_id: int, team_id: int | None) -> dict:
    return change_person(rt, actor, employee_id, {"team_id": team_id})


def _stale() -> AppError:
    return _refused(_("Someone changed this record since you read it: read it again."), status=412, code="stale")


@dataclass(frozen=True)
class Deactivation:
    person: dict
    freed_task_ids: list[int]
    accounts_signed_out: int


def deactivate_person(rt: Runtime, actor: Actor, employee_id: int) -> Deactivation:
    """Deactivate a person (see the module's doc). Repeating it frees what a first attempt cut short left open."""
    current = person_in_scope(rt, actor, employee_id)
    _changed, signed_out = writes.deactivate_person(rt.db, employee_id, actor.by)
    forget_devices(rt)
    rt.feed.forget([employee_id])
    freed = _free_tasks(rt, actor, current)
    return Deactivation(person_in_scope(rt, actor, employee_id), freed, signed_out)


def _free_tasks(rt: Runtime, actor: Actor, person: dict) -> list[int]:
    """The person's open tasks back to new through the lifecycle (each with its event and webhook), and one notice
    to their supervisors naming them."""
    reason = _("{name} was deactivated", name=person["display_name"])
    freed = []
    for task_id in task_rows.task_ids_of(rt.db, person["id"], FREED_STATES):
        try:
            lifecycle.change_state(rt, task_id, "new", reason=reason)
        except lifecycle.TaskError:
            continue  # it moved on meanwhile (done, failed, handed back): nothing left to free
        freed.append(task_id)
    if freed:
        now = datetime.now(UTC)
        rule = alerts.builtin_rule(rt.db, "tasks_freed")
        detail = {"tasks": freed, "by": actor.username}
        alerts.raise_alert(rt.db, rule, person["id"], now, subject=f"freed:{now:%Y%m%dT%H%M%S}", detail=detail)
    return freed


def reactivate_person(rt: Runtime, actor: Actor, employee_id: int) -> dict:
    """Bring a person back: their devices report again and their accounts may sign in again."""
    person_in_scope(rt, actor, employee_id)
    writes.reactivate_person(rt.db, employee_id, actor.by)
    forget_devices(rt)
    return person_in_scope(rt, actor, employee_id)


# The bulk import: CSV or XLSX (or JSON rows), all or nothing, by employee code.


def import_people(rt: Runtime, actor: Actor, rows: list, dry_run: bool) -> erp.Report:
    """Check every row (columns IMPORT_COLUMNS; `team` and `supervisor` by name), compare with the stored people of
    the same code, and write them all in one transaction only when no row is in error. The report lists every bad
    row with its column, as the ERP import's does (dashboard/work/erp.py)."""
    report = erp.Report("people", dry_run)
    known_teams = {t["name"].lower(): t["id"] for t in teams.managed_teams(rt.db, actor.scope)}
    supervisors = {account["username"].lower(): account["id"] for account in users.planner_accounts(rt.db)}
    stored = {p["code"]: p for p in employees.people(rt.db, Scope.everything())}
    in_scope = {p["id"] for p in employees.people(rt.db, actor.scope)}
    creates, updates, seen = [], [], set()
    for number, raw in enumerate(rows, start=1):
        values, code = _import_values(raw, known_teams, supervisors)
        current = stored.get(code)
        try:
            if isinstance(values, AppError):
                raise values
            if code in seen:
                raise _refused(_("This code appears earlier in the file."), "code")
            if current is not None and current["id"] not in in_scope:
                raise _refused(_("This code belongs to a person outside your teams."), "code", 403, "forbidden")
            person = check_person(rt, actor, values, current)
        except AppError as exc:
            field = exc.extra.get("field")
            report.errors.append({"row": number, "external_id": code, "field": field, "message": exc.message})
            continue
        seen.add(code)
        changes = person if current is None else {k: v for k, v in person.items() if v != current[k]}
        action = "created" if current is None else "updated" if changes else "unchanged"
        report.rows.append({"row": number, "external_id": code, "action": action})
        if action == "created":
            creates.append(person)
        elif action == "updated":
            updates.append((current, changes))
    if dry_run or report.errors:
        return report
    try:
        writes.write_import(rt.db, creates, updates, actor.by)
    except psycopg2.errors.UniqueViolation as exc:
        raise _taken(exc) from None
    report.committed = True
    return report


def _import_values(raw: object, known_teams: dict, supervisors: dict) -> tuple[dict | AppError, str | None]:
    """A file's row as check_person's values, names resolved to ids: (the values or the row's error, its code).
    A column the file has but leaves empty clears the field; a column it lacks leaves the field as stored."""
    if not isinstance(raw, dict):
        return _refused(_("A row is an object of column: value.")), None
    row = {k.strip().lower(): (v.strip() if isinstance(v, str) else v) for k, v in raw.items() if isinstance(k, str)}
    code = row.get("code") if isinstance(row.get("code"), str) else None
    unknown = sorted(set(row) - set(IMPORT_COLUMNS))
    if unknown:
        return _refused(_("Unknown column: {field}.", field=unknown[0]), unknown[0]), code
    direct = ("code", "name", "phone", "email", "external_id", "skills", "home_lat", "home_lon")
    values = {k: (None if row[k] == "" else row[k]) for k in direct if k in row}
    if row.get("team"):
        team_id = known_teams.get(str(row["team"]).lower())
        if team_id is None:
            return _refused(_("There is no such team among yours."), "team"), code
        values["team_id"] = team_id
    elif "team" in row:
        values["team_id"] = None
    if row.get("supervisor"):
        user_id = supervisors.get(str(row["supervisor"]).lower())
        if user_id is None:
            return _refused(_("No supervisor's or manager's account has this name."), "supervisor"), code
        values["supervisor_user_id"] = user_id
    elif "supervisor" in row:
        values["supervisor_user_id"] = None
    return values, code


# Teams


public_team = writes.public_team  # a team as the API answers and the webhooks announce it


def team_in_scope(rt: Runtime, actor: Actor, team_id: int) -> dict:
    found = teams.team(rt.db, actor.scope, team_id)
    if found is None:
        raise _refused(_("There is no such team among yours."), status=404, code="not_found")
    return found


def _team_values(values: dict, current: dict | None) -> dict:
    if not isinstance(values, dict):
        raise _refused(_("A team is an object of field: value."))
    unknown = sorted(set(values) - set(writes.TEAM_FIELDS))
    if unknown:
        raise _refused(_("Unknown field: {field}.", field=unknown[0]), unknown[0])
    out = {}
    if "name" in values or current is None:
        name = values.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= TEXT_LIMITS["team_name"] or "\x00" in name:
            raise _refused(_("A team needs a name (up to 60 characters)."), "name")
        out["name"] = name.strip()
    if "color" in values:
        if not isinstance(values["color"], str) or not COLOR.match(values["color"]):
            raise _refused(_("A colour is written #rrggbb."), "color")
        out["color"] = values["color"].lower()
    if "external_id" in values or current is None:
        out["external_id"] = _text(values.get("external_id"), "external_id")
    return out


def _team_name_free(rt: Runtime, name: str, team_id: int | None = None) -> None:
    other = teams.team_by(rt.db, Scope.everything(), name=name)
    if other is not None and other["id"] != team_id:
        raise _refused(_("There is already a team named {name}.", name=name), "name", 409, "conflict")


def _without_team_limit(actor: Actor, message: str) -> None:
    if not actor.may_manage_teams():
        raise _refused(message, status=403, code="forbidden")


def add_team(rt: Runtime, actor: Actor, values: dict) -> dict:
    _without_team_limit(actor, _("Only an account without a team limit makes teams."))
    team = _team_values(values, None)
    _team_name_free(rt, team["name"])
    if "color" not in team:
        team["color"] = CHART_COLORS[len(teams.managed_teams(rt.db, Scope.everything())) % len(CHART_COLORS)]
    try:
        return writes.add_team(rt.db, team, actor.by)
    except psycopg2.errors.UniqueViolation as exc:
        raise _taken(exc) from None


def change_team(rt: Runtime, actor: Actor, team_id: int, values: dict, version: str | None = None) -> dict:
    """Rename a team (or change its colour or external id); 412 when `version` is stale."""
    current = team_in_scope(rt, actor, team_id)
    changes = {k: v for k, v in _team_values(values, current).items() if v != current[k]}
    if "name" in changes:
        _team_name_free(rt, changes["name"], team_id)
    return _written(
        current, changes, version, lambda: writes.change_team(rt.db, team_id, changes, version, actor.by, current)
    )


def set_team_supervisors(rt: Runtime, actor: Actor, team_id: int, user_ids: list) -> dict:
    """The team's supervisors are exactly these supervisor accounts (their views change at their next sign-in)."""
    team_in_scope(rt, actor, team_id)
    if not isinstance(user_ids, list):
        raise _refused(_("A team's supervisors are enabled supervisors' accounts."), "supervisor_ids")
    ids = sorted({_whole(u, "supervisor_ids") for u in user_ids} - {None})
    supervisors = {a["id"] for a in users.planner_accounts(rt.db) if a["role"] == "supervisor"}
    if not set(ids) <= supervisors:
        raise _refused(_("A team's supervisors are enabled supervisors' accounts."), "supervisor_ids")
    return writes.set_team_supervisors(rt.db, team_id, ids, actor.by)


def merge_teams(rt: Runtime, actor: Actor, from_team: int, into_team: int) -> dict:
    """Everyone of one team (deactivated people too, so their history follows) and its supervisors into another;
    the emptied team is removed. Returns the team merged into."""
    _without_team_limit(actor, _("Only an account without a team limit merges teams."))
    source = team_in_scope(rt, actor, from_team)
    team_in_scope(rt, actor, into_team)
    if from_team == into_team:
        raise _refused(_("A team cannot be merged into itself."), "into_team_id")
    return writes.merge_teams(rt.db, source, into_team, actor.by)


def remove_team(rt: Runtime, actor: Actor, team_id: int) -> None:
    """Remove a team nobody belongs to (deactivated people keep theirs: move them or merge the team first)."""
    _without_team_limit(actor, _("Only an account without a team limit removes teams."))
    current = team_in_scope(rt, actor, team_id)
    if not writes.remove_team(rt.db, current, actor.by):
        message = _(
            "Team {name} still has people (deactivated ones count): move them or merge the team.", name=current["name"]
        )
        raise _refused(message, status=409, code="not_empty")
