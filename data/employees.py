"""Employees: the people in the field.

What a person is called on screen is `display_name(e)`, a SQL function (migration 0012): the name, and
" · <code>" when another employee has the same name. Every query that shows a person selects it in place
of the plain name; edits, exports of one's own data and the customer's survey page keep the plain name."""

from __future__ import annotations

from datetime import datetime

from data.db import Database
from data.scope import Scope

IN_SCOPE = """
    (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR e.id = %(employee)s)
"""


def _scope_params(scope: Scope) -> dict:
    return {"teams": scope.team_filter(), "employee": scope.employee_id}


def roster(db: Database, scope: Scope) -> list[dict]:
    """Active employees in scope with their team: what the live map needs beside positions."""
    return db.fetch_all(
        f"""SELECT e.id, e.code, display_name(e) AS name, e.name AS plain_name, e.team_id, t.name AS team_name,
                   t.color AS team_color
            FROM employees e LEFT JOIN teams t ON t.id = e.team_id
            WHERE e.active AND {IN_SCOPE} ORDER BY e.id""",  # noqa: S608 - IN_SCOPE is a constant
        _scope_params(scope),
    )


def get_employee(db: Database, scope: Scope, employee_id: int) -> dict | None:
    return db.fetch_one(
        f"""SELECT e.id, e.code, display_name(e) AS name, e.name AS plain_name, e.team_id, e.phone, t.name AS team_name
            FROM employees e LEFT JOIN teams t ON t.id = e.team_id
            WHERE e.id = %(id)s AND {IN_SCOPE}""",  # noqa: S608 - IN_SCOPE is a constant
        {"id": employee_id, **_scope_params(scope)},
    )


def create_employee(db: Database, code: str, name: str, team_id: int | None) -> int:
    """The demo's and the tests' quick way; people are added by dashboard/work/people.add_person."""
    return db.fetch_one(
        "INSERT INTO employees (code, name, team_id) VALUES (%s, %s, %s) RETURNING id", (code, name, team_id)
    )["id"]


# The managed record of a person (issue 18): what the People page, the import, the CLI and the API read and write.
# `version` is the row's PostgreSQL xmin, which every update changes: the API's ETag, and the page's guard against
# saving over a change made since it was read.
PERSON_FIELDS = (
    "code",
    "name",
    "team_id",
    "phone",
    "email",
    "external_id",
    "supervisor_user_id",
    "skills",
    "home_lat",
    "home_lon",
)
PERSON_COLUMNS = """e.id, e.code, e.name, display_name(e) AS display_name, e.team_id, t.name AS team_name, e.phone,
    e.email, e.external_id, e.supervisor_user_id, su.username AS supervisor_username, e.skills, e.home_lat,
    e.home_lon, e.active, e.deactivated_at, e.created_at, e.updated_at, e.xmin::text AS version,
    (SELECT u.username FROM users u WHERE u.employee_id = e.id ORDER BY u.id LIMIT 1) AS username,
    (SELECT count(*) FROM devices d WHERE d.employee_id = e.id) AS devices"""
PERSON_FROM = """employees e LEFT JOIN teams t ON t.id = e.team_id
    LEFT JOIN users su ON su.id = e.supervisor_user_id"""


def people(db: Database, scope: Scope, include_inactive: bool = True) -> list[dict]:
    """Every person in the scope, managed record and all, active first then by name."""
    return db.fetch_all(
        f"""SELECT {PERSON_COLUMNS} FROM {PERSON_FROM}
            WHERE (%(all)s OR e.active) AND {IN_SCOPE}
            ORDER BY e.active DESC, e.name, e.id""",  # noqa: S608 - constants
        {"all": include_inactive, **_scope_params(scope)},
    )


def person(db: Database, scope: Scope, employee_id: int) -> dict | None:
    """One person's managed record in the scope (active or not)."""
    return db.fetch_one(
        f"SELECT {PERSON_COLUMNS} FROM {PERSON_FROM} WHERE e.id = %(id)s AND {IN_SCOPE}",  # noqa: S608 - constants
        {"id": employee_id, **_scope_params(scope)},
    )


def person_by(db: Database, scope: Scope, *, code: str | None = None, external_id: str | None = None) -> dict | None:
    """One person in the scope by employee code or by the ERP's external id."""
    return db.fetch_one(
        f"""SELECT {PERSON_COLUMNS} FROM {PERSON_FROM}
            WHERE (e.code = %(code)s OR e.external_id = %(external)s) AND {IN_SCOPE}""",  # noqa: S608 - constants
        {"code": code, "external": external_id, **_scope_params(scope)},
    )


def changes_of(db: Database, employee_id: int, limit: int = 100) -> list[dict]:
    """What changed about one person, newest first."""
    return db.fetch_all(
        """SELECT action, detail, username, at FROM people_changes WHERE employee_id = %s
           ORDER BY at DESC, id DESC LIMIT %s""",
        (employee_id, limit),
    )


def without_tasks_between(db: Database, start: datetime, end: datetime) -> list[dict]:
    """Active employees (id, team_id) with no task whose window opens in [start, end)."""
    return db.fetch_all(
        """SELECT e.id, e.team_id FROM employees e WHERE e.active AND NOT EXISTS (
               SELECT 1 FROM tasks t WHERE t.employee_id = e.id AND t.window_start >= %s AND t.window_start < %s)
           ORDER BY e.id""",
        (start, end),
    )


def count_employees(db: Database) -> int:
    return int(db.fetch_one("SELECT count(*) AS n FROM employees")["n"])


def stored_about(db: Database, employee_id: int) -> dict:
    """What FieldOps holds about one person: for their 'my data' page."""
    return db.fetch_one(
        """SELECT (SELECT count(*) FROM positions WHERE employee_id = %(e)s) AS positions,
                  (SELECT min(ts) FROM positions WHERE employee_id = %(e)s) AS first_position,
                  (SELECT max(ts) FROM positions WHERE employee_id = %(e)s) AS last_position,
                  (SELECT count(*) FROM coarse_presence WHERE employee_id = %(e)s) AS coarse_hours,
                  (SELECT count(*) FROM activities WHERE employee_id = %(e)s AND kind = 'visit') AS visits,
                  (SELECT count(*) FROM activities WHERE employee_id = %(e)s AND kind <> 'visit') AS other_activities,
                  (SELECT count(*) FROM devices WHERE employee_id = %(e)s) AS devices""",
        {"e": employee_id},
    )


def export_own_data(db: Database, employee_id: int) -> dict:
    """Everything stored about one person, for their own download."""
    person = db.fetch_one(
        "SELECT id, code, name, phone, email, team_id, created_at FROM employees WHERE id = %s", (employee_id,)
    )
    return {
        "employee": person,
        "devices": db.fetch_all(
            "SELECT identifier, protocol, created_at, last_seen FROM devices WHERE employee_id = %s", (employee_id,)
        ),
        "positions": db.fetch_all(
            """SELECT ts, lat, lon, speed, heading, accuracy, source, attributes FROM positions
               WHERE employee_id = %s ORDER BY ts""",
            (employee_id,),
        ),
        "coarse_presence": db.fetch_all(
            "SELECT hour, cell, fixes FROM coarse_presence WHERE employee_id = %s ORDER BY hour", (employee_id,)
        ),
        "activities": db.fetch_all(
            """SELECT kind, customer_id, task_id, started_at, ended_at, notes, source FROM activities
               WHERE employee_id = %s ORDER BY started_at""",
            (employee_id,),
        ),
        "sharing_pauses": db.fetch_all(
            "SELECT reason, started_at, ended_at FROM sharing_pauses WHERE employee_id = %s ORDER BY started_at",
            (employee_id,),
        ),
        "consents": consent_history(db, employee_id),
        "looked_at_by": db.fetch_all(
            """SELECT at, username, role, action FROM audit_log WHERE %s = ANY(subject_ids) ORDER BY at""",
            (employee_id,),
        ),
    }


def consent_history(db: Database, employee_id: int) -> list[dict]:
    """One person's consent decisions, oldest first (migration 0020; My data)."""
    return db.fetch_all(
        """SELECT decision, version, language, source, decided_at FROM consent_decisions
           WHERE employee_id = %s ORDER BY decided_at, id""",
        (employee_id,),
    )


def employee_by_code(db: Database, code: str) -> dict | None:
    return db.fetch_one("SELECT id, code, name, active FROM employees WHERE code = %s", (code,))


def employees_by_code(db: Database, scope: Scope, codes: list[str]) -> dict[str, dict]:
    """The employees in the scope with these codes; one outside it is as absent as an unknown code."""
    rows = db.fetch_all(
        f"SELECT e.id, e.code, e.name FROM employees e WHERE e.code = ANY(%(codes)s) AND {IN_SCOPE}",  # noqa: S608
        {"codes": codes, **_scope_params(scope)},
    )
    return {row["code"]: row for row in rows}


def teams_of_people(db: Database) -> dict[int, int | None]:
    """Every active employee's team (the alert rules' scope is by team)."""
    return {r["id"]: r["team_id"] for r in db.fetch_all("SELECT id, team_id FROM employees WHERE active")}
