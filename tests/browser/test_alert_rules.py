"""The alert rules page (issue 17) as a supervisor of North uses it: New rule opens the side panel, they make
"Silent 5 min" for team North, the grid shows it in words, and the preview counts how often it would have fired
yesterday (a North person's hour of positions: silent from the day's start and after it, twice). The panel in
English and in Chinese is saved as a screenshot (i17-alert-rules-<lang>)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from data.positions import PositionRow, insert_positions
from tests.browser import screenshot_path
from tests.browser.conftest import axe_violations, describe, settle
from tests.conftest import sign_in_browser

DESKTOP = {"width": 1600, "height": 1000}
TEXTS = {
    "en": {"new": "New rule", "saved": "Rule saved.", "fired": "would have fired", "words": "silent for 5 min"},
    "zh-CN": {"new": "新建规则", "saved": "规则已保存。", "fired": "本会触发", "words": "无信号 5 分钟"},
}


def _desktop(browser, url: str, lang: str):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    if lang != "en":
        context.add_cookies([{"name": "fieldops_lang", "value": lang, "url": url}])
    page = context.new_page()
    sign_in_browser(page, url, "supervisor")
    return context, page


def _an_hour_yesterday(rt) -> str:
    """One North person's positions yesterday 09:00-10:00 (the demo works round the clock): a 5-minute silence
    rule would have fired at 00:05 and at 10:05. Returns the person's name."""
    person = rt.db.fetch_one(
        """SELECT e.id, e.name FROM employees e JOIN teams t ON t.id = e.team_id
           WHERE t.name = 'North' ORDER BY e.id LIMIT 1"""
    )
    yesterday = (datetime.now(rt.settings.tz) - timedelta(days=1)).date()
    start = datetime(yesterday.year, yesterday.month, yesterday.day, 9, 0, tzinfo=rt.settings.tz)
    rows = [
        PositionRow(person["id"], start + timedelta(minutes=m), 60.17, 24.94, 1.0, None, 8.0, 0, "test")
        for m in range(61)
    ]
    insert_positions(rt.db, rows)
    return person["name"]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_supervisor_makes_silent_5_min_for_north_and_sees_its_preview(server, browser, lang):
    rt = server.runtime
    name = _an_hour_yesterday(rt)
    words = TEXTS[lang]
    context, page = _desktop(browser, server.url, lang)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{server.url}/alerts/rules")
    settle(page)
    assert page.locator("#alert-rule-new").inner_text() == words["new"]
    page.click("#alert-rule-new")
    page.wait_for_selector("#alert-rule-panel.show")
    page.wait_for_function("() => document.querySelector('#alert-rule-teams').innerText.includes('North')")
    page.fill("#alert-rule-name", "Silent 5 min")
    page.fill("#alert-rule-param-minutes", "5")
    page.press("#alert-rule-param-minutes", "Tab")
    # The preview of the rule as filled in: a number, with the person it would have fired for.
    yesterday = page.locator("#alert-rule-preview-yesterday")
    page.wait_for_function(
        "() => (document.querySelector('#alert-rule-preview-yesterday') || {}).dataset?.count === '2'", timeout=15000
    )
    assert words["fired"] in yesterday.inner_text()
    assert name in page.locator("#alert-rule-preview-people").inner_text()
    page.click("#alert-rule-save")
    page.wait_for_function(
        "text => document.querySelector('#alert-rule-result').innerText.includes(text)", arg=words["saved"]
    )
    row = page.locator("#alert-rules-grid .ag-row", has_text="Silent 5 min")
    row.wait_for()
    assert "North" in row.inner_text() and words["words"] in row.inner_text()
    page.screenshot(path=screenshot_path(f"i17-alert-rules-{lang}"))
    rule = next(
        r for r in rt.db.fetch_all("SELECT name, team_ids, params FROM alert_rules") if r["name"] == "Silent 5 min"
    )
    north = rt.db.fetch_one("SELECT id FROM teams WHERE name = 'North'")["id"]
    assert rule["team_ids"] == [north] and rule["params"] == {"minutes": 5.0}
    assert problems == []
    context.close()


def test_a_refused_field_says_why_beside_it(server, browser):
    context, page = _desktop(browser, server.url, "en")
    page.goto(f"{server.url}/alerts/rules")
    settle(page)
    page.click("#alert-rule-new")
    page.wait_for_selector("#alert-rule-panel.show")
    page.fill("#alert-rule-name", "   ")
    page.press("#alert-rule-name", "Tab")
    page.click("#alert-rule-save")
    page.wait_for_function("() => document.querySelector('#alert-rule-error-name').innerText.includes('name')")
    assert "not saved" in page.locator("#alert-rule-result").inner_text()
    assert page.locator("#alert-rule-error-minutes").inner_text() == ""
    page.screenshot(path=screenshot_path("i17-alert-rules-refused"))
    violations = axe_violations(page)  # the panel open, with its message
    assert not violations, describe(violations)
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#alert-rule-panel').classList.contains('show')")
    context.close()


def test_escape_closes_an_open_dropdown_first_and_the_panel_only_after(server, browser):
    """Escape in an open list closes the list and keeps what the form holds; the next Escape closes the panel."""
    context, page = _desktop(browser, server.url, "en")
    page.goto(f"{server.url}/alerts/rules")
    settle(page)
    page.click("#alert-rule-new")
    page.wait_for_selector("#alert-rule-panel.show")
    page.fill("#alert-rule-name", "Kept")
    page.click("#alert-rule-kind")
    page.wait_for_selector("[role='listbox']")
    page.keyboard.press("Escape")
    page.wait_for_selector("[role='listbox']", state="detached")
    page.wait_for_timeout(300)
    assert "show" in page.locator("#alert-rule-panel").get_attribute("class")
    assert page.input_value("#alert-rule-name") == "Kept"
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#alert-rule-panel').classList.contains('show')")
    context.close()
