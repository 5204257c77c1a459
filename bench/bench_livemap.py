"""Live map server cost for a large fleet: read every latest position from Redis and build the
payload one refresh sends, plus the bytes on the wire.

    python bench/bench_livemap.py [--employees 10000] [--runs 60]

Uses DATABASE_URL / REDIS_URL when set, else embedded servers in ./var/bench. Writes into its
own database (fieldops_bench) and Redis prefix (bench:), which it clears first.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import random
import statistics
import sys
import threading
import time
from datetime import time as clock
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.common import bench_runtime
from dashboard.core.embedded import EmbeddedServices
from dashboard.core.runtime import Runtime
from dashboard.live.livemap import LiveMap, build_board
from data import working_hours
from data.feed import Fix
from data.scope import Scope

PREFIX = "bench:"


def move_a_tenth_every_second(rt: Runtime, employees: int, stop: threading.Event) -> None:
    """A tenth of the fleet reports a new position each second until `stop` (the browser benches' load)."""
    tick = 0
    while not stop.wait(1.0):
        tick += 1
        now = int(time.time() * 1000)
        rt.feed.publish(
            [
                Fix(i, now, 60.16 + (i % 97) / 5000, 24.93 + ((i + tick) % 89) / 3000, 4.0)
                for i in range(1 + tick % 10, employees + 1, 10)
            ],
            "bench",
        )


def setup(employees: int, database: str = "fieldops_bench") -> tuple[Runtime, EmbeddedServices]:
    """A runtime over a bench database and prefix holding `employees` people with a latest fix."""
    rt, services = bench_runtime(database, PREFIX, "bench")
    with rt.db.transaction() as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE employees, teams RESTART IDENTITY CASCADE")
        cur.execute("INSERT INTO teams (name) SELECT 'Team ' || g FROM generate_series(1, 20) g")
        cur.execute(
            "INSERT INTO employees (code, name, team_id) SELECT 'B' || g, 'Person ' || g, 1 + g %% 20"
            " FROM generate_series(1, %s) g",
            (employees,),
        )
    # Tracked around the clock: outside working hours everyone would count as paused and be left off the map.
    working_hours.replace_slots(rt.db, [(day, clock(0), clock(0)) for day in range(7)])
    rng = random.Random(1)
    now = int(time.time() * 1000)
    fixes = [
        Fix(
            i,
            now - rng.randint(0, 600_000),
            round(60.16 + rng.random() * 0.02, 6),
            round(24.93 + rng.random() * 0.03, 6),
            round(rng.random() * 12, 2),
            round(rng.random() * 360, 1),
            round(rng.uniform(3, 20), 1),
        )
        for i in range(1, employees + 1)
    ]
    for start in range(0, len(fixes), 1000):
        rt.feed.publish(fixes[start : start + 1000], "bench")
    for i in range(1, employees + 1, 7):
        rt.feed.set_status(i, {"visit": i, "since": now})
    rt.feed.client.delete(*rt.feed.stream_keys)
    return rt, services


def _median_ms(samples: list[float]) -> str:
    p90 = sorted(samples)[int(len(samples) * 0.9)]
    return f"median {statistics.median(samples) * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    rt, services = setup(args.employees)
    livemap = LiveMap(rt)
    everyone = Scope.everything()
    livemap.roster(everyone)  # warm the roster cache: it is refreshed every 15 s, not per refresh

    read, build, payload_total = [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        snapshot = rt.feed.snapshot()
        t1 = time.perf_counter()
        build_board(snapshot, 1.0)
        t2 = time.perf_counter()
        read.append(t1 - t0)
        build.append(t2 - t1)
        livemap._board = None  # force a rebuild, as after every new feed version
        t3 = time.perf_counter()
        full = livemap.fleet_payload(everyone, None)
        body = orjson.dumps(full)
        payload_total.append(time.perf_counter() - t3)

    # A refresh after 10% of the fleet reported: only those rows go out.
    version = full["v"]
    now = int(time.time() * 1000)
    rt.feed.publish([Fix(i, now + 1, 60.17, 24.94, 3.0) for i in range(1, args.employees + 1, 10)], "bench")
    delta = orjson.dumps(livemap.fleet_payload(everyone, version))
    quiet = orjson.dumps(livemap.fleet_payload(everyone, livemap.board().version))

    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"employees: {args.employees}, runs: {args.runs}")
    print(f"Redis snapshot (HGETALL latest + status, one round trip): {_median_ms(read)}")
    print(f"board from snapshot: {_median_ms(build)}")
    print(f"read + build + full payload + JSON: {_median_ms(payload_total)}")
    print(f"full payload: {len(body) / 1024:.0f} kB raw, {len(gzip.compress(body)) / 1024:.0f} kB gzip")
    print(f"delta payload (10% moved): {len(delta) / 1024:.0f} kB raw, {len(gzip.compress(delta)) / 1024:.0f} kB gzip")
    print(f"nothing changed: {len(quiet)} bytes")
    services.stop()


if __name__ == "__main__":
    main()
