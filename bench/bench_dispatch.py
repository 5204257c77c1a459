"""Dispatch and daily routes on the demo city: how long ranking candidates by street travel time
takes, how long OR-Tools takes per person, and how much travel the plans save against the order the
tasks were entered in (random entry order, and the demo's nearest-neighbour order).

    python bench/bench_dispatch.py [--employees 50] [--points 200] [--people 20]

Uses DATABASE_URL / REDIS_URL when set, else embedded servers in ./var/bench-dispatch. Writes into its
own database (fieldops_bench_dispatch) and Redis prefix (bench-dispatch:), which it clears first.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_runtime
from dashboard.demo.seed import plan_day, seed_demo
from dashboard.work.dispatch import rank_candidates
from dashboard.work.routing import plan_route
from dashboard.work.streets import helsinki_streets
from data import customers, employees
from data.feed import Fix
from data.scope import Scope

PREFIX = "bench-dispatch:"


def _random_day(rt, person: int, rng: random.Random, count: int) -> None:
    """Replace the person's open tasks with `count` visits at random team customers, in random order."""
    team = employees.get_employee(rt.db, Scope.everything(), person)["team_id"]
    pool = customers.list_customers(rt.db, Scope(team_ids=frozenset({team})))
    rt.db.execute("DELETE FROM tasks WHERE employee_id = %s", (person,))
    now = datetime.now(UTC)
    for customer in rng.sample(pool, min(count, len(pool))):
        rt.db.execute(
            """INSERT INTO tasks (customer_id, employee_id, state, window_start, window_end, duration_min)
               VALUES (%s, %s, 'assigned', %s, %s, 10)""",
            (customer["id"], person, now, now + timedelta(hours=10)),
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=50)
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--people", type=int, default=20)
    args = parser.parse_args()
    rt, services = bench_runtime("fieldops_bench_dispatch", PREFIX, "bench-dispatch")
    rt.db.execute("TRUNCATE tasks, route_plans CASCADE")
    seed_demo(rt.db, rt.settings.secret_key, args.employees)
    streets = helsinki_streets()
    rng = random.Random(1)
    staff = [p["id"] for p in employees.roster(rt.db, Scope.everything())]
    now_ms = int(time.time() * 1000)
    fixes = [Fix(eid, now_ms, *streets.node_point(int(rng.choice(streets.node_ids)))) for eid in staff]
    rt.feed.publish(fixes, "bench")

    timings = []
    for _ in range(args.points):
        lat, lon = streets.node_point(int(rng.choice(streets.node_ids)))
        started = time.perf_counter()
        rank_candidates(rt, Scope.everything(), lat, lon)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        f"rank_candidates, {len(staff)} people sharing, {args.points} points: "
        f"median {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms"
    )

    for label, prepare in (
        ("random entry order, 8 stops", lambda p: _random_day(rt, p, rng, 8)),
        ("demo plan_day (nearest-neighbour entry order)", None),
    ):
        if prepare is None:
            rt.db.execute("DELETE FROM tasks")
            plan_day(rt.db, datetime.now(rt.settings.tz).date(), rt.settings.tz, start=datetime.now(rt.settings.tz))
        entered = planned = late = 0
        solve = []
        for person in staff[: args.people]:
            if prepare is not None:
                prepare(person)
            started = time.perf_counter()
            plan = plan_route(rt, person)
            solve.append(time.perf_counter() - started)
            if plan is not None:
                entered += plan.entered_travel_s
                planned += plan.planned_travel_s
                late += plan.late_tasks
        saved = 100 * (entered - planned) / entered if entered else 0.0
        print(
            f"{label}: {args.people} people, travel {entered / 60:.0f} min entered -> {planned / 60:.0f} min "
            f"planned ({saved:.0f}% saved), {late} late, plan_route median {statistics.median(solve):.2f} s"
        )
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    rt.close()
    if services:
        services.stop()


if __name__ == "__main__":
    main()
