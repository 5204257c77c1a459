"""Issue 19, check-ins people can trust: a supervisor opens a customer's page and sees a spoofed check-in's
trust score in its colour band with the reasons in words, on the check-in and on its visit, in English and
Chinese; switched off, the score is gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from dashboard.core.permissions import Viewer, scope_for
from dashboard.work.phone import PhoneFix, record_presence
from data import org_settings, positions
from data.positions import PositionRow
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser


def _spoofed_check_in(rt) -> int:
    """A person of the supervisor's team checks in at one of their customers after a frozen track 50 km away."""
    row = rt.db.fetch_one(
        """SELECT e.id AS employee_id, c.id AS customer_id, z.center_lat, z.center_lon
           FROM employees e JOIN user_teams ut ON ut.team_id = e.team_id
           JOIN users u ON u.id = ut.user_id AND u.username = 'supervisor'
           JOIN customers c ON c.owner_employee_id = e.id
           JOIN zones z ON z.customer_id = c.id AND z.kind = 'customer_site'
           ORDER BY e.id, c.id LIMIT 1"""
    )
    employee_id = row["employee_id"]
    now = datetime.now(UTC)
    far = row["center_lat"] + 50 / 111.2
    frozen = [now - timedelta(seconds=130 - 10 * i) for i in range(12)]
    positions.insert_positions(
        rt.db, [PositionRow(employee_id, ts, far, row["center_lon"], None, None, 5.0, 0, "test") for ts in frozen]
    )
    task_id = rt.db.fetch_one(
        "INSERT INTO tasks (customer_id, employee_id, state) VALUES (%s, %s, 'assigned') RETURNING id",
        (row["customer_id"], employee_id),
    )["id"]
    person = Viewer(None, "phone", "field", employee_id, scope_for("field", employee_id, []))
    fix = PhoneFix(row["center_lat"], row["center_lon"], 5.0, int(now.timestamp() * 1000) - 1000)
    record_presence(rt, person, task_id, "check_in", fix, device_key="phone-a")
    return row["customer_id"]


@pytest.mark.parametrize(("language", "words"), [("en", ("Trust", "impossible speed")), ("zh-CN", ("可信度", "速度"))])
def test_a_supervisor_sees_a_spoofed_check_ins_low_score_and_its_reasons(browser, server, axe, language, words):
    customer_id = _spoofed_check_in(server.runtime)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    sign_in_browser(page, server.url, "supervisor")
    if language != "en":
        page.goto(f"{server.url}/language/{language}")
    page.goto(f"{server.url}/customers?customer={customer_id}")
    badge = page.locator("[id^=customers-trust-] .fo-trust-low")
    badge.wait_for()
    text = page.inner_text("#customers-interactions")
    assert words[0] in text and words[1] in text
    cell = page.locator("#customers-visits .fo-trust-cell.fo-trust-low")
    cell.wait_for()
    settle(page)
    page.screenshot(path=screenshot_path(f"trust_customer_{language}"), full_page=True)
    axe(page, f"the customer page with a trust score ({language})")
    context.close()


def test_switched_off_the_supervisor_sees_no_score(page, server):
    rt = server.runtime
    customer_id = _spoofed_check_in(rt)
    org_settings.set_setting(rt.db, "trust.enabled", False, None)
    rt.forget_org_settings()
    sign_in_browser(page, server.url, "supervisor")
    page.goto(f"{server.url}/customers?customer={customer_id}")
    page.wait_for_selector("#customers-interactions li")
    settle(page)
    assert page.locator(".fo-trust").count() == 0 and page.locator(".fo-trust-cell").count() == 0


def test_an_admin_switches_trust_scores_off_on_the_privacy_page(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/privacy")
    box = page.get_by_label("Score check-ins for trust")
    expect(box).to_be_checked()
    box.uncheck()
    page.click("#privacy-trust-save")
    page.wait_for_selector("text=Check-ins are no longer scored, and no score is shown.")
    page.locator("#privacy-trust").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("trust_privacy_off"))
    assert org_settings.all_settings(server.runtime.db)["trust.enabled"] is False
