"""The alerts handler (issue 17): the alert rules evaluated on the fixes and events the writer already has, and
on timers in Redis, never by polling SQL.

On each fix (event time, the fix's own ts_ms): low_battery (the trackers' `batt` attribute), speeding (over
km/h for N seconds, remembered in Redis), task_at_risk (straight-line ETA to the person's next task past its
window's end), and the fix re-arms the person's silent timer and moves their idle stop. On each geofence
crossing (ZoneCrossed): zone_exit / zone_enter. On the clock (`tick`, once per writer loop): the timers of
data/alert_state.py — silent, idle, task_not_arrived, task_overdue — taken atomically, so two writers never
both fire one; and every OVERDUE_EVERY_S, customer_overdue (issue 21): each customer overdue for a visit by the
rule's days (dashboard/analytics/coverage.py) raises about its owner, once, and the alert clears when a visit
(of any channel) brings the customer back within its frequency. Two writers raising the same one find it open.

A rule applies only to the people it covers and only while it holds (alerting.holds_now: working hours unless
the rule says otherwise, never while paused). A fix older than the rule's window when it reaches the writer (a
device's offline buffer) raises nothing, and an older fix than one already taken moves no state.
The rules and the roster are read again every RULES_TTL_S, today's task windows every TASKS_TTL_S; the Redis
writes of a batch are one ZADD, one ZREM, one HSET and one HDEL at most.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from dashboard.analytics import coverage
from dashboard.core.errors import POSTGRES_DOWN, REDIS_DOWN
from dashboard.core.runtime import Runtime
from dashboard.ingest.privacy import next_slot_start, tracking_policy
from dashboard.work import alerting
from dashboard.work.dispatch import straight_travel_s
from dashboard.writer.geofences import GEOFENCE_DWELL_S, METRES_PER_DEGREE, ZoneIndex
from dashboard.writer.pipeline import EVERYONE, Arrived, Batch, Event, Handler, People, Reloaded, ZoneCrossed
from data import alerts, employees, tasks
from data.feed import Fix
from data.scope import Scope

log = logging.getLogger(__name__)

RULES_TTL_S = 10  # a new or changed rule applies within this
TASKS_TTL_S = 60  # a task's new window, or a new task, is timed within this
FRESH_MS = 5 * 60_000  # an instantaneous kind's fix older than this when it reaches the writer raises nothing
STOPPED_MPS = 0.5  # slower than this a person is stopped ...
STOP_RADIUS_M = 50.0  # ... while within this of where they stopped
BATTERY_CLEAR_PERCENT = 5.0  # a low battery's alert clears above the rule's percent plus this
OVERDUE_EVERY_S = 300  # customers overdue for a visit are looked at again this often (a monotonic clock)
RISK_EVERY_MS = 30_000  # a person's task-at-risk ETA is timed again at most this often (event time)
ENGINE_KINDS = tuple(k for k in alerts.KINDS if k not in (*alerts.EVENT_KINDS, "low_survey", "low_trust_check_in"))
FIX_KINDS = frozenset({"low_battery", "speeding", "silent", "idle", "task_at_risk"})
TIMER_KINDS = frozenset({"silent", "idle", "task_not_arrived", "task_overdue"})
TASK_TIMER_KINDS = frozenset({"task_not_arrived", "task_overdue"})
WAITING_STATES = ("assigned", "accepted", "en_route")  # on the way to the task: an ETA means something
ARRIVED_STATES = ("on_site", "done", "failed", "cancelled")  # arrived, or closed: not "not arrived"
ARMED_TASKS = "armed_tasks"  # memory field: the task timers armed (member → due), so a restart re-arms no fired one

Key = tuple[int, int, str]  # rule, person, subject: one unresolved alert at most


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _battery(attributes: dict | None) -> float | None:
    """The trackers' battery percent (`batt`: OsmAnd's query and its JSON battery.level, OwnTracks)."""
    value = attributes.get("batt") if attributes else None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _apart_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres between two near points (an equirectangular projection: exact enough within a stop's radius)."""
    dy = (lat2 - lat1) * METRES_PER_DEGREE
    dx = (lon2 - lon1) * METRES_PER_DEGREE * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


@dataclass(frozen=True)
class Covered:
    """One person's rules by kind, with the bounds that let most fixes pass without a look at each rule."""

    kinds: dict[str, list[dict]]
    battery_clear: float  # above this percent none of their low_battery rules has anything to raise
    speed_limit_mps: float  # at or under this none of their speeding rules is exceeded

    def __getitem__(self, kind: str) -> list[dict]:
        return self.kinds.get(kind, [])


@dataclass(frozen=True)
class Plan:
    """The enabled rules the writer evaluates, grouped by kind, and for each person the rules that cover them."""

    rules: dict[int, dict]
    params: dict[int, dict[str, float]]
    kinds: frozenset[str]
    teams: dict[int, int | None]
    people: dict[int, Covered]  # only the people some rule covers

    @classmethod
    def load(cls, rt: Runtime) -> Plan:
        rules = [r for r in alerts.rules(rt.db, enabled_only=True) if r["kind"] in ENGINE_KINDS]
        params = {r["id"]: alerting.params_of(r) for r in rules}
        teams = employees.teams_of_people(rt.db)
        people: dict[int, Covered] = {}
        for employee_id, team_id in teams.items():
            kinds: dict[str, list[dict]] = {}
            for rule in rules:
                if alerting.covers(rule, employee_id, team_id):
                    kinds.setdefault(rule["kind"], []).append(rule)
            if kinds:
                percents = [params[r["id"]]["percent"] for r in kinds.get("low_battery", [])]
                limits = [params[r["id"]]["kmh"] / 3.6 for r in kinds.get("speeding", [])]
                people[employee_id] = Covered(
                    kinds,
                    max(percents) + BATTERY_CLEAR_PERCENT if percents else -math.inf,
                    min(limits) if limits else math.inf,
                )
        return cls({r["id"]: r for r in rules}, params, frozenset(r["kind"] for r in rules), teams, people)

    def covering(self, kind: str, employee_id: int) -> list[dict]:
        covered = self.people.get(employee_id)
        return covered[kind] if covered is not None else []

    def minutes_ms(self, rule: dict) -> int:
        return int(self.params[rule["id"]]["minutes"] * 60_000)


@dataclass(frozen=True)
class TaskWindow:
    id: int
    employee_id: int
    state: str
    window_end_ms: int
    lat: float
    lon: float


@dataclass(frozen=True)
class TaskWindows:
    """Today's open tasks with a window, and each person's next one (the first they are on the way to)."""

    by_id: dict[int, TaskWindow]
    next_task: dict[int, TaskWindow]


@dataclass
class Stop:
    """Where and since when a person has stood still."""

    since_ms: int
    lat: float
    lon: float


@dataclass
class Changes:
    """A batch's writes to Redis, the last per member or field winning (None: disarm, forget)."""

    timers: dict[str, int | None] = field(default_factory=dict)
    memory: dict[str, object | None] = field(default_factory=dict)


class Alerts(Handler):
    name = "alerts"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.state = alerting.state(rt)
        self.plan = Reloaded(lambda: Plan.load(rt), RULES_TTL_S)
        self.last_ms: dict[int, int] = {}  # each person's latest fix taken (MovesForward, inline: it runs per fix)
        self.active: set[Key] = set()  # alerts raised (or tried, in their cooldown) and not yet cleared
        self.active_people: dict[tuple[str, int], int] = {}  # (kind, person) → how many of `active`
        self.speeding: dict[tuple[int, int], list] = {}  # (rule, person) → [since ms, top speed m/s]
        self.speeding_people: dict[int, int] = {}  # person → how many rules they are over
        self.stops: dict[int, Stop] = {}
        self.risk_checked_ms: dict[int, int] = {}
        self.silent_due: dict[tuple[int, int], int] = {}  # (rule, person) → when the timer this writer armed is due
        self.armed_tasks: dict[str, int] = {}
        self._windows: TaskWindows | None = None
        self._windows_loaded = 0.0
        self._customer_columns: tuple[ZoneIndex, np.ndarray] | None = None
        self._overdue_checked = -math.inf  # when customers overdue were last looked at (time.monotonic)
        # Raises and clears evaluated, stored together at the end of the batch or the tick (_flush).
        self._pending: list[tuple[alerts.Raise | alerts.Clear, str, Key]] = []

    def restore(self, people: People = EVERYONE) -> None:
        for key, value in self.state.recall().items():
            if key.startswith("speeding:"):
                _kind, rule_id, employee_id = key.split(":")
                if int(employee_id) in people:
                    self._speeding_started(int(rule_id), int(employee_id), list(value))
            elif key.startswith("stop:"):
                if int(key.split(":")[1]) in people:
                    self.stops[int(key.split(":")[1])] = Stop(*value)
            elif key == ARMED_TASKS:
                self.armed_tasks = {str(m): int(d) for m, d in dict(value).items()}
        for row in alerts.unresolved_of_kinds(self.rt.db, ENGINE_KINDS):
            if row["employee_id"] in people:
                self._mark(row["kind"], (row["rule_id"], row["employee_id"], row["subject"]))

    def drop(self, people: People) -> None:
        """Forget the people's memory: their next writer recalls it from Redis (the rules' memory is written with
        every batch) and their open alerts from PostgreSQL."""
        for rule_id, employee_id in [key for key in self.speeding if key[1] in people]:
            self._speeding_ended(rule_id, employee_id)
        self.active = {key for key in self.active if key[1] not in people}
        self.active_people = {key: n for key, n in self.active_people.items() if key[1] not in people}
        self.stops = {e: stop for e, stop in self.stops.items() if e not in people}
        self.last_ms = {e: ms for e, ms in self.last_ms.items() if e not in people}
        self.risk_checked_ms = {e: ms for e, ms in self.risk_checked_ms.items() if e not in people}
        self.silent_due = {key: due for key, due in self.silent_due.items() if key[1] not in people}

    # ---- fixes --------------------------------------------------------------------------------------------------

    def handle(self, batch: Batch) -> None:
        """Evaluate the batch's fixes, then store what they and the events before them raised and cleared, in one
        transaction."""
        self._evaluate(batch)
        self._flush()

    def _evaluate(self, batch: Batch) -> None:
        if not batch.live:
            return
        plan = self.plan.get()
        if not plan.kinds & FIX_KINDS:
            return
        now_ms = int(time.time() * 1000)
        at_customer = self._at_customer(batch) if "idle" in plan.kinds else []
        changes = Changes()
        last: dict[int, Fix] = {}
        people, last_ms, stops, speeding_people = plan.people, self.last_ms, self.stops, self.speeding_people
        # Most fixes change nothing: each kind is looked at only past its bounds, or where something is going on.
        for row, entry in enumerate(batch.live):
            fix = entry.fix
            employee_id = fix.employee_id
            covered = people.get(employee_id)
            if covered is None or fix.ts_ms <= last_ms.get(employee_id, 0):
                continue
            last_ms[employee_id] = fix.ts_ms
            last[employee_id] = fix
            fresh = now_ms - fix.ts_ms <= FRESH_MS
            level = fix.attributes.get("batt") if fix.attributes and "low_battery" in covered.kinds else None
            if level is not None:
                level = level if type(level) is float else _battery(fix.attributes)
                if level is not None and (
                    level <= covered.battery_clear or ("low_battery", employee_id) in self.active_people
                ):
                    self._battery(plan, covered["low_battery"], fix, level, fresh)
            speed = fix.speed
            if speed is not None and (speed > covered.speed_limit_mps or employee_id in speeding_people):
                self._speeding(plan, covered["speeding"], fix, fresh, changes)
            if "idle" in covered.kinds:
                still = speed is None or speed < STOPPED_MPS
                stop = stops.get(employee_id)
                if stop is None:
                    if still and not at_customer[row]:
                        self._idle(plan, covered["idle"], fix, still, at_customer[row], now_ms, changes)
                elif not still or at_customer[row] or _apart_m(stop.lat, stop.lon, fix.lat, fix.lon) > STOP_RADIUS_M:
                    self._idle(plan, covered["idle"], fix, still, at_customer[row], now_ms, changes)
        if "task_at_risk" in plan.kinds:
            self._at_risk(plan, last, now_ms)
        if "silent" in plan.kinds:
            self._silent(plan, last, now_ms, changes)
        self._write(changes)

    def _silent(self, plan: Plan, last: dict[int, Fix], now_ms: int, changes: Changes) -> None:
        """A fix clears the person's silent alert and makes sure a timer waits for their next one. A timer already
        waiting is left as it is: when it comes due, a newer fix in the live feed re-arms it from that fix, so a
        person costs one timer write per rule's minutes, not one per fix."""
        for employee_id, fix in last.items():
            for rule in plan.people[employee_id]["silent"]:
                if ("silent", employee_id) in self.active_people:
                    self._clear(rule, employee_id)
                key = (rule["id"], employee_id)
                due_ms = fix.ts_ms + plan.minutes_ms(rule)
                # A fix older than the rule's minutes times nothing: it is already late.
                if self.silent_due.get(key, 0) <= now_ms < due_ms:
                    self.silent_due[key] = due_ms
                    changes.timers[f"silent:{rule['id']}:{employee_id}"] = due_ms

    def _battery(self, plan: Plan, rules: list[dict], fix: Fix, level: float, fresh: bool) -> None:
        for rule in rules:
            percent = plan.params[rule["id"]]["percent"]
            if level <= percent:
                if fresh:
                    self._raise(rule, fix.employee_id, fix.ts_ms, detail={"percent": level}, fix=fix)
            elif level > percent + BATTERY_CLEAR_PERCENT:
                self._clear(rule, fix.employee_id)

    def _speeding(self, plan: Plan, rules: list[dict], fix: Fix, fresh: bool, changes: Changes) -> None:
        for rule in rules:
            params = plan.params[rule["id"]]
            key = (rule["id"], fix.employee_id)
            field_ = f"speeding:{rule['id']}:{fix.employee_id}"
            over = self.speeding.get(key)
            if fix.speed * 3.6 <= params["kmh"]:
                if over is not None:
                    self._speeding_ended(*key)
                    changes.memory[field_] = None
                self._clear(rule, fix.employee_id)
                continue
            if over is None:
                over = self._speeding_started(*key, [fix.ts_ms, fix.speed])
                changes.memory[field_] = over
            elif fix.speed > over[1]:
                over[1] = fix.speed
                changes.memory[field_] = over
            lasted_s = (fix.ts_ms - over[0]) / 1000
            if fresh and lasted_s >= params["seconds"]:
                detail = {"max_kmh": round(over[1] * 3.6, 1), "seconds": round(lasted_s), "kmh": params["kmh"]}
                self._raise(rule, fix.employee_id, fix.ts_ms, detail=detail, fix=fix)

    def _speeding_started(self, rule_id: int, employee_id: int, over: list) -> list:
        if (rule_id, employee_id) not in self.speeding:
            self.speeding_people[employee_id] = self.speeding_people.get(employee_id, 0) + 1
        self.speeding[rule_id, employee_id] = over
        return over

    def _speeding_ended(self, rule_id: int, employee_id: int) -> None:
        del self.speeding[rule_id, employee_id]
        left = self.speeding_people.pop(employee_id) - 1
        if left:
            self.speeding_people[employee_id] = left

    def _idle(
        self, plan: Plan, rules: list[dict], fix: Fix, still: bool, at_customer: bool, now_ms: int, changes: Changes
    ) -> None:
        """A stop begins, ends, or moves: its timers are disarmed and armed, its alert cleared. A stop that began
        longer ago than a rule's minutes (an offline buffer arriving) times nothing for that rule."""
        employee_id = fix.employee_id
        if self.stops.pop(employee_id, None) is not None:
            changes.memory[f"stop:{employee_id}"] = None
            for rule in rules:
                changes.timers[f"idle:{rule['id']}:{employee_id}"] = None
                self._clear(rule, employee_id)
        if still and not at_customer:
            stop = self.stops[employee_id] = Stop(fix.ts_ms, fix.lat, fix.lon)
            changes.memory[f"stop:{employee_id}"] = [stop.since_ms, stop.lat, stop.lon]
            for rule in rules:
                if stop.since_ms + plan.minutes_ms(rule) > now_ms:
                    changes.timers[f"idle:{rule['id']}:{employee_id}"] = stop.since_ms + plan.minutes_ms(rule)

    def _at_risk(self, plan: Plan, last: dict[int, Fix], now_ms: int) -> None:
        """Each person's latest fix of the batch, at most every RISK_EVERY_MS: the straight-line ETA to their next
        task against its window's end."""
        next_task = self._task_windows(plan, now_ms).next_task
        for employee_id, fix in last.items():
            task = next_task.get(employee_id)
            rules = plan.people[employee_id]["task_at_risk"]
            if task is None or not rules or fix.ts_ms >= task.window_end_ms:
                continue  # after the window's end, not arriving is task_not_arrived's
            raised = ("task_at_risk", employee_id) in self.active_people
            if not raised and fix.ts_ms - self.risk_checked_ms.get(employee_id, 0) < RISK_EVERY_MS:
                continue
            self.risk_checked_ms[employee_id] = fix.ts_ms
            eta_ms = fix.ts_ms + int(straight_travel_s(fix.lat, fix.lon, task.lat, task.lon) * 1000)
            subject = f"task:{task.id}"
            for rule in rules:
                if eta_ms <= task.window_end_ms:
                    self._clear(rule, employee_id, subject)
                elif now_ms - fix.ts_ms <= FRESH_MS:
                    detail = {
                        "eta": datetime.fromtimestamp(eta_ms / 1000, UTC).isoformat(),
                        "window_end": datetime.fromtimestamp(task.window_end_ms / 1000, UTC).isoformat(),
                        "late_min": math.ceil((eta_ms - task.window_end_ms) / 60_000),
                    }
                    self._raise(rule, employee_id, fix.ts_ms, subject=subject, task_id=task.id, detail=detail, fix=fix)

    def _at_customer(self, batch: Batch) -> list[bool]:
        """Whether each live fix is inside a customer's site, from the margins the zones handler measured."""
        index, margins = batch.zone_index, batch.zone_margins
        if index is None or margins is None or not margins.size:
            return [False] * len(batch.live)
        if self._customer_columns is None or self._customer_columns[0] is not index:
            columns = np.array([zone.kind == "customer_site" for zone in index.zones], dtype=bool)
            self._customer_columns = (index, columns)
        columns = self._customer_columns[1]
        if not columns.any():
            return [False] * len(batch.live)
        return (margins[:, columns] >= 0).any(axis=1).tolist()

    # ---- events -------------------------------------------------------------------------------------------------

    def react(self, event: Event, batch: Batch) -> None:
        if isinstance(event, ZoneCrossed):
            self._zone_crossed(event, batch)
        elif isinstance(event, Arrived) and event.task_id is not None:
            subject = f"task:{event.task_id}"
            plan = self.plan.get()
            for kind in ("task_not_arrived", "task_at_risk"):
                for rule in plan.covering(kind, event.employee_id):
                    self._clear(rule, event.employee_id, subject)

    def _zone_crossed(self, event: ZoneCrossed, batch: Batch) -> None:
        plan = self.plan.get()
        kind, ended = ("zone_enter", "zone_exit") if event.kind == "geofence_enter" else ("zone_exit", "zone_enter")
        if kind not in plan.kinds and ended not in plan.kinds:
            return
        zone, employee_id = event.zone, event.employee_id
        subject = f"zone:{zone.id}"
        for rule in plan.covering(ended, employee_id):
            if alerting.watches_zone(rule, zone.id, zone.kind):
                self._clear(rule, employee_id, subject)
        # The crossing is timed from its first certain fix, a dwell before the fix that confirmed it.
        if time.time() * 1000 - event.at_ms > FRESH_MS + GEOFENCE_DWELL_S * 1000:
            return
        local = datetime.fromtimestamp(event.at_ms / 1000, self.rt.settings.tz)
        firing = [
            rule
            for rule in plan.covering(kind, employee_id)
            if alerting.watches_zone(rule, zone.id, zone.kind) and alerting.in_window(alerting.window_of(rule), local)
        ]
        if not firing:
            return
        # Where they were when it happened: its first certain fix, or the first after it in this batch (sorted by
        # person and time, so found by bisection).
        live = batch.live
        row = bisect.bisect_left(live, (employee_id, event.at_ms), key=lambda e: (e.fix.employee_id, e.fix.ts_ms))
        fix = live[row].fix if row < len(live) and live[row].fix.employee_id == employee_id else None
        detail = {"zone": zone.name, "zone_kind": zone.kind}
        for rule in firing:
            self._raise(rule, employee_id, event.at_ms, subject=subject, zone_id=zone.id, detail=detail, fix=fix)

    # ---- timers -------------------------------------------------------------------------------------------------

    def tick(self, now_ms: int) -> int:
        """Fire the timers due by now_ms; returns how many raised an alert. Cheap when nothing is due: no rule of
        a timed kind costs nothing, otherwise one Redis call."""
        plan = self.plan.get()
        raised = self._customers_overdue(plan, now_ms) if "customer_overdue" in plan.kinds else 0
        if not plan.kinds & TIMER_KINDS:
            return raised
        if plan.kinds & TASK_TIMER_KINDS:
            self._task_windows(plan, now_ms)
        due = self.state.take_due(now_ms)
        for done, (member, due_ms) in enumerate(due):
            try:
                raised += self._fire(plan, member, due_ms)
            except (*POSTGRES_DOWN, *REDIS_DOWN):
                self.state.arm(dict(due[done:]))  # taken but not evaluated: back for the loop after the outage
                raise
            except Exception:  # one timer at fault holds up no other
                log.exception("Alert timer %s failed; dropped", member)
        try:
            self._flush()
        except (*POSTGRES_DOWN, *REDIS_DOWN):
            self.state.arm(dict(due))  # evaluated but not stored: all back for the loop after the outage
            raise
        return raised

    def _customers_overdue(self, plan: Plan, now_ms: int) -> int:
        """Every OVERDUE_EVERY_S: raise each customer_overdue rule's alert for the customers overdue by its days
        whose owner it covers (subject customer:<id>), and clear those no longer overdue. Stored at once."""
        if time.monotonic() - self._overdue_checked < OVERDUE_EVERY_S:
            return 0
        self._overdue_checked = time.monotonic()
        try:
            now = datetime.fromtimestamp(now_ms / 1000, self.rt.settings.tz)
            customers = [
                row
                for row in coverage.customers(self.rt.db, Scope.everything(), self.rt.settings.timezone, now)
                if row["overdue_by"] and row["owner_employee_id"] in plan.teams
            ]
            raised = 0
            for rule in (r for r in plan.rules.values() if r["kind"] == "customer_overdue"):
                days = plan.params[rule["id"]]["days"]
                overdue = set()
                for row in customers:
                    owner = row["owner_employee_id"]
                    if row["overdue_by"] < days or not alerting.covers(rule, owner, plan.teams[owner]):
                        continue
                    subject = f"customer:{row['customer_id']}"
                    overdue.add((owner, subject))
                    detail = {
                        "customer": row["customer_name"],
                        "overdue_by": row["overdue_by"],
                        "days_since": row["days_since"],
                        "every_days": row["every_days"],
                    }
                    point = (row["lat"], row["lon"], None)
                    raised += self._raise(
                        rule, owner, now_ms, subject=subject, detail=detail, point=point, check_hours=False
                    )
                for rule_id, employee_id, subject in list(self.active):
                    if rule_id == rule["id"] and (employee_id, subject) not in overdue:
                        self._clear(rule, employee_id, subject)
            self._flush()
        except Exception:
            self._overdue_checked = -math.inf  # looked at again on the next loop
            raise
        return raised

    def _fire(self, plan: Plan, member: str, due_ms: int) -> bool:
        kind, _, rest = member.partition(":")
        rule_id, _, target = rest.partition(":")
        rule = plan.rules.get(int(rule_id)) if rule_id.isdigit() and target.isdigit() else None
        if rule is None or rule["kind"] != kind:
            return False  # the rule was disabled, changed or removed since
        if kind == "silent":
            return self._fire_silent(plan, rule, member, int(target), due_ms)
        if kind == "idle":
            return self._fire_idle(plan, rule, member, int(target), due_ms)
        return self._fire_task(plan, rule, member, int(target), due_ms)

    def _fire_silent(self, plan: Plan, rule: dict, member: str, employee_id: int, due_ms: int) -> bool:
        if employee_id not in plan.teams or not alerting.covers(rule, employee_id, plan.teams[employee_id]):
            return False
        minutes_ms = plan.minutes_ms(rule)
        latest = self.rt.feed.latest(employee_id)
        if latest is not None and latest.ts_ms + minutes_ms > due_ms:
            # A newer fix came (its stream entry may not be read yet): silent, if at all, from that fix.
            self.silent_due[rule["id"], employee_id] = latest.ts_ms + minutes_ms
            self.state.arm({member: latest.ts_ms + minutes_ms})
            return False
        rules = tracking_policy(self.rt).refresh()
        if employee_id in rules.paused:
            return False  # the person's next fix after resuming arms the timer again
        if rule["working_hours_only"] and not tracking_policy(self.rt).tracks(employee_id, due_ms):
            local = datetime.fromtimestamp(due_ms / 1000, self.rt.settings.tz)
            starts = next_slot_start(rules.schedules.get(employee_id, []), local)
            if starts is not None:  # silent from the start of the next working hours
                self.state.arm({member: _ms(starts) + minutes_ms})
            return False
        detail = {"minutes": minutes_ms // 60_000, "last_fix": None}
        if latest is not None:
            detail["last_fix"] = datetime.fromtimestamp(latest.ts_ms / 1000, UTC).isoformat()
        return self._raise(rule, employee_id, due_ms, detail=detail, fix=latest, check_hours=False)

    def _fire_idle(self, plan: Plan, rule: dict, member: str, employee_id: int, due_ms: int) -> bool:
        stop = self.stops.get(employee_id)
        if stop is None:  # the person's shard may be another writer's: the rule's memory in Redis says
            remembered = self.state.recall_field(f"stop:{employee_id}")
            stop = Stop(*remembered) if remembered else None
        if stop is None or not alerting.covers(rule, employee_id, plan.teams.get(employee_id)):
            return False  # moved on, or arrived at a customer
        if due_ms < stop.since_ms + plan.minutes_ms(rule):
            self.state.arm({member: stop.since_ms + plan.minutes_ms(rule)})  # the rule's minutes grew since
            return False
        since = datetime.fromtimestamp(stop.since_ms / 1000, UTC).isoformat()
        detail = {"minutes": plan.minutes_ms(rule) // 60_000, "since": since}
        return self._raise(rule, employee_id, due_ms, detail=detail, point=(stop.lat, stop.lon, None))

    def _fire_task(self, plan: Plan, rule: dict, member: str, task_id: int, due_ms: int) -> bool:
        task = self._windows.by_id.get(task_id) if self._windows else None
        if task is None:
            return False  # closed, or its window moved off today
        expected = task.window_end_ms
        if rule["kind"] == "task_overdue":
            expected += plan.minutes_ms(rule)
        if due_ms != expected:
            self.state.arm({member: expected})  # the window moved since the timer was armed
            return False
        state = tasks.task_state(self.rt.db, task_id)
        closed = ARRIVED_STATES if rule["kind"] == "task_not_arrived" else ARRIVED_STATES[1:]
        if state is None or state in closed:
            return False
        if not alerting.covers(rule, task.employee_id, plan.teams.get(task.employee_id)):
            return False
        detail = {"window_end": datetime.fromtimestamp(task.window_end_ms / 1000, UTC).isoformat(), "state": state}
        return self._raise(
            rule,
            task.employee_id,
            due_ms,
            subject=f"task:{task_id}",
            task_id=task_id,
            detail=detail,
            fix=self.rt.feed.latest(task.employee_id),
        )

    def _task_windows(self, plan: Plan, now_ms: int) -> TaskWindows:
        """Today's task windows, read again every TASKS_TTL_S: their timers armed (or moved, or disarmed) in one
        write, and the alerts of tasks since arrived or closed cleared."""
        if self._windows is not None and time.monotonic() - self._windows_loaded <= TASKS_TTL_S:
            return self._windows
        today = datetime.fromtimestamp(now_ms / 1000, self.rt.settings.tz).date()
        start = datetime.combine(today, datetime.min.time(), self.rt.settings.tz)
        rows = tasks.windows_of_day(self.rt.db, start, start + timedelta(days=1))
        by_id, next_task = {}, {}
        for r in rows:
            task = TaskWindow(r["id"], r["employee_id"], r["state"], _ms(r["window_end"]), r["lat"], r["lon"])
            by_id[task.id] = task
            if task.state in WAITING_STATES:
                next_task.setdefault(task.employee_id, task)
        self._windows, self._windows_loaded = TaskWindows(by_id, next_task), time.monotonic()
        self._arm_task_timers(plan, by_id)
        self._clear_settled_tasks(plan, by_id)
        return self._windows

    def _arm_task_timers(self, plan: Plan, by_id: dict[int, TaskWindow]) -> None:
        wanted: dict[str, int] = {}
        for task in by_id.values():
            if task.state not in ARRIVED_STATES:
                for rule in plan.covering("task_not_arrived", task.employee_id):
                    wanted[f"task_not_arrived:{rule['id']}:{task.id}"] = task.window_end_ms
            for rule in plan.covering("task_overdue", task.employee_id):
                wanted[f"task_overdue:{rule['id']}:{task.id}"] = task.window_end_ms + plan.minutes_ms(rule)
        if wanted == self.armed_tasks:
            return
        self.state.arm({m: due for m, due in wanted.items() if self.armed_tasks.get(m) != due})
        self.state.disarm(set(self.armed_tasks) - set(wanted))
        self.armed_tasks = wanted
        self.state.remember({ARMED_TASKS: wanted})

    def _clear_settled_tasks(self, plan: Plan, by_id: dict[int, TaskWindow]) -> None:
        for rule_id, employee_id, subject in list(self.active):
            rule = plan.rules.get(rule_id)
            if rule is None or not subject.startswith("task:"):
                continue
            task = by_id.get(int(subject.split(":")[1]))
            arrived = task is None or (rule["kind"] != "task_overdue" and task.state in ARRIVED_STATES)
            if arrived:
                self._clear(rule, employee_id, subject)

    # ---- raising and clearing -------------------------------------------------------------------------------------

    def _raise(
        self,
        rule: dict,
        employee_id: int,
        at_ms: int,
        *,
        subject: str = "",
        task_id: int | None = None,
        zone_id: int | None = None,
        detail: dict | None = None,
        fix: Fix | None = None,
        point: tuple[float | None, float | None, float | None] | None = None,
        check_hours: bool = True,
    ) -> bool:
        """Raise once per condition: not again while it is remembered as raised (or refused by the cooldown)."""
        key = (rule["id"], employee_id, subject)
        if key in self.active:
            return False
        if check_hours and not alerting.holds_now(self.rt, rule, employee_id, at_ms):
            return False
        if point is None:
            point = (fix.lat, fix.lon, fix.accuracy) if fix is not None else (None, None, None)
        at = datetime.fromtimestamp(at_ms / 1000, UTC)
        self._pending.append(
            (alerts.Raise(rule, employee_id, at, subject, task_id, zone_id, detail, point), rule["kind"], key)
        )
        self._mark(rule["kind"], key)  # raised, or refused while one is open or in the cooldown: not tried again
        return True

    def _clear(self, rule: dict, employee_id: int, subject: str = "") -> None:
        key = (rule["id"], employee_id, subject)
        if key in self.active:
            self.active.discard(key)
            left = self.active_people.pop((rule["kind"], employee_id)) - 1
            if left:
                self.active_people[rule["kind"], employee_id] = left
            self._pending.append((alerts.Clear(rule["id"], employee_id, subject), rule["kind"], key))

    def _unmark(self, kind: str, key: Key) -> None:
        if key in self.active:
            self.active.discard(key)
            left = self.active_people.pop((kind, key[1])) - 1
            if left:
                self.active_people[kind, key[1]] = left

    def _flush(self) -> None:
        """Store the raises and clears evaluated since the last flush, in order and in one transaction (one commit
        and one move of the alerts' version for a batch, not one per alert). Should that fail, nothing of it was
        stored: what was marked raised or cleared is put back, so the batch's retry evaluates it again."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        try:
            alerting.apply(self.rt, [change for change, _kind, _key in pending])
        except Exception:
            for change, kind, key in reversed(pending):
                if isinstance(change, alerts.Raise):
                    self._unmark(kind, key)
                else:
                    self._mark(kind, key)
            raise

    def _mark(self, kind: str, key: Key) -> None:
        if key not in self.active:
            self.active.add(key)
            self.active_people[kind, key[1]] = self.active_people.get((kind, key[1]), 0) + 1

    def _write(self, changes: Changes) -> None:
        self.state.arm({m: due for m, due in changes.timers.items() if due is not None})
        self.state.disarm(m for m, due in changes.timers.items() if due is None)
        self.state.remember({f: v for f, v in changes.memory.items() if v is not None})
        self.state.forget(f for f, v in changes.memory.items() if v is None)
