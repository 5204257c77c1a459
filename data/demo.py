"""The demo city's bulk writes (dashboard/demo/seed.py decides what goes in).

Each write is one transaction, so a seed that fails half way leaves nothing behind and can run again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from psycopg2.extras import execute_values

from data.db import Database


@dataclass(frozen=True)
class DemoPerson:
    code: str
    name: str
    team: str
    phone: str
    device_token_hash: str  # of their one native device, whose identifier is the person's code


@dataclass(frozen=True)
class DemoCustomer:
    external_id: str
    name: str
    category: str | None
    address: str | None
    lat: float
    lon: float
    owner_code: str | None


@dataclass(frozen=True)
class DemoArea:
    """A team's customers (each with a circular site) and the work area drawn around them."""

    team: str
    customers: list[DemoCustomer]
    geometry: str  # GeoJSON of the work area


def insert_city(
    db: Database,
    streets: Sequence[tuple[str | None, str | None, str]],
    teams: Sequence[tuple[str, str]],
    people: Sequence[DemoPerson],
    areas: Sequence[DemoArea],
    site_radius_m: float,
    all_day_weekdays: Iterable[int],
) -> None:
    """Streets (name, highway, GeoJSON), teams (name, colour), people with their devices, and per team its
    customers with sites, all-day working hours on the given weekdays, and its work area."""
    weekdays = list(all_day_weekdays)
    with db.transaction() as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO streets (name, highway, geometry) VALUES (%s, %s, %s)", streets)
        team_ids: dict[str, int] = {}
        for name, color in teams:
            cur.execute("INSERT INTO teams (name, color) VALUES (%s, %s) RETURNING id", (name, color))
            team_ids[name] = cur.fetchone()[0]
        employee_ids: dict[str, int] = {}
        for person in people:
            cur.execute(
                "INSERT INTO employees (code, name, team_id, phone) VALUES (%s, %s, %s, %s) RETURNING id",
                (person.code, person.name, team_ids[person.team], person.phone),
            )
            employee_ids[person.code] = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO devices (identifier, employee_id, protocol, token_hash) VALUES (%s, %s, 'native', %s)",
                (person.code, employee_ids[person.code], person.device_token_hash),
            )
        for area in areas:
            team_id = team_ids[area.team]
            for customer in area.customers:
                cur.execute(
                    """INSERT INTO customers (external_id, name, category, address, lat, lon, owner_employee_id)
                       VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                    (
                        customer.external_id,
                        customer.name,
                        customer.category,
                        customer.address,
                        customer.lat,
                        customer.lon,
                        employee_ids[customer.owner_code] if customer.owner_code else None,
                    ),
                )
                cur.execute(
                    """INSERT INTO zones (name, kind, customer_id, center_lat, center_lon, radius_m)
                       VALUES (%s, 'customer_site', %s, %s, %s, %s)""",
                    (customer.name, cur.fetchone()[0], customer.lat, customer.lon, site_radius_m),
                )
            for weekday in weekdays:
                cur.execute(
                    "INSERT INTO working_hours (team_id, weekday, starts, ends) VALUES (%s, %s, '00:00', '00:00')",
                    (team_id, weekday),
                )
            cur.execute(
                "INSERT INTO zones (name, kind, team_id, geometry) VALUES (%s, 'work_area', %s, %s)",
                (f"{area.team} area", team_id, area.geometry),
            )


WORKED_TASKS = """
INSERT INTO tasks (customer_id, employee_id, kind, priority, state, window_start, window_end, duration_min,
                   planned_seq, arrived_at, departed_at)
VALUES %s
RETURNING id
"""
WORKED_TASK_VALUES = """(%(customer_id)s, %(employee_id)s, 'visit', %(priority)s, %(state)s, %(window_start)s,
    %(window_end)s, %(duration_min)s, %(planned_seq)s, %(arrived_at)s, %(departed_at)s)"""
# A done task's visit is its time on site, as the phone's check-in and check-out record it.
VISITS_OF_DONE = """
INSERT INTO activities (employee_id, customer_id, task_id, kind, started_at, ended_at, source)
SELECT employee_id, customer_id, id, 'visit', arrived_at, departed_at, 'seed'
FROM tasks WHERE id = ANY(%s) AND state = 'done'
ORDER BY id
"""
STAYS = "INSERT INTO activities (employee_id, customer_id, kind, started_at, ended_at, source, attributes) VALUES %s"
STAY_VALUES = "(%(employee_id)s, %(customer_id)s, 'stay', %(started_at)s, %(ended_at)s, 'geofence', %(attributes)s)"
# A survey answer for ~55 % of the seeded visits (issue 6), the score drawn from a customer-like spread.
SURVEY_ANSWERS_SQL = """
SELECT setseed(%(seed)s);
INSERT INTO feedback (task_id, visit_id, customer_id, employee_id, nonce, created_at, expires_at, answered_at,
                      score, comment, language)
SELECT a.task_id, a.id, a.customer_id, a.employee_id, md5(%(seed)s::text || a.id::text), a.ended_at,
       a.ended_at + interval '7 days', a.ended_at + (x.r * 600) * interval '1 minute',
       x.score, CASE WHEN x.r < 0.35 THEN (%(comments)s::text[])[x.score] END, 'en'
FROM activities a
JOIN (SELECT id, random() AS r,
             (ARRAY[1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5])[1 + floor(random() * 20)::int] AS score
      FROM activities WHERE kind = 'visit' AND source = 'seed' ORDER BY id) x ON x.id = a.id
WHERE a.kind = 'visit' AND a.source = 'seed' AND a.started_at >= %(start)s AND a.started_at < %(end)s
  AND x.r < 0.55 AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.task_id = a.task_id);
"""


def insert_worked_day(db: Database, worked_tasks: Sequence[dict], stays: Sequence[dict]) -> None:
    """One day as the field staff worked it, in one transaction: its tasks with their outcome (customer_id,
    employee_id, priority, state, window_start, window_end, duration_min, planned_seq, arrived_at,
    departed_at), a visit for each one done, and the stays (employee_id, customer_id, started_at, ended_at,
    attributes as JSON text)."""
    with db.transaction() as conn, conn.cursor() as cur:
        ids = [
            row[0]
            for row in execute_values(cur, WORKED_TASKS, worked_tasks, WORKED_TASK_VALUES, page_size=1000, fetch=True)
        ]
        cur.execute(VISITS_OF_DONE, (ids,))
        execute_values(cur, STAYS, stays, STAY_VALUES, page_size=1000)


def answer_surveys(db: Database, start: datetime, end: datetime, seed: float, comments: Sequence[str]) -> None:
    """Survey answers for the seeded visits begun in [start, end); comments: the n-th for a score of n."""
    db.execute(SURVEY_ANSWERS_SQL, {"seed": seed, "start": start, "end": end, "comments": list(comments)})


def work_areas(db: Database) -> list[dict]:
    """Each team's work area (zone id, team id and name): the demo's zone-exit rules watch them."""
    return db.fetch_all(
        """SELECT z.id, z.team_id, t.name AS team FROM zones z JOIN teams t ON t.id = z.team_id
           WHERE z.kind = 'work_area' ORDER BY t.id, z.id"""
    )


def has_open_task_closing(db: Database, employee_id: int, start: datetime, end: datetime) -> bool:
    """Whether the person has an open task whose window closes between start and end."""
    row = db.fetch_one(
        """SELECT 1 AS found FROM tasks
           WHERE employee_id = %s AND state NOT IN ('done', 'failed', 'cancelled')
             AND window_end >= %s AND window_end < %s
           LIMIT 1""",
        (employee_id, start, end),
    )
    return row is not None
