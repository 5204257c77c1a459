"""A week of planned and unplanned visits for two people of different teams, for the coverage tests (issue 21).

Written straight into the seeded demo database (tiers, customers' plans, planned tasks, visits of every channel) so
the tests do not depend on the planner. NOW is Wednesday 10 June 2026, noon in Helsinki; the period is that week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from psycopg2.extras import Json

from data import customers, employees
from data.db import Database
from data.scope import Scope

TZ = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=TZ)
FIRST, LAST = date(2026, 6, 8), date(2026, 6, 14)


@dataclass(frozen=True)
class Seeded:
    first: dict  # the first person: employee row (id, name, team_id, team_name)
    second: dict  # a person of another team
    c: list[int]  # the first person's customers C1..C5
    d: int  # the second person's customer


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), TZ)


def _task(db: Database, customer: int, employee: int, day: date, state: str) -> int:
    return db.fetch_one(
        """INSERT INTO tasks (customer_id, employee_id, kind, state, window_start, window_end, planned_for)
           VALUES (%s, %s, 'visit', %s, %s, %s, %s) RETURNING id""",
        (customer, employee, state, at(day, 9), at(day, 17), day),
    )["id"]


def _visit(db: Database, employee: int, customer: int, start: datetime, task: int | None, channel: str = "site"):
    db.execute(
        """INSERT INTO activities (employee_id, customer_id, task_id, kind, started_at, ended_at, source, channel,
                                   attributes)
           VALUES (%s, %s, %s, 'visit', %s, %s, 'test', %s, %s)""",
        (employee, customer, task, start, start, channel, Json({})),
    )


def seed_week(db: Database) -> Seeded:
    """C1 (A) done on Monday; C2 (A) cancelled, last visited 20 May (overdue by 7); C3 (B) open from Tuesday,
    never visited; C4 (B) due Friday, last visited 1 May (overdue by 10); C5 (every 7 days) a phone call today,
    unplanned. The second person: D1 (A) failed on Monday, visited on site unplanned on Tuesday."""
    roster = employees.roster(db, Scope.everything())
    owned = customers.list_customers(db, Scope.everything())
    first = roster[0]
    second = next(p for p in roster if p["team_id"] != first["team_id"])
    mine = [c["id"] for c in owned if c["owner_employee_id"] == first["id"]][:5]
    theirs = next(c["id"] for c in owned if c["owner_employee_id"] == second["id"])
    assert len(mine) == 5, "the demo gives each person customers"
    db.execute("INSERT INTO visit_tiers (code, name, every_days) VALUES ('A', 'A', 14), ('B', 'B', 30)")
    for customer, tier in zip(mine[:4], "AABB", strict=True):
        db.execute("UPDATE customers SET tier = %s WHERE id = %s", (tier, customer))
    db.execute("UPDATE customers SET visit_every_days = 7 WHERE id = %s", (mine[4],))
    db.execute("UPDATE customers SET tier = 'A' WHERE id = %s", (theirs,))
    c1 = _task(db, mine[0], first["id"], FIRST, "done")
    _visit(db, first["id"], mine[0], at(FIRST, 10), c1)
    _task(db, mine[1], first["id"], date(2026, 6, 9), "cancelled")
    _visit(db, first["id"], mine[1], at(date(2026, 5, 20), 11), None)
    _task(db, mine[2], first["id"], date(2026, 6, 9), "assigned")
    _task(db, mine[3], first["id"], date(2026, 6, 12), "assigned")
    _visit(db, first["id"], mine[3], at(date(2026, 5, 1), 14), None)
    _visit(db, first["id"], mine[4], at(date(2026, 6, 10), 9), None, "phone")
    _task(db, theirs, second["id"], FIRST, "failed")
    _visit(db, second["id"], theirs, at(date(2026, 6, 9), 13), None)
    return Seeded(first, second, mine, theirs)
