"""Analytics on a month of a large fleet (issue 5), on the database bench/history.py filled:

    python bench/bench_analytics.py pages  [--runs 7]
    python bench/bench_analytics.py upkeep [--minutes 60] [--every 1]

pages:  median time of each page's data reads (data/analytics.py) over the 30 days, as a manager
        (everyone) and as a supervisor (one team): heatmap (hexagons + weekday x hour matrix),
        performance (ranking, teams, daily totals, satisfaction), one employee's day (track,
        stays and visits, tasks, hourly split).
upkeep: the day after the history, fixes arrive minute by minute (1,000 people every 15 s, the
        writer's batches of 5,000 through data.positions.insert_positions, which marks the hours);
        every --every minutes the upkeep refreshes what was marked. Reports the marking's cost in
        the insert and the upkeep's cost, each per 10,000 positions.

Uses DATABASE_URL (the machine's PostgreSQL in docs/BENCHMARKS.md) or embedded servers, database
fieldops_bench_5, after `fieldops rollup --rebuild --from 2026-09-01 --to 2026-09-30`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import h3

from bench.common import bench_runtime
from bench.history import CUSTOMERS_PER_TEAM, DATABASE, TZ, iso, plan_day, sample
from dashboard.analytics import efficiency as service
from dashboard.analytics import metrics
from data import analytics, positions
from data.positions import PositionRow
from data.scope import Scope

FIRST, LAST = date(2026, 9, 1), date(2026, 9, 30)
TZ_NAME = "Europe/Helsinki"
NOW = datetime(2026, 10, 1, tzinfo=UTC)  # after the period: its open tasks count as overdue
BATCH = 5000


def timed(runs: int, work) -> tuple[float, object]:
    """Median milliseconds of `runs` calls (after one warm-up), and the last result."""
    result = work()
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def heatmap_page(db, scope: Scope) -> dict:
    """What callbacks/analytics_heatmap.heatmap_view reads and builds, without Dash."""
    cells = analytics.heatmap(db, scope, FIRST, LAST, TZ_NAME, min_tracked_s=service.MIN_CELL_TRACKED_S)
    analytics.week_hour_matrix(db, scope, FIRST, LAST, TZ_NAME)
    return service.hexagon_geojson(cells, "idle_share")


def performance_page(db, scope: Scope) -> tuple[list[dict], list[dict], list[dict]]:
    """What callbacks/analytics_performance reads and rolls up (people, teams, days), without Dash."""
    rows = metrics.employee_days(db, scope, FIRST, LAST, TZ_NAME, NOW)
    return metrics.per_employee(rows), metrics.per_team(rows), metrics.per_day(rows)


def bench_pages(rt, runs: int) -> None:
    db = rt.db
    team = db.fetch_one("SELECT id FROM teams ORDER BY id LIMIT 1")["id"]
    scopes = {"manager (all 1,000)": Scope.everything(), "supervisor (1 team, 100)": Scope(frozenset({team}))}
    person = db.fetch_one(
        "SELECT employee_id, day FROM analytics_employee_day WHERE day = %s ORDER BY employee_id LIMIT 1 OFFSET 17",
        (date(2026, 9, 15),),
    )
    for name, scope in scopes.items():
        ms, cells = timed(runs, lambda scope=scope: analytics.heatmap(db, scope, FIRST, LAST, TZ_NAME))
        print(f"heatmap hexagons, 30 days, {name}: {ms:.0f} ms median ({len(cells)} cells)")
        ms, _rows = timed(runs, lambda scope=scope: analytics.week_hour_matrix(db, scope, FIRST, LAST, TZ_NAME))
        print(f"heatmap weekday x hour matrix, {name}: {ms:.0f} ms median")
        ms, shown = timed(runs, lambda scope=scope: heatmap_page(db, scope))
        print(f"** heatmap page data (hexagons with >= 15 min, GeoJSON, matrix), {name}: {ms:.0f} ms median")
        print(f"   GeoJSON of {len(shown['features'])} hexagons: {len(orjson.dumps(shown)) / 1e6:.1f} MB")
        ms, _rows = timed(
            runs,
            lambda scope=scope: analytics.heatmap(db, scope, FIRST, LAST, TZ_NAME, weekdays=[1, 2], hours=[11, 12]),
        )
        print(f"heatmap hexagons, Mon+Tue 11-13 h, {name}: {ms:.0f} ms median")
        ms, ranking = timed(
            runs,
            lambda scope=scope: performance_page(db, scope),
        )
        print(f"** performance page data, 30 days, {name}: {ms:.0f} ms median ({len(ranking[0])} people)")
    start = datetime.combine(person["day"], datetime.min.time(), TZ)
    end = start + timedelta(days=1)
    employee = person["employee_id"]
    ms, day = timed(
        runs,
        lambda: (
            analytics.day_track(db, Scope.everything(), employee, start, end),
            analytics.day_activities(db, Scope.everything(), employee, start, end),
            analytics.day_tasks(db, Scope.everything(), employee, start, end),
            analytics.employee_hours(db, Scope.everything(), employee, start, end),
        ),
    )
    print(f"** employee-day page data: {ms:.1f} ms median ({len(day[0])} positions)")


def _cell(lat: float, lon: float) -> int:
    return h3.str_to_int(h3.latlng_to_cell(lat, lon, 10))


def bench_upkeep(rt, minutes: int, every: int) -> None:
    """A live stretch of the day after the history, minute by minute."""
    db = rt.db
    day = LAST + timedelta(days=1)
    rng = random.Random(99)
    noise = np.random.default_rng(99)
    customers: dict[int, list] = {}
    for row in db.fetch_all("SELECT id, lat, lon FROM customers ORDER BY id"):
        customers.setdefault((row["id"] - 1) // CUSTOMERS_PER_TEAM, []).append((row["id"], row["lat"], row["lon"]))
    people = db.fetch_all("SELECT id, team_id FROM employees ORDER BY id")
    start = datetime.combine(day, datetime.min.time(), TZ).replace(hour=9).timestamp()
    stop = start + minutes * 60
    fixes: list[tuple] = []
    activities = []
    for person in people:
        plan = plan_day(rng, "diligent", person["team_id"] - 1, customers[person["team_id"] - 1], day)
        times, lat, lon, speed = sample(plan, day, 15.0, noise)
        keep = (times >= start) & (times < stop)
        columns = (times[keep].tolist(), lat[keep].tolist(), lon[keep].tolist(), speed[keep].tolist())
        fixes += zip([person["id"]] * int(keep.sum()), *columns, strict=True)
        for _customer, _seq, _ws, _we, arrived, departed, _state in plan.tasks:
            if arrived and arrived < stop:
                activities.append((person["id"], _customer, iso(arrived), iso(min(departed, stop))))
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM positions WHERE ts >= %s", (datetime.combine(day, datetime.min.time(), UTC),))
        cur.execute("DELETE FROM activities WHERE started_at >= %s", (datetime.combine(day, datetime.min.time(), UTC),))
        cur.execute("TRUNCATE analytics_dirty")
        cur.executemany(
            """INSERT INTO activities (employee_id, customer_id, kind, started_at, ended_at)
               VALUES (%s, %s, 'visit', %s, %s)""",
            activities,
        )
    fixes.sort(key=lambda f: f[1])
    positions.ensure_partitions(db, day, 1)
    mark_s = insert_s = upkeep_s = 0.0
    stored = upkeeps = buckets = 0
    unmarked = positions.MARK_DIRTY
    for minute in range(minutes):
        due = [f for f in fixes if start + minute * 60 <= f[1] < start + (minute + 1) * 60]
        rows = [
            PositionRow(
                e,
                datetime.fromtimestamp(t, UTC),
                y,
                x,
                v,
                None,
                8.0,
                h3.str_to_int(h3.latlng_to_cell(y, x, 10)),
                "bench",
            )
            for e, t, y, x, v in due
        ]
        for first in range(0, len(rows), BATCH):
            batch = rows[first : first + BATCH]
            # Each batch twice: stored and marked, then (after removing it) stored without the mark.
            started = time.perf_counter()
            positions.insert_positions(db, batch)
            with_mark = time.perf_counter() - started
            db.execute(
                "DELETE FROM positions WHERE (employee_id, ts) IN (SELECT * FROM unnest(%s::int[], %s::timestamptz[]))",
                ([r.employee_id for r in batch], [r.ts for r in batch]),
            )
            positions.MARK_DIRTY = "SELECT 1"
            started = time.perf_counter()
            positions.insert_positions(db, batch)
            without = time.perf_counter() - started
            positions.MARK_DIRTY = unmarked
            insert_s += with_mark
            mark_s += with_mark - without
            stored += len(batch)
        if (minute + 1) % every == 0:
            started = time.perf_counter()
            buckets += analytics.upkeep(db, TZ_NAME)
            upkeep_s += time.perf_counter() - started
            upkeeps += 1
    per = 10_000 / max(stored, 1)
    print(f"{stored:,} positions over {minutes} min ({stored / minutes:,.0f}/min), upkeep every {every} min")
    print(f"insert with the mark: {insert_s * 1000 * per:.0f} ms per 10,000 positions")
    print(f"** marking (writer's share): {mark_s * 1000 * per:.0f} ms per 10,000 positions")
    print(
        f"** upkeep: {upkeep_s * 1000 * per:.0f} ms per 10,000 positions "
        f"({upkeeps} runs, {upkeep_s / max(upkeeps, 1):.2f} s and {buckets / max(upkeeps, 1):,.0f} employee-hours each)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("pages", "upkeep"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--every", type=int, default=1, help="minutes between upkeep runs")
    args = parser.parse_args()
    rt, services = bench_runtime(DATABASE, "benchanalytics:", "bench-analytics")
    try:
        if args.what == "pages":
            bench_pages(rt, args.runs)
        else:
            bench_upkeep(rt, args.minutes, args.every)
    finally:
        rt.close()
        services.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
