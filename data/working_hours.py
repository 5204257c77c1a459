"""Working hours: when each person may be tracked (employee rows > team rows > organisation rows)."""

from __future__ import annotations

from datetime import time

from data.db import Database

Slot = tuple[int, time, time]  # weekday (0 = Monday), starts, ends (00:00 = midnight at the end)


def schedules(db: Database) -> dict[int, list[Slot]]:
    """Every active employee's effective weekly slots."""
    rows = db.fetch_all(
        "SELECT team_id, employee_id, weekday, starts, ends FROM working_hours ORDER BY weekday, starts"
    )
    org = [(r["weekday"], r["starts"], r["ends"]) for r in rows if r["team_id"] is None and r["employee_id"] is None]
    by_team: dict[int, list[Slot]] = {}
    by_employee: dict[int, list[Slot]] = {}
    for r in rows:
        slot = (r["weekday"], r["starts"], r["ends"])
        if r["employee_id"] is not None:
            by_employee.setdefault(r["employee_id"], []).append(slot)
        elif r["team_id"] is not None:
            by_team.setdefault(r["team_id"], []).append(slot)
    people = db.fetch_all("SELECT id, team_id FROM employees WHERE active")
    return {p["id"]: by_employee.get(p["id"]) or by_team.get(p["team_id"]) or org for p in people}


def slots_for(db: Database, *, team_id: int | None = None, employee_id: int | None = None) -> list[Slot]:
    rows = db.fetch_all(
        """SELECT weekday, starts, ends FROM working_hours
           WHERE team_id IS NOT DISTINCT FROM %s AND employee_id IS NOT DISTINCT FROM %s
           ORDER BY weekday, starts""",
        (team_id, employee_id),
    )
    return [(r["weekday"], r["starts"], r["ends"]) for r in rows]


def replace_slots(
    db: Database, slots: list[Slot], *, team_id: int | None = None, employee_id: int | None = None
) -> None:
    """Set the weekly slots of the organisation (both None), a team, or an employee."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            "DELETE FROM working_hours WHERE team_id IS NOT DISTINCT FROM %s AND employee_id IS NOT DISTINCT FROM %s",
            (team_id, employee_id),
        )
        for weekday, starts, ends in slots:
            cur.execute(
                "INSERT INTO working_hours (team_id, employee_id, weekday, starts, ends) VALUES (%s, %s, %s, %s, %s)",
                (team_id, employee_id, weekday, starts, ends),
            )
