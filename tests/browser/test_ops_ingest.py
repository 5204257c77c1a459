"""The ingest status page as an operator sees it: backlog while no writer runs (not ready), then drained (ready)."""

from __future__ import annotations

import threading
import time

from dashboard.writer.worker import Writer
from data.feed import Fix
from tests.browser import chromium, screenshot_path
from tests.conftest import LiveServer, sign_in_browser


def test_the_backlog_shows_and_drains_when_a_writer_runs(seeded_settings):
    server = LiveServer(seeded_settings)
    rt = server.runtime
    now = int(time.time() * 1000)
    rt.feed.publish([Fix(1 + i % 10, now - 60_000 + i, 60.17, 24.94) for i in range(1234)], "native")
    stop = threading.Event()
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1100, "height": 700})
            sign_in_browser(page, server.url, "manager")
            page.goto(server.url + "/ops/ingest")
            backlog_shown = "() => document.querySelector('#ops-backlog')?.innerText === '1,234'"
            page.wait_for_function(backlog_shown, timeout=15_000)
            assert "No writer has started yet" in page.inner_text("#ops-writers")
            # The readiness verdict, as /readyz gives it (issue 14): positions wait and no writer beats.
            page.wait_for_function("() => document.querySelector('#ops-ready')?.innerText.startsWith('Not ready')")
            assert "no heartbeat ever while 1,234 positions wait" in page.inner_text("#ops-ready")
            assert float(page.inner_text("#ops-lag").split()[0]) >= 0
            page.screenshot(path=screenshot_path("ops_ingest_backlog"))
            writer = threading.Thread(target=Writer(rt, "ops-writer").run, args=(stop, 200), daemon=True)
            writer.start()
            page.wait_for_function("() => document.querySelector('#ops-backlog')?.innerText === '0'", timeout=20_000)
            page.wait_for_selector("#ops-writers-table", timeout=10_000)
            assert "ops-writer" in page.inner_text("#ops-writers-table")
            page.wait_for_function("() => document.querySelector('#ops-ready')?.innerText.startsWith('Ready')")
            page.screenshot(path=screenshot_path("ops_ingest_drained"))
            rt.feed.record_data_loss()  # the health report's warnings show too: here, a Redis that came back empty
            page.wait_for_selector("#ops-ready >> text=came back without its data", timeout=10_000)
            assert page.inner_text("#ops-ready").startswith("Ready")
            page.close()
        assert rt.db.fetch_one("SELECT count(*) AS n FROM positions")["n"] == 1234
    finally:
        stop.set()
        time.sleep(0.5)  # the writer's read blocks for at most 200 ms
        server.stop()
