"""The efficiency model on constructed tracks with known answers, and rollups against a recomputation."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import h3
import pytest

from dashboard.analytics import efficiency as service
from dashboard.analytics import metrics
from data import analytics
from data.positions import PositionRow, insert_positions
from data.scope import Scope

TZ = "Europe/Helsinki"
HOUR = datetime(2026, 6, 1, 8, tzinfo=UTC)  # 11:00 in Helsinki, a Monday
STEP_S = 15
EAST_150M = 150 / (111_320.0 * math.cos(math.radians(60.17)))  # degrees of longitude for 150 m there
NORTH_150M = 150 / 111_320.0


def _team_employee(db, team: str, code: str) -> tuple[int, int]:
    team_id = db.fetch_one("INSERT INTO teams (name) VALUES (%s) RETURNING id", (team,))["id"]
    employee_id = db.fetch_one(
        "INSERT INTO employees (code, name, team_id) VALUES (%s, %s, %s) RETURNING id", (code, code, team_id)
    )["id"]
    return team_id, employee_id


def _rows(employee_id: int, points: list[tuple[int, float, float, float]]) -> list[PositionRow]:
    return [
        PositionRow(
            employee_id,
            HOUR + timedelta(seconds=t),
            lat,
            lon,
            speed,
            None,
            5.0,
            h3.str_to_int(h3.latlng_to_cell(lat, lon, 10)),
            "native",
        )
        for t, lat, lon, speed in points
    ]


def _known_day(db) -> dict:
    """One hour with known answers (seconds after 08:00 UTC, 15 s between fixes):
    0-600 drive east 150 m a step inside the work area; 600-1800 a visit on time;
    1800-2400 an idle stay far outside the work area; 2400-3645 drive north, outside it."""
    team_id, employee_id = _team_employee(db, "North", "E1")
    db.execute(
        """INSERT INTO zones (name, kind, team_id, geometry) VALUES ('North area', 'work_area', %s,
           '{"type": "Polygon", "coordinates": [[[24.85, 60.10], [25.05, 60.10], [25.05, 60.22],
                                                  [24.85, 60.22], [24.85, 60.10]]]}')""",
        (team_id,),
    )
    start_lat, start_lon = 60.17, 24.90
    visit_lat, visit_lon = start_lat, start_lon + 40 * EAST_150M
    idle_lat, idle_lon = 60.30, 25.20
    customer = db.fetch_one(
        "INSERT INTO customers (name, lat, lon) VALUES ('Kiosk', %s, %s) RETURNING id", (visit_lat, visit_lon)
    )["id"]
    task = db.fetch_one(
        """INSERT INTO tasks (customer_id, employee_id, window_start, window_end, planned_seq, state)
           VALUES (%s, %s, %s, %s, 1, 'done') RETURNING id""",
        (customer, employee_id, HOUR, HOUR + timedelta(hours=1)),
    )["id"]
    points = []
    for t in range(0, 3646, STEP_S):
        if t < 600:
            points.append((t, start_lat, start_lon + (t // STEP_S) * EAST_150M, 10.0))
        elif t < 1800:
            points.append((t, visit_lat, visit_lon, 0.0))
        elif t < 2400:
            points.append((t, idle_lat, idle_lon, 0.0))
        else:
            points.append((t, idle_lat + ((t - 2400) // STEP_S) * NORTH_150M, idle_lon, 10.0))
    return {
        "employee_id": employee_id,
        "team_id": team_id,
        "customer": customer,
        "task": task,
        "rows": _rows(employee_id, points),
        "visit": (HOUR + timedelta(seconds=600), HOUR + timedelta(seconds=1785)),
        "stay": (HOUR + timedelta(seconds=1800), HOUR + timedelta(seconds=2385)),
    }


def _add_activities(db, day: dict, kinds: tuple[str, ...] = ("visit", "stay")) -> None:
    if "visit" in kinds:
        db.execute(
            """INSERT INTO activities (employee_id, customer_id, task_id, kind, started_at, ended_at)
               VALUES (%s, %s, %s, 'visit', %s, %s)""",
            (day["employee_id"], day["customer"], day["task"], *day["visit"]),
        )
    if "stay" in kinds:
        db.execute(
            "INSERT INTO activities (employee_id, kind, started_at, ended_at) VALUES (%s, 'stay', %s, %s)",
            (day["employee_id"], *day["stay"]),
        )


def _hour_totals(db, employee_id: int, hour: datetime) -> dict:
    return db.fetch_one(
        f"SELECT {analytics.SUMS}, sum(fixes)::int AS fixes FROM analytics_facts WHERE employee_id = %s AND hour = %s",  # noqa: S608
        (employee_id, hour),
    )


def _snapshot(db) -> dict[str, list[dict]]:
    return {
        table: db.fetch_all(f"SELECT * FROM {table} ORDER BY 1, 2, 3")  # noqa: S608 - our own table names
        for table in (
            "analytics_facts",
            "analytics_cell_hour",
            "analytics_cell_day",
            "analytics_team_hour",
            "analytics_employee_day",
        )
    }


def test_h3_res9_in_sql_is_the_parent_cell(rt):
    cell = h3.latlng_to_cell(60.1699, 24.9384, 10)
    row = rt.db.fetch_one("SELECT h3_res9(%s) AS parent", (h3.str_to_int(cell),))
    assert row["parent"] == h3.str_to_int(h3.cell_to_parent(cell, 9))


def test_a_constructed_hour_splits_into_visit_travel_idle_and_outside_time(rt):
    day = _known_day(rt.db)
    insert_positions(rt.db, day["rows"])
    _add_activities(rt.db, day)
    service.upkeep(rt.db, TZ)
    totals = _hour_totals(rt.db, day["employee_id"], HOUR)
    assert totals["fixes"] == 240
    assert totals["tracked_s"] == pytest.approx(3600)
    assert totals["visit_s"] == pytest.approx(1200)  # fixes 600..1785 inside the visit
    assert totals["idle_s"] == pytest.approx(600)  # the stay away from any customer
    assert totals["travel_s"] == pytest.approx(1800)
    assert totals["outside_s"] == pytest.approx(1800)  # the stay and the drive north
    assert totals["distance_m"] == pytest.approx(120 * 150, rel=1e-6)  # only travel steps count
    assert (totals["visits"], totals["visits_on_time"], totals["visits_with_window"]) == (1, 1, 1)
    # The last fix of the day covers no time; the hour before took its interval up to 09:00:00.
    assert _hour_totals(rt.db, day["employee_id"], HOUR + timedelta(hours=1))["tracked_s"] == pytest.approx(45)


def _visit_with_window(rt, window_start, window_end) -> dict:
    day = _known_day(rt.db)
    rt.db.execute(
        "UPDATE tasks SET window_start = %s, window_end = %s, arrived_at = %s WHERE id = %s",
        (window_start, window_end, day["visit"][0], day["task"]),
    )
    insert_positions(rt.db, day["rows"])
    _add_activities(rt.db, day)
    service.upkeep(rt.db, TZ)
    return day


def test_a_visit_after_its_window_closed_is_late(rt):
    day = _visit_with_window(rt, HOUR - timedelta(hours=2), HOUR)  # the visit starts 08:10 UTC, after the window
    totals = _hour_totals(rt.db, day["employee_id"], HOUR)
    assert (totals["visits"], totals["visits_on_time"], totals["visits_with_window"]) == (1, 0, 1)


def test_a_visit_before_its_window_opened_is_on_time_in_every_figure(rt):
    day = _visit_with_window(rt, HOUR + timedelta(hours=2), HOUR + timedelta(hours=3))  # early: before the window
    totals = _hour_totals(rt.db, day["employee_id"], HOUR)
    assert (totals["visits"], totals["visits_on_time"], totals["visits_with_window"]) == (1, 1, 1)
    (person,) = metrics.per_employee(
        metrics.employee_days(rt.db, Scope.everything(), HOUR.date(), HOUR.date(), TZ, HOUR + timedelta(days=1))
    )
    assert person["on_time_rate"] == 1.0
    (task,) = analytics.day_tasks(
        rt.db, Scope.everything(), day["employee_id"], HOUR - timedelta(hours=8), HOUR + timedelta(hours=16)
    )
    assert task["on_time"] is True


def test_the_day_and_heatmap_rollups_carry_the_hour_in_local_time(rt):
    day = _known_day(rt.db)
    insert_positions(rt.db, day["rows"])
    _add_activities(rt.db, day)
    service.upkeep(rt.db, TZ)
    everyone = Scope.everything()
    (person,) = metrics.per_employee(
        metrics.employee_days(rt.db, everyone, date(2026, 6, 1), date(2026, 6, 1), TZ, HOUR + timedelta(days=1))
    )
    assert person["visits_per_person_day"] == 1
    assert person["idle_share"] == pytest.approx(600 / 3645)
    assert person["km_per_person_day"] == pytest.approx(18.45)  # and three steps after 09:00
    matrix = analytics.week_hour_matrix(rt.db, everyone, date(2026, 6, 1), date(2026, 6, 1), TZ)
    assert {(r["weekday"], r["hour_of_day"]) for r in matrix} == {(1, 11), (1, 12)}
    cells = analytics.heatmap(rt.db, everyone, date(2026, 6, 1), date(2026, 6, 1), TZ, hours=[11])
    idle_cell = h3.str_to_int(h3.cell_to_parent(h3.latlng_to_cell(60.30, 25.20, 10), 9))
    by_cell = {row["cell"]: row for row in cells}
    assert by_cell[idle_cell]["idle_share"] > 0.9
    behind = analytics.cell_breakdown(rt.db, everyone, idle_cell, date(2026, 6, 1), date(2026, 6, 1), TZ)
    assert [(r["employee_id"], r["hour"]) for r in behind] == [(day["employee_id"], HOUR)]


def test_incremental_upkeep_equals_a_rebuild_from_scratch(rt):
    day = _known_day(rt.db)
    rows = day["rows"]
    # As the writer goes: fixes in three batches, the visit with the first, the stay only when it ended.
    insert_positions(rt.db, rows[:100])
    _add_activities(rt.db, day, ("visit",))
    service.upkeep(rt.db, TZ)
    insert_positions(rt.db, rows[100:170])
    service.upkeep(rt.db, TZ)
    insert_positions(rt.db, rows[170:])
    _add_activities(rt.db, day, ("stay",))
    service.upkeep(rt.db, TZ)
    assert analytics.dirty_count(rt.db) == 0
    incremental = _snapshot(rt.db)
    rt.db.execute(
        "TRUNCATE analytics_facts, analytics_cell_hour, analytics_cell_day, analytics_team_hour, analytics_employee_day"
    )
    service.rebuild(rt.db, date(2026, 6, 1), date(2026, 6, 1), TZ)
    assert _snapshot(rt.db) == incremental
    assert incremental["analytics_employee_day"][0]["idle_s"] == pytest.approx(600)
    assert all(incremental[table] for table in incremental)


def test_a_supervisors_heatmap_covers_only_their_teams(rt):
    day = _known_day(rt.db)
    other_team, other = _team_employee(rt.db, "South", "E2")
    insert_positions(rt.db, day["rows"])
    insert_positions(rt.db, _rows(other, [(t, 60.0, 24.0, 0.0) for t in range(0, 600, STEP_S)]))
    service.upkeep(rt.db, TZ)
    south_cell = h3.str_to_int(h3.cell_to_parent(h3.latlng_to_cell(60.0, 24.0, 10), 9))
    north_only = Scope(team_ids=frozenset({day["team_id"]}))
    cells = {r["cell"] for r in analytics.heatmap(rt.db, north_only, date(2026, 6, 1), date(2026, 6, 1), TZ)}
    assert cells and south_cell not in cells
    assert analytics.cell_breakdown(rt.db, north_only, south_cell, date(2026, 6, 1), date(2026, 6, 1), TZ) == []
    south = Scope(team_ids=frozenset({other_team}))
    assert {r["cell"] for r in analytics.heatmap(rt.db, south, date(2026, 6, 1), date(2026, 6, 1), TZ)} == {south_cell}
    own = Scope(employee_id=other)
    rows = metrics.employee_days(rt.db, own, date(2026, 6, 1), date(2026, 6, 1), TZ, HOUR + timedelta(days=1))
    assert [r["employee_id"] for r in metrics.per_employee(rows)] == [other]


def test_one_persons_day_is_empty_for_a_viewer_who_may_not_see_them(rt):
    day = _known_day(rt.db)
    insert_positions(rt.db, day["rows"])
    _add_activities(rt.db, day)
    service.upkeep(rt.db, TZ)
    other_team, _other = _team_employee(rt.db, "South", "E2")
    start, end = HOUR - timedelta(hours=8), HOUR + timedelta(hours=16)
    reads = (analytics.day_track, analytics.day_activities, analytics.day_tasks, analytics.employee_hours)
    outsider = Scope(team_ids=frozenset({other_team}))
    assert all(read(rt.db, outsider, day["employee_id"], start, end) == [] for read in reads)
    own_team = Scope(team_ids=frozenset({day["team_id"]}))
    assert all(read(rt.db, own_team, day["employee_id"], start, end) for read in reads)
