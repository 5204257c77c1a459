"""People end to end (issue 18, "done when"): an admin adds a person on the People page and registers their
tracker; the tracker's positions, posted to the OsmAnd door, put them on the live map; the admin moves them to
another team and the supervisors' live maps change with it; then deactivates them: the device's next fix is
refused, their open task is back to new for the planners, and last month's figures still count their visit.

The instant is pinned (a Tuesday morning in Helsinki, inside the organisation's working hours), for this process
(the server and the writer run in it) and for the pages' clocks, as tests/browser/test_alerts_e2e.py does."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
import time_machine

from dashboard.analytics import metrics
from dashboard.demo.seed import demo_password
from dashboard.work.accounts import create_account
from dashboard.writer.worker import Writer
from data import customers, devices, employees
from data import tasks as task_rows
from data.db import Database
from data.scope import Scope
from tests.browser import screenshot_path
from tests.browser.conftest import axe_violations, describe, settle
from tests.browser.test_alerts_e2e import _choose, _context
from tests.conftest import SECRET, LiveServer, consent_given, sign_in_browser, wait_until

STARTS = datetime(2026, 12, 1, 10, 0)  # a Tuesday, 10:00 in Helsinki: the default working hours (Mon-Fri 08-18)
LAST_MONTH = (date(2026, 11, 1), date(2026, 11, 30))
CODE, NAME = "T900", "Tiina Testinen"
SOUTH_SUPERVISOR = "south-lead"
PLACE = (60.1699, 24.9384)
LIST_ROWS = "#livemap-people .ag-center-cols-container .ag-row"
ROSTER_S = 40  # the live map re-reads its roster every 15 s (dashboard/live/livemap.ROSTER_TTL_S), then the poll


@pytest.fixture
def people_server(seeded_settings):
    """The app and a writer on the seeded demo city, and a supervisor of South to sign in as."""
    server = LiveServer(seeded_settings)
    db = server.runtime.db
    south = db.fetch_one("SELECT id FROM teams WHERE name = 'South'")["id"]
    create_account(db, SOUTH_SUPERVISOR, demo_password(SECRET, SOUTH_SUPERVISOR), "supervisor", team_ids=[south])
    writer = threading.Thread(target=Writer(server.runtime, "people-e2e").run, args=(server.background, 200))
    writer.daemon = True
    writer.start()
    yield server
    server.background.set()
    writer.join(5)
    server.stop()


@pytest.fixture
def db(people_server):
    """The test's own connection: the server's pool is for its requests and its writer."""
    database = Database(people_server.runtime.settings.database_url)
    yield database
    database.close()


def _fix(server: LiveServer, identifier: str, offset: int = 0) -> requests.Response:
    """One fix, stamped now, as Traccar Client sends it."""
    query = {
        "id": identifier,
        "lat": PLACE[0] + 0.001 * offset,
        "lon": PLACE[1],
        "timestamp": int(datetime.now(UTC).timestamp()),
        "accuracy": 8,
        "speed": 5,
    }
    return requests.get(f"{server.url}/ingest/osmand", params=query, timeout=10)


def _live_map(browser, server: LiveServer, username: str):
    page = _context(browser, viewport={"width": 1400, "height": 900}).new_page()
    sign_in_browser(page, server.url, username)
    page.goto(f"{server.url}/")
    page.wait_for_selector(LIST_ROWS, timeout=20_000)
    return page


def _placed(page, employee_id: int) -> bool:
    """The person is listed beside the live map with a position (their marker's state, not "no position yet")."""
    dot = page.query_selector(f"{LIST_ROWS}[row-id='{employee_id}'] .fo-dot")
    return dot is not None and "fo-no_position" not in (dot.get_attribute("class") or "")


def _listed(page, employee_id: int) -> bool:
    return page.query_selector(f"{LIST_ROWS}[row-id='{employee_id}']") is not None


def _after_reload(page, check) -> bool:
    """`check` on the live map loaded afresh: it reads its list of people when it loads, from a roster the server
    re-reads every 15 s."""
    page.reload()
    page.wait_for_selector(LIST_ROWS, timeout=20_000)
    page.wait_for_timeout(1500)  # the fleet's first answer places the markers
    return check()


def _open_person(page, code: str) -> None:
    """Find the person with the quick search and open their panel."""
    page.fill("#people-search", code)
    row = page.locator("#people-grid .ag-center-cols-container .ag-row", has_text=code)
    row.first.locator("[col-id='name']").click()
    page.wait_for_selector("#people-panel.show")
    page.wait_for_function("code => document.getElementById('people-code').value === code", arg=code)


def _visits_last_month(db, employee_id: int) -> int:
    rows = metrics.employee_days(db, Scope.everything(), *LAST_MONTH, "Europe/Helsinki", datetime.now(UTC))
    found = [r for r in metrics.per_employee(rows) if r["employee_id"] == employee_id]
    return found[0]["visits"] if found else 0


def test_a_person_is_added_tracked_moved_and_deactivated_from_the_people_page(browser, people_server, db):
    server, rt = people_server, people_server.runtime
    start = STARTS.replace(tzinfo=rt.settings.tz)
    with time_machine.travel(start, tick=True):
        # The admin adds the person on the People page.
        admin = _context(browser, viewport={"width": 1400, "height": 1000}).new_page()
        sign_in_browser(admin, server.url, "admin")
        admin.goto(f"{server.url}/admin/people")
        settle(admin)
        assert admin.get_attribute("#people-import-link", "href") == "/admin/people/import"
        admin.click("#people-new")
        admin.wait_for_selector("#people-panel.show")
        admin.fill("#people-code", CODE)
        admin.fill("#people-name", NAME)
        _choose(admin, "people-team", "North")
        admin.fill("#people-phone", "+358 40 900 9000")
        admin.fill("#people-skills", "boilers, heat pumps")
        admin.click("#people-save")
        admin.wait_for_selector(f"#people-result >> text={NAME} added")
        person = employees.person_by(db, Scope.everything(), code=CODE)
        assert person["team_name"] == "North" and person["skills"] == ["boilers", "heat pumps"]
        consent_given(rt, person["id"])  # the demo's consent text is published: a newcomer consents first
        admin.wait_for_selector(f"#people-grid >> text={CODE}")
        admin.wait_for_selector("#people-existing:not([hidden])")

        # ... and registers their Traccar Client: the settings and the QR code, shown once.
        admin.click("#people-tracker-add")  # Traccar Client (OsmAnd) is the tracker app chosen by default
        admin.wait_for_selector("#people-tracker-qr")
        (device,) = devices.devices_of(db, person["id"])
        assert device["protocol"] == "osmand"
        assert device["identifier"] in admin.inner_text("#people-tracker-settings")
        admin.wait_for_selector(f"#people-devices-list >> text={device['identifier']}")
        admin.locator("#people-tracker-qr").scroll_into_view_if_needed()
        admin.screenshot(path=screenshot_path("i18-people-tracker"))
        violations = axe_violations(admin)
        assert not violations, describe(violations)

        # The tracker reports; the manager's and North's supervisor's live maps show the person placed.
        assert _fix(server, device["identifier"]).status_code == 200
        manager_map = _live_map(browser, server, "manager")
        north_map = _live_map(browser, server, "supervisor")
        south_map = _live_map(browser, server, SOUTH_SUPERVISOR)
        for offset, shown in enumerate((manager_map, north_map), start=1):
            placed = lambda s=shown, o=offset: _fix(server, device["identifier"], o).ok and _placed(s, person["id"])  # noqa: E731
            wait_until(lambda s=shown, p=placed: _after_reload(s, p), "on the map", ROSTER_S)
        assert not _listed(south_map, person["id"])
        manager_map.screenshot(path=screenshot_path("i18-people-live-map"))
        for shown in (north_map, south_map):
            shown.context.close()

        # An open task of theirs, and a visit last month that the figures count.
        customer = customers.list_customers(db, Scope.everything())[0]
        window = datetime.now(UTC) + timedelta(hours=2)
        task_id = task_rows.create_task(
            db,
            {
                "customer_id": customer["id"],
                "employee_id": person["id"],
                "kind": "visit",
                "priority": 2,
                "state": "assigned",
                "window_start": window,
                "window_end": window + timedelta(hours=1),
                "duration_min": 30,
                "notes": None,
            },
            None,
        )
        visited = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
        db.execute(
            """INSERT INTO activities (employee_id, customer_id, kind, started_at, ended_at, source)
               VALUES (%s, %s, 'visit', %s, %s, 'writer')""",
            (person["id"], customer["id"], visited, visited + timedelta(minutes=40)),
        )
        assert _visits_last_month(db, person["id"]) == 1

        # The admin moves them to South: North's supervisor no longer sees them, South's does.
        admin.reload()
        settle(admin)
        _open_person(admin, CODE)
        _choose(admin, "people-team", "South")
        admin.click("#people-save")
        admin.wait_for_selector("#people-result >> text=Saved.")
        assert employees.person(db, Scope.everything(), person["id"])["team_name"] == "South"
        north_map = _live_map(browser, server, "supervisor")
        south_map = _live_map(browser, server, SOUTH_SUPERVISOR)
        placed = lambda: _fix(server, device["identifier"], 3).ok and _placed(south_map, person["id"])  # noqa: E731
        wait_until(lambda: _after_reload(south_map, placed), "on South's map", ROSTER_S)
        wait_until(
            lambda: _after_reload(north_map, lambda: not _listed(north_map, person["id"])), "off North's", ROSTER_S
        )
        south_map.screenshot(path=screenshot_path("i18-people-moved-south-map"))

        # The admin deactivates them; the confirmation says what will happen, the result what did.
        history = admin.inner_text("#people-history")
        assert "Added" in history and "Team: North → South" in history
        asked = []
        admin.once("dialog", lambda dialog: asked.append(dialog.message) or dialog.accept())
        admin.click("#people-deactivate-button")
        admin.wait_for_selector("#people-deactivated")
        assert "1 trackers are refused" in asked[0] and "1 open tasks go back to new" in asked[0]
        assert "1 open tasks freed" in admin.inner_text("#people-deactivated")
        admin.wait_for_selector("#people-reactivate:not([hidden])")
        admin.screenshot(path=screenshot_path("i18-people-deactivated"))

        answer = _fix(server, device["identifier"], 4)
        assert 400 <= answer.status_code < 500, answer.text
        task = task_rows.get_task(db, Scope.everything(), task_id)
        assert (task["state"], task["employee_id"]) == ("new", None)
        assert _visits_last_month(db, person["id"]) == 1  # their past work still counts
        assert rt.feed.latest(person["id"]) is None
        wait_until(lambda: _after_reload(south_map, lambda: not _listed(south_map, person["id"])), "unlisted", ROSTER_S)
