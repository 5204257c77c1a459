"""Ingest end to end, with the server run as in production (gunicorn, `fieldops serve`) and
`fieldops worker` writing to PostgreSQL:

    python bench/bench_ingest.py batch  [--positions 300000] [--clients 4] [--web-workers 2] [--writers 1]
    python bench/bench_ingest.py osmand [--seconds 20] [--connections 32] [--web-workers 2]
    python bench/bench_ingest.py lag    [--rate 10000] [--seconds 30]
    python bench/bench_ingest.py writer [--positions 50000] [--zones]

batch:  native batches of 1,000 positions over keep-alive HTTP; positions/s accepted over HTTP and
        stored in PostgreSQL (from the first request until the last row is committed).
osmand: one position per request (GET on the OsmAnd port), loaded by `wrk` (Debian package) if
        installed, else by a Python keep-alive client; requests/s answered 200.
lag:    positions sent at a steady rate; the time from sending a fix (its timestamp) to the writer's
        insert transaction (`received_at`), as percentiles.
writer: the writer alone, in this process: stream → PostgreSQL rows/s, optionally with 60 customer
        sites and 4 work areas covering the fixes (geofences, stays and visits checked per fix).

Uses DATABASE_URL / REDIS_URL when set, else embedded servers in ./var/bench-ingest; its own
database (fieldops_bench_ingest) and Redis prefix (benchingest:), cleared first. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.common import bench_runtime
from dashboard.core.config import ROOT
from dashboard.core.embedded import EmbeddedServices
from dashboard.core.runtime import Runtime
from dashboard.writer.worker import Writer
from data.feed import Fix

PREFIX = "benchingest:"
HOST = "127.0.0.1"
WEB_PORT = 18050
OSMAND_PORT = 15055
EMPLOYEES = 1000
LAG_BATCH = 10


def setup(database: str = "fieldops_bench_ingest", prefix: str = PREFIX) -> tuple[Runtime, EmbeddedServices]:
    rt, services = bench_runtime(database, prefix, "bench-ingest")
    with rt.db.transaction() as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE employees, teams, positions, activities RESTART IDENTITY CASCADE")
        cur.execute(
            "INSERT INTO employees (code, name) SELECT 'B' || g, 'Person ' || g FROM generate_series(1, %s) g",
            (EMPLOYEES,),
        )
        # TRUNCATE … CASCADE emptied working_hours too; the bench measures throughput, so track all day.
        cur.execute("DELETE FROM working_hours")
        cur.execute(
            "INSERT INTO working_hours (weekday, starts, ends) SELECT d, '00:00', '00:00' FROM generate_series(0, 6) d"
        )
        cur.execute(
            "INSERT INTO devices (identifier, employee_id, protocol, token_hash)"
            " SELECT 'native-' || g, g, 'native', encode(sha256(('tok-' || g)::bytea), 'hex')"
            " FROM generate_series(1, %s) g",
            (EMPLOYEES,),
        )
        cur.execute(
            "INSERT INTO devices (identifier, employee_id, protocol)"
            " SELECT 'osm-' || g, g, 'osmand' FROM generate_series(1, %s) g",
            (EMPLOYEES,),
        )
    return rt, services


def start_processes(rt: Runtime, web_workers: int, writers: int) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": rt.settings.database_url,
        "REDIS_URL": rt.settings.redis_url,
        "FIELDOPS_REDIS_PREFIX": PREFIX,
        "SECRET_KEY": rt.settings.secret_key,
        "FIELDOPS_OSMAND_PORT": str(OSMAND_PORT),
        "FIELDOPS_INGEST_PORT": "off",  # the dashboard's own path is measured here
        "FIELDOPS_TILE_URL": "none",
        # A benchmark's positions are thrown away: the machine's Redis without persistence will do (issue 14).
        "FIELDOPS_ACCEPT_VOLATILE_REDIS": "1",
    }
    cli = [sys.executable, "-m", "dashboard.cli"]
    processes = [
        subprocess.Popen(
            [*cli, "serve", "--host", HOST, "--port", str(WEB_PORT), "--workers", str(web_workers), "--threads", "8"],
            env=env,
            cwd=ROOT,
        )
    ]
    processes += [
        subprocess.Popen([*cli, "worker"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL) for _ in range(writers)
    ]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, WEB_PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return processes
        except OSError:
            pass
        time.sleep(0.3)
    stop_processes(processes)
    raise SystemExit("the server did not become healthy")


def stop_processes(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(20)


def stored(rt: Runtime) -> int:
    return int(rt.db.fetch_one("SELECT count(*) AS n FROM positions")["n"])


def wait_stored(rt: Runtime, total: int, timeout_s: float) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if stored(rt) >= total:
            return time.perf_counter()
        time.sleep(0.1)
    raise SystemExit(f"only {stored(rt)} of {total} positions stored after {timeout_s} s")


def batch_bodies(positions: int, batch: int) -> list[tuple[str, bytes]]:
    """(token, body): full batches, each for the next employee in turn, fixes a second apart, all unique."""
    base_ms = int(time.time() * 1000) - 3 * 3600 * 1000
    bodies = []
    for j in range((positions + batch - 1) // batch):
        employee, turn = j % EMPLOYEES + 1, j // EMPLOYEES
        count = min(batch, positions - j * batch)
        fixes = [
            {
                "ts": base_ms + (turn * batch + k) * 1000,
                "lat": 60.17 + k / 1e5,
                "lon": 24.94 + employee / 1e5,
                "speed": 3.1,
                "heading": 90,
                "accuracy": 8,
            }
            for k in range(count)
        ]
        bodies.append((f"tok-{employee}", orjson.dumps({"positions": fixes})))
    return bodies


def post_all(bodies: list[tuple[str, bytes]], clients: int) -> int:
    accepted = [0] * clients

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, WEB_PORT, timeout=60)
        for token, body in bodies[n::clients]:
            conn.request(
                "POST",
                "/api/v1/positions",
                body=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            answer = orjson.loads(response.read())
            if response.status != 200:
                raise SystemExit(f"HTTP {response.status}: {answer}")
            accepted[n] += answer["accepted"]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(accepted)


def run_batch(args: argparse.Namespace, rt: Runtime) -> None:
    bodies = batch_bodies(args.positions, 1000)
    processes = start_processes(rt, args.web_workers, args.writers)
    try:
        t0 = time.perf_counter()
        accepted = post_all(bodies, args.clients)
        t_accepted = time.perf_counter()
        t_stored = wait_stored(rt, accepted, 600)
    finally:
        stop_processes(processes)
    print(
        f"native batch: {accepted} positions in {len(bodies)} requests of 1000, {args.clients} clients, "
        f"{args.web_workers} gunicorn workers × 8 threads, {args.writers} writer(s)"
    )
    print(f"  accepted over HTTP: {accepted / (t_accepted - t0):,.0f} positions/s ({t_accepted - t0:.1f} s)")
    print(
        f"  stored in PostgreSQL (first request → last row): {accepted / (t_stored - t0):,.0f} positions/s "
        f"({t_stored - t0:.1f} s)"
    )


WRK_SCRIPT = """
local n = 0
local base = math.random(0, 999)
request = function()
  n = n + 1
  local id = (base + n) % 1000 + 1
  local query = "/?id=osm-" .. id .. "&lat=60.17" .. (n % 1000) .. "&lon=24.94&speed=3.2&bearing=90&accuracy=8"
  return wrk.format("GET", query)
end
"""


def run_osmand(args: argparse.Namespace, rt: Runtime) -> None:
    processes = start_processes(rt, args.web_workers, args.writers)
    try:
        wrk = shutil.which("wrk")
        if wrk:
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(WRK_SCRIPT)
            result = subprocess.run(
                [
                    wrk,
                    "-t2",
                    f"-c{args.connections}",
                    f"-d{args.seconds}s",
                    "--latency",
                    "-s",
                    script.name,
                    f"http://{HOST}:{OSMAND_PORT}/",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            print(result.stdout)
        else:
            print(f"{python_osmand_load(args.seconds, args.connections):,.0f} requests/s (Python client)")
        backlog = rt.feed.stream_backlog()
        print(f"stream backlog when the load stopped: {backlog}; stored so far: {stored(rt)}")
    finally:
        stop_processes(processes)
    print(
        f"OsmAnd: {args.web_workers} gunicorn workers × 8 threads, {args.writers} writer(s), "
        f"{args.connections} connections, {args.seconds} s"
    )


def python_osmand_load(seconds: float, connections: int) -> float:
    done = [0] * connections
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, OSMAND_PORT, timeout=30)
        while time.perf_counter() < stop_at:
            conn.request("GET", f"/?id=osm-{n % EMPLOYEES + 1}&lat=60.17&lon=24.94&speed=3")
            response = conn.getresponse()
            response.read()
            done[n] += response.status == 200

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - t0)


def run_lag(args: argparse.Namespace, rt: Runtime) -> None:
    """Phones that buffer: every 100 ms, rate/100 requests of 10 positions each, each employee in turn,
    every fix stamped with its send time (minus a few ms to keep them distinct)."""
    processes = start_processes(rt, args.web_workers, args.writers)
    clients = 4
    requests_per_tick = args.rate // 10 // LAG_BATCH
    stop_at = time.perf_counter() + args.seconds
    sent = [0] * clients

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, WEB_PORT, timeout=30)
        next_tick = time.perf_counter()
        tick = 0
        while next_tick < stop_at:
            for r in range(n, requests_per_tick, clients):
                now_ms = int(time.time() * 1000)
                employee = (tick * requests_per_tick + r) % EMPLOYEES + 1
                body = orjson.dumps(
                    {"positions": [{"ts": now_ms - k, "lat": 60.17, "lon": 24.94} for k in range(LAG_BATCH)]}
                )
                conn.request(
                    "POST",
                    "/api/v1/positions",
                    body=body,
                    headers={"Authorization": f"Bearer tok-{employee}", "Content-Type": "application/json"},
                )
                response = conn.getresponse()
                answer = orjson.loads(response.read())
                sent[n] += answer.get("accepted", 0)
            tick += 1
            next_tick += 0.1
            time.sleep(max(0.0, next_tick - time.perf_counter()))

    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0
        wait_stored(rt, sum(sent), 120)
    finally:
        stop_processes(processes)
    row = rt.db.fetch_one(
        """SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY lag) AS p, max(lag) AS worst
           FROM (SELECT extract(epoch FROM received_at - ts) AS lag FROM positions) s"""
    )
    p50, p95, p99 = row["p"]
    print(
        f"lag: {sum(sent)} positions in {elapsed:.1f} s = {sum(sent) / elapsed:,.0f} positions/s sent "
        f"(target rate {args.rate}/s, {LAG_BATCH} per request), {args.web_workers} gunicorn workers, "
        f"{args.writers} writer(s)"
    )
    print(f"  send → writer's insert: p50 {p50:.3f} s, p95 {p95:.3f} s, p99 {p99:.3f} s, max {row['worst']:.3f} s")


def add_zones(rt: Runtime, rng: random.Random) -> None:
    """60 customer sites and 4 work areas tiling the box the writer bench's fixes fall in."""
    with rt.db.transaction() as conn, conn.cursor() as cur:
        for i in range(60):
            cur.execute(
                "INSERT INTO customers (name, lat, lon) VALUES (%s, %s, %s) RETURNING id",
                (f"Customer {i}", 60.16 + rng.random() * 0.02, 24.93 + rng.random() * 0.03),
            )
            customer = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO zones (name, kind, customer_id, center_lat, center_lon, radius_m)"
                " SELECT name, 'customer_site', id, lat, lon, 40 FROM customers WHERE id = %s",
                (customer,),
            )
        for q in range(4):
            lat, lon = 60.16 + (q // 2) * 0.01, 24.93 + (q % 2) * 0.015
            ring = [[lon, lat], [lon + 0.015, lat], [lon + 0.015, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
            cur.execute(
                "INSERT INTO zones (name, kind, geometry) VALUES (%s, 'work_area', %s)",
                (f"Area {q}", orjson.dumps({"type": "Polygon", "coordinates": [ring]}).decode()),
            )


def run_writer(args: argparse.Namespace, rt: Runtime) -> None:
    rng = random.Random(1)
    if args.zones:
        add_zones(rt, rng)
    base_ms = int(time.time() * 1000) - 3_000_000
    fixes = [
        Fix(
            1 + i % EMPLOYEES,
            base_ms + i // EMPLOYEES * 1000,
            60.16 + rng.random() * 0.02,
            24.93 + rng.random() * 0.03,
            3.0,
            90.0,
            8.0,
        )
        for i in range(args.positions)
    ]
    for start in range(0, len(fixes), 5000):
        rt.feed.publish(fixes[start : start + 5000], "native")
    writer = Writer(rt, "bench")
    writer.start()
    t0 = time.perf_counter()
    while entries := rt.feed.read_stream("bench", 5000, 10):
        writer.process(entries)
    elapsed = time.perf_counter() - t0
    print(
        f"writer alone ({'60 customer sites + 4 work areas' if args.zones else 'no zones'}): "
        f"{stored(rt) / elapsed:,.0f} rows/s ({stored(rt)} rows, batches of 5000, read + store + derive + ack)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("batch", "osmand", "lag", "writer"))
    parser.add_argument("--zones", action="store_true", help="writer: with customer sites and work areas")
    parser.add_argument("--positions", type=int, default=None, help="batch: 300,000; writer: 50,000")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=int, default=10_000)
    args = parser.parse_args()
    args.positions = args.positions or (50_000 if args.kind == "writer" else 300_000)
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    rt, services = setup()
    try:
        {"batch": run_batch, "osmand": run_osmand, "lag": run_lag, "writer": run_writer}[args.kind](args, rt)
    finally:
        rt.close()
        services.stop()


if __name__ == "__main__":
    main()
