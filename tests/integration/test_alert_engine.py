"""The alert rules in the writer's stream (issue 17), each kind driven through the writer as fixes arrive: it
raises, raises nothing for a paused person or outside working hours, and clears when the condition ends; a
late fix from an offline buffer raises nothing; the timers survive a restart and fire once among writers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from shapely.geometry import shape

from dashboard.ingest.privacy import pause_sharing
from dashboard.work import alerting
from dashboard.work.surveys import answer_survey, survey_path
from dashboard.writer.alerts import Alerts
from dashboard.writer.worker import Writer
from data import feedback
from data.feed import Fix
from tests.conftest import wait_until
from tests.integration.test_alerts_data import make_rule, person

HELSINKI = ZoneInfo("Europe/Helsinki")
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=HELSINKI)  # inside the seeded working hours (Mon–Fri 08–18)
EVENING = datetime(2026, 11, 24, 20, 0, tzinfo=HELSINKI)  # outside them
AWAY = (60.2921, 25.0364)  # a field in Vantaa: no customer's site near


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture
def office(seeded_rt):
    """The seeded city with the organisation's hours for everyone (Mon–Fri 08–18): the demo's teams work all day."""
    seeded_rt.db.execute("DELETE FROM working_hours WHERE team_id IS NOT NULL OR employee_id IS NOT NULL")
    return seeded_rt


@pytest.fixture
def clock():
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


def started(rt, name: str = "test") -> Writer:
    writer = Writer(rt, name)
    writer.start()
    return writer


def send(rt, writer: Writer, fixes: list[Fix]) -> None:
    rt.feed.publish(fixes, "native")
    writer.process(rt.feed.read_stream(writer.consumer, 1000, 100))


def fix(employee_id: int, at: datetime, point=AWAY, speed: float = 0.0, **attributes) -> Fix:
    return Fix(employee_id, ms(at), point[0], point[1], speed, None, 5.0, attributes or None)


def engine(writer: Writer) -> Alerts:
    return writer.pipeline.handlers[-1]


def tick(writer: Writer, at: datetime) -> int:
    return engine(writer).tick(ms(at))


def alerts_of(rt, rule: dict) -> list[dict]:
    return rt.db.fetch_all(
        """SELECT id, employee_id, severity, state, resolution, subject, task_id, zone_id, detail, at, lat, lon
           FROM alerts WHERE rule_id = %s ORDER BY id""",
        (rule["id"],),
    )


def customer_task(rt, employee_id: int, window_end: datetime, state: str = "assigned", near=None) -> int:
    """A task of the person's at a customer (near a point, or their own first customer), its window ending then."""
    customer = rt.db.fetch_one(
        """SELECT c.id FROM customers c ORDER BY (c.lat - %s) ^ 2 + (c.lon - %s) ^ 2 LIMIT 1""",
        near or (0.0, 0.0),
    )
    return rt.db.fetch_one(
        """INSERT INTO tasks (customer_id, employee_id, state, window_start, window_end, planned_seq)
           VALUES (%s, %s, %s, %s, %s, 1) RETURNING id""",
        (customer["id"], employee_id, state, window_end - timedelta(hours=1), window_end),
    )["id"]


# ---- low battery ----------------------------------------------------------------------------------------------------


def test_low_battery_raises_at_the_rules_percent_and_clears_five_points_above_it(office, clock):
    rt = office
    rule = make_rule(rt, "low_battery", params={"percent": 15})
    employee = person(rt, "E0001")
    writer = started(rt)
    send(rt, writer, [fix(employee, TUESDAY - timedelta(seconds=30), batt=40.0)])
    assert alerts_of(rt, rule) == []
    send(rt, writer, [fix(employee, TUESDAY - timedelta(seconds=20), batt="15")])  # OsmAnd's query gives text
    send(rt, writer, [fix(employee, TUESDAY - timedelta(seconds=10), batt=18.0)])
    [raised] = alerts_of(rt, rule)
    assert (raised["state"], raised["detail"], raised["lat"]) == ("open", {"percent": 15.0}, AWAY[0])
    assert raised["at"] == TUESDAY - timedelta(seconds=20)  # event time
    send(rt, writer, [fix(employee, TUESDAY, batt=21.0)])
    assert [(a["state"], a["resolution"]) for a in alerts_of(rt, rule)] == [("resolved", "cleared")]


def test_low_battery_raises_nothing_for_a_paused_person_someone_outside_the_scope_or_after_hours(office, clock):
    rt = office
    rule = make_rule(rt, "low_battery", team_ids=[1])
    paused, other_team = person(rt, "E0005"), person(rt, "E0002")
    pause_sharing(rt, paused, "doctor")
    writer = started(rt)
    send(rt, writer, [fix(paused, TUESDAY, batt=5.0), fix(other_team, TUESDAY, batt=5.0)])
    clock.move_to(EVENING)
    send(rt, writer, [fix(person(rt, "E0001"), EVENING, batt=5.0)])
    assert alerts_of(rt, rule) == []


def test_a_late_fix_from_an_offline_buffer_raises_nothing(office, clock):
    rt = office
    battery = make_rule(rt, "low_battery")
    speeding = make_rule(rt, "speeding", params={"kmh": 90, "seconds": 0})
    employee = person(rt, "E0001")
    writer = started(rt)
    buffered = [fix(employee, TUESDAY - timedelta(minutes=20 - m), speed=40.0, batt=5.0) for m in range(3)]
    send(rt, writer, buffered)
    assert alerts_of(rt, battery) == [] and alerts_of(rt, speeding) == []
    # A fresh fix, and then one older than it: only the fresh one counts.
    send(rt, writer, [fix(employee, TUESDAY, speed=10.0, batt=50.0)])
    send(rt, writer, [fix(employee, TUESDAY - timedelta(seconds=5), speed=40.0, batt=5.0)])
    assert alerts_of(rt, battery) == [] and alerts_of(rt, speeding) == []


# ---- speeding -------------------------------------------------------------------------------------------------------


def test_speeding_raises_after_its_seconds_with_the_top_speed_and_clears_when_back_under(office, clock):
    rt = office
    rule = make_rule(rt, "speeding", params={"kmh": 90, "seconds": 30})
    employee = person(rt, "E0001")
    writer = started(rt)
    start = TUESDAY - timedelta(minutes=1)
    send(rt, writer, [fix(employee, start + timedelta(seconds=s), speed=30.0 + s / 10) for s in (0, 10, 20)])
    assert alerts_of(rt, rule) == []
    send(rt, writer, [fix(employee, start + timedelta(seconds=30), speed=28.0)])
    [raised] = alerts_of(rt, rule)
    assert raised["detail"] == {"max_kmh": 115.2, "seconds": 30, "kmh": 90.0}
    send(rt, writer, [fix(employee, start + timedelta(seconds=40), speed=20.0)])
    assert [(a["state"], a["resolution"]) for a in alerts_of(rt, rule)] == [("resolved", "cleared")]


def test_a_writer_restarted_mid_speeding_still_raises(office, clock):
    rt = office
    rule = make_rule(rt, "speeding", params={"kmh": 90, "seconds": 30})
    employee = person(rt, "E0001")
    start = TUESDAY - timedelta(minutes=1)
    first = started(rt, "first")
    send(rt, first, [fix(employee, start + timedelta(seconds=s), speed=30.0) for s in (0, 10, 20)])
    first.leave()
    second = started(rt, "second")
    send(rt, second, [fix(employee, start + timedelta(seconds=30), speed=30.0)])
    assert [a["detail"]["seconds"] for a in alerts_of(rt, rule)] == [30]


def test_speeding_raises_nothing_outside_working_hours(office, clock):
    rt = office
    rule = make_rule(rt, "speeding", params={"kmh": 90, "seconds": 0})
    clock.move_to(EVENING)
    send(rt, started(rt), [fix(person(rt, "E0001"), EVENING, speed=40.0)])
    assert alerts_of(rt, rule) == []
    anytime = make_rule(rt, "speeding", params={"kmh": 90, "seconds": 0}, working_hours_only=False)
    send(rt, started(rt, "again"), [fix(person(rt, "E0001"), EVENING + timedelta(seconds=1), speed=40.0)])
    assert len(alerts_of(rt, anytime)) == 1


# ---- silent ---------------------------------------------------------------------------------------------------------


def test_a_silent_device_raises_at_its_last_fix_plus_the_minutes_and_a_new_fix_clears_it(office, clock):
    rt = office
    rule = make_rule(rt, "silent", params={"minutes": 10})
    employee = person(rt, "E0001")
    writer = started(rt)
    send(rt, writer, [fix(employee, TUESDAY - timedelta(minutes=1)), fix(employee, TUESDAY)])
    member = f"silent:{rule['id']}:{employee}"
    assert alerting.state(rt).due_at(member) == ms(TUESDAY + timedelta(minutes=10))
    clock.move_to(TUESDAY + timedelta(minutes=9))
    assert tick(writer, TUESDAY + timedelta(minutes=9)) == 0
    clock.move_to(TUESDAY + timedelta(minutes=10, seconds=1))
    assert tick(writer, TUESDAY + timedelta(minutes=10, seconds=1)) == 1
    [raised] = alerts_of(rt, rule)
    assert raised["at"] == TUESDAY + timedelta(minutes=10) and raised["lat"] == AWAY[0]
    assert raised["detail"]["minutes"] == 10
    send(rt, writer, [fix(employee, TUESDAY + timedelta(minutes=11))])
    assert [(a["state"], a["resolution"]) for a in alerts_of(rt, rule)] == [("resolved", "cleared")]
    assert alerting.state(rt).due_at(member) == ms(TUESDAY + timedelta(minutes=21))


def test_a_fix_not_yet_read_by_the_writer_keeps_the_device_from_being_silent(office, clock):
    rt = office
    rule = make_rule(rt, "silent", params={"minutes": 10})
    employee = person(rt, "E0001")
    writer = started(rt)
    send(rt, writer, [fix(employee, TUESDAY)])
    rt.feed.publish([fix(employee, TUESDAY + timedelta(minutes=8))], "native")  # in the stream, not yet read
    clock.move_to(TUESDAY + timedelta(minutes=10))
    assert tick(writer, TUESDAY + timedelta(minutes=10)) == 0
    assert alerts_of(rt, rule) == []
    assert alerting.state(rt).due_at(f"silent:{rule['id']}:{employee}") == ms(TUESDAY + timedelta(minutes=18))


def test_silence_after_hours_waits_for_the_next_working_hours_and_a_paused_person_is_never_silent(office, clock):
    rt = office
    rule = make_rule(rt, "silent", params={"minutes": 10})
    employee, paused = person(rt, "E0001"), person(rt, "E0005")
    end_of_day = datetime(2026, 11, 24, 17, 55, tzinfo=HELSINKI)
    clock.move_to(end_of_day)
    writer = started(rt)
    send(rt, writer, [fix(employee, end_of_day), fix(paused, end_of_day)])
    pause_sharing(rt, paused, "lunch")
    later = end_of_day + timedelta(minutes=11)
    clock.move_to(later)
    assert tick(writer, later) == 0
    wednesday = datetime(2026, 11, 25, 8, 10, tzinfo=HELSINKI)
    assert alerting.state(rt).due_at(f"silent:{rule['id']}:{employee}") == ms(wednesday)
    assert alerting.state(rt).due_at(f"silent:{rule['id']}:{paused}") is None
    clock.move_to(wednesday)
    assert tick(writer, wednesday) == 1
    assert [(a["employee_id"], a["at"]) for a in alerts_of(rt, rule)] == [(employee, wednesday)]


def test_two_writers_taking_the_same_due_timers_fire_each_once(office, clock):
    rt = office
    rule = make_rule(rt, "silent", params={"minutes": 5})
    people = [person(rt, code) for code in ("E0001", "E0002", "E0003")]
    one, two = started(rt, "one"), started(rt, "two")
    send(rt, one, [fix(p, TUESDAY) for p in people])
    due = TUESDAY + timedelta(minutes=6)
    clock.move_to(due)
    together = threading.Barrier(2)

    def fire(writer: Writer) -> int:
        together.wait()
        return tick(writer, due)

    with ThreadPoolExecutor(2) as pool:
        fired = list(pool.map(fire, [one, two]))
    assert sum(fired) == 3
    assert tick(one, due) + tick(two, due) == 0
    assert sorted(a["employee_id"] for a in alerts_of(rt, rule)) == sorted(people)


# ---- idle -----------------------------------------------------------------------------------------------------------


def test_idle_away_from_customers_raises_after_its_minutes_and_moving_on_clears_it(office, clock):
    rt = office
    rule = make_rule(rt, "idle", params={"minutes": 15})
    employee = person(rt, "E0001")
    writer = started(rt)
    stopped = TUESDAY - timedelta(minutes=5)
    near = (AWAY[0] + 0.0002, AWAY[1])  # 22 m away: the same stop
    send(rt, writer, [fix(employee, stopped), fix(employee, stopped + timedelta(minutes=2), near, speed=0.2)])
    member = f"idle:{rule['id']}:{employee}"
    assert alerting.state(rt).due_at(member) == ms(stopped + timedelta(minutes=15))
    clock.move_to(stopped + timedelta(minutes=15))
    assert tick(writer, stopped + timedelta(minutes=15)) == 1
    [raised] = alerts_of(rt, rule)
    assert (raised["at"], raised["lat"]) == (stopped + timedelta(minutes=15), AWAY[0])
    send(rt, writer, [fix(employee, stopped + timedelta(minutes=16), speed=8.0)])
    assert [(a["state"], a["resolution"]) for a in alerts_of(rt, rule)] == [("resolved", "cleared")]
    assert alerting.state(rt).due_at(member) is None


def test_standing_at_a_customers_site_is_not_idle(office, clock):
    rt = office
    rule = make_rule(rt, "idle", params={"minutes": 15})
    site = rt.db.fetch_one("SELECT center_lat, center_lon FROM zones WHERE kind = 'customer_site' LIMIT 1")
    employee = person(rt, "E0001")
    writer = started(rt)
    at_site = (site["center_lat"], site["center_lon"])
    send(rt, writer, [fix(employee, TUESDAY - timedelta(minutes=20 - m), at_site) for m in range(20)])
    assert alerting.state(rt).due_at(f"idle:{rule['id']}:{employee}") is None
    assert tick(writer, TUESDAY) == 0 and alerts_of(rt, rule) == []


def test_a_writer_restarted_mid_idle_still_fires(office, clock):
    rt = office
    rule = make_rule(rt, "idle", params={"minutes": 15})
    employee = person(rt, "E0001")
    first = started(rt, "first")
    send(rt, first, [fix(employee, TUESDAY)])
    first.leave()
    second = started(rt, "second")
    due = TUESDAY + timedelta(minutes=15)
    clock.move_to(due)
    assert tick(second, due) == 1
    assert alerts_of(rt, rule)[0]["detail"]["since"] == TUESDAY.astimezone(UTC).isoformat()


def test_idle_raises_nothing_for_someone_paused_meanwhile(office, clock):
    rt = office
    rule = make_rule(rt, "idle", params={"minutes": 15})
    employee = person(rt, "E0001")
    writer = started(rt)
    send(rt, writer, [fix(employee, TUESDAY)])
    pause_sharing(rt, employee, "break")
    clock.move_to(TUESDAY + timedelta(minutes=15))
    assert tick(writer, TUESDAY + timedelta(minutes=15)) == 0
    assert alerts_of(rt, rule) == []


# ---- zones ----------------------------------------------------------------------------------------------------------


def north_area(rt) -> tuple[int, tuple[float, float]]:
    """The North work area's id and a point well inside it."""
    zone = rt.db.fetch_one("SELECT id, geometry FROM zones WHERE name = 'North area'")
    point = shape(zone["geometry"]).representative_point()
    return zone["id"], (point.y, point.x)


def walk(employee: int, start: datetime, point, count: int) -> list[Fix]:
    return [fix(employee, start + timedelta(seconds=10 * i), point) for i in range(count)]


def test_leaving_a_watched_zone_raises_and_coming_back_clears(office, clock):
    rt = office
    zone_id, inside = north_area(rt)
    rule = make_rule(rt, "zone_exit", zone_ids=[zone_id])
    employee = person(rt, "E0001")
    writer = started(rt)
    start = TUESDAY - timedelta(minutes=4)
    send(rt, writer, walk(employee, start, inside, 8))
    outside = (59.5, 23.0)  # the open sea
    send(rt, writer, walk(employee, start + timedelta(seconds=80), outside, 8))
    [raised] = alerts_of(rt, rule)
    assert (raised["subject"], raised["zone_id"], raised["at"]) == (
        f"zone:{zone_id}",
        zone_id,
        start + timedelta(seconds=80),
    )
    assert raised["detail"]["zone"] == "North area"
    send(rt, writer, walk(employee, start + timedelta(seconds=160), inside, 8))
    assert [(a["state"], a["resolution"]) for a in alerts_of(rt, rule)] == [("resolved", "cleared")]


def test_entering_a_zone_outside_the_rules_window_raises_nothing(office, clock):
    rt = office
    zone_id, inside = north_area(rt)
    lunch = make_rule(rt, "zone_enter", zone_ids=[zone_id], params={"from": "12:00", "to": "13:00"})
    morning = make_rule(rt, "zone_enter", zone_ids=[zone_id], params={"from": "09:00", "to": "11:00"})
    writer = started(rt)
    send(rt, writer, walk(person(rt, "E0001"), TUESDAY - timedelta(minutes=2), inside, 8))
    assert alerts_of(rt, lunch) == []
    assert [a["severity"] for a in alerts_of(rt, morning)] == ["info"]


# ---- tasks ----------------------------------------------------------------------------------------------------------


def test_a_task_not_arrived_by_its_windows_end_raises_and_an_arrived_one_does_not(office, clock):
    rt = office
    employee = person(rt, "E0001")
    rule = make_rule(rt, "task_not_arrived", employee_ids=[employee])
    window_end = TUESDAY + timedelta(minutes=30)
    late = customer_task(rt, employee, window_end)
    customer_task(rt, employee, window_end, state="on_site")
    writer = started(rt)
    assert tick(writer, TUESDAY) == 0
    assert alerting.state(rt).due_at(f"task_not_arrived:{rule['id']}:{late}") == ms(window_end)
    clock.move_to(window_end)
    assert tick(writer, window_end) == 1
    [raised] = alerts_of(rt, rule)
    assert (raised["subject"], raised["task_id"], raised["at"]) == (f"task:{late}", late, window_end)
    # The person arrives: read again by a writer, the task's alert clears.
    rt.db.execute("UPDATE tasks SET state = 'on_site' WHERE id = %s", (late,))
    assert tick(started(rt, "later"), window_end + timedelta(minutes=1)) == 0
    assert [(a["state"], a["resolution"]) for a in alerts_of(rt, rule)] == [("resolved", "cleared")]


def test_a_restarted_writer_does_not_fire_a_task_timer_again(office, clock):
    rt = office
    employee = person(rt, "E0001")
    rule = make_rule(rt, "task_not_arrived", employee_ids=[employee])
    window_end = TUESDAY + timedelta(minutes=30)
    customer_task(rt, employee, window_end)
    writer = started(rt)
    tick(writer, TUESDAY)
    clock.move_to(window_end)
    assert tick(writer, window_end) == 1
    rt.db.execute("UPDATE alerts SET state = 'resolved' WHERE rule_id = %s", (rule["id"],))
    assert tick(started(rt, "restarted"), window_end + timedelta(hours=2)) == 0


def test_an_overdue_task_raises_its_minutes_after_the_window_and_a_done_one_does_not(office, clock):
    rt = office
    employee = person(rt, "E0001")
    rule = make_rule(rt, "task_overdue", employee_ids=[employee], params={"minutes": 30})
    window_end = TUESDAY + timedelta(minutes=10)
    overdue = customer_task(rt, employee, window_end, state="on_site")
    finished = customer_task(rt, employee, window_end, state="en_route")
    writer = started(rt)
    tick(writer, TUESDAY)
    rt.db.execute("UPDATE tasks SET state = 'done' WHERE id = %s", (finished,))
    due = window_end + timedelta(minutes=30)
    clock.move_to(due)
    assert tick(writer, due) == 1
    assert [(a["task_id"], a["at"]) for a in alerts_of(rt, rule)] == [(overdue, due)]


def test_a_moved_window_moves_the_task_timer(office, clock):
    rt = office
    employee = person(rt, "E0001")
    rule = make_rule(rt, "task_not_arrived", employee_ids=[employee])
    task = customer_task(rt, employee, TUESDAY + timedelta(minutes=30))
    tick(started(rt), TUESDAY)
    rt.db.execute("UPDATE tasks SET window_end = window_end + interval '1 hour' WHERE id = %s", (task,))
    tick(started(rt, "later"), TUESDAY + timedelta(minutes=1))
    assert alerting.state(rt).due_at(f"task_not_arrived:{rule['id']}:{task}") == ms(TUESDAY + timedelta(minutes=90))


def test_a_task_at_risk_raises_when_the_eta_passes_the_windows_end_and_clears_when_it_no_longer_does(office, clock):
    rt = office
    employee = person(rt, "E0001")
    rule = make_rule(rt, "task_at_risk", employee_ids=[employee])
    task = customer_task(rt, employee, TUESDAY + timedelta(minutes=20), near=(60.17, 24.94))
    customer = rt.db.fetch_one(
        "SELECT c.lat, c.lon FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE t.id = %s", (task,)
    )
    writer = started(rt)
    far = (customer["lat"] + 0.2, customer["lon"])  # 22 km: about an hour at city speed
    send(rt, writer, [fix(employee, TUESDAY - timedelta(seconds=10), far, speed=10.0)])
    [raised] = alerts_of(rt, rule)
    assert (raised["subject"], raised["task_id"]) == (f"task:{task}", task)
    assert raised["detail"]["late_min"] > 30
    close = (customer["lat"] + 0.005, customer["lon"])
    send(rt, writer, [fix(employee, TUESDAY, close, speed=10.0)])
    assert [(a["state"], a["resolution"]) for a in alerts_of(rt, rule)] == [("resolved", "cleared")]


# ---- surveys --------------------------------------------------------------------------------------------------------


def answered(rt, employee: int, score: str) -> int:
    task = customer_task(rt, employee, TUESDAY, state="done")
    survey = feedback.create_survey(rt.db, task, f"nonce-{task}", TUESDAY, TUESDAY + timedelta(days=7))
    answer_survey(rt, survey_path(rt.settings.secret_key, f"nonce-{task}").removeprefix("/survey/"), score, None, "en")
    return survey["id"]


def test_a_low_survey_raises_with_the_rules_severity_even_after_hours(office, clock):
    rt = office
    employee = person(rt, "E0001")
    rule = make_rule(rt, "low_survey", severity="critical", team_ids=[1])
    clock.move_to(EVENING)
    low = answered(rt, employee, "2")
    answered(rt, employee, "3")
    answered(rt, person(rt, "E0002"), "1")  # another team's
    [raised] = rt.db.fetch_all(
        "SELECT severity, subject, employee_id, detail FROM alerts WHERE rule_id = %s", (rule["id"],)
    )
    assert (raised["severity"], raised["subject"], raised["employee_id"]) == ("critical", f"survey:{low}", employee)
    assert raised["detail"] == {"score": 2, "stars": 2.0}


def test_a_new_rule_applies_once_the_rules_are_read_again(office, clock, monkeypatch):
    rt = office
    employee = person(rt, "E0001")
    writer = started(rt)
    send(rt, writer, [fix(employee, TUESDAY - timedelta(seconds=10), batt=5.0)])
    rule = make_rule(rt, "low_battery")
    send(rt, writer, [fix(employee, TUESDAY - timedelta(seconds=5), batt=5.0)])
    assert alerts_of(rt, rule) == []  # read RULES_TTL_S ago: not yet
    monkeypatch.setattr(engine(writer).plan, "_ttl_s", -1)  # the pinned clock stands still: as if RULES_TTL_S passed
    send(rt, writer, [fix(employee, TUESDAY, batt=5.0)])
    assert len(alerts_of(rt, rule)) == 1


def test_the_writers_loop_fires_due_timers_and_a_malformed_one_holds_up_none(office):
    rt = office
    rule = make_rule(rt, "silent", params={"minutes": 5})
    employee = person(rt, "E0001")
    with time_machine.travel(TUESDAY, tick=True) as running:
        writer = Writer(rt, "loop")
        stop = threading.Event()
        loop = threading.Thread(target=writer.run, args=(stop, 100), daemon=True)
        loop.start()
        try:
            rt.feed.publish([fix(employee, TUESDAY)], "native")
            member = f"silent:{rule['id']}:{employee}"
            wait_until(lambda: alerting.state(rt).due_at(member) is not None, "the silent timer")
            alerting.state(rt).arm({"silent:nonsense": 0, f"silent:{rule['id']}:x": 0})
            running.move_to(TUESDAY + timedelta(minutes=6))
            wait_until(lambda: alerts_of(rt, rule), "the silent alert")
        finally:
            stop.set()
            loop.join(10)
    assert [(a["employee_id"], a["at"]) for a in alerts_of(rt, rule)] == [(employee, TUESDAY + timedelta(minutes=5))]
    assert alerting.state(rt).timer_count() == 0


# ---- nobody paused, nothing after hours: the kinds not shown above ---------------------------------------------------


def test_speeding_zone_and_task_rules_raise_nothing_for_a_paused_person(office, clock):
    rt = office
    employee = person(rt, "E0001")
    zone_id, inside = north_area(rt)
    rules = [
        make_rule(rt, "speeding", params={"kmh": 90, "seconds": 0}),
        make_rule(rt, "zone_exit", zone_ids=[zone_id]),
        make_rule(rt, "task_not_arrived", employee_ids=[employee]),
        make_rule(rt, "task_at_risk", employee_ids=[employee]),
    ]
    window_end = TUESDAY + timedelta(minutes=5)
    customer_task(rt, employee, window_end, near=(60.17, 24.94))
    pause_sharing(rt, employee, "doctor")
    writer = started(rt)
    start = TUESDAY - timedelta(minutes=4)
    send(rt, writer, walk(employee, start, inside, 8))
    send(rt, writer, [replace(f, speed=40.0) for f in walk(employee, start + timedelta(seconds=80), (59.5, 23.0), 8)])
    clock.move_to(window_end)
    assert tick(writer, window_end) == 0
    assert [alerts_of(rt, rule) for rule in rules] == [[], [], [], []]


def test_idle_zone_and_task_rules_raise_nothing_after_hours(office, clock):
    rt = office
    employee = person(rt, "E0001")
    zone_id, inside = north_area(rt)
    rules = [
        make_rule(rt, "idle", params={"minutes": 15}),
        make_rule(rt, "zone_exit", zone_ids=[zone_id]),
        make_rule(rt, "task_overdue", employee_ids=[employee], params={"minutes": 10}),
        make_rule(rt, "task_at_risk", employee_ids=[employee]),
    ]
    late = datetime(2026, 11, 24, 17, 58, tzinfo=HELSINKI)
    customer_task(rt, employee, late + timedelta(minutes=5), near=(60.17, 24.94))
    clock.move_to(late)
    writer = started(rt)
    tick(writer, late)
    send(rt, writer, walk(employee, late, inside, 8))  # still in the North area from 17:58: idle from then
    send(rt, writer, walk(employee, late + timedelta(minutes=2), (59.5, 23.0), 8))  # gone at 18:00, after hours
    for minutes in (15, 20, 60):
        clock.move_to(late + timedelta(minutes=minutes))
        tick(writer, late + timedelta(minutes=minutes))
    assert [alerts_of(rt, rule) for rule in rules] == [[], [], [], []]
