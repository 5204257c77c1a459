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
    return db.fetch_one("INSERT INTO teams (name, color) VALUES (%s, %s) RETURNING id", (name, color))["id"]


def teams_by_name(db: Database, names: list[str]) -> list[dict]:
    return db.fetch_all("SELECT id, name FROM teams WHERE name = ANY(%s)", (names,))


def team_summary(db: Database) -> list[dict]:
    """Every team with its active members and supervisors: the admin's overview."""
    return db.fetch_all(
        """SELECT t.id, t.name, count(DISTINCT e.id) AS members,
                  coalesce(string_agg(DISTINCT u.username, ', '), '') AS supervisors
           FROM teams t LEFT JOIN employees e ON e.team_id = t.id AND e.active
           LEFT JOIN user_teams ut ON ut.team_id = t.id LEFT JOIN users u ON u.id = ut.user_id AND u.role = 'supervisor'
           GROUP BY t.id ORDER BY t.name"""
    )
