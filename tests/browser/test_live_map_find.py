"""Finding a person on the live map (issue 16) as a supervisor does: the search box in both scripts, the people
list beside the map, Follow, and the details panel's links onward. Fixes are posted through the ingest's one
door, stamped by the test's clock (pinned or not)."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from dashboard.ingest.accept import accept_fixes
from dashboard.ingest.privacy import tracking_policy
from data import activities, employees
from tests.browser import screenshot_path
from tests.conftest import consent_given, sign_in_browser, track_around_the_clock, wait_until

METRES_LAT = 1 / 111_320
DESKTOP = {"width": 1600, "height": 1000}
ROWS = "#livemap-people .ag-center-cols-container .ag-row"
# The map's centre as Dash holds it (dash-leaflet keeps `center` up to date after every move).
MAP_CENTRE_JS = """() => {
    const state = window.store.getState();
    let node = state.layout;
    for (const key of state.paths.strs["livemap-map"]) { node = node[key]; }
    return node.props.center;
}"""
SHOWN_ROWS_JS = """() => [...document.querySelectorAll('#livemap-people .ag-center-cols-container .ag-row')]
    .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
    .map((row) => ({id: Number(row.getAttribute('row-id')), text: row.innerText.replace(/\\s+/g, ' ').trim()}))"""


def _fix(lat: float, lon: float) -> dict:
    return {"ts": int(time.time() * 1000), "lat": lat, "lon": lon, "accuracy": 5, "speed": 0}


@pytest.fixture
def namesakes(day_server):
    """Two people called 王芳 in two teams, both reporting; the first on a visit at a customer's site."""
    rt = day_server.runtime
    north, east = (row["id"] for row in rt.db.fetch_all("SELECT id FROM teams ORDER BY id LIMIT 2"))
    site = rt.db.fetch_one(
        """SELECT c.id, c.name, z.center_lat AS lat, z.center_lon AS lon FROM customers c
           JOIN zones z ON z.customer_id = c.id AND z.kind = 'customer_site' ORDER BY c.id LIMIT 1"""
    )
    first = employees.create_employee(rt.db, "E9101", "王芳", north)
    second = employees.create_employee(rt.db, "E9102", "王芳", east)
    for person in (first, second):
        track_around_the_clock(rt.db, person)
    consent_given(rt, first, second)
    tracking_policy(rt).refresh(force=True)
    activities.open_visit(rt.db, first, site["id"], None, datetime.now(rt.settings.tz), source="mobile")
    accept_fixes(rt, first, [_fix(site["lat"], site["lon"])], "native")
    accept_fixes(rt, second, [_fix(site["lat"] + 900 * METRES_LAT, site["lon"])], "native")
    return {"server": day_server, "ids": {first: "E9101", second: "E9102"}, "customer": site, "second": second}


def _open_live_map(browser, url: str, username: str, language: str = "en"):
    page = browser.new_page(viewport=DESKTOP)
    sign_in_browser(page, url, username)
    page.goto(f"{url}/language/{language}?next=/")
    page.wait_for_selector(ROWS, timeout=20_000)
    return page


def _shown(page) -> list[dict]:
    return page.evaluate(SHOWN_ROWS_JS)


def _search(page, text: str) -> set[int]:
    page.fill("#livemap-search", text)
    wait_until(lambda: all("王芳" in row["text"] for row in _shown(page)) and _shown(page), f"the list for {text!r}")
    return {row["id"] for row in _shown(page)}


def _centre_near(page, lat: float, lon: float, metres: float = 30) -> bool:
    centre = page.evaluate(MAP_CENTRE_JS)
    if isinstance(centre, dict):
        centre = [centre["lat"], centre["lng"]]
    return abs(centre[0] - lat) < metres * METRES_LAT and abs(centre[1] - lon) < 2 * metres * METRES_LAT


def test_wang_fang_is_found_in_either_script_and_the_map_flies_to_her(browser, namesakes):
    server, ids, customer = namesakes["server"], namesakes["ids"], namesakes["customer"]
    page = _open_live_map(browser, server.url, "manager")
    assert _search(page, "wang fang") == set(ids)
    rows = _shown(page)
    assert all(f"王芳 {ids[row['id']]}" in row["text"] for row in rows), rows  # the code with the name, always
    assert _search(page, "wangfang") == _search(page, "王芳") == _search(page, "Wang Fang") == set(ids)
    assert _search(page, "e9102") == {namesakes["second"]}

    page.fill("#livemap-search", "王芳")
    wait_until(lambda: len(_shown(page)) == 2, "both namesakes listed")
    first = _shown(page)[0]["id"]
    page.press("#livemap-search", "Enter")  # Enter picks the first match
    page.wait_for_selector("#livemap-details-name >> text=王芳")
    assert ids[first] in page.inner_text("#livemap-details")
    fix = server.runtime.feed.latest(first)
    wait_until(lambda: _centre_near(page, fix.lat, fix.lon), "the map centred on her")
    assert page.is_visible("#livemap-follow-box")
    chosen = page.locator(f"{ROWS}.fo-row-chosen")
    assert chosen.count() == 1 and chosen.get_attribute("row-id") == str(first)
    page.wait_for_timeout(800)  # the fly's last frames
    page.screenshot(path=screenshot_path("i16-livemap-find-en"))

    # The details lead on: her day (today, in the organisation's zone), her tasks, the customer she is with.
    today = datetime.now(server.runtime.settings.tz).date().isoformat()
    links = page.locator("#livemap-details .fo-onward a")
    page.wait_for_selector("#livemap-link-customer")
    assert page.get_attribute("#livemap-link-day", "href") == f"/analytics/day?employee={first}&date={today}"
    assert page.get_attribute("#livemap-link-tasks", "href") == f"/tasks?employee={first}"
    customer_link = page.inner_text("#livemap-link-customer")
    if first == next(iter(ids)):  # the one on a visit
        assert customer["name"] in customer_link
        assert links.count() == 3
    page.click("#livemap-link-day")
    page.wait_for_url(f"**/analytics/day?employee={first}&date={today}")
    page.wait_for_selector("#day-employee >> text=王芳")
    assert page.input_value("#day-date") == today
    page.go_back()
    page.wait_for_selector(ROWS)
    page.close()


def test_the_customer_link_opens_that_customer_and_a_field_account_gets_only_its_pages(browser, namesakes):
    server, customer = namesakes["server"], namesakes["customer"]
    page = _open_live_map(browser, server.url, "manager")
    page.fill("#livemap-search", "E9101")
    wait_until(lambda: len(_shown(page)) == 1, "the one with that code")
    page.click(ROWS)  # a row opens the person as the search's Enter does
    page.wait_for_selector("#livemap-link-customer")
    assert customer["name"] in page.inner_text("#livemap-link-customer")
    page.click("#livemap-link-customer")
    page.wait_for_url(f"**/customers?customer={customer['id']}")
    page.wait_for_selector(f"#customers-name >> text={customer['name']}")
    page.close()

    # Field staff may open their own day and customers, not the task board: no link to it.
    field = employees.employee_by_code(server.runtime.db, "E0001")
    page = browser.new_page(viewport=DESKTOP)
    sign_in_browser(page, server.url, "field")
    page.goto(f"{server.url}/")
    page.wait_for_selector(ROWS, timeout=20_000)
    page.fill("#livemap-search", field["code"])
    page.press("#livemap-search", "Enter")
    page.wait_for_selector("#livemap-link-day")
    assert page.locator("#livemap-link-tasks").count() == 0
    page.close()


def test_people_list_sorts_by_state_and_follow_keeps_the_person_centred(browser, namesakes):
    server, second = namesakes["server"], namesakes["second"]
    rt = server.runtime
    page = _open_live_map(browser, server.url, "manager", "zh-CN")
    roster = rt.db.fetch_one("SELECT count(*) AS n FROM employees WHERE active")["n"]
    wait_until(lambda: len(_shown(page)) == roster or page.locator(ROWS).count() >= 12, "everyone listed")

    # Sorting by state puts them in the legend's order: moving, on a visit, idle, offline, paused, no position.
    order = ["移动中", "拜访中", "空闲", "离线", "已暂停", "尚无位置"]
    page.click("#livemap-people .ag-header-cell[col-id='rank']")

    def ranks() -> list[int]:
        states = page.eval_on_selector_all(
            ROWS,
            "rows => rows.sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))"
            ".map(r => r.querySelector('.fo-person-state').innerText.trim())",
        )
        return [next(i for i, label in enumerate(order) if label in state) for state in states]

    wait_until(lambda: ranks() == sorted(ranks()), "the list in the order of states")
    page.click("#livemap-people .ag-header-cell[col-id='rank']")
    wait_until(lambda: ranks() == sorted(ranks(), reverse=True), "the list in the reverse order of states")
    # What a person sees: the state's palette colour beside its word, the list within its column, the map wider.
    idle = page.locator(f"{ROWS} .fo-dot.fo-idle").first
    assert idle.evaluate("d => getComputedStyle(d).backgroundColor") == "rgb(230, 159, 0)"
    grid = page.locator("#livemap-people .ag-center-cols-viewport")
    assert grid.evaluate("g => g.scrollWidth <= g.clientWidth + 1"), "the list scrolls sideways"
    side = page.locator("#livemap-side").bounding_box()
    assert 300 <= side["width"] <= 420 and page.locator("#livemap-map").bounding_box()["width"] >= 1100
    last = page.locator(f"{ROWS}[row-id='{second}'] [col-id='last']").inner_text()
    assert "秒前" in last or "分钟前" in last

    # In Chinese too, "wang fang" finds both; the search narrows the list and is cleared again.
    assert _search(page, "wang fang") == set(namesakes["ids"])
    page.press("#livemap-search", "Enter")
    page.wait_for_selector("#livemap-details-name >> text=王芳")
    page.wait_for_timeout(1500)
    page.screenshot(path=screenshot_path("i16-livemap-find-zh-CN"))
    page.fill("#livemap-search", "")
    wait_until(lambda: len(_shown(page)) > 2, "everyone listed again")

    # Follow her: the next fix moves the map with her; choosing someone else switches Follow off.
    page.click(f"{ROWS}[row-id='{second}']")
    page.wait_for_selector("#livemap-details-name >> text=王芳")
    page.check("#livemap-follow input")
    fix = rt.feed.latest(second)
    moved = (fix.lat + 400 * METRES_LAT, fix.lon + 300 * METRES_LAT / 0.55)
    accept_fixes(rt, second, [_fix(*moved)], "native")
    wait_until(lambda: _centre_near(page, *moved), "the map following her to her next fix")
    page.wait_for_timeout(800)
    page.screenshot(path=screenshot_path("i16-livemap-follow-zh-CN"))
    other = next(row["id"] for row in _shown(page) if row["id"] != second)
    page.click(f"{ROWS}[row-id='{other}']")
    wait_until(lambda: not page.is_checked("#livemap-follow input"), "Follow switched off for another person")

    # The list folds away and the map takes the room.
    width = page.locator("#livemap-map").bounding_box()["width"]
    page.click("#livemap-fold")
    wait_until(lambda: page.locator("#livemap-map").bounding_box()["width"] > width + 250, "the map wider")
    assert page.get_attribute("#livemap-fold", "aria-expanded") == "false"
    page.screenshot(path=screenshot_path("i16-livemap-folded-zh-CN"))
    page.close()
