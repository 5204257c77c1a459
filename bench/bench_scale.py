"""Batch ingest HTTP → PostgreSQL through the ingest server, its scale-out, and the lag (issue 20):

    python bench/bench_scale.py batch [--positions 300000] [--writers 1,2,4] [--ingest 1,2] [--zones]
                                      [--old DIR] [--rounds 1] [--clients 4]
    python bench/bench_scale.py lag   [--rate 10000] [--seconds 30] [--clients 16] [--old DIR]

batch: native batches of 1,000 positions (bench_ingest.batch_bodies: 1,000 employees, all fixes distinct) over
       keep-alive HTTP from `--clients` threads, spread over the ingest processes (`fieldops ingest`, one port
       each); `fieldops worker` × N in the stream's consumer group. Reported per configuration: positions/s
       stored (first request → last row committed, the count checked exactly), and the CPU it took per
       position, by role (psutil, user + system): the ingest processes, the writers, the PostgreSQL backends of
       the bench database, the Redis server, and the load generator (this process) — so a
       bigger machine's figure is an extrapolation from measured per-core costs (docs/SCALING.md).
lag:   positions sent at a steady rate (10 per request, each fix stamped with its send time, `--clients` threads,
       each sending its share every 100 ms until `--seconds` have passed) to one ingest process, one writer;
       the time from sending to the writer's insert transaction (`received_at`).

`--old DIR` runs another checkout's code (e.g. `git archive <commit> | tar -x -C DIR`) beside this one, in turn
(old, new, old, new …), for each configuration: the old path measured in the same run.
With --zones: 60 customer sites and 4 work areas covering every fix (bench_ingest.add_zones).
The writers here share one stream in one consumer group (storage is exact with any number; derived events are
per person only with one writer, until the stream is sharded).

Uses DATABASE_URL / REDIS_URL (the machine's servers; needed to see PostgreSQL's and Redis's CPU), its own
database (fieldops_bench_scale) and Redis prefix (benchscale:), cleared before each run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_ingest import EMPLOYEES, add_zones, batch_bodies, setup, stored
from dashboard.core.config import ROOT
from dashboard.core.runtime import Runtime

DATABASE = "fieldops_bench_scale"
PREFIX = "benchscale:"
HOST = "127.0.0.1"
FIRST_PORT = 18160
LAG_BATCH = 10


class Stack:
    """Ingest processes and writers of one checkout, started for one run."""

    def __init__(self, rt: Runtime, code: Path, ingest: int, writers: int) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": rt.settings.database_url,
            "REDIS_URL": rt.settings.redis_url,
            "FIELDOPS_REDIS_PREFIX": PREFIX,
            "SECRET_KEY": rt.settings.secret_key,
            "FIELDOPS_TILE_URL": "none",
            "FIELDOPS_ACCEPT_VOLATILE_REDIS": "1",  # a benchmark's positions are thrown away
            "PYTHONPATH": str(code),
        }
        cli = [sys.executable, "-m", "dashboard.cli"]
        self.ports = [FIRST_PORT + n for n in range(ingest)]
        self.ingest = [
            subprocess.Popen([*cli, "ingest", "--host", HOST, "--port", str(port)], env=env, cwd=code)
            for port in self.ports
        ]
        self.writers = [
            subprocess.Popen([*cli, "worker"], env=env, cwd=code, stderr=subprocess.DEVNULL) for _ in range(writers)
        ]
        deadline = time.monotonic() + 90
        for port in self.ports:
            while not _listening(port):
                if time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"the ingest server on {port} did not start")
                time.sleep(0.2)
        while len(rt.feed.heartbeats()) < writers:
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit("the writers did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        for process in self.ingest + self.writers:
            process.terminate()
        for process in self.ingest + self.writers:
            process.wait(30)


def _listening(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        conn.request("GET", "/ingest/osmand")
        return conn.getresponse().status == 400  # no device id: refused, so it is listening
    except OSError:
        return False


class CpuMeter:
    """CPU seconds (user + system) of each role's processes between `start()` and `stop()`."""

    def __init__(self, roles: dict[str, list[psutil.Process]]) -> None:
        self.roles = roles
        self._before: dict[int, float] = {}

    @staticmethod
    def _cpu(process: psutil.Process) -> float:
        try:
            times = process.cpu_times()
            return times.user + times.system
        except psutil.NoSuchProcess:
            return 0.0

    def start(self) -> None:
        self._before = {p.pid: self._cpu(p) for ps in self.roles.values() for p in ps}

    def stop(self, joined: dict[str, list[psutil.Process]]) -> dict[str, float]:
        """Each role's CPU since start; `joined`: processes found now (a pool's new connection counts from 0)."""
        for role, found in joined.items():
            known = {p.pid for p in self.roles[role]}
            self.roles[role] += [p for p in found if p.pid not in known]
        return {role: sum(self._cpu(p) - self._before.get(p.pid, 0.0) for p in ps) for role, ps in self.roles.items()}


def servers(database: str, redis_url: str) -> dict[str, list[psutil.Process]]:
    """PostgreSQL backends of the bench database, and the Redis server of REDIS_URL (by its port: give the
    bench a Redis of its own, `redis-server --port 6391 --save ''`, or its CPU counts others' work too)."""
    port = f":{urlsplit(redis_url).port or 6379}"
    postgres, redis = [], []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if cmdline.startswith("postgres:") and f" {database} " in cmdline:
            postgres.append(process)
        elif (process.info["name"] or "").startswith("redis-server") and port in cmdline:
            redis.append(process)
    return {"postgres": postgres, "redis": redis}


def post_all(bodies: list[tuple[str, bytes]], ports: list[int], clients: int) -> int:
    accepted = [0] * clients

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, ports[n % len(ports)], timeout=120)
        for token, body in bodies[n::clients]:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            conn.request("POST", "/api/v1/positions", body=body, headers=headers)
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


def reset(rt: Runtime, zones: bool) -> None:
    keys = list(rt.feed.client.scan_iter(match=f"{PREFIX}*", count=5000))
    if keys:
        rt.feed.client.delete(*keys)
    with rt.db.transaction() as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE positions, activities, analytics_dirty CASCADE")
        cur.execute("DELETE FROM zones")
        cur.execute("DELETE FROM customers")
    if zones:
        add_zones(rt, random.Random(1))


def run_batch(rt: Runtime, code: Path, args: argparse.Namespace, ingest: int, writers: int) -> dict:
    reset(rt, args.zones)
    bodies = batch_bodies(args.positions, 1000)
    stack = Stack(rt, code, ingest, writers)
    try:
        roles = {
            "ingest": [psutil.Process(p.pid) for p in stack.ingest],
            "writers": [psutil.Process(p.pid) for p in stack.writers],
            **servers(DATABASE, rt.settings.redis_url),
            "client": [psutil.Process()],
        }
        meter = CpuMeter(roles)
        meter.start()
        t0 = time.perf_counter()
        accepted = post_all(bodies, stack.ports, args.clients)
        t_accepted = time.perf_counter()
        while stored(rt) < accepted:
            if time.perf_counter() - t0 > 900:
                raise SystemExit(f"only {stored(rt)} of {accepted} stored")
            time.sleep(0.05)
        t_stored = time.perf_counter()
        cpu = meter.stop(servers(DATABASE, rt.settings.redis_url))
    finally:
        stack.stop()
    rows = stored(rt)
    assert rows == accepted == args.positions, (rows, accepted, args.positions)
    return {
        "code": code.name,
        "ingest": ingest,
        "writers": writers,
        "accepted_per_s": accepted / (t_accepted - t0),
        "stored_per_s": accepted / (t_stored - t0),
        "cpu_us": {role: seconds / accepted * 1e6 for role, seconds in cpu.items()},
    }


def print_batch(r: dict) -> None:
    cpu = r["cpu_us"]
    server_side = sum(v for k, v in cpu.items() if k != "client")
    print(
        f"{r['code']:>14}  ingest ×{r['ingest']} writers ×{r['writers']}: {r['stored_per_s']:>8,.0f} positions/s "
        f"stored ({r['accepted_per_s']:,.0f}/s accepted)  CPU µs per position: "
        + ", ".join(f"{role} {us:.1f}" for role, us in cpu.items())
        + f"; all but the client {server_side:.1f} µs = {1e6 / server_side:,.0f} positions/s per core",
        flush=True,
    )


def run_lag(rt: Runtime, code: Path, args: argparse.Namespace) -> None:
    """Phones that buffer: every 100 ms, rate/100 requests of 10 positions, each employee in turn."""
    reset(rt, False)
    stack = Stack(rt, code, 1, 1)
    clients = args.clients
    requests_per_tick = args.rate // 10 // LAG_BATCH
    sent = [0] * clients
    stop_at = time.perf_counter() + args.seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, stack.ports[0], timeout=30)
        next_tick, tick = time.perf_counter(), 0
        while time.perf_counter() < stop_at:  # a client that falls behind the rate sends less, and says so
            for r in range(n, requests_per_tick, clients):
                now_ms = int(time.time() * 1000)
                employee = (tick * requests_per_tick + r) % EMPLOYEES + 1
                fixes = [{"ts": now_ms - k, "lat": 60.17, "lon": 24.94} for k in range(LAG_BATCH)]
                headers = {"Authorization": f"Bearer tok-{employee}", "Content-Type": "application/json"}
                conn.request("POST", "/api/v1/positions", body=orjson.dumps({"positions": fixes}), headers=headers)
                response = conn.getresponse()
                sent[n] += orjson.loads(response.read()).get("accepted", 0)
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
        deadline = time.monotonic() + 120
        while stored(rt) < sum(sent) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stack.stop()
    assert stored(rt) == sum(sent), (stored(rt), sum(sent))
    row = rt.db.fetch_one(
        """SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY lag) AS p, max(lag) AS worst
           FROM (SELECT extract(epoch FROM received_at - ts) AS lag FROM positions) s"""
    )
    p50, p95, p99 = row["p"]
    print(
        f"{code.name:>14}  lag at {sum(sent) / elapsed:,.0f} positions/s sent ({sum(sent)} in {elapsed:.1f} s, "
        f"{LAG_BATCH} per request, 1 ingest process, 1 writer): send → writer's insert p50 {p50:.3f} s, "
        f"p95 {p95:.3f} s, p99 {p99:.3f} s, max {row['worst']:.3f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("batch", "lag"))
    parser.add_argument("--positions", type=int, default=300_000)
    parser.add_argument("--writers", default="1")
    parser.add_argument("--ingest", default="1")
    parser.add_argument("--zones", action="store_true")
    parser.add_argument("--clients", type=int, default=4, help="client threads (lag: give 16, to keep the rate)")
    parser.add_argument("--old", help="another checkout, run beside this one")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--rate", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {platform.node()} {os.cpu_count()} cores, load {load}, Python {platform.python_version()}")
    codes = ([Path(args.old).resolve()] if args.old else []) + [ROOT]
    rt, services = setup(DATABASE, PREFIX)
    try:
        for _round in range(args.rounds):
            if args.kind == "lag":
                for code in codes:
                    run_lag(rt, code, args)
                continue
            for writers in [int(n) for n in args.writers.split(",")]:
                for ingest in [int(n) for n in args.ingest.split(",")]:
                    for code in codes:
                        print_batch(run_batch(rt, code, args, ingest, writers))
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"load at the end: {load}")
    finally:
        rt.close()
        services.stop()


if __name__ == "__main__":
    main()
