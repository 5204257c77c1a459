"""The GPX import page as a person uses it: headless Chromium against the real app and writer."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard.writer.worker import Writer
from tests.browser import chromium, screenshot_path
from tests.conftest import LiveServer, sign_in_browser
from tests.replay import realdata


@pytest.fixture
def server(seeded_settings):
    server = LiveServer(seeded_settings)
    stop = threading.Event()
    writer = threading.Thread(target=Writer(server.runtime, "gpx-browser").run, args=(stop, 200), daemon=True)
    writer.start()
    yield server
    stop.set()
    writer.join(5)
    server.stop()


def test_importing_gpx_files_shows_a_report_per_file_and_stores_the_timed_points(server):
    rt = server.runtime
    person = rt.db.fetch_one("SELECT id, name, code FROM employees ORDER BY id LIMIT 1")
    files = [str(realdata("korita-zbevnica.gpx")), str(realdata("Mojstrovka.gpx"))]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        sign_in_browser(page, server.url, "supervisor")
        page.goto(server.url + "/import/gpx")
        page.wait_for_selector("text=Import past tracks")
        page.click("#gpx-employee")
        page.get_by_role("option", name=f"{person['name']} ({person['code']})").click()
        page.set_input_files("#gpx-upload input[type=file]", files)
        page.wait_for_selector("#gpx-report-table", timeout=30_000)
        rows = page.locator("#gpx-report-table tbody tr")
        assert rows.count() == 2
        # The browser reads the files in parallel: the rows come in the order they finished reading.
        texts = sorted((rows.nth(i).inner_text() for i in range(2)), key=lambda text: "Mojstrovka" in text)
        korita, mojstrovka = texts
        assert "korita-zbevnica.gpx" in korita and "871" in korita and "513" in korita and "358" in korita
        assert "Mojstrovka.gpx" in mojstrovka and "184 × ts is before 2000-01-01" in mojstrovka
        assert not page.locator("#gpx-progress").is_visible()
        page.screenshot(path=screenshot_path("gpx_import"), full_page=True)
        page.close()
    deadline = time.monotonic() + 20
    while rt.feed.stream_backlog() and time.monotonic() < deadline:
        time.sleep(0.2)
    stored = rt.db.fetch_one(
        "SELECT count(*) AS n FROM positions WHERE employee_id = %s AND source = 'gpx'", (person["id"],)
    )
    assert stored["n"] == 513
