"""The wall display as the operations room sees it (issue 8): headless Chromium signed in with the
wall token, through a full rotation, an alert that interrupts it, and a server restart."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from dashboard.demo.seed import demo_wall_secret, plan_day
from dashboard.demo.simulator import FleetSimulator
from dashboard.live.wall import SHARES
from dashboard.work import alerting
from data import audit, org_settings
from data.db import Database
from tests.browser import screenshot_path
from tests.conftest import SECRET, LiveServer, free_port

CYCLE_S = 5
ROTATION_S = (SHARES["map"] + SHARES["kpis"] + SHARES["heatmap"]) * CYCLE_S  # no alerts: no alerts panel
# The people tile and the map's legend, read at one moment (both come from one snapshot: dashboard/live/wall.py).
PEOPLE_JS = """() => Object.fromEntries(
    [["active", "wall-kpi-active"], ...["moving", "visit", "idle", "offline", "paused", "no_position"]
        .map((state) => [state, "wall-count-" + state])]
    .map(([key, id]) => [key, Number(document.getElementById(id).textContent.replace(/,/g, ""))]))"""


def _legend_total(page) -> int:
    people = page.evaluate(PEOPLE_JS)
    return sum(count for key, count in people.items() if key != "active")


@pytest.fixture
def wall_server(seeded_settings):
    """The app on a port of its own (so it can come back there), a short cycle, and the simulated fleet."""
    port = free_port()
    server = LiveServer(seeded_settings, port)
    rt = server.runtime
    org_settings.set_setting(rt.db, "wall.cycle_s", CYCLE_S, None)
    # Earlier modules' alerts share this database and would be open alerts here.
    resolve_every_alert(rt)
    plan_day(rt.db, datetime.now(rt.settings.tz).date(), rt.settings.tz, start=datetime.now(rt.settings.tz))
    stop = threading.Event()
    # The fleet has its own pool: the test stops and restarts the server (and its pool) under it.
    fleet_db = Database(seeded_settings.database_url)
    simulator = FleetSimulator(fleet_db, rt.settings.secret_key, server.url, interval_s=1.0, seed=3)
    simulator.load()
    fleet = threading.Thread(target=simulator.run, args=(stop, 0.2), daemon=True)
    fleet.start()
    holder = {"server": server, "port": port, "settings": seeded_settings}
    yield holder
    stop.set()
    fleet.join(10)
    fleet_db.close()
    holder["server"].stop()


def resolve_every_alert(rt) -> None:
    """Alerts raised by earlier tests of the module's database leave the wall (the version moves)."""
    rt.db.execute(
        "UPDATE alerts SET state = 'resolved', resolution = 'resolved', resolved_at = %s WHERE state <> 'resolved'",
        (datetime.now(UTC),),
    )
    alerting.state(rt).bump()


def panel(page) -> str:
    return page.evaluate("window.fieldopsWallState.panel")


def wait_until(page, condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {what}")


def shows_no_login_or_error(page) -> None:
    assert page.url.endswith("/wall")
    assert page.query_selector("#username") is None
    assert page.query_selector(".dash-fe-error__title, .dash-debug-menu") is None
    assert "Traceback" not in page.inner_text("body")


def test_wall_rotates_is_interrupted_by_alerts_and_survives_a_restart(browser, wall_server):
    server = wall_server["server"]
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{server.url}/wall/login/{demo_wall_secret(SECRET)}")
    page.wait_for_url(f"{server.url}/wall")
    assert page.query_selector(".fo-nav") is None  # full screen: no menu
    wait_until(page, lambda: page.evaluate("(window.fieldopsStats || {}).shown || 0") > 0, 30, "the fleet on the map")
    roster = server.runtime.db.fetch_one("SELECT count(*) AS n FROM employees WHERE active")["n"]
    wait_until(page, lambda: _legend_total(page) == roster, 15, "a legend that adds up to the roster")
    looks = audit.recent(server.runtime.db, action="view_live_map")
    assert looks and looks[0]["role"] == "wall"  # who was shown on the wall is audited like the live map
    page.screenshot(path=screenshot_path("wall_map"))

    # A full rotation: map, tiles, heatmap (no alerts yet, so no alerts panel), and back to the map; the map
    # and the tiles two cycles each, the heatmap one.
    seen = [panel(page)]
    wait_until(
        page,
        lambda: seen.append(panel(page)) or page.evaluate("window.fieldopsWallState.rotations") >= 1,
        ROTATION_S + 5,
        "one full rotation",
    )
    seen.append(panel(page))  # the map, back: the rotation may have turned between the last look and the count
    order = [name for i, name in enumerate(seen) if i == 0 or name != seen[i - 1]]
    assert order[:4] == ["map", "kpis", "heatmap", "map"]
    wait_until(page, lambda: panel(page) == "kpis", SHARES["map"] * CYCLE_S + 2, "the KPI tiles")
    people = page.evaluate(PEOPLE_JS)  # one moment: the tile and the legend come from one snapshot
    assert people["active"] == people["moving"] + people["visit"] + people["idle"] > 0
    page.wait_for_timeout(800)  # the panel fades in
    font_px = page.evaluate("parseFloat(getComputedStyle(document.getElementById('wall-kpi-active')).fontSize)")
    assert font_px >= 150  # 16 % of a 1080 px screen: readable across the room
    page.screenshot(path=screenshot_path("wall_kpis"))

    # Today's heat layer has a legend in hours on its fixed scale, the report map's.
    wait_until(page, lambda: panel(page) == "heatmap", SHARES["kpis"] * CYCLE_S + 2, "the heatmap")
    ticks = page.locator("#wall-heat-caption .fo-legend-tick").all_inner_texts()
    assert ticks == ["0 h", "2 h", "4 h", "6 h", "≥ 8 h"]
    page.wait_for_timeout(800)
    page.screenshot(path=screenshot_path("wall_heatmap"))

    # A help request interrupts the rotation, without anyone's name.
    person = server.runtime.db.fetch_one("SELECT id, name FROM employees ORDER BY id LIMIT 1")
    alerting.raise_help(server.runtime, person["id"], (60.17, 24.94, 10.0))
    wait_until(page, lambda: panel(page) == "alerts", 15, "the alerts panel")
    text = page.inner_text("#wall-alerts")
    assert "Help requested" in text and person["name"] not in text
    page.wait_for_timeout(800)
    page.screenshot(path=screenshot_path("wall_alert"))

    # The server goes away: the wall says its data is stale, and carries on when the server is back.
    server.stop()
    wait_until(page, lambda: "fo-wall-is-stale" in page.get_attribute("#wall-page", "class"), 15, "the stale indicator")
    assert "Connection lost" in page.inner_text("#wall-stale")
    page.screenshot(path=screenshot_path("wall_stale"))
    shows_no_login_or_error(page)
    page.wait_for_timeout(3000)
    wall_server["server"] = LiveServer(wall_server["settings"], wall_server["port"])
    wait_until(page, lambda: "fo-wall-is-stale" not in page.get_attribute("#wall-page", "class"), 30, "recovery")
    shows_no_login_or_error(page)
    before = page.evaluate("window.fieldopsWallState.lastOk")
    page.wait_for_timeout(2500)
    assert page.evaluate("window.fieldopsWallState.lastOk") > before  # refreshing again, by itself
    page.screenshot(path=screenshot_path("wall_recovered"))
    page.close()


def test_the_wall_token_opens_only_the_wall(browser, wall_server):
    server = wall_server["server"]
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{server.url}/wall/login/{demo_wall_secret(SECRET)}")
    page.wait_for_url(f"{server.url}/wall")
    response = page.goto(f"{server.url}/reports")
    assert response.status == 403
    page.close()
