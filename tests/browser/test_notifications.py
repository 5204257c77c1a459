"""Alert notifications as people see them, in headless Chromium: the admin registers a chat robot and sends it a
test message (a real receiver on 127.0.0.1); the alerts' push button shows its state and the push service worker
takes the whole site as its scope."""

from __future__ import annotations

import orjson

from data import alerts, org_settings
from tests.browser import screenshot_path
from tests.conftest import sign_in_browser
from tests.integration.test_notifications import Receiver

PUSH_BUTTON = """() => document.body.insertAdjacentHTML('beforeend',
    '<button id="alerts-push-enable" class="btn btn-outline-secondary">…</button>')"""


def test_admin_adds_a_wecom_robot_and_it_takes_the_test_message(page, server):
    receiver = Receiver()
    try:
        org_settings.set_setting(server.runtime.db, "webhooks.allow_private_targets", True, None)
        sign_in_browser(page, server.url, "admin")
        page.goto(server.url + "/admin/integration")
        page.fill("#integration-robot-name", "Dispatch group")
        page.fill("#integration-robot-url", f"{receiver.base}/wecom/send?key=secret-key")
        page.click("#integration-robot-create")
        page.wait_for_selector("#integration-robot-result >> text=Robot #1 added")
        row = page.wait_for_selector("#integration-robots .ag-row:has-text('Dispatch group')")
        assert "secret-key" not in row.inner_text()  # the key in the address is not shown
        page.click("#integration-robot-pick")
        page.get_by_role("option", name="#1 Dispatch group").click()
        page.click("#integration-robot-test")
        page.wait_for_selector("#integration-robot-result >> text=Test message sent.", timeout=20_000)
        page.locator("#integration-robots").scroll_into_view_if_needed()
        page.screenshot(path=screenshot_path("admin_chat_robots"), full_page=True)
        (sent,) = receiver.received
        body = orjson.loads(sent["body"])
        assert body["msgtype"] == "markdown" and "FieldOps test message" in body["markdown"]["content"]
        page.click("#integration-robot-delete")
        page.wait_for_selector("#integration-robot-result >> text=Robot deleted")
        assert alerts.robots(server.runtime.db) == []
    finally:
        receiver.close()


def test_the_push_button_says_off_and_the_worker_takes_the_whole_site(page, server):
    sign_in_browser(page, server.url, "supervisor")
    page.goto(server.url + "/")
    page.evaluate(PUSH_BUTTON)
    button = page.wait_for_selector("#alerts-push-enable[data-push-state='off']")
    assert button.inner_text() == "Browser notifications: off"
    assert button.get_attribute("aria-pressed") == "false"
    scope = page.evaluate("navigator.serviceWorker.register('/push-sw.js', {scope: '/'}).then(r => r.scope)")
    assert scope == server.url + "/"
    scripts = page.evaluate("[...document.scripts].map(s => s.src)")
    assert any(s.endswith("push.js") or "push.js?" in s for s in scripts)
    assert not any("push-sw.js" in s for s in scripts)  # the worker is no page's script


def test_the_push_button_says_when_the_browser_cannot_push(browser, server):
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="zh-CN")
    context.add_init_script("delete window.PushManager")
    page = context.new_page()
    try:
        sign_in_browser(page, server.url, "supervisor")
        page.goto(server.url + "/")
        page.evaluate(PUSH_BUTTON)
        button = page.wait_for_selector("#alerts-push-enable[data-push-state='unsupported']")
        assert button.inner_text() == "浏览器通知：此浏览器不支持" and button.is_disabled()
    finally:
        context.close()
