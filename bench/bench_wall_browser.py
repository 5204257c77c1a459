"""The wall display (issue 8) in headless Chromium with a large fleet: does it keep its 1 Hz refresh?

    python bench/bench_wall_browser.py [--employees 10000] [--seconds 30]

10% of the fleet moves every second (as in bench_livemap_browser.py). Counts the refreshes the
page received (each answer of the 1 Hz fleet callback marks the wall fresh) and the gaps between
them, the browser's merge time, and the server's cost of the wall's callbacks.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_livemap import move_a_tenth_every_second, setup
from dashboard.live.wall import tiles, wall_alerts
from dashboard.work import alerting
from dashboard.work.accounts import new_wall_token
from data.scope import Scope
from tests.browser import chromium
from tests.conftest import LiveServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    rt, services = setup(args.employees, database="fieldops_bench_8w")
    token = new_wall_token(rt.db, "bench wall", 1, None)
    server = LiveServer(rt.settings)
    stop = threading.Event()

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        started = time.perf_counter()
        page.goto(f"{server.url}/wall/login/{token}")
        page.wait_for_function(
            f"() => (window.fieldopsStats || {{}}).shown == {args.employees}",
            timeout=60_000,
        )
        first = time.perf_counter() - started
        threading.Thread(target=move_a_tenth_every_second, args=(rt, args.employees, stop), daemon=True).start()
        fresh, merges, last_stats = [], [], None
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            state = page.evaluate("[window.fieldopsWallState.lastRefresh, window.fieldopsStats]")
            if not fresh or state[0] != fresh[-1]:
                fresh.append(state[0])
            if state[1] and state[1] != last_stats:
                merges.append(state[1]["mergeMs"])
                last_stats = state[1]
            page.wait_for_timeout(50)
        page.screenshot(path=str(Path(__file__).parent / f"wall_{args.employees}.png"))
        stop.set()
    gaps = [b - a for a, b in itertools.pairwise(fresh)]
    live = server.runtime
    payload_s = []
    for _run in range(20):
        t = time.perf_counter()
        live.livemap.fleet_payload(Scope.everything(), [v - 1 for v in live.feed.version()])
        payload_s.append(time.perf_counter() - t)
    t = time.perf_counter()
    tiles(live, Scope(frozenset({1})))
    wall_alerts(live, Scope(frozenset({1})), alerting.state(live).bump())  # a new version: read afresh
    uncached = time.perf_counter() - t
    print(f"employees: {args.employees}")
    print(f"wall open to all markers counted: {first:.1f} s")
    print(f"refreshes received in {args.seconds} s: {len(gaps)} ({len(gaps) / args.seconds:.2f} per second)")
    p90 = sorted(gaps)[int(len(gaps) * 0.9)]
    print(f"gap between refreshes: median {statistics.median(gaps):.0f} ms, p90 {p90:.0f} ms, max {max(gaps):.0f} ms")
    print(f"browser merge per refresh: median {statistics.median(merges):.1f} ms, max {max(merges):.1f} ms")
    print(f"server, delta payload of one tick: median {statistics.median(payload_s) * 1000:.1f} ms")
    print(f"server, tiles + alerts (uncached; tiles per 5 s, alerts per version): {uncached * 1000:.0f} ms")
    server.stop()
    services.stop()


if __name__ == "__main__":
    main()
