"""The Coverage page (issue 21) as a manager sees it on a seeded week: the figures equal the tasks and visits in
the database, the overdue and never-visited customers are listed, and the map colours customers by days since
their last visit (grey: never)."""

from __future__ import annotations

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
