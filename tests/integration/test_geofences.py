"""Geofence enter/exit and stays in the writer: dwell, the fix's accuracy, no events from drift."""

from datetime import UTC, datetime

import pytest
from psycopg2.extras import Json

from dashboard.writer.geofences import GEOFENCE_DWELL_S
from dashboard.writer.worker import Writer
from data import activities, employees
from data.feed import Fix

LAT, LON = 60.17, 24.94
HALF = 0.001  # the square work area reaches ±0.001° from its centre: ±111 m north-south, ±55 m east-west
START_MS = 1_790_000_000_000
M_PER_DEG_LAT = 111_320.0


@pytest.fixture
def person(rt):
    employee_id = employees.create_employee(rt.db, "G1", "Gina Geofence", None)
    square = {
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
    }
    rt.db.execute("INSERT INTO zones (name, kind, geometry) VALUES ('Depot yard', 'work_area', %s)", (Json(square),))
    return employee_id


def _north_edge_offset(metres):
    """A latitude `metres` north of the work area's north edge (negative: inside)."""
    return LAT + HALF + metres / M_PER_DEG_LAT


def _drive(rt, writer, employee_id, points, step_s=10, start_ms=START_MS):
    """points: (lat, lon, accuracy) every step_s seconds."""
    fixes = [
        Fix(employee_id, start_ms + i * step_s * 1000, lat, lon, 0.0, None, acc)
        for i, (lat, lon, acc) in enumerate(points)
    ]
    rt.feed.publish(fixes, "native")
    writer.process(rt.feed.read_stream(writer.consumer, 10_000, 100))


def _events(rt, employee_id):
    return [
        (e["kind"], e["started_at"]) for e in activities.events(rt.db, employee_id, ("geofence_enter", "geofence_exit"))
    ]


def _at(i, step_s=10):
    return datetime.fromtimestamp((START_MS + i * step_s * 1000) / 1000, UTC)


def test_entering_and_leaving_a_work_area_after_the_dwell(rt, person):
    writer = Writer(rt, "g")
    writer.start()
    outside, inside = (_north_edge_offset(100), LON, 5), (LAT, LON, 5)
    dwell_fixes = GEOFENCE_DWELL_S // 10 + 2
    _drive(rt, writer, person, [outside] * 3 + [inside] * dwell_fixes + [outside] * dwell_fixes)
    assert _events(rt, person) == [("geofence_enter", _at(3)), ("geofence_exit", _at(3 + dwell_fixes))]
    event = activities.events(rt.db, person, ("geofence_enter",))[0]
    assert event["attributes"]["zone"] == "Depot yard"


def test_drift_along_the_boundary_makes_no_events(rt, person):
    writer = Writer(rt, "g")
    writer.start()
    # Ten minutes walking the fence: fixes 8 m either side of it, each 10 m accurate.
    wobble = [(_north_edge_offset(8 if i % 2 else -8), LON, 10) for i in range(60)]
    _drive(rt, writer, person, wobble)
    assert _events(rt, person) == []


def test_a_vague_fix_inside_is_not_an_entry(rt, person):
    writer = Writer(rt, "g")
    writer.start()
    _drive(rt, writer, person, [(LAT, LON, 500)] * 20)
    assert _events(rt, person) == []


def test_one_fix_jumping_out_and_back_is_not_an_exit(rt, person):
    writer = Writer(rt, "g")
    writer.start()
    inside, far = (LAT, LON, 5), (_north_edge_offset(300), LON, 5)
    _drive(rt, writer, person, [inside] * 10 + [far] + [inside] * 10 + [far, far] + [inside] * 10)
    assert [kind for kind, _at in _events(rt, person)] == ["geofence_enter"]


def test_a_restarted_writer_does_not_enter_again(rt, person):
    first = Writer(rt, "g")
    first.start()
    _drive(rt, first, person, [(LAT, LON, 5)] * 10)
    second = Writer(rt, "g2")
    second.start()
    _drive(rt, second, person, [(LAT, LON, 5)] * 10, start_ms=START_MS + 200_000)
    assert [kind for kind, _at in _events(rt, person)] == ["geofence_enter"]


def test_a_stop_longer_than_the_threshold_is_a_stay_with_its_place(rt, person):
    writer = Writer(rt, "g")
    writer.start()
    stop_fixes = rt.settings.stay_min_s // 10 + 3
    # Drive in, stand still (with 10 m of jitter) for the threshold and more, drive on.
    route = [(_north_edge_offset(900 - 300 * i), LON, 5) for i in range(3)]
    stop = [(LAT + (0.00005 if i % 2 else 0), LON, 8) for i in range(stop_fixes)]
    away = [(_north_edge_offset(400 + 300 * i), LON, 5) for i in range(3)]
    _drive(rt, writer, person, route + stop + away)
    [stay] = activities.events(rt.db, person, ("stay",))
    assert stay["started_at"] == _at(3)
    assert stay["ended_at"] == _at(3 + stop_fixes - 1)
    assert stay["attributes"]["place"] == "Depot yard"


def test_a_short_stop_is_not_a_stay(rt, person):
    writer = Writer(rt, "g")
    writer.start()
    _drive(rt, writer, person, [(LAT, LON, 5)] * 5 + [(_north_edge_offset(500), LON, 5)] * 3)
    assert activities.events(rt.db, person, ("stay",)) == []
