"""The writer alone, in one process, and where its time goes (issue 20, "a leaner writer"):

    python bench/bench_writer.py [--positions 100000] [--zones] [--batch 5000] [--profile 25] [--code DIR]
    python bench/bench_writer.py --compare DIR [--rounds 2] [--zones] …

A stream pre-filled with `--positions` fixes (1,000 employees, a fix a second each, 100 per `publish`), then
the writer's own loop body: `read_stream` batches of `--batch`, `Writer.process` (store → zones → stays →
visits → tasks → alerts, then XACK + XDEL). Reported: stream → PostgreSQL rows/s, the process's CPU seconds
per row, and the time per step (the read, each handler as `Pipeline.seconds` counts it, the acknowledgement);
`--profile N` prints cProfile's top N functions by own time as well.

`--code DIR` runs the code of another checkout (e.g. `git archive <commit> | tar -x -C DIR`): the old path.
`--compare DIR` runs this checkout and DIR in turn (A, B, A, B …: the machine's load drifts), each in a
process of its own, so both are measured in one run.

With --zones: 60 customer sites and 4 work areas covering every fix (bench_ingest.add_zones), so every fix
takes the per-fix geofence, stay and visit steps. Uses DATABASE_URL / REDIS_URL when set, else embedded
servers; its own database (fieldops_bench_writer) and Redis prefix (benchwriter:), cleared first.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _code_root(argv: list[str]) -> Path:
    if "--code" in argv:
        return Path(argv[argv.index("--code") + 1]).resolve()
    return HERE


CODE = _code_root(sys.argv)
sys.path.insert(0, str(CODE))
sys.path.insert(1, str(HERE))  # bench.common and bench.bench_ingest, from this checkout

import psutil  # noqa: E402

from bench.bench_ingest import EMPLOYEES, add_zones, setup, stored  # noqa: E402
from dashboard.writer.worker import Writer  # noqa: E402
from data.feed import Fix  # noqa: E402

DATABASE = "fieldops_bench_writer"
PREFIX = "benchwriter:"


def fill(rt, positions: int, rng: random.Random) -> None:
    base_ms = int(time.time() * 1000) - 3 * 3600 * 1000
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
        for i in range(positions)
    ]
    for start in range(0, len(fixes), 100):
        rt.feed.publish(fixes[start : start + 100], "native")


def run(args: argparse.Namespace) -> None:
    rt, services = setup(DATABASE, PREFIX)
    try:
        if args.zones:
            add_zones(rt, random.Random(1))
        fill(rt, args.positions, random.Random(2))
        writer = Writer(rt, "bench")
        writer.start()
        me = psutil.Process()
        steps = {"read": 0.0, "acknowledge": 0.0}
        feed = rt.feed
        acknowledge = feed.acknowledge

        def timed_acknowledge(ids):
            started = time.perf_counter()
            acknowledge(ids)
            steps["acknowledge"] += time.perf_counter() - started

        feed.acknowledge = timed_acknowledge
        profile = cProfile.Profile() if args.profile else None
        cpu0, t0 = sum(me.cpu_times()[:2]), time.perf_counter()
        if profile:
            profile.enable()
        while True:
            started = time.perf_counter()
            entries = feed.read_stream("bench", args.batch, 10)
            steps["read"] += time.perf_counter() - started
            if not entries:
                break
            writer.process(entries)
        if profile:
            profile.disable()
        elapsed, cpu = time.perf_counter() - t0, sum(me.cpu_times()[:2]) - cpu0
        rows = stored(rt)
        assert rows == args.positions, f"{rows} rows stored of {args.positions}"
        kind = "60 customer sites + 4 work areas" if args.zones else "no zones"
        print(
            f"{CODE.name:>16}  {kind}: {rows / elapsed:,.0f} rows/s, {cpu / rows * 1e6:.1f} µs CPU per row "
            f"(this process; {rows} rows, reads of {args.batch})",
            flush=True,
        )
        shares = {**{"read": steps["read"]}, **writer.pipeline.seconds, "acknowledge": steps["acknowledge"]}
        print(
            "    " + ", ".join(f"{name} {spent / rows * 1e6:.1f}" for name, spent in shares.items()) + " µs per row",
            flush=True,
        )
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.profile)
            print(out.getvalue())
    finally:
        rt.close()
        services.stop()


def compare(args: argparse.Namespace) -> None:
    here = [sys.executable, str(Path(__file__).resolve()), "--positions", str(args.positions)]
    here += ["--batch", str(args.batch)] + (["--zones"] if args.zones else [])
    for _ in range(args.rounds):
        for code in (HERE, Path(args.compare).resolve()):
            subprocess.run([*here, "--code", str(code)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--zones", action="store_true")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N functions by own time")
    parser.add_argument("--code", help="the checkout whose writer to run (default: this one)")
    parser.add_argument("--compare", help="another checkout: run it and this one in turn")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not args.code:
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"machine: {platform.node()} {os.cpu_count()} cores, load {load}, Python {platform.python_version()}")
    if args.compare:
        compare(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
