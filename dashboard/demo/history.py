"""The demo's worked past: every working day planned, driven over the streets and stored as live data is,
so the analytics, reports and day replay have a real month on the demo's first open.

Each day's plan comes first (dashboard/demo/simulator.build_plan, with the person's habit) and the tasks,
visits and stays are read off it, so a visit is exactly the time the track dwells at the customer. Positions
go through data/positions.insert_positions and the analytics upkeep, as the writer's do; stays follow the
writer's rule (dashboard/writer/geofences.track_stay).
"""

from __future__ import annotations

import logging
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import h3
import numpy as np
import orjson

from dashboard.analytics import efficiency
from dashboard.demo.seed import DEMO_SEED, TASKS_PER_PERSON, nearest_neighbour_order
from dashboard.demo.simulator import SIMULATOR_SEED, Plan, Stop, add_gps_noise, build_plan, fleet_habits
from dashboard.work.streets import StreetNetwork, helsinki_streets
from dashboard.writer.geofences import Person, ZoneIndex, track_stay
from dashboard.writer.store import H3_RESOLUTION
from data import customers, demo, devices, employees, positions, zones
from data.db import Database
from data.positions import PositionRow
from data.scope import Scope

log = logging.getLogger(__name__)

WORKDAY_START_H = 8
WORKDAY_H = 7.5  # the visits of a day fill 08:00-15:30; habits move the end either way
TRAVEL_ALLOWANCE_MIN = 6  # per visit, when the day's visit lengths are chosen
FAILED_SHARE = 0.08  # tasks the person could not do (not driven to)
MOVING_FIX_S = 45.0
STANDING_FIX_S = 240.0  # under data/analytics.GAP_S: the time standing still is tracked time
WINDOW_MIN = 60
WINDOW_STEP_S = 900  # a window opens on the quarter hour before the planned arrival
SURVEY_SEED = 0.27
SURVEY_COMMENTS = (
    "Nobody came when promised.",
    "Late, and the problem is still there.",
    "OK, but it took long.",
    "准时到达，服务专业。",
    "Quick and friendly, thank you!",
)
SURVEY_COMMENTS_ZH = (
    "约好的时间没有人来。",
    "来晚了，问题还没解决。",
    "还可以，但花的时间太长。",
    "准时到达，服务专业。",
    "又快又热情，谢谢！",
)


@dataclass
class WorkedDay:
    """One day of the whole fleet, as data/demo.insert_worked_day and insert_positions take it."""

    tasks: list[dict] = field(default_factory=list)
    stays: list[dict] = field(default_factory=list)
    fixes: list[PositionRow] = field(default_factory=list)


def seed_history(
    db: Database,
    first_day: date,
    last_day: date,
    tz: ZoneInfo,
    *,
    stay_min_s: int,
    tracked_from: date | None = None,
    network: StreetNetwork | None = None,
    language: str = "en",
) -> int:
    """Plan and work every weekday from first_day to last_day (included; weekends are days off): tasks with
    outcomes, visits and survey answers (their comments in Chinese for a zh-CN demo); from tracked_from on (None:
    no day) also positions and stays, with the analytics rolled up after each day. Returns the tasks planned."""
    network = network or helsinki_streets()
    people = devices.native_devices(db)
    team_of = {row["id"]: row["team_id"] for row in employees.roster(db, Scope.everything())}
    pools: dict[int, list[dict]] = defaultdict(list)
    for customer in customers.owned_customers(db):
        pools[customer["team_id"]].append(customer)
    index = ZoneIndex(zones.geofences(db))
    habits = fleet_habits(random.Random(SIMULATOR_SEED), len(people))  # as the live simulator draws them
    planned = 0
    day = first_day
    while day <= last_day:
        if day.weekday() < 5:
            tracked = tracked_from is not None and day >= tracked_from
            rng = random.Random(f"{DEMO_SEED}:{day.isoformat()}")
            worked = WorkedDay()
            for person, (habit, speed) in zip(people, habits, strict=True):
                pool = pools.get(team_of.get(person["id"]), [])
                if pool:
                    day_of = _work_day(network, person["id"], habit, speed, pool, day, tz, rng, tracked)
                    worked.tasks.extend(day_of.tasks)
                    if tracked:
                        worked.fixes.extend(day_of.fixes)
                        worked.stays.extend(_stays(day_of.fixes, index, stay_min_s))
            demo.insert_worked_day(db, worked.tasks, worked.stays)
            if tracked:
                positions.insert_positions(db, worked.fixes)
                efficiency.upkeep(db, tz.key)  # the day's marked hours, as the rollup keeper would
            planned += len(worked.tasks)
        day += timedelta(days=1)
    start = datetime.combine(first_day, time(), tz)
    end = datetime.combine(last_day + timedelta(days=1), time(), tz)
    comments = SURVEY_COMMENTS_ZH if language == "zh-CN" else SURVEY_COMMENTS
    demo.answer_surveys(db, start, end, SURVEY_SEED, comments)
    log.info("Seeded %d worked tasks from %s to %s (tracked from %s)", planned, first_day, last_day, tracked_from)
    return planned


def _work_day(
    network: StreetNetwork,
    employee_id: int,
    habit: str,
    speed_mps: float,
    pool: list[dict],
    day: date,
    tz: ZoneInfo,
    rng: random.Random,
    tracked: bool,
) -> WorkedDay:
    """One person's day: the tasks from the plan a diligent person would drive, their outcomes (visit times)
    from the plan the person's habit makes, and, when tracked, the fixes along it."""
    chosen = nearest_neighbour_order(rng.sample(pool, min(len(pool), rng.randint(*TASKS_PER_PERSON))))
    minutes = (WORKDAY_H * 60 - TRAVEL_ALLOWANCE_MIN * len(chosen)) / len(chosen)
    durations = [max(5, round(minutes * rng.uniform(0.75, 1.0))) for _ in chosen]
    failed = [rng.random() < FAILED_SHARE for _ in chosen]
    stops = [Stop(c["lat"], c["lon"], d * 60.0, c["id"]) for c, d in zip(chosen, durations, strict=True)]
    begin = datetime.combine(day, time(WORKDAY_START_H), tz).timestamp() + rng.uniform(0, 300)
    start = (chosen[0]["lat"] + rng.uniform(-0.004, 0.004), chosen[0]["lon"] + rng.uniform(-0.008, 0.008))
    planned = _visit_times(build_plan(network, start, stops, speed_mps, rng, "diligent", begin))
    driven = [stop for stop, skipped in zip(stops, failed, strict=True) if not skipped]
    plan = build_plan(network, start, driven, speed_mps, rng, habit, begin)
    actual = _visit_times(plan)
    worked_tasks = []
    for seq, (customer, duration, skipped) in enumerate(zip(chosen, durations, failed, strict=True), start=1):
        window_start = planned[customer["id"]][0] // WINDOW_STEP_S * WINDOW_STEP_S
        arrived, departed = actual.get(customer["id"], (None, None))
        done = departed is not None and departed < plan.reporting_until_s  # an early finisher leaves the rest
        worked_tasks.append(
            {
                "customer_id": customer["id"],
                "employee_id": employee_id,
                "priority": rng.choice((1, 2, 2, 3)),
                "state": "failed" if skipped else "done" if done else "assigned",
                "window_start": _utc(window_start),
                "window_end": _utc(window_start + WINDOW_MIN * 60),
                "duration_min": duration,
                "planned_seq": seq,
                "arrived_at": _utc(arrived) if done else None,
                "departed_at": _utc(departed) if done else None,
            }
        )
    return WorkedDay(worked_tasks, [], _fixes(plan, employee_id, rng) if tracked else [])


def _visit_times(plan: Plan) -> dict[int, tuple[int, int]]:
    """customer id -> (arrival, departure) in whole epoch seconds: the instants a fix is taken at."""
    return {
        leg.customer_id: (round(leg.start_s), round(leg.end_s))
        for leg in plan.legs
        if leg.is_dwell and leg.customer_id is not None
    }


def _fixes(plan: Plan, employee_id: int, rng: random.Random) -> list[PositionRow]:
    """A phone's fixes along the plan: every MOVING_FIX_S on the move, every STANDING_FIX_S standing still,
    and one at each arrival and departure (a visit counts from the fix at its start)."""
    instants: set[int] = set()
    for leg in plan.legs:
        start, end = round(leg.start_s), round(leg.end_s)
        step = STANDING_FIX_S if leg.is_dwell else MOVING_FIX_S
        instants.update(round(leg.start_s + k * step) for k in range(1, math.ceil((leg.end_s - leg.start_s) / step)))
        instants.update((start, end))
    rows = []
    for ts in sorted(t for t in instants if plan.reporting_from_s <= t < plan.reporting_until_s):
        state = plan.state_at(float(ts))
        accuracy = round(rng.uniform(4.0, 15.0), 1)
        lat, lon = add_gps_noise(state, accuracy, rng)
        rows.append(
            PositionRow(
                employee_id,
                _utc(ts),
                lat,
                lon,
                round(max(0.0, state.speed + rng.gauss(0, 0.3)), 2) if state.speed else 0.0,
                None if state.heading is None else round(state.heading, 1),
                accuracy,
                h3.str_to_int(h3.latlng_to_cell(lat, lon, H3_RESOLUTION)),
                "seed",
            )
        )
    return rows


def _stays(fixes: list[PositionRow], index: ZoneIndex, stay_min_s: int) -> list[dict]:
    """The stays the writer would record from these fixes (the last one when the person moves on next)."""
    if not fixes:
        return []
    margins = index.margins_m(np.array([f.lat for f in fixes]), np.array([f.lon for f in fixes]))
    in_any = (margins >= 0).any(axis=1).tolist()
    walker = Person()
    found = []
    for row, fix in enumerate(fixes):
        ts_ms = int(fix.ts.timestamp() * 1000)
        margin = margins[row] if in_any[row] else None
        stay = track_stay(walker, margin, fix.lat, fix.lon, fix.accuracy, ts_ms, stay_min_s)
        if stay is not None:
            found.append(stay)
    last = walker.stay
    if last is not None and last.last_ms - last.since_ms >= stay_min_s * 1000:
        found.append(last)
    rows = []
    for stay in found:
        zone = index.zones[stay.zone] if stay.zone is not None else None
        place = {"place": zone.name, "zone_id": zone.id} if zone else {"place": None, "zone_id": None}
        details = {"lat": stay.lat, "lon": stay.lon, **place}
        rows.append(
            {
                "employee_id": fixes[0].employee_id,
                "customer_id": zone.customer_id if zone else None,
                "started_at": _utc(stay.since_ms / 1000),
                "ended_at": _utc(stay.last_ms / 1000),
                "attributes": orjson.dumps(details).decode(),
            }
        )
    return rows


def _utc(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)
