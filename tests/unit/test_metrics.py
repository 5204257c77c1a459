"""The figures' definitions (dashboard/analytics/metrics.py) on hand-made employee-days, no server: what a
person-day is, no value rather than 0 when a denominator is zero, and roll-ups that add up."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.analytics import metrics
from data.metrics import SUMS


def day(employee_id: int, team: str | None, on: date, **sums: float) -> dict:
    row = {key: 0 for key in SUMS}
    row.update(sums)
    return {
        "employee_id": employee_id,
        "employee_code": f"E{employee_id}",
        "employee_name": f"Person {employee_id}",
        "team_id": {"North": 1, "South": 2}.get(team),
        "team_name": team,
        "day": on,
        **row,
    }


ROWS = [
    day(
        1,
        "North",
        date(2026, 6, 1),
        tracked_s=7200,
        visit_s=3600,
        idle_s=720,
        distance_m=30_000,
        visits=4,
        visits_on_time=3,
        visits_with_window=4,
        tasks_planned=4,
        tasks_done=4,
    ),
    day(1, "North", date(2026, 6, 6), visits=2, visits_with_window=0, tasks_planned=2, tasks_done=1),  # a Saturday
    day(1, "North", date(2026, 6, 7), answers=2, score_sum=9),  # a survey answered on a day off
    day(2, "South", date(2026, 6, 1), tracked_s=3600, distance_m=10_000, overdue_tasks=1, tasks_planned=1),
    day(3, "South", date(2026, 6, 2), tasks_planned=3, overdue_tasks=3),  # planned, nothing done: no person-day
]


def test_a_person_day_is_a_day_with_tracked_time_a_visit_or_a_task_done():
    assert [metrics.is_person_day(row) for row in ROWS] == [True, True, False, True, False]
    total = metrics.total(ROWS)
    assert (total["person_days"], total["staff"], total["employees"]) == (3, 2, 3)
    assert total["visits_per_person_day"] == pytest.approx(6 / 3)
    assert total["km_per_person_day"] == pytest.approx(40 / 3)


def test_a_ratio_without_a_denominator_has_no_value():
    (nobody,) = metrics.per_employee([ROWS[4]])
    assert nobody["visits_per_person_day"] is None and nobody["on_time_rate"] is None
    assert nobody["satisfaction"] is None and nobody["idle_share"] is None
    assert metrics.FIGURE["on_time_rate"].text(None) == "–"
    assert nobody["overdue_tasks"] == 3


def test_people_teams_days_and_the_total_add_up_to_the_same_sums():
    total = metrics.total(ROWS)
    people, teams = metrics.per_employee(ROWS), metrics.per_team(ROWS)
    days = metrics.per_day(ROWS, date(2026, 6, 1), date(2026, 6, 7))
    for key in ("visits", "person_days", "tasks_done", "overdue_tasks", "answers", "tracked_hours"):
        assert sum(r[key] for r in people) == sum(r[key] for r in teams) == sum(r[key] for r in days) == total[key]
    assert [d["day"] for d in days] == [date(2026, 6, n) for n in range(1, 8)]  # every day listed, zeros too
    north = next(t for t in teams if t["team_name"] == "North")
    assert north["on_time_rate"] == pytest.approx(3 / 4) and north["satisfaction"] == pytest.approx(4.5)
    assert north["idle_share"] == pytest.approx(0.1) and north["visit_share"] == pytest.approx(0.5)


def test_active_staff_with_nothing_to_count_are_listed_with_zeros():
    quiet = {key: value for key, value in day(9, "North", date(2026, 6, 1)).items() if key in metrics.PERSON}
    people = metrics.per_employee(ROWS, [quiet])
    assert [p["employee_id"] for p in people] == [1, 2, 3, 9]
    assert people[-1]["visits"] == 0 and people[-1]["visits_per_person_day"] is None
    north = next(t for t in metrics.per_team(ROWS, [quiet]) if t["team_name"] == "North")
    assert north["employees"] == 2 and north["staff"] == 1
