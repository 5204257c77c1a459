"""Dispatch maths on the demo city's street network (dashboard/work/dispatch.py, routing.py), no server:
travel times, street paths, and a time window that beats a shorter drive. Candidates ranked from live
positions and routes stored per person are tested in tests/integration/test_dispatch.py."""

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.work.dispatch import street_path, travel_matrix_s, travel_time_s
from dashboard.work.routing import solve_order

# Found on the demo network: A is nearer as the crow flies, B is nearer by street.
TARGET = (60.1735035, 24.9431827)
NEAR_BY_CROW = (60.177824, 24.9450719)
NEAR_BY_STREET = (60.1691028, 24.9361978)


def test_travel_time_follows_the_streets_and_falls_back_off_the_network():
    on_network = travel_time_s(60.1699, 24.9384, 60.1719, 24.9414)
    assert on_network > 0
    far_away = travel_time_s(61.5, 23.8, 61.51, 23.8)  # Tampere: no demo streets there
    assert far_away == pytest.approx(1113 * 1.3 / (25 / 3.6), rel=0.02)


def test_the_street_path_follows_the_network_between_stops():
    path = street_path([NEAR_BY_CROW, TARGET])
    assert path[0] == NEAR_BY_CROW and path[-1] == TARGET and len(path) > 3


def test_a_time_window_beats_a_shorter_drive():
    t0 = datetime(2026, 5, 4, 8, tzinfo=UTC)
    points = [TARGET, NEAR_BY_CROW, NEAR_BY_STREET]
    matrix = travel_matrix_s(points)
    near, far = (1, 2) if matrix[0][1] < matrix[0][2] else (2, 1)
    stops = [{"window_start": None, "window_end": None, "duration_min": 30, "priority": 2} for _ in range(2)]
    assert solve_order(matrix, stops, t0)[0] == near
    stops[far - 1].update(window_start=t0, window_end=t0 + timedelta(minutes=10), priority=1)
    assert solve_order(matrix, stops, t0) == [far, near]
