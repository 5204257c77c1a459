"""Issue 19, the live surfaces: the Content-Security-Policy lets in the tiles of the organisation's preset (and
follows a change of it), the fleet board, zones and customers' sites reach the browser in the map's system (and
again, converted, after the preset changes), a click on the People page's map is stored in WGS-84, and the share
link's position says where the map draws it."""

from __future__ import annotations

import time

import pytest
from dash import no_update

from callbacks.admin_people import home_marker, map_click
from dashboard.geo import coords
from dashboard.geo.coords import Frame, from_wgs84, to_wgs84
from dashboard.geo.tiles import PRESETS, tiles_for
from dashboard.live.livemap import LiveMap, place_board
from dashboard.work.phone import create_share_link
from data import org_settings, zones
from data.feed import Fix
from data.scope import Scope
from tests.conftest import make_app, sign_in

BEIJING = (39.908720, 116.397480)
HELSINKI = (60.169900, 24.938400)
GCJ02 = Frame("gcj02")


def _preset(rt, preset: str, **more: object) -> None:
    org_settings.set_setting(rt.db, "maps.preset", preset, None)
    for key, value in more.items():
        org_settings.set_setting(rt.db, f"maps.{key}", value, None)
    rt.forget_org_settings()


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def _img_sources(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    directive = next(part.strip() for part in policy.split(";") if part.strip().startswith("img-src "))
    return directive.split()[1:]


@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "custom"] + ["custom"])
def test_the_csp_lets_in_the_tiles_of_each_preset_and_no_other(app, preset):
    rt = app.server.extensions["fieldops"]
    custom = {"custom_url": "https://tiles.example.cn/{z}/{x}/{y}.png"} if preset == "custom" else {}
    _preset(rt, preset, **custom)
    expected = tiles_for(preset, rt.settings, "en", url=custom.get("custom_url", "")).origins
    for client, path in ((app.server.test_client(), "/login"), (_manager(app), "/")):
        sources = _img_sources(client.get(path))
        assert set(expected) <= set(sources), (preset, path, sources)
        assert [s for s in sources if s.startswith("http")] == sorted(expected)  # nobody else's images
    if preset == "amap":
        assert "https://*.is.autonavi.com" in expected
    if preset == "tianditu":
        assert expected == ["https://*.tianditu.gov.cn"]
    if preset == "none":
        assert expected == []


def _manager(app):
    client = app.server.test_client()
    assert sign_in(client, "manager").status_code == 302
    return client


def test_the_csp_follows_the_admin_changing_the_preset(app):
    rt = app.server.extensions["fieldops"]
    client = _manager(app)
    _preset(rt, "osm")
    assert "https://tile.openstreetmap.org" in _img_sources(client.get("/"))
    _preset(rt, "amap")  # saved, then forgotten: as the settings page does
    after = _img_sources(client.get("/"))
    assert "https://*.is.autonavi.com" in after and "https://tile.openstreetmap.org" not in after
    _preset(rt, "tencent")
    assert "https://*.map.gtimg.com" in _img_sources(app.server.test_client().get("/login"))


def test_the_fleet_reaches_the_browser_in_the_maps_system_and_again_after_the_preset_changes(seeded_rt):
    beijing, helsinki = (row["id"] for row in seeded_rt.db.fetch_all("SELECT id FROM employees ORDER BY id LIMIT 2"))
    now = int(time.time() * 1000)
    seeded_rt.feed.publish(
        [Fix(beijing, now, *BEIJING, 0.0), Fix(helsinki, now, *HELSINKI, 0.0)],
        "native",
    )
    livemap = LiveMap(seeded_rt)
    stored = livemap.fleet_payload(Scope.everything(), None)
    at = dict(zip(stored["id"], zip(stored["lat"], stored["lon"], strict=True), strict=True))
    assert at[beijing] == BEIJING and at[helsinki] == HELSINKI  # no preset: the environment's, WGS-84

    _preset(seeded_rt, "amap")
    changed = livemap.fleet_payload(Scope.everything(), stored["v"], stored["paused_digest"])
    assert changed["full"] is True  # nothing moved, but every position is sent again, in the new system
    at = dict(zip(changed["id"], zip(changed["lat"], changed["lon"], strict=True), strict=True))
    assert at[beijing] == from_wgs84(*BEIJING, "gcj02") != BEIJING
    assert at[helsinki] == HELSINKI
    again = livemap.fleet_payload(Scope.everything(), changed["v"], changed["paused_digest"])
    assert again["full"] is False and again["id"] == []
    assert livemap.board().lat[livemap.board().row[beijing]] == BEIJING[0]  # the board itself stays as stored
    _preset(seeded_rt, "")


def test_placing_a_board_converts_only_the_positions_that_moved(seeded_rt, monkeypatch):
    person, other = (row["id"] for row in seeded_rt.db.fetch_all("SELECT id FROM employees ORDER BY id LIMIT 2"))
    livemap = LiveMap(seeded_rt)
    seeded_rt.feed.publish([Fix(person, int(time.time() * 1000), *BEIJING, 0.0)], "native")
    first = place_board(livemap.board(), GCJ02)
    assert (first.lat[0], first.lon[0]) == from_wgs84(*BEIJING, "gcj02")
    calls = []
    convert = coords.from_wgs84
    monkeypatch.setattr(coords, "from_wgs84", lambda *point: calls.append(point[:2]) or convert(*point))
    seeded_rt.feed.publish([Fix(other, int(time.time() * 1000), *HELSINKI, 0.0)], "native")
    second = place_board(livemap.board(), GCJ02, first)
    assert calls == [HELSINKI]  # the Beijing position did not move: its conversion is reused
    assert second.lat[livemap.board().row[person]] == first.lat[0]
    assert place_board(livemap.board(), Frame()).lat is livemap.board().lat  # WGS-84: the board's own column


def test_zones_and_customers_sites_are_drawn_in_the_maps_system_cached_per_frame(seeded_rt):
    zones.create_zone(seeded_rt.db, "Beijing office", "work_area", None, circle=(*BEIJING, 300.0))
    livemap = LiveMap(seeded_rt)
    before = livemap.zones_geojson(Scope.everything())
    office = next(f for f in before["features"] if f["properties"]["name"] == "Beijing office")
    assert office["geometry"]["coordinates"] == [BEIJING[1], BEIJING[0]]
    sites = livemap.customers_geojson(Scope.everything())["features"]

    _preset(seeded_rt, "amap")  # within the static layers' cache time: the new frame is a new entry
    after = livemap.zones_geojson(Scope.everything())
    office = next(f for f in after["features"] if f["properties"]["name"] == "Beijing office")
    lat, lon = from_wgs84(*BEIJING, "gcj02")
    assert office["geometry"]["coordinates"] == [lon, lat] and office["properties"]["radius"] == 300.0
    helsinki = [f for f in after["features"] if f["properties"]["name"] != "Beijing office"]
    assert helsinki == [f for f in before["features"] if f["properties"]["name"] != "Beijing office"]
    assert livemap.customers_geojson(Scope.everything())["features"] == sites  # Helsinki: no offset
    _preset(seeded_rt, "")


def test_a_click_on_the_people_map_is_stored_in_wgs84_and_the_home_shown_in_the_maps_system(app):
    rt = app.server.extensions["fieldops"]
    _preset(rt, "amap")
    clicked = from_wgs84(*BEIJING, "gcj02")  # where the home is on AMap's streets
    with app.server.test_request_context():
        lat, lon = map_click({"latlng": {"lat": clicked[0], "lng": clicked[1]}})
        assert (lat, lon) == tuple(round(v, 6) for v in to_wgs84(*clicked, "gcj02"))
        assert abs(lat - BEIJING[0]) < 1e-6 and abs(lon - BEIJING[1]) < 1e-6
        marker = home_marker(*BEIJING)[0]
        assert tuple(marker.center) == clicked
        assert map_click({"latlng": {"lat": 95, "lng": 10}}) == (no_update, no_update)  # off the world: nothing
    _preset(rt, "osm")
    with app.server.test_request_context():
        assert map_click({"latlng": {"lat": clicked[0], "lng": clicked[1]}}) == tuple(round(v, 6) for v in clicked)


def test_a_share_link_gives_the_stored_position_and_where_the_map_draws_it(app):
    rt = app.server.extensions["fieldops"]
    person = rt.db.fetch_one("SELECT id FROM employees ORDER BY id LIMIT 1")["id"]
    rt.feed.publish([Fix(person, int(time.time() * 1000), *BEIJING, 0.0)], "native")
    _preset(rt, "amap")
    with app.server.test_request_context():
        path = create_share_link(rt, person, None, 15)
    anonymous = app.server.test_client()
    page = anonymous.get(path)
    assert "https://*.is.autonavi.com" in _img_sources(page)  # its tiles are let in on the public page too
    assert b"webrd0{s}.is.autonavi.com" in page.data
    body = anonymous.get(f"{path}/position").get_json()
    gcj = from_wgs84(*BEIJING, "gcj02")
    assert (body["position"]["lat"], body["position"]["lon"]) == BEIJING
    assert (body["map"]["lat"], body["map"]["lon"]) == gcj
    assert body["link"].startswith(f"https://uri.amap.com/marker?position={gcj[1]:.6f},{gcj[0]:.6f}")
