"""The Reports page as a manager and a supervisor see it (issue 8): build a monthly report with a
progress bar, download the PDF from the list of past reports, keep a schedule."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta

import pytest

from dashboard.demo.history import seed_history
from tests.browser import screenshot_path
from tests.conftest import LiveServer, sign_in_browser


@pytest.fixture
def report_server(seeded_settings):
    server = LiveServer(seeded_settings)
    rt = server.runtime
    today = datetime.now(rt.settings.tz).date()
    first = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
    seed_history(rt.db, first, today - timedelta(days=1), rt.settings.tz, stay_min_s=rt.settings.stay_min_s)
    yield server
    server.stop()


def test_manager_builds_a_monthly_report_and_downloads_the_pdf(browser, report_server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    last_month = datetime.now(report_server.runtime.settings.tz).date().replace(day=1) - timedelta(days=1)
    sign_in_browser(page, report_server.url, "manager")
    page.goto(f"{report_server.url}/reports")
    page.wait_for_selector("#reports-build")
    # Last month is over: it is compared with the whole month before it, and the page says which.
    month_before = last_month.replace(day=1) - timedelta(days=1)
    page.wait_for_selector(f"#reports-comparison:has-text('Compared with {month_before:%B %Y}.')")
    page.click("#reports-build")
    page.wait_for_selector("#reports-progress-box .progress-bar", state="visible")
    page.wait_for_function("() => document.getElementById('reports-progress').textContent === 'Done'", timeout=60_000)
    link = page.locator("#reports-table a", has_text="PDF").first
    link.wait_for()
    page.wait_for_timeout(800)  # the progress bar's last step
    page.screenshot(path=screenshot_path("reports_page"), full_page=True)
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # Issue 16: no team was chosen, so the header has no filter line (it used to repeat the period).
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "Period" in text and "Scope" in text and "Filters" not in text
    assert download.value.suggested_filename.endswith("-org-1.pdf")
    row = page.inner_text("#reports-table tbody tr")
    assert "Whole organisation" in row and "manager" in row and "ready" in row

    page.fill("#reports-schedule-name", "Monday morning")
    page.fill("#reports-schedule-email", "ceo@example.com")
    page.click("#reports-schedule-add")
    page.wait_for_selector("#reports-schedules li:has-text('Monday morning')")
    assert "Every Monday at 08:00" in page.inner_text("#reports-schedules")
    page.close()


def test_supervisor_sees_only_reports_of_their_teams(browser, report_server):
    manager = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in_browser(manager, report_server.url, "manager")
    manager.goto(f"{report_server.url}/reports")
    manager.wait_for_selector("#reports-build")
    manager.click("#reports-build")
    manager.wait_for_selector("#reports-table a:text('PDF')", timeout=60_000)
    manager.close()

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    sign_in_browser(page, report_server.url, "supervisor")
    page.goto(f"{report_server.url}/language/zh-CN?next=/reports")
    page.wait_for_selector("#reports-build")
    assert page.inner_text("h2") == "报告"
    page.wait_for_selector("#reports-list > *")
    assert "还没有报告" in page.inner_text("#reports-list")  # the manager's organisation report is not theirs
    page.click("#reports-build")
    page.wait_for_selector("#reports-table a:text('PDF')", timeout=60_000)
    assert "North" in page.inner_text("#reports-table")  # the supervisor's team
    page.screenshot(path=screenshot_path("reports_page_supervisor_zh"), full_page=True)
    page.close()
