"""The live map in headless Chromium with a large fleet: time until every marker is on the map,
and the browser's cost of folding each refresh into the map while 10% of the fleet moves per second.

    python bench/bench_livemap_browser.py [--employees 10000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_livemap import move_a_tenth_every_second, setup
from tests.browser import chromium
from tests.conftest import LiveServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    rt, services = setup(args.employees)
    server = LiveServer(rt.settings)
    stop = threading.Event()

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        started = time.perf_counter()
        page.goto(server.url + "/")
        page.wait_for_function(
            f"document.querySelector('#livemap-count-online')?.innerText == '{args.employees}'", timeout=60_000
        )
        first = time.perf_counter() - started
        mover = threading.Thread(target=move_a_tenth_every_second, args=(rt, args.employees, stop), daemon=True)
        mover.start()
        merges, rows = [], []
        deadline = time.monotonic() + args.seconds
        last = None
        while time.monotonic() < deadline:
            stats = page.evaluate("window.fieldopsStats")
            if stats and stats != last:
                merges.append(stats["mergeMs"])
                rows.append(stats["rows"])
                last = stats
            page.wait_for_timeout(250)
        page.screenshot(path=str(Path(__file__).parent / f"livemap_{args.employees}.png"))
        stop.set()
    print(f"employees: {args.employees}")
    print(f"page open to all markers counted: {first:.1f} s")
    print(f"refreshes sampled: {len(merges)}, rows per refresh median {statistics.median(rows):.0f}")
    print(f"browser merge per refresh: median {statistics.median(merges):.1f} ms, max {max(merges):.1f} ms")
    server.stop()
    services.stop()


if __name__ == "__main__":
    main()
