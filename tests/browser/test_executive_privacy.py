"""Issue 15 in the browser: an executive, while the organisation hides individuals, opens the task board (and a
task), a customer with visits, performance and exports, and no person's name is anywhere on the screen."""

from __future__ import annotations

from data import alerts
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser

NAME = "Quillanbrook"  # every employee's name starts with it for this test


def test_an_executive_sees_teams_and_no_names(browser, day_server):
    rt = day_server.runtime
    rt.db.execute("UPDATE employees SET name = %s || ' ' || code", (NAME,))
    task = rt.db.fetch_one("SELECT id, employee_id, customer_id FROM tasks WHERE employee_id IS NOT NULL LIMIT 1")
    alerts.raise_help(rt.db, task["employee_id"], 60.1699, 24.9384, 12.0)
    page = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="en-GB").new_page()
    sign_in_browser(page, day_server.url, "executive")
    page.goto(f"{day_server.url}/tasks")
    settle(page)
    page.locator(".fo-task-card").first.click()
    page.wait_for_selector("#tasks-panel-title >> text=#")
    assert page.locator(".fo-task-card").count() > 0 and "assigned" in page.inner_text("#tasks-board")
    assert NAME not in page.content()
    page.screenshot(path=screenshot_path("executive_tasks_without_names"), full_page=True)
    for path in (f"/customers?customer={task['customer_id']}", "/analytics/performance", "/exports", "/reports"):
        page.goto(f"{day_server.url}{path}")
        settle(page)
        assert NAME not in page.content(), path
    assert "privacy setting" in page.goto(f"{day_server.url}/export/visits.csv?from=2026-01-01&to=2026-01-31").text()
