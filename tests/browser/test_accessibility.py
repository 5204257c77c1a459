"""WCAG 2.1 A and AA on every page (issue 22): axe-core in headless Chromium, in English and Chinese, at
the sizes each page is used at, with data on every page: a fleet's last hour, today's tasks, a help alert,
a finished report, a share link and a survey. Each role signs in once; its pages are opened in turn."""

from __future__ import annotations

import time

import dash
import pytest

from dashboard.demo.seed import demo_wall_secret
from tests.browser.conftest import axe_violations, describe, settle
from tests.conftest import SECRET, sign_in_browser
from tests.integration.test_permissions_matrix import PAGE_ACCESS

DESKTOP = {"width": 1600, "height": 1000}
WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 360, "height": 740}
LANGUAGES = ("en", "zh-CN")
# The first of these roles that may open a page opens it; field staff also open every page of theirs.
PREFERRED_ROLES = ("manager", "supervisor", "field", "admin", "executive", "wall")
SIZES = {"/wall": (WALL,), "/m": (PHONE,)}  # the wall hangs on a wall, /m is the phone's page; others both


def _opener(path: str) -> str:
    return next(role for role in PREFERRED_ROLES if role in PAGE_ACCESS[path])


def pages_of(role: str) -> list[str]:
    paths = {page["relative_path"] for page in dash.page_registry.values()}
    assert paths == set(PAGE_ACCESS)
    return sorted(path for path in paths if _opener(path) == role or (role == "field" and role in PAGE_ACCESS[path]))


# Shows one of the wall's panels at once, as its rotation does (assets/wall.js), so that each is checked.
SHOW_WALL_PANEL = """panel => {
  document.querySelectorAll(".fo-wall-panel").forEach(p => p.classList.toggle("fo-wall-shown", p.id === panel));
}"""


def _scan(page, url: str, sizes: tuple[dict, ...], found: dict[str, list[dict]], label: str) -> None:
    for size in sizes:
        page.set_viewport_size(size)
        page.goto(url)
        settle(page)
        panels = page.eval_on_selector_all(".fo-wall-panel", "all => all.map(p => p.id)") or [""]
        for panel in panels:
            if panel:
                page.evaluate(SHOW_WALL_PANEL, panel)
                page.wait_for_timeout(800)  # the panels fade in
            violations = axe_violations(page)
            if violations:
                found[f"{label} {panel} {size['width']}x{size['height']}".replace("  ", " ")] = violations


def _report(found: dict[str, list[dict]]) -> str:
    return "\n".join(f"{where}: {len(v)} rules\n{describe(v)}" for where, v in found.items())


def _context(browser, server, language: str):
    context = browser.new_context(locale="en-GB" if language == "en" else "zh-CN")
    context.add_cookies([{"name": "fieldops_lang", "value": language, "url": server.url}])
    return context


@pytest.mark.parametrize("role", ["manager", "field", "admin", "wall"])
def test_every_page_of_a_role_has_no_wcag_violation(browser, a11y_server, role):
    server, started = a11y_server, time.monotonic()
    extra = {
        "/customers": [f"/customers?customer={server.extra['customer']}"],
        "/tasks": [f"/tasks?employee={server.extra['field']}"],  # one person's board and its chip (issue 16)
        "/analytics/day": [f"/analytics/day?employee={server.extra['field']}&date={server.extra['today']}"],
        "/alerts": [f"/alerts?alert={server.extra['alert']}"],  # an alert's panel, as a push links to it (issue 17)
    }
    found: dict[str, list[dict]] = {}
    for language in LANGUAGES:
        context = _context(browser, server, language)
        page = context.new_page()
        if role == "wall":
            page.goto(f"{server.url}/wall/login/{demo_wall_secret(SECRET)}")
        else:
            sign_in_browser(page, server.url, role)
        for path in pages_of(role):
            for address in [path, *extra.get(path, [])] if role != "field" else [path]:
                _scan(
                    page, server.url + address, SIZES.get(path, (DESKTOP, PHONE)), found, f"{role} {language} {address}"
                )
        if role == "manager":
            _scan(page, server.url + "/no-such-page", (DESKTOP, PHONE), found, f"{language} 404 page")
            _scan(page, server.url + "/admin/users", (DESKTOP,), found, f"{language} 403 page")
        context.close()
    print(f"{role}: {time.monotonic() - started:.0f} s")
    assert not found, f"{len(found)} pages with WCAG violations\n{_report(found)}"


def test_the_public_pages_have_no_wcag_violation(browser, a11y_server):
    server, found = a11y_server, {}
    for language in LANGUAGES:
        context = _context(browser, server, language)
        page = context.new_page()
        for path in ("/login", server.extra["share"], server.extra["survey"]):
            _scan(page, server.url + path, (DESKTOP, PHONE), found, f"{language} {path.split('/')[1]}")
        context.close()
    assert not found, f"{len(found)} pages with WCAG violations\n{_report(found)}"
