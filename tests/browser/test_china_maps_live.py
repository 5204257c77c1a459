"""Issue 19: every live surface draws in the map's system. With the organisation's preset on AMap (GCJ-02) a fix
stored at a WGS-84 point in Beijing is drawn exactly where dashboard.geo.coords.from_wgs84 puts it; on Tianditu
(WGS-84) and anywhere outside mainland China (Helsinki) it is drawn as stored. The live map, the wall and the
public share link, each with the preset's tiles (which cannot load here: only their addresses are checked)."""

from __future__ import annotations

import time

import pytest

from dashboard.demo.seed import demo_wall_secret
from dashboard.geo.coords import from_wgs84
from dashboard.ingest.accept import accept_fixes
from dashboard.work.phone import create_share_link
from data import org_settings
from tests.browser import FIND_COLOUR_JS, screenshot_path
from tests.conftest import SECRET, sign_in_browser, track_around_the_clock, wait_until

BEIJING = (39.908720, 116.397480)  # Tiananmen, WGS-84 as a phone's GPS gives it
HELSINKI = (60.169900, 24.938400)
IDLE_RGB = (230, 159, 0)  # --state-idle: a fix at speed 0, not on a visit
AMAP_HOST = ".is.autonavi.com/appmaptile"
FLEET_JS = """(id) => {
    const found = window.fieldopsFleetNow && window.fieldopsFleetNow().fleet.get(id);
    return found ? [found.lat, found.lon] : null;
}"""
TILE_SOURCES_JS = """(selector) => Array.from(document.querySelectorAll(selector + ' .fo-tiles img'))
    .map((img) => img.getAttribute('src'))"""


def _preset(rt, preset: str) -> None:
    org_settings.set_setting(rt.db, "maps.preset", preset, None)
    rt.forget_org_settings()


@pytest.fixture
def placed(server):
    """E0001 stored in Beijing, E0002 in Helsinki, both idle now; the preset set back to none afterwards."""
    rt = server.runtime
    people = {}
    for code, point in (("E0001", BEIJING), ("E0002", HELSINKI)):
        person = rt.db.fetch_one("SELECT id FROM employees WHERE code = %s", (code,))["id"]
        track_around_the_clock(rt.db, person)
        accept_fixes(
            rt, person, [{"ts": int(time.time() * 1000), "lat": point[0], "lon": point[1], "speed": 0.0}], "native"
        )
        people[code] = person
    wait_until(lambda: all(rt.feed.latest(p) is not None for p in people.values()), "both fixes in the feed")
    yield server, people
    _preset(rt, "")


def _drawn_at(page, employee_id: int, expected: tuple[float, float]) -> list[float]:
    """Where the browser's copy of the fleet holds the person, once it holds them at `expected`."""
    deadline = time.monotonic() + 20
    seen = None
    while time.monotonic() < deadline:
        seen = page.evaluate(FLEET_JS, employee_id)
        if seen is not None and (seen[0], seen[1]) == expected:
            return seen
        page.wait_for_timeout(300)
    raise AssertionError(f"the map holds {seen}, not {expected}")


def _marker_at_centre(page, map_id: str, at: tuple[float, float]) -> None:
    """The idle marker is drawn in the middle of the map when the map is centred on `at` at zoom 17, within a
    marker's size (where the ~600 m offset between the systems is ~650 px): the marker itself stands there."""
    page.evaluate(
        "([id, lat, lon]) => window.dash_clientside.set_props(id, {viewport: {center: [lat, lon], zoom: 17}})",
        [map_id, at[0], at[1]],
    )
    box = page.locator(f"#{map_id}").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    found = None
    for _ in range(30):
        page.wait_for_timeout(300)
        found = page.evaluate(FIND_COLOUR_JS, [*IDLE_RGB, 40, f"#{map_id} .leaflet-overlay-pane canvas"])
        if found and abs(found["x"] - centre[0]) < 40 and abs(found["y"] - centre[1]) < 40:
            return
    raise AssertionError(f"no idle marker at the centre {centre} of #{map_id}: found {found}")


def test_the_live_map_draws_a_beijing_fix_in_gcj02_under_amap_and_as_stored_under_tianditu(browser, placed):
    server, people = placed
    rt = server.runtime
    gcj = from_wgs84(*BEIJING, "gcj02")
    assert abs(gcj[0] - BEIJING[0]) + abs(gcj[1] - BEIJING[1]) > 0.001  # the offset is real here (~500 m)
    _preset(rt, "amap")
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    sign_in_browser(page, server.url, "manager")
    page.wait_for_selector("#livemap-map .leaflet-overlay-pane canvas")
    assert _drawn_at(page, people["E0001"], gcj) == list(gcj)
    assert _drawn_at(page, people["E0002"], HELSINKI) == list(HELSINKI)  # no offset outside mainland China
    sources = page.evaluate(TILE_SOURCES_JS, "#livemap-map")
    assert sources and all(AMAP_HOST in src and src.startswith("https://webrd0") for src in sources), sources
    _marker_at_centre(page, "livemap-map", gcj)
    page.screenshot(path=screenshot_path("i19-live-map-amap-beijing"))

    # Tianditu draws in WGS-84: the same stored fix, unchanged, over its vector and annotation layers.
    _preset(rt, "tianditu")
    page.reload()
    page.wait_for_selector("#livemap-map .leaflet-overlay-pane canvas")
    assert _drawn_at(page, people["E0001"], BEIJING) == list(BEIJING)
    sources = page.evaluate(TILE_SOURCES_JS, "#livemap-map")
    assert any("/vec_w/" in src for src in sources) and any("/eva_w/" in src for src in sources), sources
    assert all(src.startswith("https://t") and ".tianditu.gov.cn/" in src for src in sources)
    _marker_at_centre(page, "livemap-map", BEIJING)
    page.screenshot(path=screenshot_path("i19-live-map-tianditu-beijing"))

    # A preset changed under an open page: the next refresh sends everyone again, in the new system.
    _preset(rt, "amap")
    assert _drawn_at(page, people["E0001"], gcj) == list(gcj)
    page.close()


def test_the_wall_draws_in_amaps_system_over_amaps_tiles(browser, placed):
    server, people = placed
    _preset(server.runtime, "amap")
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    page.goto(f"{server.url}/wall/login/{demo_wall_secret(SECRET)}")
    page.wait_for_url(f"{server.url}/wall")
    gcj = from_wgs84(*BEIJING, "gcj02")
    assert _drawn_at(page, people["E0001"], gcj) == list(gcj)
    assert _drawn_at(page, people["E0002"], HELSINKI) == list(HELSINKI)
    for map_id in ("wall-map", "wall-heatmap"):  # the heat panel waits its turn: its layer is AMap's all the same
        assert page.locator(f"#{map_id} .fo-tiles-amap").count() == 1
        sources = page.evaluate(TILE_SOURCES_JS, f"#{map_id}")
        assert all(AMAP_HOST in src for src in sources), (map_id, sources)
    assert page.evaluate(TILE_SOURCES_JS, "#wall-map")  # the shown map has loaded (asked for) its tiles
    _marker_at_centre(page, "wall-map", gcj)
    page.screenshot(path=screenshot_path("i19-wall-amap-beijing"))
    page.close()


def test_a_share_link_under_amap_places_the_pin_in_gcj02_on_amaps_tiles(browser, placed):
    server, people = placed
    rt = server.runtime
    _preset(rt, "amap")
    with server.app.server.test_request_context():
        path = create_share_link(rt, people["E0001"], None, 15)
    context = browser.new_context(viewport={"width": 600, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{server.url}{path}")
    page.wait_for_selector("#share-position >> text=39.90872, 116.39748")  # the stored point, as text
    gcj = from_wgs84(*BEIJING, "gcj02")
    pin = page.wait_for_selector("#share-pin", state="attached")
    assert (float(pin.get_attribute("data-lat")), float(pin.get_attribute("data-lon"))) == gcj
    sources = page.evaluate("() => Array.from(document.querySelectorAll('.share-tile')).map((i) => i.src)")
    assert len(sources) == 9 and all(AMAP_HOST in src and "z=16" in src for src in sources), sources
    # The middle tile is the one the GCJ-02 point falls in at zoom 16.
    scale = 2**16
    tile_x = int((gcj[1] + 180) / 360 * scale)
    assert any(f"x={tile_x}&" in src for src in sources)
    link = page.get_attribute("#share-map", "href")
    assert link.startswith(f"https://uri.amap.com/marker?position={gcj[1]:.6f},{gcj[0]:.6f}&coordinate=gaode")
    page.screenshot(path=screenshot_path("i19-share-link-amap-beijing"))
    context.close()
