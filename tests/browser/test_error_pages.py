"""What a person sees when a page refuses them or does not exist: the one error handler's page, in their
language, with a way back to their own home page — never a bare status line. And while PostgreSQL or Redis
is down (servers of the test's own, stopped here): a page that says so and tries again, or a banner over
the page whose live feed stopped, in their language — never a 500 or a broken page."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dashboard.work.accounts import create_account
from data.db import Database
from data.migrate import migrate
from tests.browser import screenshot_path
from tests.conftest import LiveServer, password_of, sign_in_browser, wait_until


def test_a_page_not_for_your_role_says_so_and_leads_home(page, server):
    sign_in_browser(page, server.url, "supervisor")
    answer = page.goto(server.url + "/admin/users")
    assert answer is not None and answer.status == 403
    assert page.inner_text("#error-message") == "You do not have access to this page."
    page.screenshot(path=screenshot_path("error_403"))
    page.get_by_role("link", name="Back to your home page").click()
    page.wait_for_selector("#livemap-count-total")  # a supervisor's home is the live map


def test_an_unknown_address_is_a_page_in_the_viewers_language(page, server):
    page.context.add_cookies([{"name": "fieldops_lang", "value": "zh-CN", "url": server.url}])
    sign_in_browser(page, server.url, "field")
    answer = page.goto(server.url + "/no-such-page")
    assert answer is not None and answer.status == 404
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.inner_text("#error-message") != "This page does not exist."  # translated
    page.screenshot(path=screenshot_path("error_404_zh"))
    page.locator("a").last.click()
    assert page.url.endswith("/m")  # field staff go home to their phone page


def test_while_redis_is_down_the_live_map_says_so_over_the_map_and_recovers(page, seeded_settings, own_redis):
    server = LiveServer(replace(seeded_settings, redis_url=own_redis.url))
    try:
        page.context.add_cookies([{"name": "fieldops_lang", "value": "zh-CN", "url": server.url}])
        sign_in_browser(page, server.url, "supervisor")
        page.wait_for_selector("#livemap-count-total")
        own_redis.stop()
        banner = page.wait_for_selector("#fo-outage", timeout=20_000)
        assert "Redis" in banner.inner_text() and "实时数据" in banner.inner_text()  # the viewer's language
        assert page.is_visible("#livemap-count-total")  # the page keeps what it had
        page.screenshot(path=screenshot_path("outage_redis_banner_zh"))
        own_redis.start()
        page.wait_for_selector("#fo-outage", state="detached", timeout=20_000)
    finally:
        server.stop()


def test_while_postgres_is_down_a_page_says_so_and_tries_again(page, settings, own_postgres):
    postgres, url = own_postgres
    db = Database(url)
    migrate(db)
    create_account(db, "manager", password_of("manager"), "manager")
    db.close()
    server = LiveServer(replace(settings, database_url=url))
    try:
        sign_in_browser(page, server.url, "manager")
        postgres.stop()
        answer = page.goto(server.url + "/")
        assert answer is not None and answer.status == 503 and answer.headers["retry-after"] == "30"
        assert "PostgreSQL" in page.inner_text("#error-message")
        assert page.inner_text("#error-retrying") == "This page tries again by itself."
        page.screenshot(path=screenshot_path("outage_postgres_page"))
        assert page.get_by_role("link", name="Try again").get_attribute("href") == "/"
        postgres.start()
        # The first requests after a restart may meet the pool's connections from before it: 503 again.
        wait_until(lambda: page.goto(server.url + "/").status == 200, "the page to answer once PostgreSQL is back")
        page.wait_for_selector("#livemap-count-total")
    finally:
        server.stop()


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_refused_and_missing_pages_keep_the_menu_and_lead_home(browser, server, language):
    """Issue 16: a 403 or 404 is a page of the app: the viewer's own menu over it, its heading and message in
    their language, a button to their home page; nothing wider than the screen. Programs still get JSON."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.add_cookies([{"name": "fieldops_lang", "value": language, "url": server.url}])
    page = context.new_page()
    sign_in_browser(page, server.url, "supervisor")
    zh = language == "zh-CN"
    for path, status, heading in (
        ("/admin/users", 403, "无权访问" if zh else "No access"),
        ("/no-such-page", 404, "页面不存在" if zh else "Page not found"),
    ):
        answer = page.goto(server.url + path)
        assert answer is not None and answer.status == status
        assert page.get_attribute("html", "lang") == language
        menu = page.locator("nav.fo-nav")
        box = menu.bounding_box()
        assert box is not None and box["y"] == 0 and box["width"] == 1600  # the app's menu bar, across the top
        assert page.inner_text("nav.fo-nav .navbar-nav").split()[:2] == (
            ["实时地图", "任务"] if zh else ["Live", "map"]
        )
        assert page.inner_text("#main-content h2") == heading
        home = page.locator("#error-home")
        assert home.inner_text() == ("返回您的首页" if zh else "Back to your home page")
        home_box = home.bounding_box()
        assert home_box is not None and home_box["y"] + home_box["height"] < 1000  # in the first screen
        assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
        page.screenshot(path=screenshot_path(f"i16-screens-error-{status}-{language}"))
    page.locator("#nav-tasks").click()  # the menu works from the error page
    page.wait_for_url(f"{server.url}/tasks")
    page.goto(server.url + "/no-such-page")
    page.locator("#error-home").click()
    page.wait_for_selector("#livemap-count-total")  # a supervisor's home: the live map
    api = page.request.get(server.url + "/api/no-such-thing")
    assert api.status == 404 and api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["error"]["code"] == "not_found"
    context.close()


def test_an_unknown_address_for_someone_not_signed_in_is_the_sign_in_styled_page(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "fieldops_lang", "value": "zh-CN", "url": server.url}])
    page = context.new_page()
    answer = page.goto(server.url + "/no-such-page")
    assert answer is not None and answer.status == 404
    assert page.inner_text("#error-message") == "此页面不存在。"
    card = page.locator("main.fo-login").bounding_box()
    assert card is not None and card["x"] >= 0 and card["x"] + card["width"] <= 360
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
    page.screenshot(path=screenshot_path("i16-screens-error-404-anonymous-zh-CN"))
    page.get_by_role("link", name="登录").click()
    page.wait_for_selector("#username")
    context.close()
