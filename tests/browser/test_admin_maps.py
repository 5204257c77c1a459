"""The admin's maps and filing page (issue 19): a preset in GCJ-02 is chosen and every map is given its tiles; a bad
Tianditu key is refused with the reason; the filing numbers appear, linked, at the foot of the sign-in page."""

from __future__ import annotations

from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser


def _choose(page, dropdown_id: str, option: str) -> None:
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=option, exact=True).click()


def test_an_admin_chooses_amap_and_the_maps_get_its_tiles(page, server, axe):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/maps")
    settle(page)
    _choose(page, "maps-preset", "Tianditu 天地图 (WGS-84 / CGCS2000, needs a key)")
    page.fill("#maps-key", "not-a-key")
    page.click("#maps-save")
    page.wait_for_selector("#maps-result .alert-danger")
    assert "32 hexadecimal characters" in page.inner_text("#maps-result")

    _choose(page, "maps-preset", "AMap 高德 (GCJ-02)")
    page.check("#maps-regions input[value=HK]")
    page.click("#maps-save")
    page.wait_for_selector("#maps-result .alert-success")
    page.wait_for_function("() => document.querySelector('#maps-current').innerText.includes('GCJ-02')")
    assert "高德 AMap" in page.inner_text("#maps-current")
    axe(page, "/admin/maps")
    page.screenshot(path=screenshot_path("admin_maps"), full_page=True)
    org = server.runtime.org_settings()
    assert (org["maps.preset"], org["maps.offset_regions"]) == ("amap", ["HK"])

    page.goto(server.url + "/admin/zones")  # a map the admin has
    page.wait_for_selector(".fo-tiles-amap img", state="attached")
    urls = page.eval_on_selector_all(".fo-tiles-amap img", "tiles => tiles.map(t => t.src)")
    assert urls and all(url.startswith("https://webrd0") and "autonavi.com" in url for url in urls)


def test_the_filing_numbers_show_linked_at_the_foot_of_the_sign_in_page(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/maps")
    settle(page)
    page.fill("#maps-icp", "京ICP备12345678号-1")
    page.fill("#maps-psb", "京公网安备11010502030143号")
    page.click("#maps-filing-save")
    page.wait_for_selector("#maps-filing-result .alert-success")

    page.context.clear_cookies()
    page.goto(server.url + "/login")
    icp = page.locator("#filing-icp")
    assert icp.inner_text() == "京ICP备12345678号-1"
    assert icp.get_attribute("href") == "https://beian.miit.gov.cn/"
    assert page.get_attribute("#filing-public-security", "href") == (
        "https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143"
    )
    page.screenshot(path=screenshot_path("login_filing_footer"))
