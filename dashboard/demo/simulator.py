"""The fleet simulator: people drive real streets between their customers, dwell on visits, and
report like a phone would — through the same HTTP endpoint devices use, never into the database.

Some people are given a habit that costs time, so the analytics have something real to find:
long idle stops away from customers, detours, a late start, an early finish. Idlers all idle at
one place (IDLE_SPOT), so the analytics heatmap has a known place to show.

A few people make the demo's alert occasions (dashboard/demo/seed.py OCCASIONS) soon after it starts: their
day began a little before the simulator did, and their phone uploads what it buffered of it on the first
round (`send_buffers`). One device then goes silent, one person stands on a street, one is held up past a
task's window, and one phone's battery runs low. Every phone reports its battery, falling through the day.
"""

from __future__ import annotations

import bisect
import logging
import math
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import requests

from dashboard.demo.seed import LATE_WINDOW_LEFT, demo_rule_param, device_token, occasion_people
from dashboard.work.streets import StreetNetwork, bearing_deg, distance_m, helsinki_streets
from dashboard.work.surveys import survey_path
from data import devices, feedback, tasks
from data.db import Database

log = logging.getLogger(__name__)

HABITS = ("diligent", "diligent", "diligent", "idler", "detour", "late_start", "early_finish")
METRES_PER_DEGREE_LAT = 111_320.0
DISPATCH_CHECK_S = 3.0  # an assigned task reaches the simulated person within this (the phone polls every 5 s)
SIMULATOR_SEED = 7
IDLE_SPOT = (60.1752, 24.9423)  # a street node 170 m from any demo place: no customer visit can start there
SILENT_FOR_S = 25 * 60  # the silent occasion's device sends nothing this long
BUFFERED_BEFORE_SILENCE_S = 3 * 60  # what it sent (and buffered) before it went quiet
IDLE_AFTER_START_S = 10 * 60  # the idle occasion stands still this long after the start, then works on
LATE_HOLDUP_S = 2 * LATE_WINDOW_LEFT.total_seconds()  # the late occasion is held up past the task's window
FULL_PCT = 100.0
CHARGE_AT_PCT = 20.0  # a phone this low goes on the car charger until full
CHARGE_PCT_PER_H = 60.0
DAY_STARTS_H = 6  # phones come off their night charger at 06:00 local
HELSINKI = ZoneInfo("Europe/Helsinki")  # the demo city's time zone, unless the organisation's is given
BUFFER_UPLOAD = 500  # fixes per upload of a phone's buffer (the ingest takes up to 1000)


@dataclass(frozen=True)
class Stop:
    """A place to go, and how long to stay there (customer_id None: not a customer)."""

    lat: float
    lon: float
    dwell_s: float
    customer_id: int | None = None


@dataclass
class Leg:
    """Travel along a polyline, or (one point) a dwell, from start_s to end_s after the plan began."""

    start_s: float
    end_s: float
    points: list[tuple[float, float]]
    cumulative_m: list[float]
    customer_id: int | None = None

    @property
    def is_dwell(self) -> bool:
        return len(self.points) == 1


@dataclass(frozen=True)
class State:
    lat: float
    lon: float
    speed: float
    heading: float | None
    customer_id: int | None


@dataclass
class Plan:
    """A person's day as timed legs; `state_at(t)` is where they are t seconds after the start."""

    legs: list[Leg] = field(default_factory=list)
    reporting_from_s: float = 0.0
    reporting_until_s: float = math.inf
    silences: list[tuple[float, float]] = field(default_factory=list)  # (from, until): the device sends nothing

    def reports_at(self, t: float) -> bool:
        if not self.reporting_from_s <= t < self.reporting_until_s:
            return False
        return not any(start <= t < end for start, end in self.silences)

    @property
    def end_s(self) -> float:
        return self.legs[-1].end_s if self.legs else 0.0

    def state_at(self, t: float) -> State:
        starts = [leg.start_s for leg in self.legs]
        leg = self.legs[max(0, bisect.bisect_right(starts, t) - 1)]
        if leg.is_dwell or t >= leg.end_s:
            lat, lon = leg.points[-1]
            return State(lat, lon, 0.0, None, leg.customer_id if leg.is_dwell else None)
        speed = leg.cumulative_m[-1] / (leg.end_s - leg.start_s)
        travelled = (t - leg.start_s) * speed
        i = max(0, bisect.bisect_right(leg.cumulative_m, travelled) - 1)
        i = min(i, len(leg.points) - 2)
        (lat1, lon1), (lat2, lon2) = leg.points[i], leg.points[i + 1]
        span = leg.cumulative_m[i + 1] - leg.cumulative_m[i]
        f = 0.0 if span <= 0 else min(1.0, (travelled - leg.cumulative_m[i]) / span)
        return State(
            lat1 + (lat2 - lat1) * f, lon1 + (lon2 - lon1) * f, speed, bearing_deg(lat1, lon1, lat2, lon2), None
        )


def build_plan(
    network: StreetNetwork,
    start: tuple[float, float],
    stops: list[Stop],
    speed_mps: float,
    rng: random.Random,
    habit: str = "diligent",
    begin_s: float = 0.0,
) -> Plan:
    """Drive from `start` to each stop in turn over the street graph, dwelling at each."""
    plan = Plan()
    t = begin_s
    here = network.nearest_node(*start)
    position = network.node_point(here)
    plan.legs.append(Leg(t, t, [position], [0.0]))
    for index, stop in enumerate(stops):
        target = network.nearest_node(stop.lat, stop.lon)
        waypoints = [target]
        if habit == "detour" and rng.random() < 0.5:
            waypoints.insert(0, int(rng.choice(network.node_ids)))
        path: list[tuple[float, float]] = [position]
        for node in waypoints:
            path.extend(network.route(here, node)[1:])
            here = node
        path.append((stop.lat, stop.lon))  # the last metres, from the street to the door
        t = _travel(plan, path, t, speed_mps * rng.uniform(0.85, 1.15))
        plan.legs.append(Leg(t, t + stop.dwell_s, [(stop.lat, stop.lon)], [0.0], stop.customer_id))
        t += stop.dwell_s
        position = (stop.lat, stop.lon)
        if habit == "idler" and index % 2 == 0:
            # A long stop at the idlers' spot, away from any customer.
            here = network.nearest_node(*IDLE_SPOT)
            corner = network.node_point(here)
            t = _travel(plan, [position, *network.route(network.nearest_node(*position), here)], t, speed_mps)
            plan.legs.append(Leg(t, t + rng.uniform(600, 1200), [corner], [0.0]))
            t = plan.legs[-1].end_s
            position = corner
    if habit == "late_start":
        plan.reporting_from_s = begin_s + rng.uniform(300, 900)
        shift = plan.reporting_from_s - begin_s
        for leg in plan.legs:
            leg.start_s += shift
            leg.end_s += shift
    if habit == "early_finish":
        plan.reporting_until_s = begin_s + (plan.end_s - begin_s) * rng.uniform(0.4, 0.6)
    return plan


def _travel(plan: Plan, path: list[tuple[float, float]], t: float, speed_mps: float) -> float:
    cumulative = [0.0]
    for a, b in pairwise(path):
        cumulative.append(cumulative[-1] + distance_m(*a, *b))
    duration = max(1.0, cumulative[-1] / speed_mps)
    plan.legs.append(Leg(t, t + duration, path, cumulative))
    return t + duration


def add_gps_noise(state: State, accuracy_m: float, rng: random.Random) -> tuple[float, float]:
    """Offset a true position by a Gaussian error whose 1-sigma is about half the reported accuracy."""
    sigma = accuracy_m / 2
    north, east = rng.gauss(0, sigma), rng.gauss(0, sigma)
    lat = state.lat + north / METRES_PER_DEGREE_LAT
    lon = state.lon + east / (METRES_PER_DEGREE_LAT * math.cos(math.radians(state.lat)))
    return round(lat, 6), round(lon, 6)


def fleet_habits(rng: random.Random, count: int) -> list[tuple[str, float]]:
    """(habit, speed in m/s) of each of `count` people in devices.native_devices order; the demo's history
    (dashboard/demo/history.py) draws them as the simulator does, so a person keeps their habit."""
    drawn = []
    for _ in range(count):
        habit = rng.choice(HABITS)
        drawn.append((habit, rng.uniform(5.0, 8.0)))  # 18-29 km/h: city-centre traffic
    return drawn


@dataclass(frozen=True)
class Battery:
    """A phone's battery: it drains from `level_pct` at the start; unless `charges` is False (the cable is at
    home), at CHARGE_AT_PCT it goes on the car charger until full and drains again."""

    level_pct: float
    drain_pct_h: float
    charges: bool = True

    def at(self, t_s: float) -> tuple[float, bool]:
        """(level %, charging) t seconds after the start."""
        hours = max(0.0, t_s) / 3600
        to_charger_h = max(0.0, self.level_pct - CHARGE_AT_PCT) / self.drain_pct_h
        if not self.charges or hours < to_charger_h:
            return max(1.0, round(self.level_pct - self.drain_pct_h * hours, 1)), False
        charging_h = (FULL_PCT - CHARGE_AT_PCT) / CHARGE_PCT_PER_H
        draining_h = (FULL_PCT - CHARGE_AT_PCT) / self.drain_pct_h
        into = (hours - to_charger_h) % (charging_h + draining_h)
        if into < charging_h:
            return round(CHARGE_AT_PCT + CHARGE_PCT_PER_H * into, 1), True
        return round(FULL_PCT - self.drain_pct_h * (into - charging_h), 1), False


def morning_battery(rng: random.Random, hours_into_day: float) -> Battery:
    """A phone full at 06:00 local, drained since at 4-8 % an hour (it has been on the car charger if that
    took it down to CHARGE_AT_PCT)."""
    full = Battery(FULL_PCT, rng.uniform(4.0, 8.0))
    level, _charging = full.at(hours_into_day * 3600)
    return Battery(max(level, CHARGE_AT_PCT + 1.0), full.drain_pct_h)


def low_battery(rule_pct: float) -> Battery:
    """The battery occasion's phone: a little above the rule's level at the start, no charger, under it within
    minutes."""
    return Battery(rule_pct + 0.5, 20.0, charges=False)


@dataclass
class SimulatedPerson:
    employee_id: int
    code: str
    token: str
    habit: str
    speed_mps: float
    plan: Plan
    next_report_s: float = 0.0
    open_tasks: list[int] = field(default_factory=list)  # the open tasks its plan drives to, in order
    occasion: str | None = None  # the alert occasion this person makes (dashboard/demo/seed.py OCCASIONS)
    battery: Battery = field(default_factory=lambda: Battery(FULL_PCT, 5.0))


class FleetSimulator:
    """Runs every person's plan against the wall clock and posts their fixes to the ingest endpoint."""

    def __init__(
        self,
        db: Database,
        secret_key: str,
        base_url: str,
        *,
        interval_s: float = 5.0,
        seed: int = SIMULATOR_SEED,
        network: StreetNetwork | None = None,
        tz: ZoneInfo = HELSINKI,
    ) -> None:
        self.db = db
        self.tz = tz  # the organisation's: phones' batteries follow its day
        self.secret_key = secret_key
        self.url = f"{base_url.rstrip('/')}/api/v1/positions"
        self.interval_s = interval_s
        self.rng = random.Random(seed)
        self.network = network or helsinki_streets()
        self.http = requests.Session()
        self.people: list[SimulatedPerson] = []
        self.started = time.time()
        self.sent = 0
        self.failed = 0
        self.dispatch_checked_s = 0.0
        self.buffers_sent = False

    def load(self) -> None:
        people = devices.native_devices(self.db)
        now = datetime.now(UTC)
        occasions = {employee: occasion for occasion, employee in occasion_people(self.db).items()}
        batteries = random.Random(f"{SIMULATOR_SEED}:batteries")  # apart from the plans' draws (history repeats them)
        local = datetime.now(self.tz)
        hours_into_day = (local.hour - DAY_STARTS_H) % 24 + local.minute / 60
        orders = self._open_tasks()
        for row, (habit, speed) in zip(people, fleet_habits(self.rng, len(people)), strict=True):
            occasion = occasions.get(row["id"])
            person = SimulatedPerson(
                row["id"],
                row["code"],
                device_token(self.secret_key, row["identifier"]),
                "diligent" if occasion in ("silent", "idle", "late") else habit,  # the occasion is their story
                speed,
                Plan(),
                occasion=occasion,
                battery=morning_battery(batteries, hours_into_day),
            )
            if occasion == "battery":
                person.battery = low_battery(demo_rule_param("low_battery", "percent"))
            person.plan = self._occasion_plan(person, now) if occasion else self._plan_for(person, now, begin_s=0.0)
            person.open_tasks = orders.get(person.employee_id, [])
            person.next_report_s = self.rng.uniform(0, self.interval_s)
            self.people.append(person)
        log.info("Simulating %d people; occasions: %s", len(self.people), occasions)

    def _occasion_plan(self, person: SimulatedPerson, now: datetime) -> Plan:
        """The day of a person who makes an alert occasion; it began before the simulator did when the rule
        needs time to notice, and the phone buffered that part (`send_buffers`)."""
        if person.occasion == "silent":
            quiet_from = -(demo_rule_param("silent", "minutes") - 1) * 60  # the rule notices a minute after the start
            plan = self._plan_for(person, now, begin_s=quiet_from - BUFFERED_BEFORE_SILENCE_S)
            plan.reporting_from_s = quiet_from - BUFFERED_BEFORE_SILENCE_S
            plan.silences = [(quiet_from, quiet_from + SILENT_FOR_S)]
            return plan
        if person.occasion == "idle":
            since = -(demo_rule_param("idle", "minutes") - 1) * 60  # standing there since, a minute short of the rule
            return self._held_up(person, now, IDLE_SPOT, since, IDLE_AFTER_START_S)
        if person.occasion == "late":
            start = self.network.node_point(int(self.rng.choice(self.network.node_ids)))
            return self._held_up(person, now, start, 0.0, LATE_HOLDUP_S)
        return self._plan_for(person, now, begin_s=0.0)

    def _held_up(
        self, person: SimulatedPerson, now: datetime, where: tuple[float, float], since_s: float, until_s: float
    ) -> Plan:
        """Standing on the street nearest `where` from since_s to until_s, then the day's round from there."""
        corner = self.network.node_point(self.network.nearest_node(*where))
        plan = self._plan_for(person, now, begin_s=until_s, start=corner)
        plan.legs.insert(0, Leg(since_s, until_s, [corner], [0.0]))
        plan.reporting_from_s = since_s
        return plan

    def _plan_for(self, person: SimulatedPerson, now: datetime, begin_s: float, start=None) -> Plan:
        day_start = now - timedelta(hours=12)
        route = tasks.planned_route(self.db, person.employee_id, day_start, now + timedelta(hours=36))
        open_stops = [r for r in route if r["state"] not in ("done", "failed", "cancelled")] or route
        stops = [Stop(r["lat"], r["lon"], r["duration_min"] * 60.0, r["customer_id"]) for r in open_stops]
        if start is None and stops:
            anchor = stops[0]
            start = (anchor.lat + self.rng.uniform(-0.004, 0.004), anchor.lon + self.rng.uniform(-0.008, 0.008))
        start = start or self.network.node_point(int(self.rng.choice(self.network.node_ids)))
        if not stops:
            return Plan([Leg(begin_s, begin_s + 3600, [start], [0.0])])
        return build_plan(self.network, start, stops, person.speed_mps, self.rng, person.habit, begin_s)

    def _open_tasks(self) -> dict[int, list[int]]:
        now = datetime.now(UTC)
        return tasks.open_task_orders(self.db, now - timedelta(hours=12), now + timedelta(hours=36))

    def follow_dispatch(self, t: float) -> int:
        """People whose open tasks were added to or reordered (dispatch, a re-plan) drive to the new plan
        from where they are; a task only finishing changes nothing. Returns how many were re-planned."""
        orders = self._open_tasks()
        replanned = 0
        for person in self.people:
            order = orders.get(person.employee_id, [])
            still_open = [task for task in person.open_tasks if task in order]
            if order != still_open:
                here = person.plan.state_at(t)
                silences = person.plan.silences
                person.plan = self._plan_for(person, datetime.now(UTC), begin_s=t, start=(here.lat, here.lon))
                person.plan.reporting_from_s = t
                person.plan.silences = silences  # a new round does not bring a silent device back
                replanned += 1
            person.open_tasks = order
        return replanned

    def tick(self, now_s: float | None = None) -> int:
        """Send every report that is due; return how many fixes went out."""
        wall = time.time() if now_s is None else now_s
        t = wall - self.started
        if t - self.dispatch_checked_s >= DISPATCH_CHECK_S:
            self.dispatch_checked_s = t
            self.follow_dispatch(t)
        sent = 0
        for person in self.people:
            if t < person.next_report_s:
                continue
            person.next_report_s = t + self.interval_s * self.rng.uniform(0.9, 1.1)
            plan = person.plan
            if t >= plan.end_s and plan.reporting_until_s == math.inf:
                last = plan.legs[-1].points[-1]
                person.plan = plan = self._replan(person, t, last)
            if not plan.reports_at(t):
                continue
            if self._post(person, [self._fix(person, t, wall)]):
                sent += 1
        self.sent += sent
        return sent

    def send_buffers(self) -> int:
        """The first round of the occasions' phones: what they recorded before the simulator started (the
        part of their day that began earlier), in one upload each, as a phone sends its buffer. Returns how
        many fixes went out."""
        self.buffers_sent = True
        sent = 0
        for person in self.people:
            plan = person.plan
            fixes, t = [], plan.reporting_from_s
            while t < 0:
                if plan.reports_at(t):
                    fixes.append(self._fix(person, t, self.started + t))
                t += self.interval_s
            for chunk in range(0, len(fixes), BUFFER_UPLOAD):
                if self._post(person, fixes[chunk : chunk + BUFFER_UPLOAD]):
                    sent += len(fixes[chunk : chunk + BUFFER_UPLOAD])
        self.sent += sent
        return sent

    def _fix(self, person: SimulatedPerson, t: float, wall: float) -> dict:
        """What the person's phone reports t seconds after the start (`wall`, the epoch seconds of that)."""
        state = person.plan.state_at(t)
        accuracy = round(self.rng.uniform(4.0, 15.0), 1)
        lat, lon = add_gps_noise(state, accuracy, self.rng)
        level, charging = person.battery.at(t)
        return {
            "ts": int(wall * 1000),
            "lat": lat,
            "lon": lon,
            "accuracy": accuracy,
            "speed": round(max(0.0, state.speed + self.rng.gauss(0, 0.3)) if state.speed else 0.0, 2),
            "heading": None if state.heading is None else round(state.heading, 1),
            "attributes": {"batt": level, "charge": charging},
        }

    def _replan(self, person: SimulatedPerson, t: float, last: tuple[float, float]) -> Plan:
        """After the last visit, another round of the same customers, as a longer day would go."""
        plan = self._plan_for(person, datetime.now(UTC), begin_s=t, start=last)
        plan.reporting_from_s = t
        plan.silences = person.plan.silences
        return plan

    def _post(self, person: SimulatedPerson, fixes: list[dict]) -> bool:
        try:
            response = self.http.post(
                self.url, json={"positions": fixes}, headers={"Authorization": f"Bearer {person.token}"}, timeout=5
            )
        except requests.RequestException as exc:
            self.failed += 1
            log.warning("Simulator could not reach %s: %s", self.url, exc)
            return False
        if response.status_code != 200:
            self.failed += 1
            log.warning("Ingest refused %s's fix: %s %s", person.code, response.status_code, response.text[:200])
            return False
        return True

    def run(self, stop: threading.Event, step_s: float = 0.5) -> None:
        if not self.people:
            self.load()
        if not self.buffers_sent:
            self.send_buffers()
        while not stop.is_set():
            self.tick()
            stop.wait(step_s)


SURVEY_COMMENTS = ("Quick and friendly.", "On time, thank you.", "Fixed at the first visit.", "", "Came late.", "")


class DemoCustomers:
    """Demo only: simulated customers answer some satisfaction surveys through the real public link (GET the
    page, POST the form with its CSRF token), a little after each visit, so the demo shows answers arriving.
    Started by `fieldops demo` and `fieldops simulate`, never by `fieldops serve`."""

    def __init__(
        self, db: Database, secret_key: str, base_url: str, *, share: float = 0.7, delay_s: float = 20.0, seed: int = 5
    ) -> None:
        self.db = db
        self.secret_key = secret_key
        self.base_url = base_url.rstrip("/")
        self.share = share
        self.delay = timedelta(seconds=delay_s)
        self.rng = random.Random(seed)
        self.since = datetime.now(UTC) - timedelta(hours=1)
        self.decided: set[int] = set()
        self.answered = 0

    def tick(self) -> int:
        """Answer (or, like a real customer, ignore) each survey old enough; return how many were answered."""
        answered = 0
        now = datetime.now(UTC)
        for survey in feedback.unanswered_since(self.db, self.since, now):
            if survey["id"] in self.decided or now - survey["created_at"] < self.delay:
                continue
            self.decided.add(survey["id"])
            if self.rng.random() < self.share and self._answer(survey_path(self.secret_key, survey["nonce"])):
                answered += 1
        self.answered += answered
        return answered

    def _answer(self, path: str) -> bool:
        customer = requests.Session()  # each customer opens the link in their own browser
        try:
            page = customer.get(f"{self.base_url}{path}", timeout=5)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            if page.status_code != 200 or token is None:
                return False
            score = self.rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 10, 6, 4))[0]
            form = {"csrf_token": token.group(1), "score": str(score), "comment": self.rng.choice(SURVEY_COMMENTS)}
            return customer.post(f"{self.base_url}{path}", data=form, timeout=5).status_code == 200
        except requests.RequestException as exc:
            log.warning("A demo customer could not answer a survey: %s", exc)
            return False

    def run(self, stop: threading.Event, step_s: float = 5.0) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(step_s)
