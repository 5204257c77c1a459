"""Teams."""

from __future__ import annotations

from data.db import Database
from data.scope import Scope


def list_teams(db: Database, scope: Scope) -> list[dict]:
    return db.fetch_all(
        """SELECT id, name, color FROM teams
           WHERE (%(teams)s::int[] IS NULL OR id = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL OR id = (SELECT team_id FROM employees WHERE id = %(employee)s))
           ORDER BY name""",
        {"teams": scope.team_filter(), "employee": scope.employee_id},
    )


def create_team(db: Database, name: str, color: str) -> int:
    """The demo's and the tests' quick way; teams are made by dashboard/work/people.add_team."""
    return db.fetch_one("INSERT INTO teams (name, color) VALUES (%s, %s) RETURNING id", (name, color))["id"]


# The managed record of a team (issue 18); `version` is the row's xmin, as a person's (data/employees.py).
TEAM_COLUMNS = """t.id, t.name, t.color, t.external_id, t.created_at, t.updated_at, t.xmin::text AS version,
    (SELECT count(*) FROM employees e WHERE e.team_id = t.id AND e.active) AS members,
    (SELECT count(*) FROM employees e WHERE e.team_id = t.id AND NOT e.active) AS former_members,
    coalesce((SELECT array_agg(u.id ORDER BY u.username) FROM user_teams ut JOIN users u ON u.id = ut.user_id
              WHERE ut.team_id = t.id AND u.role = 'supervisor'), '{}') AS supervisor_ids,
    coalesce((SELECT string_agg(u.username, ', ' ORDER BY u.username) FROM user_teams ut
              JOIN users u ON u.id = ut.user_id WHERE ut.team_id = t.id AND u.role = 'supervisor'), '')
        AS supervisors"""
IN_TEAMS = "(%(teams)s::int[] IS NULL OR t.id = ANY(%(teams)s))"


def managed_teams(db: Database, scope: Scope) -> list[dict]:
    """Every team in the scope with its members and supervisors, by name."""
    return db.fetch_all(
        f"SELECT {TEAM_COLUMNS} FROM teams t WHERE {IN_TEAMS} ORDER BY t.name",  # noqa: S608 - constants
        {"teams": scope.team_filter()},
    )


def team(db: Database, scope: Scope, team_id: int) -> dict | None:
    return db.fetch_one(
        f"SELECT {TEAM_COLUMNS} FROM teams t WHERE t.id = %(id)s AND {IN_TEAMS}",  # noqa: S608 - constants
        {"id": team_id, "teams": scope.team_filter()},
    )


def team_by(db: Database, scope: Scope, *, name: str | None = None, external_id: str | None = None) -> dict | None:
    """One team in the scope by name (any case) or by the ERP's external id."""
    return db.fetch_one(
        f"""SELECT {TEAM_COLUMNS} FROM teams t
            WHERE (lower(t.name) = lower(%(name)s) OR t.external_id = %(external)s) AND {IN_TEAMS}""",  # noqa: S608
        {"name": name, "external": external_id, "teams": scope.team_filter()},
    )


def teams_by_name(db: Database, names: list[str]) -> list[dict]:
    return db.fetch_all("SELECT id, name FROM teams WHERE name = ANY(%s)", (names,))
