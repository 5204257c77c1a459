"""The wall's time (issue 17): over a period of a running demo's rotation, the share of time each panel shows,
how often alerts interrupted it and how many alerts were open. The issue's figure before: over 3 minutes of the
demo, the alerts list 71 % of the time and the KPI tiles never.

    fieldops demo --port 8106        # prints "wall  http://…/wall/login/<token>" under "Demo accounts"
    python bench/bench_wall_shares.py --wall http://127.0.0.1:8106/wall/login/<token> [--minutes 3]

Headless Chromium at 1920×1080 on the real clock, as the operations room sees it; the page itself counts the
milliseconds each panel is shown (assets/wall.js `fieldopsWallState.time`), and the bench samples the panel
every second as a check.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.live.wall import PANELS
from tests.browser import chromium


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wall", required=True, help="the demo's wall sign-in address, /wall/login/<token>")
    parser.add_argument("--minutes", type=float, default=3.0)
    args = parser.parse_args()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(args.wall)
        page.wait_for_url("**/wall")
        page.wait_for_function("() => (window.fieldopsWallState || {}).refreshes > 2", timeout=60_000)
        before = page.evaluate("({...window.fieldopsWallState.time})")
        samples: Counter[str] = Counter()
        panels: list[str] = []
        deadline = time.monotonic() + args.minutes * 60
        while time.monotonic() < deadline:
            panel = page.evaluate("window.fieldopsWallState.panel")
            samples[panel] += 1
            if not panels or panels[-1] != panel:
                panels.append(panel)
            page.wait_for_timeout(1000)
        state = page.evaluate(
            """() => { const s = window.fieldopsWallState;
                return {time: s.time, interruptions: s.interruptions, alerts: s.alerts ? s.alerts.size : 0,
                        urgent: s.urgent ? s.urgent.size : 0, cycleMs: s.cycleMs}; }"""
        )
        page.screenshot(path=str(Path(__file__).parent / "wall_shares.png"))
    shown = {name: state["time"].get(name, 0) - before.get(name, 0) for name in PANELS}
    total = sum(shown.values())
    print(f"period: {args.minutes:g} min of the demo's rotation, cycle {state['cycleMs'] / 1000:g} s")
    for name in PANELS:
        print(f"  {name:8} {shown[name] / total:5.0%} of the time  ({samples[name]} one-second samples)")
    print(f"map + KPI tiles: {(shown['map'] + shown['kpis']) / total:.0%}")
    urgent = f"{state['urgent']} warnings or criticals"
    print(f"interruptions: {state['interruptions']}; open alerts at the end: {state['alerts']} ({urgent})")
    print("panels in order:", " → ".join(panels))


if __name__ == "__main__":
    main()
