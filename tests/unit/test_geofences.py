"""Geofence maths with no server (dashboard/writer/geofences.py): distances to zone edges, the slack a
fix's accuracy buys, the dwell before an enter or exit counts, and stays. The writer's own wiring
(events stored, a restart remembered) is tested in tests/integration/test_geofences.py."""

import numpy as np
import pytest

from dashboard.writer.geofences import (
    EXIT_MARGIN_M,
    GEOFENCE_DWELL_S,
    METRES_PER_DEGREE,
    STAY_RADIUS_M,
    Person,
    ZoneIndex,
    slack_m,
    track_stay,
    track_zones,
)

LAT, LON = 60.17, 24.94
HALF = 0.001  # the square work area reaches ±0.001° from its centre: ±111 m north-south, ±55 m east-west
START_MS = 1_790_000_000_000
STEP_S = 10
STAY_MIN_S = 300
SQUARE = {
    "id": 1,
    "name": "Depot yard",
    "kind": "work_area",
    "customer_id": None,
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [
                [LON - HALF, LAT - HALF],
                [LON + HALF, LAT - HALF],
                [LON + HALF, LAT + HALF],
                [LON - HALF, LAT + HALF],
                [LON - HALF, LAT - HALF],
            ]
        ],
    },
}
CIRCLE = {
    "id": 2,
    "name": "Customer site",
    "kind": "site",
    "customer_id": 40,
    "geometry": None,
    "center_lat": 60.20,
    "center_lon": 24.90,
    "radius_m": 80.0,
}


def north_of_the_square(metres: float) -> tuple[float, float]:
    """A point `metres` north of the square's north edge (negative: inside)."""
    return LAT + HALF + metres / METRES_PER_DEGREE, LON


def _margins(index: ZoneIndex, lat: float, lon: float) -> np.ndarray:
    return index.margins_m(np.array([lat]), np.array([lon]))[0]


def walk(points: list[tuple[float, float, float | None]], index: ZoneIndex | None = None) -> list[tuple[str, int]]:
    """(kind, fix number) of the enters and exits from fixes (lat, lon, accuracy) every STEP_S seconds."""
    index = index or ZoneIndex([SQUARE])
    person = Person()
    events = []
    for i, (lat, lon, accuracy) in enumerate(points):
        ts_ms = START_MS + i * STEP_S * 1000
        slack = float(slack_m(np.array([accuracy], dtype=float))[0])
        for event in track_zones(person, index, _margins(index, lat, lon), slack, ts_ms):
            events.append((event.kind, (event.at_ms - START_MS) // (STEP_S * 1000)))
    return events


def test_a_circles_margin_is_the_radius_less_the_distance_from_its_centre():
    index = ZoneIndex([CIRCLE])
    assert _margins(index, 60.20, 24.90) == pytest.approx([80.0])
    assert _margins(index, 60.20 + 100 / METRES_PER_DEGREE, 24.90) == pytest.approx([-20.0], abs=0.01)


def test_a_polygons_margin_is_the_distance_to_its_nearest_edge_positive_inside():
    index = ZoneIndex([SQUARE])
    east_west_m = HALF * METRES_PER_DEGREE * np.cos(np.radians(LAT))
    assert _margins(index, LAT, LON) == pytest.approx([east_west_m], rel=1e-3)
    assert _margins(index, *north_of_the_square(30)) == pytest.approx([-30.0], abs=0.1)
    assert _margins(index, *north_of_the_square(-10)) == pytest.approx([10.0], abs=0.1)


def test_margins_have_a_column_per_zone_circles_first():
    index = ZoneIndex([SQUARE, CIRCLE])
    assert [zone.name for zone in index.zones] == ["Customer site", "Depot yard"]
    assert index.column == {2: 0, 1: 1}
    assert index.margins_m(np.array([LAT, 60.2]), np.array([LON, 24.9])).shape == (2, 2)


def test_no_zones_give_no_margins():
    assert ZoneIndex([]).margins_m(np.array([LAT]), np.array([LON])).shape == (1, 0)


def test_the_slack_is_the_fixs_accuracy_unknown_is_none_and_a_vague_fix_never_counts():
    assert slack_m(np.array([5.0, np.nan, 100.0, 100.1])).tolist() == [5.0, 0.0, 100.0, np.inf]


def test_an_entry_counts_after_the_dwell_timed_from_the_first_certain_fix():
    outside, inside = (*north_of_the_square(100), 5), (LAT, LON, 5)
    dwell_fixes = GEOFENCE_DWELL_S // STEP_S
    assert walk([outside] * 3 + [inside] * dwell_fixes) == []
    assert walk([outside] * 3 + [inside] * (dwell_fixes + 1)) == [("geofence_enter", 3)]


def test_entering_and_leaving_a_work_area_after_the_dwell():
    outside, inside = (*north_of_the_square(100), 5), (LAT, LON, 5)
    dwell_fixes = GEOFENCE_DWELL_S // STEP_S + 2
    events = walk([outside] * 3 + [inside] * dwell_fixes + [outside] * dwell_fixes)
    assert events == [("geofence_enter", 3), ("geofence_exit", 3 + dwell_fixes)]


def test_drift_along_the_boundary_makes_no_events():
    # Ten minutes walking the fence: fixes 8 m either side of it, each 10 m accurate.
    assert walk([(*north_of_the_square(8 if i % 2 else -8), 10) for i in range(60)]) == []


def test_a_fix_just_inside_by_less_than_its_accuracy_is_not_an_entry():
    assert walk([(*north_of_the_square(-8), 10)] * 20) == []
    assert walk([(*north_of_the_square(-12), 10)] * 20) == [("geofence_enter", 0)]


def test_a_vague_fix_inside_is_not_an_entry():
    assert walk([(LAT, LON, 500)] * 20) == []


def test_one_fix_jumping_out_and_back_is_not_an_exit():
    inside, far = (LAT, LON, 5), (*north_of_the_square(300), 5)
    events = walk([inside] * 10 + [far] + [inside] * 10 + [far, far] + [inside] * 10)
    assert [kind for kind, _fix in events] == ["geofence_enter"]


def test_leaving_by_less_than_the_accuracy_plus_the_exit_margin_is_no_exit():
    inside = (LAT, LON, 5)
    near = (*north_of_the_square(5 + EXIT_MARGIN_M - 1), 5)
    clear = (*north_of_the_square(5 + EXIT_MARGIN_M + 1), 5)
    assert [kind for kind, _fix in walk([inside] * 10 + [near] * 30)] == ["geofence_enter"]
    assert [kind for kind, _fix in walk([inside] * 10 + [clear] * 30)] == ["geofence_enter", "geofence_exit"]


def test_each_zone_is_entered_on_its_own():
    index = ZoneIndex([SQUARE, CIRCLE])
    events = walk([(LAT, LON, 5)] * 8 + [(60.20, 24.90, 5)] * 16, index)
    assert sorted(events) == [("geofence_enter", 0), ("geofence_enter", 8), ("geofence_exit", 8)]


def test_a_person_outside_and_settled_remembers_no_zone():
    index = ZoneIndex([SQUARE])
    person = Person()
    outside = _margins(index, *north_of_the_square(100))
    assert track_zones(person, index, _margins(index, LAT, LON), 5.0, START_MS) == []
    assert person.zones[1].change_since_ms == START_MS
    track_zones(person, index, outside, 5.0, START_MS + 10_000)
    assert person.zones == {}


# Stays


def stays(points: list[tuple[float, float, float | None]], index: ZoneIndex | None = None) -> list:
    """The stays ended by fixes (lat, lon, accuracy) every STEP_S seconds."""
    index = index or ZoneIndex([SQUARE])
    person = Person()
    ended = []
    for i, (lat, lon, accuracy) in enumerate(points):
        margins = _margins(index, lat, lon)
        inside_any = margins if (margins >= 0).any() else None
        stay = track_stay(person, inside_any, lat, lon, accuracy, START_MS + i * STEP_S * 1000, STAY_MIN_S)
        if stay is not None:
            ended.append(stay)
    return ended


def test_a_stop_longer_than_the_threshold_is_a_stay_with_its_place():
    stop_fixes = STAY_MIN_S // STEP_S + 3
    route = [(*north_of_the_square(900 - 300 * i), 5) for i in range(3)]
    stop = [(LAT + (0.00005 if i % 2 else 0), LON, 8) for i in range(stop_fixes)]  # 5.6 m of jitter
    away = [(*north_of_the_square(400 + 300 * i), 5) for i in range(3)]
    [stay] = stays(route + stop + away)
    assert (stay.since_ms, stay.last_ms) == (START_MS + 3 * STEP_S * 1000, START_MS + (2 + stop_fixes) * STEP_S * 1000)
    assert (stay.lat, stay.lon, stay.zone) == (LAT, LON, 0)


def test_a_short_stop_is_not_a_stay():
    assert stays([(LAT, LON, 5)] * 5 + [(*north_of_the_square(500), 5)] * 3) == []


def test_a_stay_is_recorded_only_when_the_person_moves_on():
    assert stays([(LAT, LON, 5)] * 100) == []


def test_a_stop_outside_every_zone_is_a_stay_without_a_place():
    far = north_of_the_square(2000)
    [stay] = stays([(*far, 5)] * 40 + [(LAT, LON, 5)])
    assert stay.zone is None


def test_the_stay_radius_grows_with_the_fixs_accuracy():
    metres_north = (STAY_RADIUS_M + 20) / METRES_PER_DEGREE
    wander = [(LAT, LON, 5)] + [(LAT + metres_north, LON, 30)] * 40 + [(*north_of_the_square(2000), 5)]
    [stay] = stays(wander)
    assert stay.since_ms == START_MS
    sharp = [(LAT, LON, 5)] + [(LAT + metres_north, LON, 5)] * 40 + [(*north_of_the_square(2000), 5)]
    assert stays(sharp)[0].since_ms == START_MS + STEP_S * 1000
