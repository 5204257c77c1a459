"""Teams."""

from __future__ import annotations

from data.db import Database
from data.scope import Scope


def list_teams(db: Database, scope: Scope) -> list[dict]:
    return db.fetch_all(
        "SELECT id, name, color FROM teams WHERE %(teams)s::int[] IS NULL OR id = ANY(%(teams)s) ORDER BY name",
        {"teams": scope.team_filter()},
    )


def create_team(db: Database, name: str, color: str) -> int:
    return db.fetch_one("INSERT INTO teams (name, color) VALUES (%s, %s) RETURNING id", (name, color))["id"]
