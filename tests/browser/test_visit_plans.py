"""The Visit plans page (issue 21): an administrator makes a tier, puts a customer in it, imports mainland China's
holidays with their make-up working days, marks a person's leave and plans now; a supervisor may mark their team's
leave but not change a tier."""

from __future__ import annotations

from datetime import date

from dashboard.work.planning import horizon_days
from data import visit_plans
from data.scope import Scope
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser


def _choose_first(page, dropdown_id: str) -> str:
    page.click(f"#{dropdown_id}")
    option = page.get_by_role("option").first
    label = option.inner_text()
    option.click()
    return label


def test_an_admin_sets_up_visit_plans_and_plans_now(page, server, axe):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/plans")
    settle(page)
    page.fill("#plans-tier-code", "A")
    page.fill("#plans-tier-name", "Key accounts")
    page.fill("#plans-tier-every", "14")
    page.fill("#plans-tier-start", "9:00")
    page.click("#plans-tier-save")
    page.wait_for_selector("#plans-tier-result .alert-danger")
    assert "09:30" in page.inner_text("#plans-tier-result")
    page.fill("#plans-tier-start", "09:00")
    page.fill("#plans-tier-end", "12:00")
    page.check("#plans-tier-days input[value='2']")
    page.click("#plans-tier-save")
    page.wait_for_selector("#plans-tier-result .alert-success")
    page.wait_for_function("() => document.querySelector('#plans-tiers').innerText.includes('Key accounts')")

    customer = _choose_first(page, "plans-customer")
    _choose_first(page, "plans-customer-tier")
    page.click("#plans-customer-save")
    page.wait_for_selector("#plans-customer-result .alert-success")
    assert "every 14 days" in page.inner_text("#plans-customer-result")

    page.fill("#plans-import-year", "2026")
    page.click("#plans-import")
    page.wait_for_selector("#plans-calendar-result .alert-success")
    assert "6 make-up working days" in page.inner_text("#plans-calendar-result")
    marked = {
        r["day"]: r["kind"] for r in visit_plans.calendar_days(server.runtime.db, date(2026, 1, 1), date(2026, 12, 31))
    }
    assert marked[date(2026, 10, 1)] == "holiday" and marked[date(2026, 10, 10)] == "workday"

    person = _choose_first(page, "plans-leave-person")
    page.fill("#plans-leave-first", "2027-05-03")
    page.fill("#plans-leave-last", "2027-05-01")
    page.click("#plans-leave-add")
    page.wait_for_selector("#plans-leave-result .alert-danger")
    page.fill("#plans-leave-last", "2027-05-07")
    page.fill("#plans-leave-reason", "Training")
    page.click("#plans-leave-add")
    page.wait_for_selector("#plans-leave-result .alert-success")
    page.wait_for_function("() => document.querySelector('#plans-leave').innerText.includes('Training')")
    assert person.split(" (")[0] in page.inner_text("#plans-leave")

    page.fill("#plans-horizon", "8")  # a Tuesday whose window is still ahead, whatever the day
    page.click("#plans-horizon-save")
    page.wait_for_selector("#plans-run-result .alert-success")
    server.runtime.forget_org_settings()
    assert horizon_days(server.runtime) == 8
    page.click("#plans-run")
    page.wait_for_function("() => document.querySelector('#plans-run-result').innerText.includes('new visits')")
    assert "1 new visits" in page.inner_text("#plans-run-result")
    planned = visit_plans.planned_tasks(server.runtime.db, Scope.everything(), date(2000, 1, 1), date(2200, 1, 1))
    assert len(planned) == 1 and planned[0]["customer_name"] in customer
    assert planned[0]["planned_for"].isoweekday() == 2, "on the tier's route day"
    axe(page, "/admin/plans")
    page.screenshot(path=screenshot_path("admin_plans"), full_page=True)


def test_a_supervisor_marks_their_teams_leave_but_cannot_change_a_tier(page, server):
    sign_in_browser(page, server.url, "supervisor")
    page.goto(server.url + "/admin/plans")
    settle(page)
    page.fill("#plans-tier-code", "B")
    page.fill("#plans-tier-name", "Monthly")
    page.fill("#plans-tier-every", "30")
    page.click("#plans-tier-save")
    page.wait_for_selector("#plans-tier-result .alert-danger")
    assert visit_plans.list_tiers(server.runtime.db) == []
    _choose_first(page, "plans-leave-person")
    page.fill("#plans-leave-first", "2027-06-01")
    page.fill("#plans-leave-last", "2027-06-02")
    page.click("#plans-leave-add")
    page.wait_for_selector("#plans-leave-result .alert-success")
    page.screenshot(path=screenshot_path("admin_plans_supervisor"), full_page=True)
