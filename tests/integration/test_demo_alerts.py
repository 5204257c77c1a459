"""The demo's alerts (issue 17): its rules are switched on once, and the simulator's plan makes the three
occasions (a silent device, a person idling on a street, a task running late) and a low battery soon after
the demo starts, whatever the hour it starts at. The plan is tested, not the wall clock."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from dashboard.core.permissions import Viewer
from dashboard.demo.seed import (
    DEMO_RULES,
    LATE_WINDOW_LEFT,
    SITE_RADIUS_M,
    TEAMS,
    demo_rule_param,
    occasion_people,
    plan_day,
    plan_late_task,
    seed_demo_rules,
)
from dashboard.demo.simulator import CHARGE_AT_PCT, SILENT_FOR_S, FleetSimulator
from dashboard.work.alerting import validate_rule
from dashboard.work.streets import distance_m, helsinki_streets
from data import alerts, customers
from data.scope import Scope
from tests.conftest import LiveServer

NOTICED_WITHIN_S = 180  # each occasion satisfies its rule within this long after the demo starts
ADMIN = Viewer(None, "admin", "admin", None, Scope.everything())
# Sunday just before midnight (the late window crosses it), just after midnight, small hours, a Tuesday morning.
STARTS = ("2026-11-29T23:58:00", "2026-11-30T00:01:00", "2026-12-02T03:10:00", "2026-12-01T09:30:00")


@pytest.fixture(scope="module")
def network():
    return helsinki_streets()


def test_the_demo_rules_are_switched_on_once_and_valid(seeded_rt):
    db = seeded_rt.db
    areas = db.fetch_all("SELECT id, team_id FROM zones WHERE kind = 'work_area' ORDER BY id")
    assert seed_demo_rules(db) == len(DEMO_RULES) + len(areas) == len(DEMO_RULES) + len(TEAMS)
    assert seed_demo_rules(db) == 0  # seeding again creates nothing twice
    rules = alerts.rules(db, enabled_only=True)
    assert len(rules) == len(DEMO_RULES) + len(areas) + len(alerts.EVENT_KINDS)  # and the built-in ones
    by_kind = {}
    for rule in rules:
        by_kind.setdefault(rule["kind"], []).append(rule)
    assert set(by_kind) == {
        "help",
        "tasks_freed",
        "silent",
        "idle",
        "task_not_arrived",
        "task_overdue",
        "low_battery",
        "speeding",
        "low_survey",
        "zone_exit",
    }
    expected = {
        "silent": ("warning", {"minutes": 10}),
        "idle": ("warning", {"minutes": 20}),
        "task_not_arrived": ("warning", {}),
        "task_overdue": ("warning", {"minutes": 30}),
        "low_battery": ("info", {"percent": 15}),
        "speeding": ("warning", {"kmh": 80, "seconds": 30}),
        "low_survey": ("warning", {"stars": 2}),
    }
    for kind, (severity, params) in expected.items():
        [rule] = by_kind[kind]
        assert (rule["severity"], rule["params"]) == (severity, params)
        assert rule["team_ids"] is None and rule["working_hours_only"]
    [help_rule] = by_kind["help"]
    assert help_rule["builtin"] and help_rule["severity"] == "critical"
    assert sorted((r["team_ids"], r["zone_ids"], r["severity"]) for r in by_kind["zone_exit"]) == sorted(
        ([a["team_id"]], [a["id"]], "info") for a in areas
    )
    for rule in rules:
        if not rule["builtin"]:
            stored = {key: rule[key] for key in validate_rule(rule, ADMIN)}
            assert validate_rule(rule, ADMIN) == stored  # what was stored is what validation gives


@pytest.mark.parametrize("local", STARTS)
def test_the_simulator_plans_the_occasions_whatever_the_hour(seeded_rt, network, local):
    rt = seeded_rt
    now = datetime.fromisoformat(local).replace(tzinfo=rt.settings.tz)
    with time_machine.travel(now, tick=False):
        plan_day(rt.db, now.date(), rt.settings.tz, start=now)  # as `fieldops demo` does
        late_person = plan_late_task(rt.db, now)
        assert plan_late_task(rt.db, now) is None  # not twice within the window
        simulator = FleetSimulator(
            rt.db, rt.settings.secret_key, "http://127.0.0.1:9", interval_s=5.0, network=network, tz=rt.settings.tz
        )
        simulator.load()
    chosen = occasion_people(rt.db)
    assert chosen["late"] == late_person and len(set(chosen.values())) == 4
    north = {
        r["id"]
        for r in rt.db.fetch_all("SELECT e.id FROM employees e JOIN teams t ON t.id = e.team_id AND t.name = 'North'")
    }
    assert {chosen["silent"], chosen["idle"], chosen["late"]} <= north  # the demo supervisor's inbox shows them
    people = {p.employee_id: p for p in simulator.people}

    silent = people[chosen["silent"]].plan
    rule_s = demo_rule_param("silent", "minutes") * 60
    [(quiet_from, quiet_until)] = silent.silences
    assert silent.reporting_from_s < quiet_from < 0 and silent.reports_at(quiet_from - 5)  # its phone buffered that
    assert 0 < quiet_from + rule_s <= NOTICED_WITHIN_S
    assert not any(silent.reports_at(t) for t in range(int(quiet_from), int(quiet_until)))
    assert quiet_until - quiet_from == SILENT_FOR_S > rule_s and silent.reports_at(quiet_until)

    idle = people[chosen["idle"]].plan
    rule_s = demo_rule_param("idle", "minutes") * 60
    [standing] = [leg for leg in idle.legs if leg.is_dwell and leg.start_s <= 0 < leg.end_s]
    assert standing.customer_id is None and idle.reporting_from_s == standing.start_s < 0
    assert 0 < standing.start_s + rule_s <= NOTICED_WITHIN_S and standing.end_s - standing.start_s > rule_s
    spot = standing.points[0]
    nearest = min(distance_m(*spot, c["lat"], c["lon"]) for c in customers.owned_customers(rt.db))
    assert nearest > 2 * SITE_RADIUS_M  # on a street, away from every customer
    assert all(idle.reports_at(t) for t in range(int(standing.start_s), int(standing.end_s), 60))

    late = people[chosen["late"]].plan
    task = rt.db.fetch_one(
        "SELECT customer_id, window_start, window_end FROM tasks WHERE employee_id = %s AND planned_seq = 0",
        (late_person,),
    )
    assert task["window_end"] == now + LATE_WINDOW_LEFT and task["window_start"] < task["window_end"]
    assert task["window_start"].astimezone(rt.settings.tz).date() == now.date()  # a task of the day it starts
    closes_s = (task["window_end"] - now).total_seconds()
    assert 0 < closes_s <= NOTICED_WITHIN_S
    [first_visit, *_] = [leg for leg in late.legs if leg.is_dwell and leg.customer_id]
    assert first_visit.customer_id == task["customer_id"] and first_visit.start_s > closes_s  # there too late

    battery = people[chosen["battery"]].battery
    rule_pct = demo_rule_param("low_battery", "percent")
    assert battery.at(0)[0] > rule_pct >= battery.at(NOTICED_WITHIN_S)[0]
    assert not any(battery.at(t)[1] for t in range(0, 12 * 3600, 600))  # no charger
    for person in simulator.people:
        if person.employee_id != chosen["battery"]:
            levels = [person.battery.at(t) for t in range(0, 24 * 3600, 300)]
            assert min(level for level, _charging in levels) >= CHARGE_AT_PCT > rule_pct  # never low
            assert levels[1][0] < levels[0][0] or levels[0][1]  # falling, unless on the charger


def test_the_occasions_phones_upload_their_buffers_on_the_first_round(seeded_rt, network):
    rt = seeded_rt
    now = datetime.now(rt.settings.tz)
    plan_day(rt.db, now.date(), rt.settings.tz, start=now)
    server = LiveServer(rt.settings)
    try:
        simulator = FleetSimulator(rt.db, rt.settings.secret_key, server.url, network=network, tz=rt.settings.tz)
        simulator.load()
        sent = simulator.send_buffers()
        assert sent > 0 and simulator.failed == 0
        chosen = occasion_people(rt.db)
        silent = server.runtime.feed.latest(chosen["silent"])
        idle = server.runtime.feed.latest(chosen["idle"])
        started_ms = simulator.started * 1000
        [(quiet_from, _until)] = next(p for p in simulator.people if p.employee_id == chosen["silent"]).plan.silences
        assert silent.ts_ms < started_ms + quiet_from * 1000  # last heard before it went quiet
        assert (
            started_ms - idle.ts_ms < 2 * simulator.interval_s * 1000
        )  # the idle person's buffer runs up to the start
        assert server.runtime.feed.latest(chosen["late"]) is None  # nothing before the start to upload
        feed = server.runtime.feed
        _id, entry = next(first[0] for key in feed.stream_keys if (first := feed.client.xrange(key, count=1)))
        assert b'"batt"' in b"".join(entry.values())  # every fix carries its phone's battery
    finally:
        server.stop()
