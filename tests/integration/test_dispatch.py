"""Dispatch and daily routes (issue 6) on the demo city's real street network: candidates ranked by
travel time (not straight line), availability, scope, and OR-Tools routes against the entered order."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise, permutations

import time_machine

from dashboard.ingest.accept import accept_fixes
from dashboard.work import people
from dashboard.work.dispatch import rank_candidates, travel_matrix_s, travel_time_s
from dashboard.work.routing import plan_route
from dashboard.work.streets import distance_m
from data import customers, employees, route_plans
from data import tasks as task_rows
from data.scope import Scope
from tests.unit.test_dispatch import NEAR_BY_CROW, NEAR_BY_STREET, TARGET

ALWAYS = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def _now_ms() -> int:
    return int(time.time() * 1000)


def _team_of_e0001(rt) -> int:
    person = employees.employee_by_code(rt.db, "E0001")["id"]
    return employees.get_employee(rt.db, Scope.everything(), person)["team_id"]


def _team_mates(rt, count: int) -> list[int]:
    team = _team_of_e0001(rt)
    return [p["id"] for p in employees.roster(rt.db, Scope(team_ids=frozenset({team})))][:count]


def test_candidates_are_ranked_by_street_travel_time_not_straight_line(seeded_rt):
    rt = seeded_rt
    crow, street = _team_mates(rt, 2)
    accept_fixes(rt, crow, [{"ts": _now_ms(), "lat": NEAR_BY_CROW[0], "lon": NEAR_BY_CROW[1]}], "native")
    accept_fixes(rt, street, [{"ts": _now_ms(), "lat": NEAR_BY_STREET[0], "lon": NEAR_BY_STREET[1]}], "native")
    assert distance_m(*NEAR_BY_CROW, *TARGET) < distance_m(*NEAR_BY_STREET, *TARGET)
    ranked = rank_candidates(rt, Scope.everything(), *TARGET)
    assert [c.employee_id for c in ranked] == [street, crow]
    assert ranked[0].travel_s == travel_time_s(*NEAR_BY_STREET, *TARGET) < ranked[1].travel_s
    assert all(c.available and c.open_today == 0 for c in ranked)


def test_people_who_cannot_go_now_come_after_those_who_can_and_say_why(seeded_rt):
    rt = seeded_rt
    stale, free = _team_mates(rt, 2)
    old = _now_ms() - (rt.settings.offline_after_s + 60) * 1000
    accept_fixes(rt, stale, [{"ts": old, "lat": TARGET[0], "lon": TARGET[1]}], "native", history=True)
    accept_fixes(rt, free, [{"ts": _now_ms(), "lat": NEAR_BY_CROW[0], "lon": NEAR_BY_CROW[1]}], "native")
    ranked = rank_candidates(rt, Scope.everything(), *TARGET)
    assert [(c.employee_id, c.available, c.reason) for c in ranked] == [(free, True, None), (stale, False, "stale")]


def test_dispatch_shows_only_people_in_the_viewers_scope(seeded_rt):
    rt = seeded_rt
    mine = _team_mates(rt, 1)[0]
    team = _team_of_e0001(rt)
    other = next(p["id"] for p in employees.roster(rt.db, Scope.everything()) if p["team_id"] != team)
    for person, point in ((mine, NEAR_BY_CROW), (other, NEAR_BY_STREET)):
        accept_fixes(rt, person, [{"ts": _now_ms(), "lat": point[0], "lon": point[1]}], "native")
    ranked = rank_candidates(rt, Scope(team_ids=frozenset({team})), *TARGET)
    assert [c.employee_id for c in ranked] == [mine]


def _scattered_tasks(rt, person: int, count: int, seed: int) -> list[int]:
    """Tasks at random customers of the person's team, entered in a random order, with wide windows."""
    team = employees.get_employee(rt.db, Scope.everything(), person)["team_id"]
    pool = customers.list_customers(rt.db, Scope(team_ids=frozenset({team})))
    start = datetime.now(UTC)
    return [
        task_rows.create_task(
            rt.db,
            {
                "customer_id": customer["id"],
                "employee_id": person,
                "kind": "visit",
                "priority": 2,
                "window_start": start,
                "window_end": start + timedelta(hours=10),
                "duration_min": 10,
                "notes": None,
            },
            None,
        )
        for customer in random.Random(seed).sample(pool, count)
    ]


def test_an_optimised_route_travels_less_than_the_entered_order(seeded_rt):
    rt = seeded_rt
    person = employees.employee_by_code(rt.db, "E0001")["id"]
    entered = _scattered_tasks(rt, person, 6, seed=3)
    plan = plan_route(rt, person)
    assert sorted(plan.task_ids) == sorted(entered) and plan.late_tasks == 0
    assert plan.planned_travel_s < 0.9 * plan.entered_travel_s and plan.saved_s > 0
    # No order is shorter: every permutation, from the same start (the first task entered: no fix yet).
    stops = {t["id"]: (t["lat"], t["lon"]) for t in task_rows.list_tasks(rt.db, Scope.everything(), *ALWAYS)}
    points = [stops[entered[0]], *(stops[t] for t in entered)]
    matrix = travel_matrix_s(points)
    best = min(sum(matrix[a][b] for a, b in pairwise((0, *order))) for order in permutations(range(1, len(points))))
    assert plan.planned_travel_s <= round(best) + 1
    day = datetime.now(rt.settings.tz).date()
    start = datetime.combine(day, datetime.min.time(), rt.settings.tz)
    stored = task_rows.planned_route(rt.db, person, start, start + timedelta(days=1))
    assert [t["id"] for t in stored] == plan.task_ids
    saved = route_plans.latest_plans(rt.db, Scope.everything(), day)
    assert [(p["employee_id"], p["planned_travel_s"], p["entered_travel_s"]) for p in saved] == [
        (person, plan.planned_travel_s, plan.entered_travel_s)
    ]
    assert len(saved[0]["path"]) > len(entered)


def test_a_candidates_open_count_is_of_today_not_of_yesterday_or_tomorrow(seeded_rt):
    rt = seeded_rt
    person = _team_mates(rt, 1)[0]
    team = employees.get_employee(rt.db, Scope.everything(), person)["team_id"]
    customer = customers.list_customers(rt.db, Scope(team_ids=frozenset({team})))[0]["id"]
    now = datetime(2026, 11, 24, 23, 30, tzinfo=rt.settings.tz)  # half an hour before the local day ends
    for day, state in ((-1, "assigned"), (0, "assigned"), (0, "done"), (1, "assigned")):
        start = now.replace(hour=9, minute=0) + timedelta(days=day)
        task = task_rows.create_task(
            rt.db,
            {
                "customer_id": customer,
                "employee_id": person,
                "kind": "visit",
                "priority": 2,
                "window_start": start,
                "window_end": start + timedelta(hours=2),
                "duration_min": 30,
                "notes": None,
            },
            None,
        )
        if state == "done":
            rt.db.execute("UPDATE tasks SET state = 'done' WHERE id = %s", (task,))
    with time_machine.travel(now, tick=True):
        fix = {"ts": int(now.timestamp() * 1000), "lat": NEAR_BY_CROW[0], "lon": NEAR_BY_CROW[1]}
        accept_fixes(rt, person, [fix], "native")
        ranked = rank_candidates(rt, Scope.everything(), *TARGET, now=now)
    assert [(c.employee_id, c.open_today) for c in ranked] == [(person, 1)]


def test_a_route_without_a_fresh_fix_starts_at_the_persons_home_base(seeded_rt):
    """Issue 18: a home base set on the People page is where the day's route starts when no fix is fresh."""
    rt = seeded_rt
    person = employees.employee_by_code(rt.db, "E0001")["id"]
    entered = _scattered_tasks(rt, person, 3, seed=5)
    home = (60.2055, 24.6559)  # Espoo, well outside the demo's stops
    people.change_person(rt, people.Actor.command_line(), person, {"home_lat": home[0], "home_lon": home[1]})
    plan = plan_route(rt, person)
    assert sorted(plan.task_ids) == sorted(entered)
    first = plan.path[0]
    assert abs(first[0] - home[0]) < 0.01 and abs(first[1] - home[1]) < 0.01
