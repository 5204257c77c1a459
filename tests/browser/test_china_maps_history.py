"""Issue 19 as a person sees it: with the organisation on AMap's tiles (GCJ-02), the zones, customers, tasks, day
replay and heatmap maps are given Beijing's points where AMap draws those places and Helsinki's unchanged, and a
site drawn on the zones map is stored in WGS-84, where a phone's check-in is verified. The tiles cannot load here;
what the map was given is read from the page (the Dash renderer's props of each map layer). The callbacks' own
checks are in tests/integration/test_china_maps_history.py."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from dashboard.geo.coords import to_wgs84
from dashboard.work.phone import PhoneFix, record_presence
from data import zones
from tests.browser import screenshot_path
from tests.conftest import LiveServer, _make_settings, sign_in_browser
from tests.integration.test_china_maps_history import BEIJING, CLOSE_M, beijing_day, gcj, metres, use_amap

PROP_JS = """([id, prop]) => {
    const state = window.store.getState();
    let node = state.layout;
    for (const key of state.paths.strs[id]) { node = node[key]; }
    return node.props[prop];
}"""
MOVE_MAP_JS = "([id, centre]) => window.dash_clientside.set_props(id, {viewport: {center: centre, zoom: 16}})"


@pytest.fixture(scope="module")
def china(servers, templates) -> Iterator[tuple[LiveServer, dict]]:
    """The demo on AMap's tiles with a day's work in Beijing (tests/integration/test_china_maps_history.py)."""
    settings_of = _make_settings(servers, templates, "seeded")
    server = LiveServer(next(settings_of))
    use_amap(server.runtime)
    yield server, beijing_day(server.runtime)
    server.stop()
    next(settings_of, None)


def prop(page, component: str, name: str) -> object:
    return page.evaluate(PROP_JS, [component, name])


def until(page, check, what: str, timeout_s: float = 15) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        page.wait_for_timeout(200)
    raise AssertionError(f"no {what} within {timeout_s} s")


def _open(page, server: LiveServer, user: str, path: str) -> None:
    sign_in_browser(page, server.url, user)
    page.goto(server.url + path)
    page.wait_for_selector(".leaflet-container")


def test_the_customers_map_shows_the_beijing_shop_where_amap_draws_it(page, china):
    server, day = china
    _open(page, server, "manager", "/customers")
    points = until(page, lambda: prop(page, "customers-points", "data"), "customer points")
    by_id = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in points["features"]}
    lon, lat = by_id[day["customer"]]
    assert metres((lat, lon), gcj(*BEIJING)) < CLOSE_M and metres((lat, lon), BEIJING) > 100
    helsinki = server.runtime.db.fetch_one("SELECT id, lat, lon FROM customers WHERE id <> %s", (day["customer"],))
    assert by_id[helsinki["id"]] == [helsinki["lon"], helsinki["lat"]]
    page.evaluate(MOVE_MAP_JS, ["customers-map", list(gcj(*BEIJING))])
    page.wait_for_timeout(800)
    page.screenshot(path=screenshot_path("china_customers_map"))
    assert page.locator("#customers-map .leaflet-tile-pane img[src*='autonavi.com']").count() > 0  # AMap's tiles


def test_the_tasks_map_shows_the_beijing_task_and_route_in_gcj02(page, china):
    server, day = china
    _open(page, server, "manager", "/tasks")
    points = until(page, lambda: prop(page, "tasks-points", "data"), "task points")
    by_id = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in points["features"]}
    lon, lat = by_id[day["task"]]
    assert metres((lat, lon), gcj(*BEIJING)) < CLOSE_M
    at_home, home_lat, home_lon = day["helsinki_task"]
    assert by_id[at_home] == [home_lon, home_lat]  # Helsinki: exactly as stored
    routes = prop(page, "tasks-routes", "data")
    (line,) = [f for f in routes["features"] if f["properties"]["employee"] == day["employee"]]
    for (r_lon, r_lat), wgs in zip(line["geometry"]["coordinates"], day["route"], strict=True):
        assert metres((r_lat, r_lon), gcj(*wgs)) < CLOSE_M
    page.evaluate(MOVE_MAP_JS, ["tasks-map", list(gcj(*BEIJING))])
    page.wait_for_timeout(800)
    page.screenshot(path=screenshot_path("china_tasks_map"))


def test_the_day_replay_draws_the_beijing_track_in_gcj02(page, china):
    server, day = china
    _open(page, server, "manager", f"/analytics/day?employee={day['employee']}&date={day['day'].isoformat()}")
    path = until(page, lambda: prop(page, "day-path", "positions"), "track")
    assert len(path) == len(day["track"])
    for (lat, lon), wgs in zip(path, day["track"], strict=True):
        assert metres((lat, lon), gcj(*wgs)) < CLOSE_M
    until(page, lambda: (prop(page, "day-map", "zoom") or 0) >= 15, "the map flown to the track")
    page.wait_for_timeout(500)
    page.screenshot(path=screenshot_path("china_day_replay"))
    centre = prop(page, "day-map", "center")
    centre = (centre["lat"], centre["lng"]) if isinstance(centre, dict) else tuple(centre)
    assert metres(centre, gcj(*day["track"][60])) < 100  # framed on the track as drawn, not 600 m beside it


def test_the_heatmap_draws_beijing_hexagons_in_gcj02_and_helsinki_ones_unchanged(page, china):
    import h3

    server, _day = china
    _open(page, server, "manager", "/analytics/heatmap")
    cells = until(page, lambda: (prop(page, "heatmap-cells", "data") or {}).get("features"), "hexagons")
    beijing = helsinki = 0
    for feature in cells:
        outline = h3.cell_to_boundary(h3.int_to_str(int(feature["properties"]["cell"])))
        for (lon, lat), (c_lat, c_lon) in zip(feature["geometry"]["coordinates"][0], outline, strict=False):
            want = gcj(c_lat, c_lon) if c_lon > 100 else (c_lat, c_lon)
            assert metres((lat, lon), want) < CLOSE_M
        beijing += outline[0][1] > 100
        helsinki += outline[0][1] < 100
    assert beijing and helsinki, "the Beijing hour and the Helsinki hour are on the map"
    page.evaluate(MOVE_MAP_JS, ["heatmap-map", list(gcj(*BEIJING))])
    page.wait_for_timeout(800)
    page.screenshot(path=screenshot_path("china_heatmap"))


def _choose(page, dropdown_id: str, option: str) -> None:
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=option, exact=True).click()


def _drawn(page) -> dict:
    return until(page, lambda: (prop(page, "zones-draw", "geojson") or {}).get("features"), "drawn shape")[-1]


def test_a_site_and_an_area_drawn_on_the_gcj02_zones_map_are_stored_in_wgs84(page, china):
    server, day = china
    rt = server.runtime
    _open(page, server, "admin", "/admin/zones")
    page.wait_for_selector(".leaflet-draw-draw-circle")
    shown = until(page, lambda: prop(page, "zones-existing", "data"), "zones")
    (site,) = [f for f in shown["features"] if f["properties"]["id"] == day["site"]]
    lon, lat = site["geometry"]["coordinates"]
    assert metres((lat, lon), gcj(*BEIJING)) < CLOSE_M  # the site is shown where AMap draws the shop
    page.evaluate(MOVE_MAP_JS, ["zones-map", list(gcj(*BEIJING))])
    page.wait_for_timeout(1000)
    box = page.query_selector("#zones-map").bounding_box()

    # The customer's site, drawn again as a circle a little east of the shop.
    _choose(page, "zones-pick", "天安门 site (customer site)")
    page.click("#zones-load")
    page.wait_for_selector("text=Edit the shape on the map, then save it.")
    page.click(".leaflet-draw-draw-circle")
    x, y = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y, steps=5)
    page.mouse.move(x + 40, y, steps=5)
    page.mouse.up()
    circle = _drawn(page)
    assert circle["properties"].get("_radius"), circle
    c_lon, c_lat = circle["geometry"]["coordinates"]
    page.click("#zones-reshape")
    page.wait_for_selector("text=Shape saved.")
    stored = zones.site_of_customer(rt.db, day["customer"])
    centre = (stored["center_lat"], stored["center_lon"])
    assert metres(centre, to_wgs84(c_lat, c_lon, "gcj02")) < CLOSE_M
    assert metres(centre, (c_lat, c_lon)) > 100  # stored where the place is, not where the map's pixel reads
    check = record_presence(rt, day["field"], day["task"], "check_in", PhoneFix(*centre, 5.0, int(time.time() * 1000)))
    assert check["verified"] is True, check

    # A work area drawn as a polygon.
    page.click(".leaflet-draw-draw-polygon")
    corners = [(0.3, 0.3), (0.45, 0.3), (0.45, 0.45), (0.3, 0.45)]
    for fx, fy in corners:
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(150)
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)  # close the ring
    polygon = _drawn(page)
    assert polygon["geometry"]["type"] == "Polygon"
    page.fill("#zones-name", "长安街 area")
    page.click("#zones-create")
    page.wait_for_selector("text=Zone 长安街 area saved.")
    page.wait_for_timeout(800)
    page.screenshot(path=screenshot_path("china_zones"))
    area = rt.db.fetch_one("SELECT geometry FROM zones WHERE name = '长安街 area'")["geometry"]
    drawn = polygon["geometry"]["coordinates"][0]
    assert len(area["coordinates"][0]) == len(drawn) == 5
    for (d_lon, d_lat), (s_lon, s_lat) in zip(drawn, area["coordinates"][0], strict=True):
        assert metres((s_lat, s_lon), to_wgs84(d_lat, d_lon, "gcj02")) < CLOSE_M
