"""Alerts end to end (issue 17, "done when"): a supervisor creates "silent 5 min" for team North on the rules
page; a North device stops reporting; within the rule's time plus the refresh the bell's count rises, the live
map marks the person and lists the alert, the wall interrupts its rotation; the supervisor acknowledges and
resolves it in the inbox. Nothing fires for a paused person, nor for one whose working hours ended.

Five minutes are not waited for: this process's clock (the server and the writer run in it) and the pages'
clocks are moved on together, as a pinned run moves them (tests/browser/__init__.py PinnedBrowser)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import pytest
import time_machine
from playwright.sync_api import Error as PlaywrightError

from dashboard.demo.seed import demo_wall_secret
from dashboard.ingest.accept import accept_fixes
from dashboard.ingest.privacy import tracking_policy
from dashboard.work import alerting
from dashboard.writer.worker import Writer
from data import pauses, working_hours
from data.db import Database
from tests.browser import PinnedBrowser, screenshot_path
from tests.browser.conftest import settle
from tests.conftest import SECRET, LiveServer, sign_in_browser, wait_until

RULE_NAME = "North silent 5 min"
RULE_MIN = 5
# A Tuesday morning in Helsinki, inside the demo's working hours (every day, all day).
STARTS = datetime(2026, 12, 1, 10, 0)
HOURS_END = clock(10, 3)  # one North person's working hours end between their last fix and the rule's time
REFRESH_S = 10  # the bell polls every 5 s, the live map every second; the writer's loop is 0.2 s here
WALL_SCREEN = {"width": 1600, "height": 900}
PLACE = (60.1699, 24.9384)


@pytest.fixture
def alert_server(seeded_settings):
    """The app and a writer (with the alert rules' handler) on the seeded demo city."""
    server = LiveServer(seeded_settings)
    writer = threading.Thread(target=Writer(server.runtime, "alerts-e2e").run, args=(server.background, 200))
    writer.daemon = True
    writer.start()
    yield server
    server.background.set()
    writer.join(5)
    server.stop()


@pytest.fixture
def db(alert_server):
    """The test's own connection: the server's pool is for its requests and its writer."""
    database = Database(alert_server.runtime.settings.database_url)
    yield database
    database.close()


def _context(browser, **options):
    """A browser context on this process's (pinned) clock, running on by itself."""
    context = browser.new_context(locale="en-GB", **options)
    if not isinstance(browser, PinnedBrowser):  # a pinned run's browser has installed the clock already
        context.clock.install(time=datetime.now(UTC))
    return context


def _choose(page, dropdown_id: str, option: str) -> None:
    """Open a dropdown and pick an option; its options may come from a callback a moment after the panel opens."""
    for _attempt in range(5):
        page.click(f"#{dropdown_id}")
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.click(timeout=3_000)
            return
        except PlaywrightError:
            page.keyboard.press("Escape")
    raise AssertionError(f"no option {option} in {dropdown_id}")


def _report(rt, people: list[dict]) -> None:
    """One fix of each person, stamped now, through the ingest's one door."""
    now_s = datetime.now(UTC).timestamp()
    for offset, person in enumerate(people):
        fix = {"ts": int(now_s * 1000), "lat": PLACE[0] + 0.002 * offset, "lon": PLACE[1], "accuracy": 8}
        outcome = accept_fixes(rt, person["id"], [fix], "native")
        assert not outcome.rejected, outcome.rejected


def _bell(page) -> int:
    count = page.locator("#shell-alerts-count")
    return 0 if count.get_attribute("hidden") is not None else int(count.inner_text() or 0)


def _open_wall(browser, server: LiveServer):
    """The wall signed in with its token, its clock paused so the test runs it (tests/browser/test_wall_screen)."""
    page = _context(browser, viewport=WALL_SCREEN).new_page()
    page.goto(f"{server.url}/wall/login/{demo_wall_secret(SECRET)}")
    page.wait_for_url(f"{server.url}/wall")
    for _attempt in range(5):
        try:
            page.clock.pause_at(datetime.fromtimestamp(page.evaluate("Date.now()") / 1000 + 1, UTC))
            return page
        except PlaywrightError:
            continue
    raise AssertionError("the wall's clock could not be paused")


def _run(page, ms: int) -> None:
    page.clock.run_for(ms)
    page.wait_for_timeout(150)


def _wall(page, key: str):
    return page.evaluate(f"window.fieldopsWallState.{key}")


def test_a_silent_north_device_is_an_alert_the_supervisor_sees_and_resolves(browser, alert_server, db):
    server, rt = alert_server, alert_server.runtime
    north = db.fetch_all(
        """SELECT e.id, e.name, e.team_id FROM employees e JOIN teams t ON t.id = e.team_id
           WHERE t.name = 'North' AND e.active ORDER BY e.id"""
    )
    silent, paused, off_hours = north[:3]
    start = STARTS.replace(tzinfo=rt.settings.tz)
    working_hours.replace_slots(db, [(day, clock(0), HOURS_END) for day in range(7)], employee_id=off_hours["id"])
    tracking_policy(rt).refresh(force=True)

    with time_machine.travel(start, tick=True) as traveller:
        # The supervisor makes the rule on the rules page.
        page = _context(browser, viewport={"width": 1400, "height": 1000}).new_page()
        sign_in_browser(page, server.url, "supervisor")
        page.goto(f"{server.url}/alerts/rules")
        settle(page)  # the page's callbacks answer before the button is pressed
        page.click("#alert-rule-new")
        _choose(page, "alert-rule-kind", "Device silent")
        page.fill("#alert-rule-name", RULE_NAME)
        page.fill("#alert-rule-param-minutes", str(RULE_MIN))
        page.press("#alert-rule-param-minutes", "Tab")
        _choose(page, "alert-rule-teams", "North")
        page.click("#alert-rule-save")
        wait_until(lambda: db.fetch_one("SELECT 1 FROM alert_rules WHERE name = %s", (RULE_NAME,)), "the rule")
        rule = db.fetch_one("SELECT * FROM alert_rules WHERE name = %s", (RULE_NAME,))
        assert (rule["kind"], rule["params"], rule["team_ids"]) == (
            "silent",
            {"minutes": RULE_MIN},
            [silent["team_id"]],
        )
        assert rule["enabled"] and rule["working_hours_only"]
        page.wait_for_selector(f"#alert-rules-grid >> text={RULE_NAME}")
        page.screenshot(path=screenshot_path("i17-e2e-rule-made"))

        # The wall shows its rotation before anything is wrong.
        wall = _open_wall(browser, server)
        wait_until(lambda: _run(wall, 500) or _wall(wall, "refreshes") > 2, "the wall's feed", 30)
        assert _wall(wall, "interruptions") == 0

        # Three North devices report, then stop; the writer times each (it reads new rules every few seconds).
        state = alerting.state(rt)
        members = [f"silent:{rule['id']}:{person['id']}" for person in (silent, paused, off_hours)]

        def armed() -> bool:
            _report(rt, [silent, paused, off_hours])
            return all(state.due_at(member) for member in members)

        wait_until(armed, "the silent timers", 40)
        last_fix = datetime.now(UTC)
        pauses.pause(db, paused["id"], "lunch", last_fix)
        tracking_policy(rt).refresh(force=True)
        page.goto(f"{server.url}/")
        page.wait_for_selector("#livemap-alerts", state="attached")
        assert _bell(page) == 0

        # Past the rule's minutes: the clocks move on, and the writer's timer fires.
        ahead = timedelta(minutes=RULE_MIN, seconds=30)
        traveller.shift(ahead)
        for moved in (page, wall):
            moved.clock.fast_forward(int(ahead.total_seconds() * 1000))
        wait_until(lambda: db.fetch_one("SELECT id FROM alerts WHERE rule_id = %s", (rule["id"],)), "the alert", 20)
        alert = db.fetch_one("SELECT * FROM alerts WHERE rule_id = %s", (rule["id"],))
        assert (alert["employee_id"], alert["kind"], alert["severity"], alert["state"]) == (
            silent["id"],
            "silent",
            "warning",
            "open",
        )
        assert alert["at"] - last_fix <= timedelta(minutes=RULE_MIN, seconds=5)  # timed from the last fix

        # The bell counts it within the refresh; the live map lists it and badges the person's marker.
        wait_until(lambda: _bell(page) == 1, "the bell's count", REFRESH_S)
        page.wait_for_selector(f"#livemap-alert-{alert['id']}", timeout=REFRESH_S * 1000)
        assert "Device silent" in page.inner_text(f"#livemap-alert-{alert['id']}")
        page.wait_for_selector(f".fo-alert-badge[data-employee='{silent['id']}']", timeout=REFRESH_S * 1000)
        page.screenshot(path=screenshot_path("i17-e2e-live-map"))

        # The wall interrupts its rotation for the warning, and names nobody.
        wait_until(lambda: _run(wall, 500) or _wall(wall, "interruptions") == 1, "the wall to interrupt", 30)
        assert _wall(wall, "panel") == "alerts"
        _run(wall, 1000)
        shown = wall.text_content("#wall-alerts")
        assert "Device silent" in shown and silent["name"] not in shown
        wall.screenshot(path=screenshot_path("i17-e2e-wall"))

        # The supervisor acknowledges, then resolves, in the inbox.
        page.goto(f"{server.url}/alerts?alert={alert['id']}")
        settle(page)
        page.click("#alert-ack")
        wait_until(lambda: _state(db, alert["id"]) == "acknowledged", "the acknowledgement")
        page.wait_for_selector("#alerts-detail >> text=Acknowledged", timeout=REFRESH_S * 1000)  # the panel says so
        page.screenshot(path=screenshot_path("i17-e2e-inbox-acknowledged"))
        page.click("#alert-resolve")
        wait_until(lambda: _state(db, alert["id"]) == "resolved", "the resolution")
        supervisor = db.fetch_one("SELECT id FROM users WHERE username = 'supervisor'")["id"]
        handled = db.fetch_one(
            "SELECT acknowledged_by, resolved_by, resolution FROM alerts WHERE id = %s", (alert["id"],)
        )
        assert handled == {"acknowledged_by": supervisor, "resolved_by": supervisor, "resolution": "resolved"}
        wait_until(lambda: _bell(page) == 0, "the bell to empty", REFRESH_S)

        # Nothing for the paused person, nor for the one whose working hours ended: theirs waits for the next.
        others = db.fetch_one(
            "SELECT count(*) AS n FROM alerts WHERE employee_id = ANY(%s)", ([paused["id"], off_hours["id"]],)
        )
        assert others["n"] == 0
        next_hours = datetime.combine(start.date() + timedelta(days=1), clock(0), rt.settings.tz)
        due = state.due_at(f"silent:{rule['id']}:{off_hours['id']}")
        assert due is None or due >= int((next_hours + timedelta(minutes=RULE_MIN)).timestamp() * 1000)
        wall.context.close()
        page.context.close()


def _state(db: Database, alert_id: int) -> str:
    return db.fetch_one("SELECT state FROM alerts WHERE id = %s", (alert_id,))["state"]
