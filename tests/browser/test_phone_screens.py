"""The phone as field staff hold it, 360 × 740 (issue 16): where signing in lands, the tab bar at the bottom, one
sharing state on the phone page and My data with only the Pause or Resume that applies, a result on the card
tapped, and no page wider than the screen. Screenshots in English and Chinese."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock

import pytest

from dashboard.ingest.privacy import pause_sharing
from data import audit, pauses, working_hours
from tests.browser import screenshot_path
from tests.conftest import password_of, sign_in_browser, track_around_the_clock

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1600, "height": 1000}
LANGUAGES = ("en", "zh-CN")


@pytest.fixture
def server(day_server):
    return day_server


def _context(browser, server, language: str = "en", viewport: dict = PHONE):
    options = {"is_mobile": True, "has_touch": True} if viewport is PHONE else {}
    context = browser.new_context(viewport=viewport, **options)
    context.add_cookies([{"name": "fieldops_lang", "value": language, "url": server.url}])
    return context


def _phone(browser, server, language: str = "en", path: str = "/m"):
    context = _context(browser, server, language)
    page = context.new_page()
    sign_in_browser(page, server.url, "field")
    page.goto(f"{server.url}{path}")
    page.wait_for_selector("#tab-bar")
    return context, page


def _field(rt) -> int:
    return rt.db.fetch_one("SELECT employee_id FROM users WHERE username = 'field'")["employee_id"]


def _sign_in_from(page, url: str) -> None:
    """Open `url` signed out, and sign in on the page it sends to (the form carries its `next`)."""
    page.goto(url)
    page.wait_for_selector("#username")
    page.fill("#username", "field")
    page.fill("#password", password_of("field"))
    page.click("#login-submit")
    page.wait_for_url(lambda address: "/login" not in address)


def test_field_staff_signing_in_land_on_the_phone_page_and_a_deep_link_is_kept(browser, server):
    rt = server.runtime
    customer = rt.db.fetch_one(
        "SELECT id FROM customers WHERE owner_employee_id = %s ORDER BY id LIMIT 1", (_field(rt),)
    )["id"]
    for start, lands in (
        ("/login", "/m"),
        ("/", "/m"),  # the guard sends "/" to the form with next="/": that is no deep link
        ("/me", "/me"),
        (f"/customers?customer={customer}", f"/customers?customer={customer}"),
    ):
        context = _context(browser, server)
        page = context.new_page()
        _sign_in_from(page, f"{server.url}{start}")
        assert page.url == f"{server.url}{lands}", start
        page.wait_for_selector("#tab-bar")
        if lands == "/m":
            page.wait_for_selector(".fo-m-task")
            assert page.inner_text("#mobile-page h2") == "Today"
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tab_bar_is_one_row_of_thumb_sized_tabs_at_the_bottom(browser, server, language):
    context, page = _phone(browser, server, language)
    page.wait_for_selector(".fo-m-task")
    bar = page.locator("#tab-bar").bounding_box()
    assert bar["y"] + bar["height"] == pytest.approx(PHONE["height"], abs=1)  # on the screen's bottom edge
    assert bar["width"] == pytest.approx(PHONE["width"], abs=1)
    tabs = [page.locator(selector).bounding_box() for selector in ("#tab-mobile", "#tab-customers", "#tab-me")]
    tabs.append(page.locator("#tab-more").bounding_box())
    assert all(tab["height"] >= 48 and tab["width"] >= 48 for tab in tabs)
    assert len({round(tab["y"]) for tab in tabs}) == 1  # one row
    assert all(tab["x"] >= 0 and tab["x"] + tab["width"] <= PHONE["width"] + 0.5 for tab in tabs)
    menu = page.locator("nav.fo-nav").bounding_box()
    assert menu["height"] <= 56  # the top bar is one row: the pages' links are in the tab bar now
    page.wait_for_selector("#tab-mobile[aria-current='page']")
    today, other = (
        page.eval_on_selector(s, "e => getComputedStyle(e).backgroundColor") for s in ("#tab-mobile", "#tab-me")
    )
    assert today != other  # the current tab is marked, not only by an attribute
    assert page.inner_text("#tab-mobile") == ("Today" if language == "en" else "今天")
    page.screenshot(path=screenshot_path(f"i16-phone-tabs-{language}"))

    page.click("#tab-more")
    page.wait_for_selector("#tab-page-trackers")
    items = page.locator(".fo-tab-menu").bounding_box()
    assert items["y"] >= 0 and items["y"] + items["height"] <= bar["y"] + 1  # opens above the bar, on screen
    page.screenshot(path=screenshot_path(f"i16-phone-more-{language}"))
    page.click("#tab-page-me")
    page.wait_for_url(lambda address: address.endswith("/me"))
    page.wait_for_selector("#tab-me[aria-current='page']")
    assert page.get_attribute("#tab-mobile", "aria-current") is None
    context.close()


def test_the_desktop_menu_is_unchanged_at_desktop_size(browser, server):
    context = _context(browser, server, viewport=DESKTOP)
    page = context.new_page()
    sign_in_browser(page, server.url, "supervisor")
    page.wait_for_selector("#nav-livemap")
    assert page.locator("#tab-bar").is_hidden()
    assert page.locator("nav.fo-nav .navbar-nav").is_visible()
    assert page.locator("nav.fo-nav").bounding_box()["height"] == pytest.approx(52, abs=1)
    page.screenshot(path=screenshot_path("i16-phone-desktop-menu-en"))
    context.close()


def _sentence(page) -> str:
    """The sharing sentence the page shows."""
    return page.locator(".fo-sharing-state").inner_text()


def _visible_buttons(page, prefix: str) -> tuple[bool, bool]:
    return page.locator(f"#{prefix}-pause").is_visible(), page.locator(f"#{prefix}-resume").is_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_only_pause_or_resume_is_shown_and_it_flips(browser, server, language):
    track_around_the_clock(server.runtime.db, _field(server.runtime))
    context, page = _phone(browser, server, language)
    page.wait_for_selector("#mobile-sharing-status[data-state='sharing']")
    assert _visible_buttons(page, "mobile") == (True, False)
    page.fill("#mobile-reason", "Lunch")
    page.click("#mobile-pause")
    page.wait_for_selector("#mobile-sharing-status[data-state='paused']")
    page.wait_for_selector("#mobile-resume", state="visible")
    assert _visible_buttons(page, "mobile") == (False, True)
    assert "Lunch" in page.inner_text("#mobile-sharing-status")
    page.locator("#mobile-pause-section").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path(f"i16-phone-paused-{language}"))

    page.goto(f"{server.url}/me")
    page.wait_for_selector("#me-sharing-state[data-state='paused']")
    assert _visible_buttons(page, "me") == (False, True)
    page.click("#me-resume")
    page.wait_for_selector("#me-sharing-state[data-state='sharing']")
    page.wait_for_selector("#me-pause", state="visible")
    assert _visible_buttons(page, "me") == (True, False)
    context.close()


def test_the_phone_page_and_my_data_say_the_same_sharing_state(browser, server):
    """Paused, outside working hours and sharing, each reached by the person's hours or a pause at this instant."""
    rt = server.runtime
    employee = _field(rt)
    today = datetime.now(rt.settings.tz)
    tomorrow = (today.weekday() + 1) % 7
    context, page = _phone(browser, server)
    seen = {}
    for state in ("sharing", "outside_hours", "paused"):
        if state == "sharing":
            track_around_the_clock(rt.db, employee)
        elif state == "outside_hours":  # hours tomorrow only: not now, whatever the instant
            working_hours.replace_slots(rt.db, [(tomorrow, clock(8), clock(16))], employee_id=employee)
        else:
            pause_sharing(rt, employee, "Doctor's appointment")
            paused_at = pauses.open_pause(rt.db, employee)["started_at"]
            assert abs(paused_at - datetime.now(rt.settings.tz)) < timedelta(minutes=1)  # by the app's clock
        texts = []
        for path in ("/m", "/me"):
            page.goto(f"{server.url}{path}")
            page.wait_for_selector(f".fo-sharing-state[data-state='{state}']")
            texts.append(_sentence(page))
            pause_shown, resume_shown = _visible_buttons(page, "mobile" if path == "/m" else "me")
            assert (pause_shown, resume_shown) == (state != "paused", state == "paused")
        assert texts[0] == texts[1], state
        seen[state] = texts[0]
    assert seen["sharing"] == "Sharing is on during your working hours."
    next_start = (today + timedelta(days=1)).strftime("%Y-%m-%d") + " 08:00"
    assert seen["outside_hours"] == (
        f"Outside your working hours: your position is not stored. Sharing starts again at {next_start}."
    )
    assert seen["paused"] == f"Paused since {rt.local(paused_at)}: Doctor's appointment"
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_result_appears_on_the_card_tapped(browser, server, language):
    context, page = _phone(browser, server, language)
    page.wait_for_selector(".fo-m-task")
    second = page.locator(".fo-m-task").nth(1)
    card_id = second.get_attribute("id")
    second.locator("button.btn-success").click()  # Accept
    outcome = page.locator(f"#{card_id} .fo-m-card-result")
    outcome.wait_for()
    expected = "Task accepted." if language == "en" else "任务已接受。"
    assert outcome.inner_text() == expected
    card, box = page.locator(f"#{card_id}").bounding_box(), outcome.bounding_box()
    assert card["y"] <= box["y"] and box["y"] + box["height"] <= card["y"] + card["height"]
    assert box["height"] > 20  # seen, not only announced
    assert page.locator("#mobile-action-result").bounding_box()["height"] <= 1  # no banner at the top
    assert page.locator(".fo-m-card-result").count() == 1
    page.wait_for_timeout(300)
    box, bar = outcome.bounding_box(), page.locator("#tab-bar").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= bar["y"]  # on screen, above the tab bar
    page.screenshot(path=screenshot_path(f"i16-phone-card-result-{language}"))
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_of_field_staff_scrolls_sideways_at_360(browser, server, language):
    rt = server.runtime
    customer = rt.db.fetch_one(
        "SELECT id FROM customers WHERE owner_employee_id = %s ORDER BY id LIMIT 1", (_field(rt),)
    )["id"]
    context, page = _phone(browser, server, language)
    for path, ready, name in (
        ("/m", ".fo-m-task", "today"),
        ("/customers", "#customers-grid .ag-row", "customers"),
        (f"/customers?customer={customer}", "#customers-visits-section", "customer"),
        ("/me", "#me-retention", "my-data"),
    ):
        page.goto(f"{server.url}{path}")
        page.wait_for_selector(ready)
        page.wait_for_timeout(500)
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
        page.screenshot(path=screenshot_path(f"i16-phone-{name}-{language}"), full_page=True)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dates_of_who_looked_at_my_location_are_readable(browser, server, language):
    rt = server.runtime
    employee = _field(rt)
    for action in ("view_live_map", "view_person", "view_track"):
        audit.record(
            rt.db, user_id=None, username="supervisor", role="supervisor", action=action, subject_ids=[employee]
        )
    context, page = _phone(browser, server, language, "/me")
    page.wait_for_selector("#me-looks .fo-look-when")
    looks = page.locator("#me-looks .fo-look-when")
    assert looks.count() >= 3
    frame = page.locator("#me-looks").bounding_box()
    for i in range(looks.count()):
        when = looks.nth(i)
        text = when.inner_text()
        assert len(text) == len("2026-10-24 23:30") and text[4] == "-" and text[13] == ":", text
        box = when.bounding_box()
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
        assert when.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # nothing cut off
    page.locator("#me-looks").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path(f"i16-phone-who-looked-{language}"))
    context.close()
