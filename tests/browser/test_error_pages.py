"""What a person sees when a page refuses them or does not exist: the one error handler's page, in their
language, with a way back to their own home page — never a bare status line."""

from __future__ import annotations

from tests.browser import screenshot_path
from tests.conftest import sign_in_browser


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
