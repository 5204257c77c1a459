"""Coordinate systems (issue 19): GCJ-02 and BD-09 only inside mainland China (a real boundary), round trips
under a metre, and the providers' own documented conversions reproduced."""

from __future__ import annotations

import pytest

from dashboard.geo.coords import Frame, checked_system, from_wgs84, offset_applies, to_wgs84
from dashboard.work.streets import distance_m

INSIDE = {
    "Beijing": (39.9042, 116.4074),
    "Shanghai": (31.2304, 121.4737),
    "Harbin": (45.8038, 126.5350),
    "Urumqi": (43.8256, 87.6168),
    "Lhasa": (29.6520, 91.1721),
    "Kunming": (25.0389, 102.7183),
    "Sanya, Hainan": (18.2528, 109.5119),
    "Shenzhen, by Hong Kong": (22.5431, 114.0579),
    "Xiamen harbour": (24.4798, 118.0894),
    "Dalian coast": (38.9140, 121.6147),
}
OUTSIDE = {
    "Helsinki": (60.1699, 24.9384),
    "Seoul": (37.5665, 126.9780),  # inside the rectangle other libraries use
    "Tokyo": (35.6762, 139.6503),
    "Hanoi": (21.0278, 105.8342),  # inside that rectangle too
    "Ulaanbaatar": (47.8864, 106.9057),
    "Pyongyang": (39.0392, 125.7625),
    "Taipei": (25.0330, 121.5654),
    "Kinmen": (24.4493, 118.3767),  # 2 km off Xiamen, Taiwan's
    "Hong Kong": (22.2819, 114.1582),
    "Macao": (22.1987, 113.5439),
}


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
@pytest.mark.parametrize("place", sorted(INSIDE))
def test_a_point_in_mainland_china_moves_and_comes_back_within_a_metre(place: str, system: str) -> None:
    lat, lon = INSIDE[place]
    shown = from_wgs84(lat, lon, system)
    assert 100 < distance_m(lat, lon, *shown) < 1500  # GCJ-02's 300-600 m, BD-09's more
    assert distance_m(lat, lon, *to_wgs84(*shown, system)) < 1.0


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_a_point_outside_mainland_china_is_unchanged(place: str) -> None:
    lat, lon = OUTSIDE[place]
    for system in ("gcj02", "bd09"):
        assert from_wgs84(lat, lon, system) == (lat, lon)
        assert to_wgs84(lat, lon, system) == (lat, lon)


def test_hong_kong_macao_and_taiwan_offset_only_when_the_organisation_says_so() -> None:
    for place, region in (("Hong Kong", "HK"), ("Macao", "MO"), ("Taipei", "TW")):
        lat, lon = OUTSIDE[place]
        assert not offset_applies(lat, lon)
        assert offset_applies(lat, lon, frozenset({region}))
        assert from_wgs84(lat, lon, "gcj02", frozenset({region})) != (lat, lon)


def test_amaps_documented_conversion_is_reproduced() -> None:
    """AMap's coordinate conversion web service documents locations=116.481499,39.990475&coordsys=gps
    answering 116.487585177952,39.991754014757 (GCJ-02)."""
    lat, lon = from_wgs84(39.990475, 116.481499, "gcj02")
    assert distance_m(lat, lon, 39.991754014757, 116.487585177952) < 0.1
    back = to_wgs84(39.991754014757, 116.487585177952, "gcj02")
    assert distance_m(*back, 39.990475, 116.481499) < 0.1


def test_baidus_documented_conversion_is_reproduced_within_its_noise() -> None:
    """Baidu's geoconv documents coords=114.21892734521,29.575429778924&from=1&to=5 answering
    x 114.23074871228, y 29.579084345723 (BD-09); Baidu adds noise of its own, under a metre."""
    lat, lon = from_wgs84(29.575429778924, 114.21892734521, "bd09")
    assert distance_m(lat, lon, 29.579084345723, 114.23074871228) < 1.0


def test_a_frame_converts_geojson_both_ways() -> None:
    frame = Frame("gcj02")
    zone = {"type": "Polygon", "coordinates": [[[116.40, 39.90], [116.41, 39.90], [116.41, 39.91], [116.40, 39.90]]]}
    shown = frame.out_geojson(zone)
    assert shown["coordinates"][0][0] != [116.40, 39.90]
    for (lon, lat), (back_lon, back_lat) in zip(
        zone["coordinates"][0], frame.back_geojson(shown)["coordinates"][0], strict=True
    ):
        assert distance_m(lat, lon, back_lat, back_lon) < 1.0
    helsinki = {"type": "Point", "coordinates": [24.9384, 60.1699]}
    assert frame.out_geojson(helsinki) == helsinki


def test_a_declared_system_is_checked() -> None:
    assert checked_system(None) == "wgs84"
    assert checked_system(" GCJ02 ") == "gcj02"
    with pytest.raises(ValueError, match="wgs84, gcj02, bd09"):
        checked_system("epsg:3857")
