"""The simulator's plans on the demo city's street network (dashboard/demo/simulator.py), seeded and with
no server: travel on real streets, dwells at customers, the habits, GPS noise. The simulator posting to
the real app is tested in tests/integration/test_simulator.py."""

import math
import random
from itertools import pairwise

import pytest

from dashboard.demo.simulator import State, Stop, add_gps_noise, build_plan
from dashboard.work.streets import distance_m, helsinki_places, helsinki_streets


@pytest.fixture(scope="module")
def network():
    return helsinki_streets()


def _distance_to_streets(network, lat, lon):
    best = math.inf
    for shape in network.segments():
        for (lat1, lon1), (lat2, lon2) in pairwise(shape):
            # Project onto the segment in a local flat frame (metres).
            kx = 111_320 * math.cos(math.radians(lat))
            ax, ay, bx, by = (lon1 - lon) * kx, (lat1 - lat) * 111_320, (lon2 - lon) * kx, (lat2 - lat) * 111_320
            dx, dy = bx - ax, by - ay
            t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
            best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def _stops(count, rng):
    places = rng.sample(helsinki_places(), count)
    return [Stop(p["lat"], p["lon"], 300.0, customer_id=i) for i, p in enumerate(places, start=1)]


def test_travel_stays_on_real_streets(network):
    rng = random.Random(1)
    stops = _stops(3, rng)
    plan = build_plan(network, network.node_point(int(network.node_ids[0])), stops, 8.0, rng)
    travel = [leg for leg in plan.legs if not leg.is_dwell]
    assert travel
    checked = 0
    for leg in travel:
        doors = (leg.points[0], leg.points[-1])
        for k in range(1, 20):
            state = plan.state_at(leg.start_s + (leg.end_s - leg.start_s) * k / 20)
            if min(distance_m(state.lat, state.lon, *door) for door in doors) < 60:
                continue  # the metres between a customer's door and the street
            assert _distance_to_streets(network, state.lat, state.lon) < 1.0
            assert state.speed > 0
            checked += 1
    assert checked > 20


def test_people_dwell_at_their_customers(network):
    rng = random.Random(2)
    stops = _stops(4, rng)
    plan = build_plan(network, (stops[0].lat, stops[0].lon), stops, 8.0, rng)
    dwells = [leg for leg in plan.legs if leg.is_dwell and leg.customer_id]
    assert [leg.customer_id for leg in dwells] == [1, 2, 3, 4]
    for leg, stop in zip(dwells, stops, strict=True):
        assert leg.end_s - leg.start_s == pytest.approx(stop.dwell_s)
        middle = plan.state_at((leg.start_s + leg.end_s) / 2)
        assert (middle.lat, middle.lon, middle.speed, middle.customer_id) == (stop.lat, stop.lon, 0.0, stop.customer_id)


def test_an_idler_stops_long_away_from_customers(network):
    rng = random.Random(3)
    stops = _stops(3, rng)
    plan = build_plan(network, (stops[0].lat, stops[0].lon), stops, 8.0, rng, habit="idler")
    idle = [leg for leg in plan.legs if leg.is_dwell and leg.customer_id is None and leg.end_s - leg.start_s >= 600]
    assert idle
    for leg in idle:
        lat, lon = leg.points[0]
        assert min(distance_m(lat, lon, s.lat, s.lon) for s in stops) > 40


def test_a_late_starter_reports_only_after_the_delay(network):
    rng = random.Random(4)
    plan = build_plan(network, (60.17, 24.94), _stops(2, rng), 8.0, rng, habit="late_start")
    assert 300 <= plan.reporting_from_s <= 900


def test_an_early_finisher_stops_reporting_before_the_day_ends(network):
    rng = random.Random(5)
    plan = build_plan(network, (60.17, 24.94), _stops(3, rng), 8.0, rng, habit="early_finish")
    assert plan.reporting_until_s < plan.end_s


def test_gps_noise_is_about_the_reported_accuracy():
    rng = random.Random(6)
    true = State(60.17, 24.94, 0.0, None, None)
    errors = sorted(distance_m(*add_gps_noise(true, 10.0, rng), true.lat, true.lon) for _ in range(2000))
    median = errors[len(errors) // 2]
    assert 4 < median < 8  # Rayleigh median of sigma 5 m is ~5.9 m
