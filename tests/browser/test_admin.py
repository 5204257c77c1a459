"""Sign-in, the admin pages and 'my data' as people see them, in headless Chromium."""

from __future__ import annotations

from tests.browser import screenshot_path
from tests.conftest import password_of, sign_in_browser, track_around_the_clock

XSS_NAME = '<img src=x onerror="window.__xss=1">Mallory'


def _choose(page, dropdown_id: str, option: str) -> None:
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=option, exact=True).click()


def test_sign_in_refuses_a_wrong_password_then_lets_the_right_one_in(page, server):
    page.goto(server.url + "/")
    assert "/login" in page.url  # the dashboard sends strangers to the sign-in page
    page.fill("#username", "manager")
    page.fill("#password", "not-the-password")
    page.click("#login-submit")
    assert "Wrong user name or password" in page.inner_text("#login-error")
    page.screenshot(path=screenshot_path("login_error"))
    page.fill("#password", password_of("manager"))
    page.click("#login-submit")
    page.wait_for_selector("#livemap-count-total")
    nav = page.inner_text("nav")
    assert "Live map" in nav and "Users" not in nav  # a manager is shown no admin pages


def test_admin_creates_a_supervisor_account(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/users")
    page.wait_for_selector("#users-grid .ag-row")
    page.fill("#users-new-username", "sanna.supervisor")
    page.fill("#users-new-password", "a-long-enough-password")
    _choose(page, "users-new-role", "Supervisor")
    _choose(page, "users-new-teams", "East")
    page.click("#users-create")
    page.wait_for_selector("text=Account sanna.supervisor created.")
    page.wait_for_selector("#users-grid .ag-row:has-text('sanna.supervisor')")
    assert "East" in page.inner_text("#users-grid .ag-row:has-text('sanna.supervisor')")
    page.screenshot(path=screenshot_path("admin_users"))
    row = server.runtime.db.fetch_one("SELECT role FROM users WHERE username = 'sanna.supervisor'")
    assert row["role"] == "supervisor"


def test_admin_sets_the_organisations_working_hours(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/teams")
    page.wait_for_function("() => document.querySelector('#teams-start-1')?.value === '08:00'")  # defaults loaded
    page.fill("#teams-start-0", "09:00")
    page.fill("#teams-end-0", "17:00")
    page.fill("#teams-start-5", "")
    page.fill("#teams-end-5", "")
    page.click("#teams-hours-save")
    page.wait_for_selector("text=Working hours saved.")
    page.screenshot(path=screenshot_path("admin_teams"))
    from data import working_hours

    slots = working_hours.slots_for(server.runtime.db)
    assert (0, "09:00", "17:00") in [(d, f"{a:%H:%M}", f"{b:%H:%M}") for d, a, b in slots]


def test_admin_changes_privacy_and_creates_a_wall_token(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/privacy")
    page.wait_for_selector("#privacy-retention")
    page.get_by_label("store only a coarse area per hour (about 5 km²)").check()
    page.fill("#privacy-retention", "30")
    page.click("#privacy-save")
    page.wait_for_selector("text=Settings saved.")
    page.fill("#privacy-wall-name", "Helsinki operations room")
    page.click("#privacy-wall-create")
    url = page.inner_text("#privacy-wall-url")
    assert url.startswith("http") and "/wall/login/" in url
    page.screenshot(path=screenshot_path("admin_privacy"))
    from data import org_settings

    stored = org_settings.all_settings(server.runtime.db)
    assert stored["privacy.off_hours"] == "coarse" and stored["privacy.retention_days"] == 30


def test_the_audit_page_shows_who_opened_the_live_map(browser, page, server):
    manager = browser.new_page()
    sign_in_browser(manager, server.url, "manager")
    manager.wait_for_selector("#livemap-count-total")
    manager.wait_for_timeout(1500)
    manager.close()
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/audit")
    row = page.wait_for_selector("#audit-grid .ag-row:has-text('opened the live map')")
    assert "manager" in row.inner_text()
    page.screenshot(path=screenshot_path("admin_audit"))


def test_field_staff_see_their_data_and_pause_sharing(page, server):
    employee = server.runtime.db.fetch_one("SELECT employee_id FROM users WHERE username = 'field'")["employee_id"]
    track_around_the_clock(server.runtime.db, employee)  # inside working hours at any instant: sharing is on
    sign_in_browser(page, server.url, "field")
    page.goto(server.url + "/me")
    page.wait_for_selector("#me-retention")
    assert "90 days" in page.inner_text("#me-retention")
    assert "Sharing is on" in page.inner_text("#me-sharing-state")
    page.fill("#me-reason", "Doctor's appointment")
    page.click("#me-pause")
    page.wait_for_selector("text=Paused since")
    assert "Doctor's appointment" in page.inner_text("#me-sharing-state")
    page.screenshot(path=screenshot_path("my_data"))
    assert server.runtime.feed.latest(employee) is None


def test_names_are_shown_as_text_never_run_as_html(page, server):
    server.runtime.db.execute("UPDATE employees SET name = %s WHERE code = 'E0001'", (XSS_NAME,))
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/users")
    cell = page.wait_for_selector("#users-grid .ag-row:has-text('Mallory')")
    assert XSS_NAME in cell.inner_text()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.query_selector("#users-grid img") is None


def test_admin_draws_a_work_area_on_the_map(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/zones")
    page.wait_for_selector(".leaflet-draw-draw-polygon")
    page.wait_for_timeout(800)
    box = page.query_selector("#zones-map").bounding_box()
    page.click(".leaflet-draw-draw-polygon")
    corners = [(0.3, 0.3), (0.6, 0.3), (0.6, 0.6), (0.3, 0.6)]
    for fx, fy in corners:
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(150)
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)  # close the ring
    page.fill("#zones-name", "Kamppi delivery area")
    _choose(page, "zones-team", "West")
    page.click("#zones-create")
    page.wait_for_selector("text=Zone Kamppi delivery area saved.")
    page.screenshot(path=screenshot_path("admin_zones"))
    zone = server.runtime.db.fetch_one("SELECT kind, geometry FROM zones WHERE name = 'Kamppi delivery area'")
    assert zone["kind"] == "work_area" and zone["geometry"]["type"] == "Polygon"
    assert len(zone["geometry"]["coordinates"][0]) == 5  # four corners and the closing point


def test_admin_purges_expired_positions_from_the_privacy_page(page, server):
    from datetime import UTC, datetime, timedelta

    from data.positions import PositionRow, insert_positions

    rt = server.runtime
    person = rt.db.fetch_one("SELECT id FROM employees LIMIT 1")["id"]
    old = datetime.now(UTC) - timedelta(days=120)
    insert_positions(
        rt.db,
        [
            PositionRow(person, old, 60.17, 24.94, None, None, None, 0, "gpx"),
            PositionRow(person, datetime.now(UTC), 60.17, 24.94, None, None, None, 0, "native"),
        ],
    )
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/privacy")
    page.wait_for_function("() => document.querySelector('#privacy-retention')?.value === '90'")
    page.click("#privacy-purge")
    page.wait_for_selector("text=Deleted positions of 1 days older than 90 days.")
    assert rt.db.fetch_one("SELECT count(*) AS n FROM positions")["n"] == 1


def test_map_tooltips_escape_customer_names(page, server):
    sign_in_browser(page, server.url, "manager")
    page.wait_for_selector("#livemap-count-total")
    tooltip = page.evaluate(
        """(name) => { let shown = null;
             window.fieldops.livemap.nameTooltip({properties: {name: name}}, {bindTooltip: (t) => { shown = t; }});
             const probe = document.createElement('div'); probe.innerHTML = shown;  // what Leaflet does with it
             return {shown: shown, images: probe.querySelectorAll('img').length, text: probe.textContent}; }""",
        XSS_NAME,
    )
    assert tooltip["images"] == 0 and tooltip["text"] == XSS_NAME
    assert page.evaluate("window.__xss") is None


def test_admin_registers_an_owntracks_phone(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/devices")
    page.wait_for_selector("#devices-grid .ag-row")
    name = server.runtime.db.fetch_one("SELECT name FROM employees WHERE code = 'E0003'")["name"]
    _choose(page, "devices-employee", f"{name} (E0003)")
    _choose(page, "devices-protocol", "OwnTracks")
    page.fill("#devices-identifier", "noora/phone")
    page.click("#devices-add")
    secret_line = page.wait_for_selector("#devices-secret").inner_text()
    assert "noora/phone" in secret_line and "shown only now" in secret_line
    page.wait_for_selector("#devices-grid .ag-row:has-text('noora/phone')")
    page.screenshot(path=screenshot_path("admin_devices"))
    row = server.runtime.db.fetch_one("SELECT protocol, token_hash FROM devices WHERE identifier = 'noora/phone'")
    assert row["protocol"] == "owntracks" and row["token_hash"] and row["token_hash"] not in secret_line
