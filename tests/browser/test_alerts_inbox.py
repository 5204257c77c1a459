"""The alerts inbox and the bell (issue 17) as a supervisor meets them: the bell in the header counts their teams'
open alerts (red: a warning is open) and is named "N open alerts"; it leads to /alerts, whose grid lists the
alert with its severity in a chip and in words; a row opens the panel with the rule's figures and the link to
the person's day; Acknowledge, then Resolve, and the bell's count falls. Screenshots in English and Chinese at
1440×900 and at a phone's width (i17-inbox-*)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.work import alerting
from data import alerts
from data.scope import Scope
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
TEXTS = {
    "en": {"one": "1 open alert", "none": "0 open alerts", "ack": "Acknowledge", "acked": "Acknowledged"},
    "zh-CN": {"one": "1 条未处理警报", "none": "0 条未处理警报", "ack": "确认", "acked": "已确认"},
}
# The panel has slid in: all of it inside the window.
PANEL_SHOWN = """() => {
  const panel = document.getElementById("alerts-panel");
  if (!panel || !panel.classList.contains("show") || getComputedStyle(panel).visibility !== "visible") return false;
  const r = panel.getBoundingClientRect();
  return r.left >= 0 && r.right <= window.innerWidth + 0.5 && r.width >= 300;
}"""
PANEL_CLOSED = """() => {
  const panel = document.getElementById("alerts-panel");
  return !!panel && !panel.classList.contains("show");
}"""
WIDTHS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


def _raise(rt, north: bool, kind: str, severity: str, detail: dict) -> int:
    person = rt.db.fetch_one(
        f"""SELECT e.id FROM employees e JOIN teams t ON t.id = e.team_id
            WHERE t.name {"=" if north else "<>"} 'North' ORDER BY e.id LIMIT 1"""  # noqa: S608 - a test's constant
    )["id"]
    rule = alerts.rule(rt.db, alerts.create_rule(rt.db, {"kind": kind, "name": kind, "severity": severity}, None))
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    return alerting.raise_alert(rt, rule, person, now_ms, detail=detail, point=(60.1699, 24.9384, 12.0))


def _row(alert_id: int) -> str:
    return f"#alerts-grid .ag-center-cols-container .ag-row[row-id='{alert_id}']"


def _signed_in(browser, server, viewport: dict, lang: str):
    context = browser.new_context(viewport=viewport, locale="en-GB" if lang == "en" else "zh-CN")
    context.add_cookies([{"name": "fieldops_lang", "value": lang, "url": server.url}])
    page = context.new_page()
    sign_in_browser(page, server.url, "supervisor")
    return context, page


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_supervisor_acknowledges_and_resolves_an_alert_from_the_bell(browser, server, axe, lang):
    rt = server.runtime
    words = TEXTS[lang]
    ours = _raise(rt, True, "silent", "warning", {"silent_min": 12})
    _raise(rt, False, "speeding", "critical", {"kmh": 131})  # another team's: neither counted nor listed

    context, page = _signed_in(browser, server, DESKTOP, lang)
    bell = page.locator("#shell-alerts-bell")
    bell.locator("#shell-alerts-count:not([hidden])").wait_for()
    assert page.locator("#shell-alerts-count").inner_text() == "1"
    assert page.get_by_role("link", name=words["one"]).count() == 1  # its accessible name
    assert "fo-bell-urgent" in bell.get_attribute("class")  # a warning: red

    bell.click()
    page.wait_for_url(f"{server.url}/alerts")
    settle(page)
    page.wait_for_selector(_row(ours))
    assert page.locator("#alerts-grid .ag-center-cols-container .ag-row").count() == 1
    chip = page.locator(f"{_row(ours)} .fo-severity-warning")
    assert chip.inner_text() == ("Warning" if lang == "en" else "警告")  # the word, not the colour alone
    if lang == "en":
        axe(page, "the alerts inbox")
    page.screenshot(path=screenshot_path(f"i17-inbox-grid-{lang}"))

    page.locator(f"{_row(ours)} .ag-cell").first.click()
    page.wait_for_function(PANEL_SHOWN)
    panel = page.locator("#alerts-panel")
    assert "12" in panel.inner_text()
    day = page.locator("#alerts-day-link")
    assert day.get_attribute("href").startswith("/analytics/day?employee=")
    if lang == "en":
        axe(page, "the alert's panel")
    page.screenshot(path=screenshot_path(f"i17-inbox-panel-{lang}"))

    page.click("#alert-ack")
    page.wait_for_selector("#alert-ack", state="hidden")
    assert words["acked"] in panel.inner_text()
    assert page.locator("#alert-resolve").is_visible()
    page.click("#alert-resolve")
    page.wait_for_selector("#alert-resolve", state="hidden")
    page.locator(_row(ours)).wait_for(state="detached")  # the default filter: open and acknowledged only
    page.locator("#shell-alerts-count[hidden]").wait_for(state="attached", timeout=15_000)
    assert page.get_by_role("link", name=words["none"]).count() == 1
    assert alerts.inbox(rt.db, Scope.everything(), alert_id=ours)[0]["state"] == "resolved"
    page.screenshot(path=screenshot_path(f"i17-inbox-resolved-{lang}"))
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_inbox_and_its_panel_fit_a_phone(browser, server, lang):
    rt = server.runtime
    ours = _raise(rt, True, "low_battery", "info", {"percent": 9})
    context, page = _signed_in(browser, server, PHONE, lang)
    page.locator("#shell-alerts-count:not([hidden])").wait_for()
    assert "fo-bell-info" in page.locator("#shell-alerts-bell").get_attribute("class")  # info only: grey
    page.goto(f"{server.url}/alerts?alert={ours}")  # as an e-mail or a push links to it
    settle(page)
    page.wait_for_function(PANEL_SHOWN)
    assert "9" in page.locator("#alerts-detail").inner_text()
    scroll_width, inner_width = page.evaluate(WIDTHS)
    assert scroll_width <= inner_width
    page.screenshot(path=screenshot_path(f"i17-inbox-phone-panel-{lang}"))
    page.click("#alerts-panel-close")
    page.wait_for_function(PANEL_CLOSED)
    page.wait_for_selector(_row(ours))
    scroll_width, inner_width = page.evaluate(WIDTHS)
    assert scroll_width <= inner_width
    page.screenshot(path=screenshot_path(f"i17-inbox-phone-{lang}"))
    context.close()
