"""Every page, opened in headless Chromium by a role that may open it, under the real
Content-Security-Policy: no script refused, no error in the console, no page error."""

from __future__ import annotations

import pytest

from dashboard.demo.seed import demo_wall_secret
from tests.conftest import SECRET, sign_in_browser
from tests.integration.test_permissions_matrix import PAGE_ACCESS

# The first of these roles that may open a page opens it.
PREFERRED_ROLES = ("manager", "supervisor", "field", "admin", "executive", "wall")


def _opener(path: str) -> str:
    return next(role for role in PREFERRED_ROLES if role in PAGE_ACCESS[path])


def test_the_policy_allows_only_our_own_scripts(day_server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(day_server.url + "/login")
    policy = page.evaluate("() => fetch('/login').then(r => r.headers.get('content-security-policy'))")
    context.close()
    assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize("role", sorted({_opener(path) for path in PAGE_ACCESS}))
def test_every_page_runs_without_a_console_error(day_server, browser, role):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    if role == "wall":
        page.goto(f"{day_server.url}/wall/login/{demo_wall_secret(SECRET)}")
    else:
        sign_in_browser(page, day_server.url, role)
    opened = []
    for path in sorted(path for path in PAGE_ACCESS if _opener(path) == role):
        page.goto(day_server.url + path)
        page.wait_for_selector("#_pages_content > *")
        page.wait_for_timeout(1500)  # the page's first callbacks and polls
        opened.append(path)
    context.close()
    assert opened
    assert problems == [], problems
