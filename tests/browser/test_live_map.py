"""The live map as a person sees it: headless Chromium against the real app, with the simulated
fleet posting through the ingest endpoint and the writer running."""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.demo.simulator import FleetSimulator
from dashboard.ingest.privacy import pause_sharing
from data import employees
from tests.browser import FIND_COLOUR_JS, screenshot_path
from tests.conftest import sign_in_browser

COUNTS_JS = """() => Object.fromEntries(
    ["total", "online", "offline", "paused", "no_position", "moving", "visit", "idle"]
        .map((key) => [key, Number(document.getElementById("livemap-count-" + key).textContent)]))"""
PEOPLE_ROWS = "#livemap-people .ag-center-cols-container .ag-row"
MOVING_RGB = (0, 158, 115)
STREET_RGB = (154, 163, 173)


@pytest.fixture
def fleet_server(day_server):
    rt = day_server.runtime
    simulator = FleetSimulator(rt.db, rt.settings.secret_key, day_server.url, interval_s=1.0, seed=11)
    simulator.load()
    threading.Thread(target=simulator.run, args=(day_server.background, 0.2), daemon=True).start()
    return day_server


def _count(page, state: str) -> int:
    return int(page.inner_text(f"#livemap-count-{state}"))


def _until(page, check, what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(300)


def _placed(page) -> int:
    return _count(page, "online") + _count(page, "offline")


def _wait_for_fleet(page, server, timeout_s: float = 30) -> int:
    """Until the page places as many people as the live feed holds (and at least one)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        in_feed = len(server.runtime.feed.snapshot().employee_ids)
        if in_feed and _placed(page) == in_feed:
            return in_feed
        page.wait_for_timeout(300)
    raise AssertionError(f"the map places {_placed(page)} people, the feed has {in_feed}")


def test_live_map_counts_everyone_once_and_lists_who_has_no_position(browser, fleet_server):
    rt = fleet_server.runtime
    team = rt.db.fetch_one("SELECT id FROM teams ORDER BY id LIMIT 1")["id"]
    employees.create_employee(rt.db, "E9001", "Aino Never-Reported", team)  # no device: never reports
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in_browser(page, fleet_server.url, "manager")
    roster = rt.db.fetch_one("SELECT count(*) AS n FROM employees WHERE active")["n"]
    page.wait_for_selector("#livemap-count-online")
    _wait_for_fleet(page, fleet_server)
    # The counts are read at one moment (they change every second); everyone not in the feed has no position.
    in_feed = lambda: len(rt.feed.snapshot().employee_ids)  # noqa: E731 - read afresh on every try
    _until(page, lambda: _count(page, "no_position") == roster - in_feed(), "the people without a position")
    counts = page.evaluate(COUNTS_JS)
    assert counts["total"] == roster
    assert counts["moving"] + counts["visit"] + counts["idle"] == counts["online"]
    assert counts["online"] + counts["offline"] + counts["paused"] + counts["no_position"] == roster
    assert counts["no_position"] >= 1 and counts["moving"] > 0
    _until(page, lambda: page.locator(PEOPLE_ROWS).count() == roster, "everyone in the list")
    unplaced = page.locator(PEOPLE_ROWS, has_text="No position yet")
    assert unplaced.count() == counts["no_position"]
    assert "No position yet" in page.locator(PEOPLE_ROWS, has_text="Aino Never-Reported").inner_text()
    # A pause takes the person off the map and into the list as paused, on the next refresh.
    someone = rt.db.fetch_one("SELECT id, name FROM employees WHERE code <> 'E9001' ORDER BY id LIMIT 1")
    pause_sharing(rt, someone["id"], "doctor's appointment")
    _until(page, lambda: _count(page, "paused") == 1, "the paused person counted")
    row = page.locator(PEOPLE_ROWS, has_text=someone["name"])
    _until(page, lambda: "Paused" in row.inner_text(), "the paused person listed")
    counts = page.evaluate(COUNTS_JS)
    assert counts["online"] + counts["offline"] + counts["paused"] + counts["no_position"] == roster
    page.wait_for_timeout(1500)  # let the canvas draw the latest frame
    marker = page.evaluate(FIND_COLOUR_JS, [*MOVING_RGB, 40, ".leaflet-overlay-pane canvas"])
    assert marker, "no moving marker was drawn on the map"
    page.screenshot(path=screenshot_path("live_map"))

    # Markers move; find one afresh and click it until the details panel answers.
    for _attempt in range(5):
        marker = page.evaluate(FIND_COLOUR_JS, [*MOVING_RGB, 40, ".leaflet-overlay-pane canvas"]) or marker
        page.mouse.click(marker["x"], marker["y"])
        try:
            page.wait_for_selector("#livemap-details-name", timeout=4_000)
            break
        except PlaywrightTimeout:
            continue
    names = {row["name"] for row in fleet_server.runtime.db.fetch_all("SELECT name FROM employees")}
    assert page.inner_text("#livemap-details-name") in names
    details = page.inner_text("#livemap-details")
    assert "Last report" in details and "km/h" in details and "Current task" in details
    page.screenshot(path=screenshot_path("live_map_details"))
    page.close()


def test_streets_show_from_our_own_data_when_tiles_cannot_load(browser, fleet_server):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    sign_in_browser(page, fleet_server.url, "manager")
    _wait_for_fleet(page, fleet_server)
    assert page.query_selector(".leaflet-tile-pane img") is None  # tiles are off in the tests
    # The street layer loads (async GeoJSON) and draws on its own; on a busy machine after the fleet's first frame.
    deadline, street = time.monotonic() + 15, None
    while not street and time.monotonic() < deadline:
        street = page.evaluate(FIND_COLOUR_JS, [*STREET_RGB, 12, ".leaflet-fo-streets-pane canvas"])
        page.wait_for_timeout(300)
    assert street, "no street line was drawn"
    page.close()


def test_choosing_a_team_shows_only_that_team(browser, fleet_server):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in_browser(page, fleet_server.url, "manager")
    _wait_for_fleet(page, fleet_server)
    rt = fleet_server.runtime
    team = rt.db.fetch_one("SELECT id, name FROM teams ORDER BY name LIMIT 1")
    members = {row["id"] for row in rt.db.fetch_all("SELECT id FROM employees WHERE team_id = %s", (team["id"],))}
    page.click("#livemap-team")
    page.get_by_role("option", name=team["name"]).click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        expected = len(members & set(rt.feed.snapshot().employee_ids))
        if _count(page, "total") == len(members) and _placed(page) == expected:
            break
        page.wait_for_timeout(300)
    assert _count(page, "total") == len(members) and _placed(page) == expected > 0
    assert expected < len(rt.feed.snapshot().employee_ids)
    page.screenshot(path=screenshot_path("live_map_team"))
    page.close()


def test_the_live_map_speaks_chinese(browser, fleet_server):
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in_browser(page, fleet_server.url, "manager")
    _wait_for_fleet(page, fleet_server)
    assert "实时地图" in page.inner_text("nav")
    toolbar = page.inner_text(".fo-toolbar")
    assert "移动中" in toolbar and "拜访中" in toolbar and "离线" in toolbar and "尚无位置" in toolbar
    page.screenshot(path=screenshot_path("live_map_zh"))
    context.close()
