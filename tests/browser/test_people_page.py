"""The People page (issue 18) by keyboard and in Simplified Chinese: Tab to the grid, the arrows to a person,
Enter opens their panel with the focus on its title, Escape closes it; axe finds nothing on the page or the panel."""

from __future__ import annotations

from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.browser.test_keyboard import tab_to
from tests.conftest import sign_in_browser


def test_a_person_is_opened_and_closed_with_the_keyboard_in_chinese(browser, server, axe):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    sign_in_browser(page, server.url, "manager")
    page.goto(f"{server.url}/language/zh-CN?next=/admin/people")
    settle(page)
    assert page.inner_text("#people-page h2") == "人员"
    assert page.inner_text("#people-new") == "新增人员"
    axe(page, "the People page")
    tab_to(page, "#people-grid .ag-cell")
    page.keyboard.press("ArrowDown")
    row = "document.activeElement.closest('.ag-row')"
    code = page.evaluate(f"() => {row}.querySelector('[col-id=code]').textContent")
    page.keyboard.press("Enter")
    page.wait_for_selector("#people-panel.show")
    page.wait_for_function("code => document.getElementById('people-code').value === code", arg=code)
    page.wait_for_function("() => document.activeElement.id === 'people-panel-title'")
    assert page.inner_text("#people-panel-title").startswith("人员：")
    page.wait_for_selector("#people-history >> text=没有修改记录。")  # the demo's seed made them, not the page
    page.wait_for_selector("#people-devices-list, #people-devices-none")
    page.wait_for_timeout(500)  # the panel's slide in
    page.screenshot(path=screenshot_path("i18-people-panel-zh"))
    axe(page, "the People page with a person's panel")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('people-panel').classList.contains('show')")
    # The focus goes back to the row in the frame after the panel closes (assets/panels.js).
    page.wait_for_function(
        "s => document.activeElement && document.activeElement.matches(s)", arg="#people-grid .ag-cell"
    )
    context.close()
