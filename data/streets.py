"""Street centre lines of the demo city: our own base map when tiles cannot load."""

from __future__ import annotations

from data.db import Database


def street_lines(db: Database) -> list[dict]:
    return db.fetch_all("SELECT id, name, highway, geometry FROM streets ORDER BY id")
