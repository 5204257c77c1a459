"""Pauses of location sharing that employees start for a stated reason."""

from __future__ import annotations

from datetime import datetime

from data.db import Database


def open_pause(db: Database, employee_id: int) -> dict | None:
    return db.fetch_one(
        "SELECT id, reason, started_at FROM sharing_pauses WHERE employee_id = %s AND ended_at IS NULL",
        (employee_id,),
    )


def paused_employees(db: Database) -> set[int]:
    return {r["employee_id"] for r in db.fetch_all("SELECT employee_id FROM sharing_pauses WHERE ended_at IS NULL")}


def pause(db: Database, employee_id: int, reason: str, at: datetime) -> None:
    """`at` by the app's clock: "paused since" is shown to the person (docs/ARCHITECTURE.md, one clock)."""
    db.execute(
        """INSERT INTO sharing_pauses (employee_id, reason, started_at) VALUES (%s, %s, %s)
           ON CONFLICT (employee_id) WHERE ended_at IS NULL DO NOTHING""",
        (employee_id, reason, at),
    )


def resume(db: Database, employee_id: int, at: datetime) -> None:
    db.execute("UPDATE sharing_pauses SET ended_at = %s WHERE employee_id = %s AND ended_at IS NULL", (at, employee_id))
