"""A month of a large fleet's history for the analytics benchmarks (issue 5):

    nice python bench/history.py [--days 30] [--employees 1000] [--interval 15] [--first-day 2026-09-01]

Writes straight into PostgreSQL with COPY (as an import would, no writer): teams with work areas,
customers, each person's day of tasks (windows), visits and idle stays (activities) and positions
every --interval seconds from 08:00 to 15:30 Helsinki time (30 days x 1,000 people x 15 s: about
50 million positions). People keep the simulator's habits (dashboard/demo/simulator.HABITS: idler, detour,
late_start, early_finish), and two planted place-and-hour inefficiencies: idlers idle at their
team's one spot (idle_spot(), as the simulator's idlers do at IDLE_SPOT), and travel through the
congested district (CONGESTED) is three times slower from 11:00 to 13:00 local. Travel is a
straight line, not the streets.

Uses DATABASE_URL when set (e.g. postgresql://postgres@127.0.0.1:5432/postgres), else embedded
servers in ./var/bench-analytics; its own database fieldops_bench_5, emptied first. Then run
`fieldops rollup --rebuild --from 2026-09-01 --to 2026-09-30` on it, and bench/bench_analytics.py.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import h3
import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_runtime
from dashboard.demo.simulator import HABITS
from data.db import Database

DATABASE = "fieldops_bench_5"
TZ = ZoneInfo("Europe/Helsinki")
TEAMS = 10
CUSTOMERS_PER_TEAM = 300
VISITS_PER_DAY = 7
DAY_START_H, DAY_HOURS = 8, 7.5  # 08:00-15:30 local
CITY = (60.15, 24.70, 60.27, 25.20)  # south, west, north, east: 5 x 2 team areas
CONGESTED = (60.160, 24.925, 60.180, 24.960)  # inside team 3's area
M_PER_DEG_LAT = 111_320.0


def team_area(team: int) -> tuple[float, float, float, float]:
    south, west, north, east = CITY
    row, col = divmod(team, 5)
    height, width = (north - south) / 2, (east - west) / 5
    return south + row * height, west + col * width, south + (row + 1) * height, west + (col + 1) * width


def idle_spot(team: int) -> tuple[float, float]:
    """Each team's idlers idle at one place in the team's area."""
    south, west, north, east = team_area(team)
    return south + (north - south) * 0.3, west + (east - west) * 0.7


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (b[0] - a[0]) * M_PER_DEG_LAT
    dx = (b[1] - a[1]) * M_PER_DEG_LAT * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def in_congestion(a: tuple[float, float], b: tuple[float, float]) -> bool:
    south, west, north, east = CONGESTED
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    return any(south <= p[0] <= north and west <= p[1] <= east for p in (a, b, mid))


@dataclass
class Segment:
    start: float  # epoch seconds
    end: float
    a: tuple[float, float]
    b: tuple[float, float]
    moving: bool


class Day:
    """One person's day: segments to sample, and the tasks, visits and stays it produced."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.tasks: list[tuple] = []  # (customer, seq, window_start, window_end, arrived, departed, state)
        self.stays: list[tuple[float, float, tuple[float, float]]] = []

    def travel(self, t: float, a: tuple[float, float], b: tuple[float, float], speed: float, local_hour) -> float:
        duration = max(15.0, distance_m(a, b) / speed)
        if in_congestion(a, b) and 11 <= local_hour(t) < 13:
            duration *= 3
        self.segments.append(Segment(t, t + duration, a, b, True))
        return t + duration

    def dwell(self, t: float, at: tuple[float, float], seconds: float) -> float:
        self.segments.append(Segment(t, t + seconds, at, at, False))
        return t + seconds


def plan_day(rng: random.Random, habit: str, team: int, customers: list[tuple[int, float, float]], day: date) -> Day:
    start_local = datetime.combine(day, datetime.min.time(), TZ).replace(hour=DAY_START_H)
    day_start = start_local.timestamp()
    day_end = day_start + DAY_HOURS * 3600

    def local_hour(t: float) -> int:
        return datetime.fromtimestamp(t, TZ).hour

    plan = Day()
    south, west, north, east = team_area(team)
    here = (rng.uniform(south, north), rng.uniform(west, east))
    speed = rng.uniform(5.0, 8.0)
    t = day_start + (rng.uniform(600, 2400) if habit == "late_start" else 0)
    until = day_start + (day_end - day_start) * rng.uniform(0.5, 0.7) if habit == "early_finish" else day_end
    stops = rng.sample(customers, VISITS_PER_DAY)
    for seq, (customer, lat, lon) in enumerate(stops, start=1):
        nominal = day_start + (seq - 1) * 2100 + 600  # the plan: one visit every 35 min
        window = (nominal - 1800, nominal + 1800)
        if t >= until:
            plan.tasks.append((customer, seq, *window, None, None, "assigned"))
            continue
        if habit == "detour" and rng.random() < 0.5:
            city_s, city_w, city_n, city_e = CITY
            elsewhere = (rng.uniform(city_s, city_n), rng.uniform(city_w, city_e))
            t = plan.travel(t, here, elsewhere, speed, local_hour)
            here = elsewhere
        t = plan.travel(t, here, (lat, lon), speed, local_hour)
        here = (lat, lon)
        arrived = t
        t = plan.dwell(t, here, rng.uniform(1200, 1800))
        plan.tasks.append((customer, seq, *window, arrived, t, "done"))
        if habit == "idler" and seq % 2 == 1:
            spot = idle_spot(team)
            t = plan.travel(t, here, spot, speed, local_hour)
            here, began = spot, t
            t = plan.dwell(t, here, rng.uniform(900, 1500))
            plan.stays.append((began, t, spot))
    # The rest of the day: back and forth around the last place, until reporting stops.
    while t < until:
        nearby = (here[0] + rng.uniform(-0.01, 0.01), here[1] + rng.uniform(-0.02, 0.02))
        t = plan.travel(t, here, nearby, speed, local_hour)
        here = nearby
        t = plan.dwell(t, here, rng.uniform(60, 240))
    plan.segments = [s for s in plan.segments if s.start < until]
    if plan.segments:
        plan.segments[-1].end = min(plan.segments[-1].end, until)
    return plan


def sample(plan: Day, day: date, interval: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Fixes every `interval` s along the plan's segments: epoch seconds, lat, lon, speed."""
    day_start = datetime.combine(day, datetime.min.time(), TZ).replace(hour=DAY_START_H).timestamp()
    begin = max(day_start, plan.segments[0].start if plan.segments else day_start)
    end = plan.segments[-1].end if plan.segments else day_start
    times = np.arange(begin, end, interval)
    starts = np.array([s.start for s in plan.segments])
    ends = np.array([s.end for s in plan.segments])
    i = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(starts) - 1)
    a = np.array([s.a for s in plan.segments])
    b = np.array([s.b for s in plan.segments])
    f = np.clip((times - starts[i]) / np.maximum(ends[i] - starts[i], 1e-9), 0, 1)
    lat = a[i, 0] + (b[i, 0] - a[i, 0]) * f
    lon = a[i, 1] + (b[i, 1] - a[i, 1]) * f
    moving = np.array([s.moving for s in plan.segments])[i]
    lengths = np.array([distance_m(s.a, s.b) for s in plan.segments])
    speed = np.where(moving, lengths[i] / np.maximum(ends[i] - starts[i], 1e-9), 0.0)
    noise_m = rng.normal(0, 4.0, (2, len(times)))
    lat = lat + noise_m[0] / M_PER_DEG_LAT
    lon = lon + noise_m[1] / (M_PER_DEG_LAT * np.cos(np.radians(lat)))
    return times, lat, lon, speed


def copy_rows(db: Database, table: str, columns: tuple[str, ...], text: str) -> None:
    with db.transaction() as conn, conn.cursor() as cur:
        cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


def seed_city(db: Database, employees: int, rng: random.Random) -> tuple[dict, dict]:
    """Teams with a work area each, customers with sites, people; returns team of person, customers of team."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            """TRUNCATE teams, employees, customers, zones, tasks, activities, positions, feedback,
                        analytics_facts, analytics_cell_hour, analytics_employee_day, analytics_dirty,
                        work_area_cells, work_area_cells_source RESTART IDENTITY CASCADE"""
        )
        customers: dict[int, list[tuple[int, float, float]]] = {}
        for team in range(TEAMS):
            cur.execute("INSERT INTO teams (name) VALUES (%s) RETURNING id", (f"Team {team + 1}",))
            team_id = cur.fetchone()[0]
            south, west, north, east = team_area(team)
            ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
            cur.execute(
                "INSERT INTO zones (name, kind, team_id, geometry) VALUES (%s, 'work_area', %s, %s)",
                (f"Area {team + 1}", team_id, orjson.dumps({"type": "Polygon", "coordinates": [ring]}).decode()),
            )
            customers[team] = []
            for n in range(CUSTOMERS_PER_TEAM):
                lat, lon = rng.uniform(south, north), rng.uniform(west, east)
                cur.execute(
                    "INSERT INTO customers (name, lat, lon) VALUES (%s, %s, %s) RETURNING id",
                    (f"Customer {team + 1}-{n + 1}", lat, lon),
                )
                customer_id = cur.fetchone()[0]
                customers[team].append((customer_id, lat, lon))
                cur.execute(
                    """INSERT INTO zones (name, kind, customer_id, center_lat, center_lon, radius_m)
                       VALUES (%s, 'customer_site', %s, %s, %s, 60)""",
                    (f"Site {customer_id}", customer_id, lat, lon),
                )
        team_of: dict[int, int] = {}
        for number in range(1, employees + 1):
            team = (number - 1) % TEAMS
            cur.execute(
                "INSERT INTO employees (code, name, team_id) VALUES (%s, %s, %s) RETURNING id",
                (f"B{number:05d}", f"Bench person {number}", team + 1),
            )
            team_of[cur.fetchone()[0]] = team
    return team_of, customers


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def generate_day(db: Database, day: date, people: dict, customers: dict, interval: float, seed: int) -> int:
    rng = random.Random(f"{seed}:{day.isoformat()}")
    noise = np.random.default_rng(rng.randrange(2**32))
    position_parts: list[str] = []
    tasks_text, visits_text, stays_text = io.StringIO(), io.StringIO(), io.StringIO()
    fixes = 0
    for employee_id, (team, habit) in people.items():
        plan = plan_day(rng, habit, team, customers[team], day)
        if not plan.segments:
            continue
        times, lat, lon, speed = sample(plan, day, interval, noise)
        cells = [h3.str_to_int(h3.latlng_to_cell(y, x, 10)) for y, x in zip(lat.tolist(), lon.tolist(), strict=True)]
        stamps = np.datetime_as_string(times.astype("datetime64[s]"), unit="s")
        position_parts.append(
            "".join(
                f"{employee_id}\t{s}+00\t{y:.6f}\t{x:.6f}\t{v:.1f}\t8\t{c}\tbench\n"
                for s, y, x, v, c in zip(stamps, lat.tolist(), lon.tolist(), speed.tolist(), cells, strict=True)
            )
        )
        fixes += len(times)
        for customer, seq, ws, we, arrived, departed, state in plan.tasks:
            task_id = next(TASK_IDS)
            tasks_text.write(
                f"{task_id}\t{customer}\t{employee_id}\t{state}\t{iso(ws)}\t{iso(we)}\t{seq}\t"
                f"{iso(arrived) if arrived else chr(92) + 'N'}\t{iso(departed) if departed else chr(92) + 'N'}\n"
            )
            if arrived:
                visits_text.write(f"{employee_id}\t{customer}\t{task_id}\tvisit\t{iso(arrived)}\t{iso(departed)}\n")
        for began, ended, (y, x) in plan.stays:
            attributes = orjson.dumps({"lat": y, "lon": x, "place": None}).decode()
            stays_text.write(f"{employee_id}\tstay\t{iso(began)}\t{iso(ended)}\t{attributes}\n")
    db.fetch_one("SELECT ensure_position_partitions(%s, 1)", (day,))
    copy_rows(
        db,
        "tasks",
        ("id", "customer_id", "employee_id", "state", "window_start", "window_end", "planned_seq", "arrived_at",
         "departed_at"),
        tasks_text.getvalue(),
    )  # fmt: skip
    copy_rows(
        db,
        "activities",
        ("employee_id", "customer_id", "task_id", "kind", "started_at", "ended_at"),
        visits_text.getvalue(),
    )
    copy_rows(db, "activities", ("employee_id", "kind", "started_at", "ended_at", "attributes"), stays_text.getvalue())
    copy_rows(
        db,
        "positions",
        ("employee_id", "ts", "lat", "lon", "speed", "accuracy", "cell", "source"),
        "".join(position_parts),
    )
    return fixes


def _ids():
    n = 0
    while True:
        n += 1
        yield n


TASK_IDS = _ids()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=15.0)
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2026, 9, 1))
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rt, services = bench_runtime(DATABASE, "benchanalytics:", "bench-analytics")
    rng = random.Random(args.seed)
    team_of, customers = seed_city(rt.db, args.employees, rng)
    people = {employee_id: (team, rng.choice(HABITS)) for employee_id, team in team_of.items()}
    total, started = 0, time.monotonic()
    for offset in range(args.days):
        day = args.first_day + timedelta(days=offset)
        total += generate_day(rt.db, day, people, customers, args.interval, args.seed)
        print(f"{day}: {total:,} positions, {time.monotonic() - started:.0f} s", flush=True)
    rt.db.execute("SELECT setval('tasks_id_seq', (SELECT max(id) FROM tasks))")
    rt.db.execute("ANALYZE")
    print(f"Done: {total:,} positions in {time.monotonic() - started:.0f} s into {DATABASE}")
    rt.close()
    services.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
