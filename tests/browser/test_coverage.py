"""The Coverage page (issue 21) as a manager sees it on a seeded week: the figures equal the tasks and visits in
the database, the overdue and never-visited customers are listed, and the map colours customers by days since
their last visit (grey: never)."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from dashboard.analytics import coverage
from dashboard.analytics.scales import NO_VALUE_COLOR
from data.scope import Scope
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser
from tests.coverage_seed import FIRST, LAST, NOW, seed_week

MARKERS = "#coverage-map .leaflet-overlay-pane path.leaflet-interactive"


def _rows(page, grid: str) -> list[str]:
    return page.eval_on_selector_all(f"#{grid} .ag-center-cols-container .ag-row", "rows => rows.map(r => r.innerText)")


def test_a_manager_sees_the_weeks_coverage_and_the_overdue_customers(browser, server):
    rt = server.runtime
    seeded = seed_week(rt.db)
    with time_machine.travel(NOW, tick=True):
        rows = coverage.person_counts(rt.db, Scope.everything(), FIRST, LAST, rt.settings.timezone, NOW)
        planned = rt.db.fetch_one("SELECT count(*) AS n FROM tasks WHERE planned_for BETWEEN %s AND %s", (FIRST, LAST))[
            "n"
        ]
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="en-GB")
        page = context.new_page()
        sign_in_browser(page, server.url, "manager")
        page.goto(f"{server.url}/analytics/coverage")
        settle(page)
        page.wait_for_function("() => document.getElementById('coverage-kpi-planned')?.innerText === '5'")
        kpis = {key: page.inner_text(f"#coverage-kpi-{key}") for key in ("planned", "done", "missed", "unplanned")}
        assert kpis == {
            "planned": str(planned),
            "done": str(coverage.total(rows)["done"]),
            "missed": "3",
            "unplanned": "2",
        }
        assert f"{FIRST.isoformat()} to {LAST.isoformat()}" in page.inner_text("#coverage-people-note")  # this week
        overdue = _rows(page, "coverage-overdue")
        names = {
            c["customer_id"]: c["customer_name"] for c in coverage.customers(rt.db, Scope(), rt.settings.timezone, NOW)
        }
        assert [row.split("\n")[0] for row in overdue] == [names[seeded.c[3]], names[seeded.c[1]]]
        assert names[seeded.c[2]] in page.inner_text("#coverage-never")
        assert page.locator(MARKERS).count() == len(names)
        grey = page.eval_on_selector_all(
            MARKERS, f"ms => ms.filter(m => m.getAttribute('fill') === '{NO_VALUE_COLOR}').length"
        )
        assert grey == sum(
            1 for c in coverage.customers(rt.db, Scope(), rt.settings.timezone, NOW) if c["never_visited"]
        )
        assert "Days since last visit" in page.inner_text("#coverage-legend")
        page.screenshot(path=screenshot_path("coverage-manager"), full_page=True)
        context.close()


def test_the_phone_shows_due_this_week_and_records_a_wechat_visit(browser, server):
    rt = server.runtime
    seeded = seed_week(rt.db)
    names = {
        c["customer_id"]: c["customer_name"] for c in coverage.customers(rt.db, Scope(), rt.settings.timezone, NOW)
    }
    with time_machine.travel(NOW, tick=True):
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        page = context.new_page()
        sign_in_browser(page, server.url, "field")  # E0001: the seeded week's first person
        page.goto(f"{server.url}/m")
        page.wait_for_selector("#mobile-due li")
        due = page.eval_on_selector_all("#mobile-due li", "items => items.map(i => i.innerText)")
        assert due == [
            f"{names[seeded.c[3]]} · overdue by 10 days",
            f"{names[seeded.c[1]]} · overdue by 7 days",
            f"{names[seeded.c[2]]} · never visited",
            f"{names[seeded.c[4]]} · due in 7 days",
        ]
        page.locator("#mobile-remote-section").scroll_into_view_if_needed()
        page.click("#mobile-remote-customer")
        page.keyboard.type(names[seeded.c[2]])
        page.keyboard.press("Enter")
        page.check("#mobile-remote-channel input[value='wechat']")
        page.fill("#mobile-remote-notes", "Agreed the spring order on WeChat")
        page.click("#mobile-remote-save")
        page.wait_for_selector("#mobile-remote-result .alert-success")
        page.wait_for_function(
            "n => ![...document.querySelectorAll('#mobile-due li')].some(i => i.innerText.startsWith(n))",
            arg=names[seeded.c[2]],
        )
        page.locator("#mobile-due-section").scroll_into_view_if_needed()
        page.screenshot(path=screenshot_path("coverage-phone"), full_page=False)
        context.close()
    visit = rt.db.fetch_one(
        "SELECT employee_id, kind, channel, notes, started_at, ended_at FROM activities WHERE customer_id = %s",
        (seeded.c[2],),
    )
    assert (visit["employee_id"], visit["kind"], visit["channel"]) == (seeded.first["id"], "visit", "wechat")
    assert visit["notes"] == "Agreed the spring order on WeChat" and visit["started_at"] == visit["ended_at"]
    later = NOW + timedelta(hours=1)  # the visit was recorded a moment after NOW
    standing = next(
        c for c in coverage.customers(rt.db, Scope(), rt.settings.timezone, later) if c["customer_id"] == seeded.c[2]
    )
    assert standing["days_since"] == 0 and not standing["never_visited"]  # the remote visit counts
