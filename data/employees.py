"""Employees: the people in the field."""

from __future__ import annotations

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
        f"""SELECT e.id, e.code, e.name, e.team_id, t.name AS team_name, t.color AS team_color
            FROM employees e LEFT JOIN teams t ON t.id = e.team_id
            WHERE e.active AND {IN_SCOPE} ORDER BY e.id""",  # noqa: S608 - IN_SCOPE is a constant
        _scope_params(scope),
    )


def get_employee(db: Database, scope: Scope, employee_id: int) -> dict | None:
    return db.fetch_one(
        f"""SELECT e.id, e.code, e.name, e.team_id, e.phone, t.name AS team_name
            FROM employees e LEFT JOIN teams t ON t.id = e.team_id
            WHERE e.id = %(id)s AND {IN_SCOPE}""",  # noqa: S608 - IN_SCOPE is a constant
        {"id": employee_id, **_scope_params(scope)},
    )


def create_employee(db: Database, code: str, name: str, team_id: int | None) -> int:
    return db.fetch_one(
        "INSERT INTO employees (code, name, team_id) VALUES (%s, %s, %s) RETURNING id", (code, name, team_id)
    )["id"]


def count_employees(db: Database) -> int:
    return int(db.fetch_one("SELECT count(*) AS n FROM employees")["n"])


def employee_by_code(db: Database, code: str) -> dict | None:
    return db.fetch_one("SELECT id, code, name, active FROM employees WHERE code = %s", (code,))
