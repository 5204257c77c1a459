"""The analytics pages as each role sees them, on the simulated demo fleet's last three hours: the
heatmap finds the simulator's planted idle spot, the performance ranking, and the day replay."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime, timedelta

import h3
import pytest

from dashboard.analytics import efficiency as service
from dashboard.analytics.scales import SCALES
from dashboard.demo.simulator import IDLE_SPOT, FleetSimulator, add_gps_noise
from data import analytics
from data.feed import Fix
from data.scope import Scope
from tests.browser import screenshot_path
from tests.conftest import sign_in_browser

HOURS = 3
INTERVAL_S = 10
HEXAGONS = "#heatmap-map .leaflet-overlay-pane path.leaflet-interactive"


def simulation_end(rt, hours: int = HOURS) -> datetime:
    """Now, or early this morning when fewer than `hours` have passed since local midnight: the simulated
    hours always fall on today, which the pages show, whatever the hour the tests run at."""
    now = datetime.now(rt.settings.tz)
    earliest = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hours, minutes=5)
    return max(now, earliest).astimezone(UTC)


def simulate_past_hours(rt, hours: int = HOURS, idlers: int = 3) -> None:
    """The demo fleet's plans sampled over the `hours` before simulation_end, through the stream and the
    running writer, then the rollup upkeep; the first `idlers` people get the idler habit."""
    simulator = FleetSimulator(rt.db, rt.settings.secret_key, "http://127.0.0.1:9", seed=11)
    simulator.load()
    now = simulation_end(rt, hours)
    for person in simulator.people[:idlers]:
        person.habit = "idler"
        person.plan = simulator._plan_for(person, now, begin_s=0.0)
    rng = random.Random(5)
    start_ms = int(now.timestamp() * 1000) - hours * 3_600_000
    fixes = []
    for t in range(0, hours * 3600, INTERVAL_S):
        for person in simulator.people:
            plan = person.plan
            if not plan.reporting_from_s <= t < min(plan.reporting_until_s, plan.end_s):
                continue
            state = plan.state_at(t)
            lat, lon = add_gps_noise(state, 8.0, rng)
            fixes.append(Fix(person.employee_id, start_ms + t * 1000, lat, lon, state.speed, state.heading, 8.0))
    for first in range(0, len(fixes), 5000):
        rt.feed.publish(fixes[first : first + 5000], "native")
    deadline = time.monotonic() + 60
    while rt.feed.stream_backlog() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert rt.feed.stream_backlog() == 0
    service.upkeep(rt.db, rt.settings.timezone)


@pytest.fixture
def fleet_day(day_server):
    simulate_past_hours(day_server.runtime)
    return day_server


def _today(rt):
    return datetime.now(rt.settings.tz).date()


def test_the_heatmap_finds_the_simulators_planted_idle_spot(browser, fleet_day):
    rt = fleet_day.runtime
    today = _today(rt)
    cells = [
        r
        for r in analytics.heatmap(rt.db, Scope.everything(), today, today, rt.settings.timezone)
        if r["tracked_s"] >= service.MIN_CELL_TRACKED_S
    ]
    worst = max(cells, key=lambda r: r["idle_share"] or 0)
    idle_cell = h3.str_to_int(h3.cell_to_parent(h3.latlng_to_cell(*IDLE_SPOT, 10), 9))
    assert worst["cell"] == idle_cell and worst["idle_share"] > 0.3

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in_browser(page, fleet_day.url, "manager")
    page.goto(f"{fleet_day.url}/analytics/heatmap")
    page.wait_for_selector(f"{HEXAGONS}", timeout=20_000)
    page.wait_for_selector("#heatmap-matrix .heatmap, #heatmap-matrix .hm", state="attached", timeout=20_000)
    page.wait_for_timeout(1500)  # the map flies to the hexagons
    assert page.locator(HEXAGONS).count() == len(cells)
    # The legend and the matrix's colour bar read in the measure's unit, on its fixed 0–100 % scale.
    percents = ["0 %", "25 %", "50 %", "75 %", "100 %"]
    assert page.inner_text("#heatmap-legend .fo-legend-title") == "Idle share (away from customers)"
    assert page.locator("#heatmap-legend .fo-legend-tick").all_inner_texts() == percents
    bar = page.locator("#heatmap-matrix .colorbar text").all_text_contents()
    assert set(percents) <= set(bar) and not [t for t in bar if "-" in t]
    page.screenshot(path=screenshot_path("analytics_heatmap"), full_page=True)

    # The idle spot's hexagon has the colour of its share on that scale; its tooltip names the measure.
    worst_fill = SCALES["idle_share"].color(worst["idle_share"])
    spot = page.locator(f'{HEXAGONS}[fill="{worst_fill}"]').first
    spot.hover()
    tooltip = page.wait_for_selector(".leaflet-tooltip", timeout=5_000).inner_text()
    assert re.fullmatch(r"Idle share \d{1,3} % · \d+\.\d h tracked · \d+ visits", tooltip), tooltip
    page.screenshot(path=screenshot_path("analytics_heatmap_tooltip"))

    # Click it, see who idled there, open their day.
    spot.click()
    page.wait_for_selector("#heatmap-details a", timeout=10_000)
    details = page.inner_text("#heatmap-details")
    assert "idle" in details
    page.screenshot(path=screenshot_path("analytics_heatmap_details"))
    page.locator("#heatmap-details a").first.click()
    page.wait_for_url(lambda url: "/analytics/day" in url)
    _check_day_page(page, rt, "analytics_day_from_heatmap")
    page.close()


def _check_day_page(page, rt, shot: str) -> None:
    page.wait_for_selector("#day-summary:has-text('positions')", timeout=20_000)
    page.wait_for_selector("#day-map .leaflet-overlay-pane path.leaflet-interactive", timeout=10_000)
    assert page.locator("#day-tasks .ag-row").count() > 0
    assert "km" in page.inner_text("#day-split")
    first_clock = page.inner_text("#day-clock")
    page.click("#day-play")
    page.wait_for_selector(f"#day-clock:not(:has-text('{first_clock}'))", timeout=10_000)
    page.wait_for_timeout(800)
    page.screenshot(path=screenshot_path(shot))
    looks = rt.db.fetch_all("SELECT action, subject_ids FROM audit_log WHERE action = 'view_track'")
    assert looks, "opening a day is audited"


def test_performance_ranks_people_and_opens_a_persons_day(browser, fleet_day):
    rt = fleet_day.runtime
    # Every active person is ranked, with nothing to count or not (as in the reports and the API).
    staff = rt.db.fetch_one("SELECT count(*) AS n FROM employees WHERE active")["n"]
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    sign_in_browser(page, fleet_day.url, "manager")
    page.goto(f"{fleet_day.url}/analytics/performance")
    page.wait_for_selector("#perf-grid .ag-row", timeout=20_000)
    page.wait_for_timeout(1000)
    assert page.locator("#perf-grid .ag-center-cols-container .ag-row").count() == staff
    assert page.locator("#perf-kpis .fo-kpi").count() == 5
    page.screenshot(path=screenshot_path("analytics_performance"), full_page=True)
    page.locator("#perf-grid .ag-pinned-left-cols-container .ag-row").first.locator(".ag-cell").first.click()
    page.wait_for_selector("#perf-person a", timeout=10_000)
    name = page.inner_text("#perf-person b")
    assert name in page.inner_text("#perf-visits")
    page.click("#perf-person a")
    page.wait_for_url(lambda url: "/analytics/day" in url)
    _check_day_page(page, rt, "analytics_day")
    page.close()


def test_a_supervisor_sees_only_their_teams_and_field_staff_their_own_day(browser, fleet_day):
    rt = fleet_day.runtime
    north = rt.db.fetch_one(
        "SELECT count(*) AS n FROM employees e JOIN teams t ON t.id = e.team_id WHERE t.name = 'North' AND e.active"
    )["n"]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in_browser(page, fleet_day.url, "supervisor")
    page.goto(f"{fleet_day.url}/analytics/performance")
    page.wait_for_selector("#perf-grid .ag-row", timeout=20_000)
    page.wait_for_timeout(1000)
    teams_shown = set(page.locator("#perf-grid .ag-center-cols-container [col-id='team_name']").all_inner_texts())
    assert teams_shown == {"North"}
    assert page.locator("#perf-grid .ag-center-cols-container .ag-row").count() == north
    page.screenshot(path=screenshot_path("analytics_performance_supervisor"))
    page.close()

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in_browser(page, fleet_day.url, "field")
    page.goto(f"{fleet_day.url}/analytics/day")
    page.wait_for_selector("#day-summary:has-text('positions')", timeout=20_000)
    own = rt.db.fetch_one("SELECT name FROM employees WHERE code = 'E0001'")["name"]
    assert own in page.inner_text("#day-summary")
    page.screenshot(path=screenshot_path("analytics_day_field"))
    page.close()


def test_an_executive_sees_teams_but_no_individual_ranking(browser, fleet_day):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in_browser(page, fleet_day.url, "executive")
    page.goto(f"{fleet_day.url}/analytics/performance")
    page.wait_for_selector("#perf-ranking-note:has-text('not shown')", timeout=20_000)
    assert page.locator("#perf-grid .ag-center-cols-container .ag-row").count() == 0
    assert page.locator("#perf-kpis .fo-kpi").count() == 5
    page.screenshot(path=screenshot_path("analytics_performance_executive"))
    page.close()
