"""The alert rules' preview from history (issue 17, dashboard/work/alert_preview.py): a constructed Tuesday of
positions, stays, geofence events, tasks and surveys whose firings per kind are known, inside and outside the
working hours (the organisation's default, Mon-Fri 08-18), with the rule's scope, a pause and the cooldown."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import time_machine

from dashboard.core.permissions import Viewer
from dashboard.work.alert_preview import preview
from dashboard.work.alerting import validate_rule
from data.positions import PositionRow, insert_positions
from data.scope import Scope

TODAY = date(2026, 11, 25)  # a Wednesday: yesterday is Tuesday, a working day
TUESDAY = date(2026, 11, 24)
MONDAY = date(2026, 11, 23)
MANAGER = Viewer(user_id=None, username="manager", role="manager", employee_id=None, scope=Scope.everything())


def at(rt, day: date, hhmm: str, seconds: int = 0) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, seconds, tzinfo=rt.settings.tz)


def fixes(rt, employee_id: int, day: date, start: str, end: str, *, speed: float = 5.0, batt: float | None = 50):
    """One fix a minute from start to end (inclusive)."""
    moment, last = at(rt, day, start), at(rt, day, end)
    rows = []
    while moment <= last:
        rows.append(fix(employee_id, moment, speed=speed, batt=batt))
        moment += timedelta(minutes=1)
    return rows


def fix(employee_id: int, moment: datetime, *, speed: float = 5.0, batt: float | None = 50) -> PositionRow:
    attributes = None if batt is None else json.dumps({"batt": batt})
    return PositionRow(employee_id, moment, 60.17, 24.94, speed, None, 10.0, 0, "test", attributes)


@pytest.fixture
def day(rt):
    """North: Aino and Bo; East: Cai. Tuesday's history of each kind."""
    db = rt.db
    north = db.fetch_one("INSERT INTO teams (name) VALUES ('North') RETURNING id")["id"]
    east = db.fetch_one("INSERT INTO teams (name) VALUES ('East') RETURNING id")["id"]
    ids = {}
    for code, name, team in (("A1", "Aino", north), ("B1", "Bo", north), ("C1", "Cai", east)):
        ids[name] = db.fetch_one(
            "INSERT INTO employees (code, name, team_id) VALUES (%s, %s, %s) RETURNING id", (code, name, team)
        )["id"]
    aino, bo, cai = ids["Aino"], ids["Bo"], ids["Cai"]
    rows = []
    # Aino: 08:00-12:00, silent 12:00-12:30 (fires 12:10), 12:30-17:59, a 5 min gap at 14:00, then 19:00-20:00
    # (after hours: the gap over 18:00 fires nothing).
    rows += fixes(rt, aino, TUESDAY, "08:00", "12:00")
    rows += [
        r
        for r in fixes(rt, aino, TUESDAY, "12:30", "17:59")
        if not at(rt, TUESDAY, "14:00") < r.ts < at(rt, TUESDAY, "14:05")
    ]
    rows += fixes(rt, aino, TUESDAY, "19:00", "20:00")
    # Aino speeds: 12:40-12:42 at 108 km/h (120 s: fires at 12:41 for 60 s), and one fix at 13:00.
    speeding = {at(rt, TUESDAY, t) for t in ("12:40", "12:41", "12:42", "13:00")}
    # Aino's battery: low at 12:50 (fires), 17 % is neither, 12 % still low, 30 % recovered, 10 % at 13:20 (fires).
    battery = {"12:50": 14, "12:51": 14, "12:52": 14, "12:53": 17, "12:54": 12, "13:10": 30, "13:20": 10}
    battery = {at(rt, TUESDAY, k): v for k, v in battery.items()}
    rows = [
        fix(r.employee_id, r.ts, speed=30.0 if r.ts in speeding else 5.0, batt=battery.get(r.ts, 50))
        if r.employee_id == aino
        else r
        for r in rows
    ]
    # Bo: 09:00-10:00 only (silent from 08:00: fires 08:10; after 10:00: fires 10:10); Monday the same.
    rows += fixes(rt, bo, TUESDAY, "09:00", "10:00")
    rows += fixes(rt, bo, MONDAY, "09:00", "10:00")
    # Cai (East): silent 10:00-11:00, out of a North rule's scope.
    rows += fixes(rt, cai, TUESDAY, "08:00", "10:00") + fixes(rt, cai, TUESDAY, "11:00", "17:59")
    insert_positions(db, rows)

    customer = db.fetch_one("INSERT INTO customers (name, lat, lon) VALUES ('Kauppa', 60.17, 24.94) RETURNING id")["id"]
    zone_a = db.fetch_one(
        """INSERT INTO zones (name, kind, team_id, center_lat, center_lon, radius_m)
           VALUES ('Depot', 'work_area', %s, 60.17, 24.94, 300) RETURNING id""",
        (north,),
    )["id"]
    zone_b = db.fetch_one(
        """INSERT INTO zones (name, kind, team_id, center_lat, center_lon, radius_m)
           VALUES ('Harbour', 'work_area', %s, 60.16, 24.95, 300) RETURNING id""",
        (north,),
    )["id"]

    def activity(employee_id, kind, start, end=None, customer_id=None, attributes=None):
        db.execute(
            """INSERT INTO activities (employee_id, customer_id, kind, started_at, ended_at, source, attributes)
               VALUES (%s, %s, %s, %s, %s, 'geofence', %s)""",
            (employee_id, customer_id, kind, start, end, json.dumps(attributes or {})),
        )

    # Stays: Aino 15:00-15:40 away from customers (idle 15 min fires 15:15), 16:00-16:10 (too short);
    # Bo 09:10-09:50 at a customer (not idle).
    activity(aino, "stay", at(rt, TUESDAY, "15:00"), at(rt, TUESDAY, "15:40"))
    activity(aino, "stay", at(rt, TUESDAY, "16:00"), at(rt, TUESDAY, "16:10"))
    activity(bo, "stay", at(rt, TUESDAY, "09:10"), at(rt, TUESDAY, "09:50"), customer_id=customer)
    # Geofence exits: Depot at 11:00, Harbour at 11:30, Depot at 07:00 (before working hours).
    activity(aino, "geofence_exit", at(rt, TUESDAY, "11:00"), attributes={"zone_id": zone_a, "zone": "Depot"})
    activity(aino, "geofence_exit", at(rt, TUESDAY, "11:30"), attributes={"zone_id": zone_b, "zone": "Harbour"})
    activity(aino, "geofence_exit", at(rt, TUESDAY, "07:00"), attributes={"zone_id": zone_a, "zone": "Depot"})

    def task(employee_id, start, end, state, arrived=None, closed=None):
        task_id = db.fetch_one(
            """INSERT INTO tasks (customer_id, employee_id, state, window_start, window_end, arrived_at)
               VALUES (%s, %s, %s, %s, %s, %s) RETURNING id""",
            (customer, employee_id, state, at(rt, TUESDAY, start), at(rt, TUESDAY, end), arrived),
        )["id"]
        if closed is not None:
            db.execute(
                "INSERT INTO task_events (task_id, from_state, to_state, at) VALUES (%s, 'on_site', %s, %s)",
                (task_id, state, closed),
            )
        return task_id

    # T1 late (arrived 11:30, done 11:50); T2 on time; T3 cancelled before its window ended; T4 never came.
    t1 = task(aino, "10:00", "11:00", "done", at(rt, TUESDAY, "11:30"), at(rt, TUESDAY, "11:50"))
    t2 = task(bo, "09:00", "10:00", "done", at(rt, TUESDAY, "09:30"), at(rt, TUESDAY, "09:45"))
    task(aino, "13:00", "14:00", "cancelled", None, at(rt, TUESDAY, "13:30"))
    t4 = task(aino, "15:00", "16:00", "assigned")

    def survey(task_id, employee_id, score, answered):
        db.execute(
            """INSERT INTO feedback (task_id, customer_id, employee_id, nonce, created_at, expires_at, answered_at,
                                     score)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
            (task_id, customer, employee_id, f"n{task_id}", answered, answered + timedelta(days=7), answered, score),
        )

    survey(t1, aino, 2, at(rt, TUESDAY, "12:00"))
    survey(t2, bo, 5, at(rt, TUESDAY, "12:00"))
    survey(t4, aino, 1, at(rt, TUESDAY, "20:00"))  # after hours: a customer's answer counts all the same
    return {"north": north, "east": east, "aino": aino, "bo": bo, "cai": cai, "depot": zone_a}


def fired(rt, values: dict, viewer: Viewer = MANAGER):
    rule = validate_rule({"name": "preview"} | values, viewer)
    return preview(rt, viewer, rule, today=TODAY)


def test_silent_counts_gaps_inside_working_hours_for_the_rules_teams(rt, day):
    found = fired(rt, {"kind": "silent", "params": {"minutes": 10}, "team_ids": [day["north"]]})
    assert found.yesterday == TUESDAY
    assert found.yesterday_count == 3  # Aino at 12:10; Bo at 08:10 and 10:10; not Cai (East)
    assert dict(found.people_yesterday()) == {"Aino": 1, "Bo": 2}
    assert sorted(f.at.strftime("%H:%M") for f in found.yesterday_firings) == ["08:10", "10:10", "12:10"]
    assert found.week_count == 5  # and Bo's Monday, twice
    everyone = fired(rt, {"kind": "silent", "params": {"minutes": 10}})
    assert everyone.yesterday_count == 4  # Cai at 10:10 too
    assert fired(rt, {"kind": "silent", "params": {"minutes": 40}, "team_ids": [day["north"]]}).yesterday_count == 2


def test_silent_round_the_clock_counts_after_hours_gaps_too(rt, day):
    rule = {"kind": "silent", "params": {"minutes": 10}, "employee_ids": [day["aino"]], "working_hours_only": False}
    always = fired(rt, rule)
    # 00:00-08:00 (fires 00:10), 12:00-12:30, 17:59-19:00 and 20:00-24:00
    assert always.yesterday_count == 4


def test_the_cooldown_keeps_one_per_person_and_subject(rt, day):
    north = [day["north"]]
    assert (
        fired(rt, {"kind": "silent", "params": {"minutes": 10}, "team_ids": north, "cooldown_min": 180}).yesterday_count
        == 2
    )
    # Bo's Monday and Tuesday firings are a day apart: a cooldown of a day keeps the first of each day
    week = fired(rt, {"kind": "silent", "params": {"minutes": 10}, "team_ids": north, "cooldown_min": 1440})
    assert dict(week.people_week()) == {"Bo": 2, "Aino": 1}


def test_nothing_fires_while_the_person_paused_sharing(rt, day):
    rt.db.execute(
        "INSERT INTO sharing_pauses (employee_id, reason, started_at, ended_at) VALUES (%s, 'lunch', %s, %s)",
        (day["aino"], at(rt, TUESDAY, "12:05"), at(rt, TUESDAY, "12:20")),
    )
    found = fired(rt, {"kind": "silent", "params": {"minutes": 10}, "team_ids": [day["north"]]})
    assert dict(found.people_yesterday()) == {"Bo": 2}


def test_speeding_counts_runs_that_last(rt, day):
    assert fired(rt, {"kind": "speeding", "params": {"kmh": 90, "seconds": 60}}).yesterday_count == 1
    assert fired(rt, {"kind": "speeding", "params": {"kmh": 90, "seconds": 0}, "cooldown_min": 0}).yesterday_count == 2
    assert fired(rt, {"kind": "speeding", "params": {"kmh": 120, "seconds": 0}}).yesterday_count == 0


def test_low_battery_counts_falls_after_recovering(rt, day):
    assert fired(rt, {"kind": "low_battery", "params": {"percent": 15}, "cooldown_min": 30}).yesterday_count == 2
    assert fired(rt, {"kind": "low_battery", "params": {"percent": 15}, "cooldown_min": 60}).yesterday_count == 1
    assert fired(rt, {"kind": "low_battery", "params": {"percent": 5}}).yesterday_count == 0


def test_idle_counts_long_stays_away_from_customers(rt, day):
    found = fired(rt, {"kind": "idle", "params": {"minutes": 15}})
    assert [(f.employee_id, f.at.strftime("%H:%M")) for f in found.yesterday_firings] == [(day["aino"], "15:15")]
    assert fired(rt, {"kind": "idle", "params": {"minutes": 5}}).yesterday_count == 2


def test_zone_exits_of_the_watched_zones_in_hours_and_window(rt, day):
    assert fired(rt, {"kind": "zone_exit", "zone_ids": [day["depot"]]}).yesterday_count == 1  # not 07:00
    assert fired(rt, {"kind": "zone_exit"}).yesterday_count == 2
    windowed = {"kind": "zone_exit", "params": {"from": "11:15", "to": "12:00"}}
    assert fired(rt, windowed).yesterday_count == 1  # Harbour at 11:30
    assert fired(rt, {"kind": "zone_enter"}).yesterday_count == 0


def test_tasks_not_arrived_and_overdue(rt, day):
    assert fired(rt, {"kind": "task_not_arrived"}).yesterday_count == 2  # T1 late, T4 never
    assert fired(rt, {"kind": "task_overdue", "params": {"minutes": 30}}).yesterday_count == 2
    assert fired(rt, {"kind": "task_overdue", "params": {"minutes": 60}}).yesterday_count == 1  # T1 done by 12:00
    subjects = {f.subject for f in fired(rt, {"kind": "task_not_arrived"}).yesterday_firings}
    assert all(s.startswith("task:") for s in subjects) and len(subjects) == 2


def test_low_surveys_count_whatever_the_hour(rt, day):
    assert fired(rt, {"kind": "low_survey", "params": {"stars": 2}}).yesterday_count == 2
    assert fired(rt, {"kind": "low_survey", "params": {"stars": 1}}).yesterday_count == 1


def test_a_supervisor_previews_only_their_teams(rt, day):
    supervisor = Viewer(
        user_id=None, username="s", role="supervisor", employee_id=None, scope=Scope(frozenset({day["east"]}))
    )
    found = fired(rt, {"kind": "silent", "params": {"minutes": 10}}, supervisor)
    assert dict(found.people_yesterday()) == {"Cai": 1}


def test_task_at_risk_has_no_preview(rt, day):
    assert not fired(rt, {"kind": "task_at_risk"}).supported


def test_yesterday_is_the_organisations_yesterday(rt, day):
    rule = validate_rule({"name": "p", "kind": "silent", "params": {"minutes": 10}}, MANAGER)
    # Wednesday 00:30 local is still Tuesday in UTC: yesterday is Tuesday all the same.
    with time_machine.travel(at(rt, TODAY, "00:30"), tick=False):
        assert preview(rt, MANAGER, rule).yesterday == TUESDAY
    with time_machine.travel(at(rt, TODAY, "10:00"), tick=False):
        assert preview(rt, MANAGER, rule).yesterday_count == 4
