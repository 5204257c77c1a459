"""Consent on the phone and the register (issue 19, PIPL art. 28-29): the text is shown before anything else at
first sign-in, given; withdrawn after a confirmation, the phone stops sending and the supervisor's live map lists
the person as consent withdrawn within its refresh; the admin's register shows it."""

from __future__ import annotations

from dashboard.ingest.privacy import tracking_policy
from tests.browser import screenshot_path
from tests.conftest import sign_in_browser, wait_until

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
ROWS = "#livemap-people .ag-center-cols-container .ag-row"


def _field(rt) -> dict:
    return rt.db.fetch_one("SELECT id, code, name FROM employees WHERE code = 'E0001'")


def test_the_phone_asks_first_then_withdrawal_reaches_the_live_map_and_the_register(browser, server):
    rt = server.runtime
    me = _field(rt)
    rt.db.execute("DELETE FROM consent_decisions WHERE employee_id = %s", (me["id"],))  # as if never asked

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in_browser(page, server.url, "field")
    page.goto(f"{server.url}/m")
    panel = page.locator("#mobile-consent")
    panel.wait_for(state="visible")
    assert "withdraw this consent at any time" in page.inner_text("#mobile-consent-text")
    page.screenshot(path=screenshot_path("consent-phone-asks"))
    page.click("#mobile-consent-give")
    panel.wait_for(state="hidden")
    page.wait_for_selector("#mobile-consent-state[data-state='given']")
    assert page.locator("#mobile-consent-flag.fo-consent-on").count() == 1

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#mobile-consent-withdraw")
    page.wait_for_selector("#mobile-consent-state[data-state='withdrawn']")
    page.wait_for_selector("#mobile-consent-flag.fo-consent-off", state="attached")
    assert page.is_visible("#mobile-consent-regive") and not page.is_visible("#mobile-consent-withdraw")
    page.locator("#mobile-consent-section").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("consent-phone-withdrawn"))
    # The phone keeps no position while withdrawn: its buffer is emptied and sending stays off.
    page.evaluate("() => localStorage.setItem('fieldops.m.buffer', JSON.stringify([{ts: Date.now(), lat: 1, lon: 1}]))")
    wait_until(lambda: page.evaluate("() => localStorage.getItem('fieldops.m.buffer')") == "[]", "the buffer emptied")
    phone.close()

    board = browser.new_context(viewport=DESKTOP)
    live = board.new_page()
    sign_in_browser(live, server.url, "manager")
    live.goto(f"{server.url}/language/en?next=/")
    live.wait_for_selector(ROWS, timeout=20_000)
    live.fill("#livemap-search", me["code"])
    row = live.locator(ROWS, has_text=me["code"])
    row.locator(".fo-person-state", has_text="Consent withdrawn").wait_for(timeout=20_000)
    assert live.inner_text("#livemap-count-consent_withdrawn") == "1"
    live.screenshot(path=screenshot_path("consent-live-map"))
    board.close()

    office = browser.new_context(viewport=DESKTOP)
    admin = office.new_page()
    sign_in_browser(admin, server.url, "admin")
    admin.goto(f"{server.url}/admin/consent")
    admin.wait_for_selector("#consent-register .ag-row")
    admin.locator("#consent-register .ag-row", has_text="consent withdrawn").first.wait_for()
    assert admin.locator("#consent-register .ag-row", has_text="consent given").count() > 0
    assert admin.is_checked("#consent-basis input[value='consent']")
    admin.screenshot(path=screenshot_path("consent-register"), full_page=True)
    office.close()


def test_an_admin_publishes_a_new_version_and_the_phone_asks_again(browser, server):
    rt = server.runtime
    context = browser.new_context(viewport=DESKTOP)
    admin = context.new_page()
    sign_in_browser(admin, server.url, "admin")
    admin.goto(f"{server.url}/admin/consent")
    admin.wait_for_selector("#consent-current", state="attached")
    admin.fill("#consent-text-en", "Version two: positions are kept for 30 days.")
    admin.fill("#consent-text-zh", "第二版：位置保存 30 天。")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click("#consent-publish")
    admin.wait_for_selector("#consent-publish-result >> text=Version 2 published")
    assert rt.db.fetch_one("SELECT count(*) AS n FROM consent_texts WHERE version = 2")["n"] == 2
    context.close()

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in_browser(page, server.url, "field")
    page.goto(f"{server.url}/language/zh-CN?next=/m")
    page.locator("#mobile-consent").wait_for(state="visible")
    assert "第二版" in page.inner_text("#mobile-consent-text")
    page.click("#mobile-consent-later")  # put off: the earlier consent still holds meanwhile
    page.locator("#mobile-consent").wait_for(state="hidden")
    page.wait_for_selector("#mobile-consent-flag.fo-consent-on", state="attached")
    phone.close()


def test_an_admin_records_a_withdrawal_told_in_person_and_a_consent_given_in_writing(browser, server):
    """A Traccar Client alone has no screen to ask on: the admin records the answer, and ingest follows it."""
    rt = server.runtime
    person = rt.db.fetch_one("SELECT id, code, name FROM employees WHERE code = 'E0002'")
    admin = browser.new_context(viewport=DESKTOP).new_page()
    sign_in_browser(admin, server.url, "admin")
    admin.goto(f"{server.url}/admin/consent")
    admin.wait_for_selector("#consent-register .ag-row")
    admin.click("#consent-person")
    admin.get_by_role("option", name=f"{person['name']} ({person['code']})", exact=True).click()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click("#consent-record-withdraw")
    admin.wait_for_selector("#consent-record-result .alert-success")
    assert person["id"] in tracking_policy(rt).refresh().withdrawn
    row = admin.locator("#consent-register .ag-row", has_text=person["code"])
    wait_until(lambda: "consent withdrawn" in row.first.inner_text(), "the register to say so")
    assert "by an administrator" in row.first.inner_text()
    admin.screenshot(path=screenshot_path("consent-recorded-by-admin"))

    admin.click("#consent-record-give")
    admin.wait_for_selector("#consent-record-result >> text=Consent recorded.")
    assert person["id"] not in tracking_policy(rt).refresh().withdrawn
    wait_until(lambda: "consent given" in row.first.inner_text(), "the register to say so")
