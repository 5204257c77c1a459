"""Visit plans (issue 21, docs/PLANS.md): a month planned for a team of 10 with 200 customers of three tiers, a
holiday, a make-up working day and a person's leave, at a pinned instant on the demo city's streets."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dashboard.analytics import coverage
from dashboard.cli.main import main
from dashboard.core.errors import AppError
from dashboard.ingest.privacy import working_spans
from dashboard.work import lifecycle
from dashboard.work.planning import DailyPlanner, add_leave, plan_visits, visit_days
from data import activities, customers, employees, visit_plans, working_hours
from data import teams as team_rows
from data.scope import Scope

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY = datetime(2027, 3, 1, 7, 0, tzinfo=HELSINKI)  # the run's instant: a Monday before work
HOLIDAY = date(2027, 3, 10)  # a Wednesday
MAKE_UP_SATURDAY = date(2027, 3, 20)
LEAVE = (date(2027, 3, 8), date(2027, 3, 12))
TIERS = {"A": 14, "B": 30, "C": 91}
MONTH = 30


@pytest.fixture
def team_month(rt):
    """A team of 10, 200 customers (70 A, 70 B, 60 C) near Helsinki's centre, most visited some days ago."""
    rng = random.Random(21)
    team = team_rows.create_team(rt.db, "Plans", "#336699")
    people = [employees.create_employee(rt.db, f"P{n:02}", f"Planner {n}", team) for n in range(10)]
    # One person works Tuesday to Saturday, 10 to 16: their visits keep to those hours.
    working_hours.replace_slots(rt.db, [(d, time(10), time(16)) for d in range(1, 6)], employee_id=people[1])
    for code, every in TIERS.items():
        window = (time(9), time(12)) if code == "A" else (None, None)
        visit_plans.save_tier(
            rt.db,
            {
                "code": code,
                "name": f"Tier {code}",
                "every_days": every,
                "route_days": [],
                "window_start": window[0],
                "window_end": window[1],
                "task_kind": "visit",
                "duration_min": 30,
            },
        )
    tiers = ["A"] * 70 + ["B"] * 70 + ["C"] * 60
    rows = [
        {
            "external_id": f"PLAN-{n}",
            "name": f"Customer {n}",
            "category": "shop",
            "address": None,
            "lat": 60.17 + rng.uniform(-0.02, 0.02),
            "lon": 24.94 + rng.uniform(-0.04, 0.04),
            "owner_employee_id": people[n % 10],
        }
        for n in range(200)
    ]
    customers.upsert_customers(rt.db, Scope.everything(), rows)
    ids = customers.external_ids(rt.db, Scope.everything())
    tier_of = {}
    for n, tier in enumerate(tiers):
        customer = ids[f"PLAN-{n}"]
        tier_of[customer] = tier
        plan = {"tier": tier, "visit_every_days": None, "visit_route_days": None}
        assert visit_plans.set_customer_plan(
            rt.db, Scope.everything(), customer, plan | {"visit_window_start": None, "visit_window_end": None}
        )
        if n % 5:  # four in five were visited some days ago, within their frequency
            ago = rng.randint(1, TIERS[tier] - 1)
            at = (MONDAY - timedelta(days=ago)).replace(hour=11)
            activities.open_visit(rt.db, people[n % 10], customer, None, at.astimezone(UTC), source="checkin")
            activities.close_visit(rt.db, people[n % 10], (at + timedelta(minutes=30)).astimezone(UTC), customer)
    visit_plans.set_calendar_day(rt.db, HOLIDAY, "holiday", "Founders' day")
    visit_plans.set_calendar_day(rt.db, MAKE_UP_SATURDAY, "workday", "Make-up day")
    away = people[2]
    assert visit_plans.add_leave(rt.db, Scope.everything(), away, *LEAVE, "holiday", None)
    return {"people": people, "tier_of": tier_of, "away": away, "team": team}


def _planned(rt) -> list[dict]:
    return visit_plans.planned_tasks(rt.db, Scope.everything(), date(2027, 1, 1), date(2027, 12, 31))


def test_a_month_planned_for_a_team_keeps_every_rule(rt, team_month):
    with time_machine.travel(MONDAY, tick=True):
        run = plan_visits(rt, days=MONTH)
    assert run.ran and not run.skipped and run.routed > 0
    tasks = _planned(rt)
    assert sorted(t["id"] for t in tasks) == sorted(run.created)
    first, last = MONDAY.date(), MONDAY.date() + timedelta(days=MONTH - 1)
    slots = working_hours.schedules(rt.db)
    by_customer: dict[int, list[date]] = {}
    for task in tasks:
        day = task["planned_for"]
        assert first <= day <= last
        assert day != HOLIDAY, "nothing on the holiday"
        if task["employee_id"] == team_month["away"]:
            assert not LEAVE[0] <= day <= LEAVE[1], "nothing during the person's leave"
        spans = working_spans(slots[task["employee_id"]], day, HELSINKI)
        if day == MAKE_UP_SATURDAY and not spans:
            spans = working_spans([(5, s, e) for d, s, e in slots[task["employee_id"]] if d == 0], day, HELSINKI)
        assert any(s <= task["window_start"] and task["window_end"] <= e for s, e in spans), "inside working hours"
        assert task["window_start"].astimezone(HELSINKI).date() == day and task["state"] == "assigned"
        assert task["planned_seq"] is not None, "OR-Tools ordered the day"
        by_customer.setdefault(task["customer_id"], []).append(day)
    assert any(t["planned_for"] == MAKE_UP_SATURDAY for t in tasks), "a make-up working day is a working day"
    a_customers = [c for c, tier in team_month["tier_of"].items() if tier == "A"]
    for customer in a_customers:
        days = sorted(by_customer.get(customer, []))
        assert len(days) >= 2, f"every A customer gets its visits: {customer} has {days}"
        assert days[0] <= first + timedelta(days=14 + 5)
        for earlier, later in pairwise(days):
            assert 14 <= (later - earlier).days <= 14 + 5  # snapped past a weekend, a holiday or leave at most
        a_windows = [t for t in tasks if t["customer_id"] == customer]
        assert all(t["window_start"].astimezone(HELSINKI).time() >= time(9) for t in a_windows)
    assert all(len(by_customer.get(c, [])) == len(set(by_customer.get(c, []))) for c in by_customer)


def test_planning_twice_makes_nothing_new_and_a_cancelled_visit_stays_missed(rt, team_month):
    with time_machine.travel(MONDAY, tick=True):
        first_run = plan_visits(rt, days=MONTH)
        again = plan_visits(rt, days=MONTH)
    assert first_run.created and again.created == [] and again.routed == 0
    cancelled = _planned(rt)[0]
    lifecycle.change_state(rt, cancelled["id"], "cancelled", reason="customer closed")
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=True):
        third = plan_visits(rt, days=MONTH)
    assert third.created == []
    after = {t["id"]: t for t in _planned(rt)}
    assert after[cancelled["id"]]["missed"] and after[cancelled["id"]]["state"] == "cancelled"
    same_day = [t for t in after.values() if t["customer_id"] == cancelled["customer_id"]]
    assert [t["planned_for"] for t in same_day].count(cancelled["planned_for"]) == 1


def test_a_customer_without_an_owner_is_skipped_with_a_reason(rt, team_month):
    customer = next(iter(team_month["tier_of"]))
    customers.upsert_customers(
        rt.db,
        Scope.everything(),
        [
            {
                "external_id": "PLAN-ORPHAN",
                "name": "Orphan",
                "category": None,
                "address": None,
                "lat": 60.17,
                "lon": 24.94,
                "owner_employee_id": None,
            }
        ],
    )
    orphan = customers.external_ids(rt.db, Scope.everything())["PLAN-ORPHAN"]
    plan = {"tier": "A", "visit_every_days": 7, "visit_route_days": [2], "visit_window_start": None}
    assert visit_plans.set_customer_plan(rt.db, Scope.everything(), orphan, plan | {"visit_window_end": None})
    assert visit_plans.customer_plan(rt.db, Scope.everything(), orphan)["every_days"] == 7
    with time_machine.travel(MONDAY, tick=True):
        run = plan_visits(rt, days=3)
    assert [(s.customer_id, s.reason) for s in run.skipped] == [(orphan, "no_owner")]
    assert customer not in {s.customer_id for s in run.skipped}


def test_visit_days_follow_the_frequency_from_the_day_each_visit_landed_on():
    weekdays = lambda day: day.weekday() < 5  # noqa: E731
    monday = date(2027, 3, 1)
    assert visit_days(14, None, monday, monday + timedelta(days=29), weekdays) == [
        monday,
        date(2027, 3, 15),
        date(2027, 3, 29),
    ]
    # Due on a Saturday: Monday instead, and the next from that Monday.
    assert visit_days(7, date(2027, 2, 20), monday - timedelta(days=2), monday + timedelta(days=9), weekdays) == [
        monday,
        date(2027, 3, 8),
    ]
    assert visit_days(30, monday, monday, monday + timedelta(days=13), weekdays) == []


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("FIELDOPS_REDIS_PREFIX", settings.redis_prefix)
    monkeypatch.setenv("SECRET_KEY", settings.secret_key)


def test_china_holidays_and_make_up_working_days_are_imported_and_a_hand_mark_kept(cli_env, rt, capsys):
    visit_plans.set_calendar_day(rt.db, date(2026, 10, 1), "holiday", "Our own name for it")
    assert main(["holidays", "import", "--country", "CN", "--year", "2026"]) == 0
    assert "make-up working days imported" in capsys.readouterr().out
    marked = {r["day"]: r for r in visit_plans.calendar_days(rt.db, date(2026, 1, 1), date(2026, 12, 31))}
    assert marked[date(2026, 2, 17)]["kind"] == "holiday" and marked[date(2026, 2, 17)]["source"] == "import"
    assert marked[date(2026, 1, 4)]["kind"] == "workday", "Sunday 4 January 2026 is worked (调休)"
    assert {d for d, r in marked.items() if r["kind"] == "workday"} == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }
    assert marked[date(2026, 10, 1)]["name"] == "Our own name for it"
    assert main(["holidays", "import", "--country", "XX", "--year", "2026"]) == 2
    assert main(["holidays", "remove", "2026-10-01"]) == 0
    assert main(["plan-visits", "--days", "500"]) == 2
    assert main(["plan-visits", "--days", "3"]) == 0
    assert "0 new visits" in capsys.readouterr().out


def test_the_workers_daily_run_plans_once_a_day_and_one_planner_at_a_time(rt, team_month):
    with time_machine.travel(MONDAY, tick=True):
        with visit_plans.planner_lock(rt.db) as held:  # another worker is planning
            assert held
            assert DailyPlanner(rt).run_if_due().ran is False
        planner = DailyPlanner(rt)
        first = planner.run_if_due()
        assert first.ran and first.created and planner.run_if_due() is None
    with time_machine.travel(MONDAY + timedelta(days=1), tick=True):
        tomorrow = planner.run_if_due()
    new_days = {t["planned_for"] for t in _planned(rt) if t["id"] in tomorrow.created}
    assert new_days <= {MONDAY.date() + timedelta(days=14)}, "tomorrow's run adds only its horizon's new day"


def test_leave_is_marked_only_for_people_of_the_markers_teams(rt, team_month):
    other_team = team_rows.create_team(rt.db, "Elsewhere", "#993366")
    theirs = Scope(team_ids=frozenset({other_team}))
    person = team_month["people"][0]
    with pytest.raises(AppError) as refused:
        add_leave(rt, theirs, person, date(2027, 4, 1), date(2027, 4, 2), "", None)
    assert refused.value.status == 404
    with pytest.raises(AppError) as backwards:
        add_leave(rt, Scope.everything(), person, date(2027, 4, 2), date(2027, 4, 1), "", None)
    assert backwards.value.status == 400
    mine = Scope(team_ids=frozenset({team_month["team"]}))
    leave_id = add_leave(rt, mine, person, date(2027, 4, 1), date(2027, 4, 2), "Course", None)
    assert not visit_plans.remove_leave(rt.db, theirs, leave_id)
    assert visit_plans.leave_list(rt.db, theirs, date(2027, 3, 1)) == [], "another team's supervisor sees none of it"
    assert leave_id in {r["id"] for r in visit_plans.leave_list(rt.db, mine, date(2027, 3, 1))}
    assert visit_plans.remove_leave(rt.db, mine, leave_id)


def test_the_coverage_figures_of_the_planned_month_equal_the_tasks_in_the_database(rt, team_month):
    """The Coverage page's figures (dashboard/analytics/coverage, which the page, the reports and the API call) for
    the month just planned: planned per person and in all equals the planned tasks in the database; a cancelled one
    is missed, the rest still to come."""
    with time_machine.travel(MONDAY, tick=True):
        plan_visits(rt, days=MONTH)
    tasks = _planned(rt)
    lifecycle.change_state(rt, tasks[0]["id"], "cancelled", reason="customer closed")
    first, last = MONDAY.date(), MONDAY.date() + timedelta(days=MONTH - 1)
    rows = coverage.person_counts(rt.db, Scope.everything(), first, last, rt.settings.timezone, MONDAY)
    in_database = rt.db.fetch_all(
        "SELECT employee_id, count(*) AS n FROM tasks WHERE planned_for BETWEEN %s AND %s GROUP BY employee_id",
        (first, last),
    )
    per_person = {r["employee_id"]: r["planned"] for r in coverage.per_employee(rows) if r["planned"]}
    assert per_person == {r["employee_id"]: r["n"] for r in in_database}
    total = coverage.total(rows)
    assert total["planned"] == len(tasks) == sum(r["n"] for r in in_database)
    assert (total["missed"], total["done"], total["pending"]) == (1, 0, len(tasks) - 1)
    assert [team["planned"] for team in coverage.per_team(rows)] == [len(tasks)]
