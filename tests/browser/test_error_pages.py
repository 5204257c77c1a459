"""What a person sees when a page refuses them or does not exist: the one error handler's page, in their
language, with a way back to their own home page — never a bare status line. And while PostgreSQL or Redis
is down (servers of the test's own, stopped here): a page that says so and tries again, or a banner over
the page whose live feed stopped, in their language — never a 500 or a broken page."""

from __future__ import annotations

from dataclasses import replace

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
