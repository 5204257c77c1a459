"""Fixtures only the browser tests use: one Chromium per module and the app served on a free port.
The servers behind them (PostgreSQL, Redis, the seeded settings) come from tests/conftest.py."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from dashboard.core.config import Settings
from dashboard.core.permissions import Viewer, scope_for
from dashboard.demo.seed import plan_day
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.periods import month_period
from dashboard.work.phone import create_share_link
from dashboard.work.surveys import survey_path
from dashboard.writer.worker import Writer
from data import alerts, feedback
from tests.browser import chromium
from tests.browser.test_analytics import simulate_past_hours
from tests.conftest import LiveServer, _make_settings

AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"  # axe-core, see vendor/README.md
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's findings as plain rows: the rule, its impact and the elements (CSS selectors) that break it.
AXE_RUN = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(result => result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")),
  })))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module; each test opens its own pages."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop page (1300 × 1000, en-GB) in a fresh context, closed after the test."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def server(seeded_settings: Settings) -> Iterator[LiveServer]:
    """The app with the demo's seed on a free port (modules that need more define their own)."""
    server = LiveServer(seeded_settings)
    yield server
    server.stop()


LATEST_ROUND_START = timedelta(hours=17)  # a round of up to 9 visits, 40 min apart, 60 min each, ends by 23:30


@pytest.fixture
def day_server(seeded_settings: Settings) -> Iterator[LiveServer]:
    """The app on a free port with today's tasks planned and a writer running; `background` stops
    the writer (and anything else a test starts on it) at the end.

    The first visit's window opens now, or late in the afternoon when the evening is too short for a
    round of visits: every task falls within today, whatever the hour the tests run at."""
    server = LiveServer(seeded_settings)
    rt = server.runtime
    now = datetime.now(rt.settings.tz)
    latest_start = now.replace(hour=0, minute=0, second=0, microsecond=0) + LATEST_ROUND_START
    plan_day(rt.db, now.date(), rt.settings.tz, start=min(now, latest_start))
    writer = threading.Thread(target=Writer(rt, "browser-test").run, args=(server.background, 200), daemon=True)
    writer.start()
    yield server
    server.background.set()
    writer.join(5)
    server.stop()


@pytest.fixture(scope="module")
def a11y_server(servers, templates):
    """One server for a module of accessibility tests (issue 22): the demo with an hour of fleet history,
    today's plan, an open help alert, a finished report, and a share link and a survey to open."""
    settings_of = _make_settings(servers, templates, "seeded")
    server = LiveServer(next(settings_of))
    rt = server.runtime
    now = datetime.now(rt.settings.tz)
    plan_day(rt.db, now.date(), rt.settings.tz, start=now)
    writer = threading.Thread(target=Writer(rt, "a11y").run, args=(server.background, 200), daemon=True)
    writer.start()
    simulate_past_hours(rt, hours=1)
    field = rt.db.fetch_one("SELECT id FROM employees WHERE code = 'E0001'")["id"]
    help_alert = alerts.raise_help(rt.db, field, 60.1699, 24.9384, 12.0)
    manager = rt.db.fetch_one("SELECT id, username FROM users WHERE username = 'manager'")
    viewer = Viewer(manager["id"], manager["username"], "manager", None, scope_for("manager", None, []))
    last_month = (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    build_queued(rt, queue_report(rt, viewer, month_period(last_month.year, last_month.month), ["csv"], "en"))
    task = rt.db.fetch_one("SELECT id FROM tasks WHERE employee_id = %s ORDER BY id LIMIT 1", (field,))["id"]
    nonce = "a11y-survey-nonce"
    feedback.create_survey(rt.db, task, nonce, datetime.now(UTC), datetime.now(UTC) + timedelta(days=7))
    server.extra = {
        "share": create_share_link(rt, field, None, 60),
        "survey": survey_path(rt.settings.secret_key, nonce),
        "customer": rt.db.fetch_one("SELECT id FROM customers WHERE owner_employee_id = %s LIMIT 1", (field,))["id"],
        "field": field,
        "today": now.date().isoformat(),
        "alert": help_alert,
    }
    yield server
    server.background.set()
    writer.join(5)
    server.stop()
    next(settings_of, None)


# AG Grid draws a header row first and its column headers a moment later.
SETTLED_GRIDS = """() => [...document.querySelectorAll(".ag-header-row-column")]
  .every(row => row.querySelector("[role=columnheader]"))"""

REVEAL_GRIDS = """() => new Promise(done => {
  document.querySelectorAll(".ag-delay-render").forEach(grid => grid.scrollIntoView());
  const started = Date.now();
  (function check() {
    if (!document.querySelector(".ag-delay-render") || Date.now() - started > 3000) { done(); }
    else { setTimeout(check, 100); }
  })();
})"""


def settle(page: Page) -> None:
    """Until a Dash page has drawn its content and answered its first callbacks (plain pages: at once)."""
    page.wait_for_load_state()
    if page.evaluate("() => !!document.getElementById('react-entry-point')"):
        page.wait_for_selector("#_pages_content > *")
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")
        reveal_grids(page)
        page.wait_for_timeout(700)  # the first intervals' answers and the maps' first frames


def reveal_grids(page: Page) -> None:
    """AG Grid keeps a grid below the fold unrevealed (its header cells hidden) until it is scrolled to, as a
    reader's screen reader or a person would: do that, then come back."""
    page.evaluate(REVEAL_GRIDS)
    page.wait_for_function(SETTLED_GRIDS)
    page.evaluate("() => window.scrollTo(0, 0)")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now (evaluated, so the
    Content-Security-Policy that refuses foreign scripts needs no exception)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    reveal_grids(page)  # a grid a callback redrew after the page settled starts unrevealed again
    return page.evaluate(AXE_RUN, WCAG_TAGS)


def describe(violations: list[dict]) -> str:
    return "\n".join(f"  {v['rule']} ({v['impact']}): {v['help']} — {', '.join(v['targets'])}" for v in violations)


@pytest.fixture
def axe() -> Callable[[Page, str], None]:
    """`axe(page, where)`: fail with each rule, its impact and the elements when the settled page
    has any WCAG 2.1 A/AA violation."""

    def check(page: Page, where: str) -> None:
        settle(page)
        violations = axe_violations(page)
        assert not violations, f"{where}: {len(violations)} WCAG violations\n{describe(violations)}"

    return check
