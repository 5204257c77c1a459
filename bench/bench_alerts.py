"""Alert rules in the writer (issue 17): what they cost, and how soon their alerts are seen.

    python bench/bench_alerts.py throughput [--positions 50000] [--rounds 6] [--profile]
    python bench/bench_alerts.py latency    [--rate 1000] [--seconds 240] [--no-rules] [--writer-only]

throughput: the writer alone, in this process (`Writer.process`, its whole pipeline, and the timers' tick after
            each batch as `Writer.run` does), on a fleet of 1,000 people in 10 teams moving through 60 customer
            sites and 4 work areas with today's tasks, every fix carrying the tracker's battery. Rounds
            alternate without rules (only the built-in help rule, which the writer does not evaluate) and with
            20 rules covering everyone (the mix in RULES), A B A B …, so the shared machine's noise falls on
            both; each round is the next positions/1,000 seconds of the same fleet through one Writer, whose
            alerts handler is made anew each round (as after a restart) to read that round's rules. Reports
            each round, the medians, their ratio and the share of the time each handler took. The process clock
            is moved along the fleet's own time (time-machine), so every fix reaches the writer as fresh as from
            a live phone. --profile: cProfile of the rounds with rules, the functions that cost most.
latency:    the writer as `fieldops worker` runs it (its thread, and the loops beside it), the fleet publishing
            --rate positions/s through the ingest's Redis round trip. After WARM_S under that load, occasions:
            each second one person's fix reports a battery of 8 % (low battery ≤ 15 %), another drives at
            126 km/h for 5 s (speeding over 110 km/h, at once), and one person of the last hundred stops
            reporting (silent 1 minute: its timer is due a minute after their last fix). Measures from the fix
            (its timestamp, stamped as it is sent) or the timer (its due time) to the alert seen by a reader
            polling the alerts' version every 50 ms as the live map does and reading the open alerts: p50,
            p95, max; and the writer's backlog each second (--no-rules: the same load without the rules, to
            see whether the writer keeps up without them; --writer-only: without the loops `fieldops worker`
            runs beside the writer — reports, webhooks, notifications, rollups).

Uses DATABASE_URL / REDIS_URL when set, else embedded servers in ./var/bench-alerts; its own database
(fieldops_bench_alerts) and Redis prefix (benchalerts:), cleared first. Working hours are all day, every day:
every rule holds at every hour, the most work the rules can make.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import platform
import pstats
import random
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_ingest import add_zones
from bench.common import bench_runtime
from dashboard.cli.background import start_background
from dashboard.core.embedded import EmbeddedServices
from dashboard.core.permissions import Viewer
from dashboard.core.runtime import Runtime
from dashboard.work import alerting
from dashboard.writer.worker import BATCH, Writer
from data import alerts
from data.feed import Fix
from data.scope import Scope

PREFIX = "benchalerts:"
DATABASE = "fieldops_bench_alerts"
EMPLOYEES = 1000
TEAMS = 10
BOX = (60.16, 60.18, 24.93, 24.96)  # the area bench_ingest.add_zones tiles with sites and work areas
METRES_PER_DEGREE = 111_320.0
POLL_S = 0.05  # the latency reader's poll of the alerts' version
# latency: the writer runs under the load this long before the first occasion: past the first geofence dwell
# (60 s), when a fleet that starts at once confirms everyone's zones in the same batch, and its catch-up.
WARM_S = 90
SPEEDING_S = 5  # latency: how long a speeding occasion's person drives at 126 km/h

# The 20 rules, all for everyone: (kind, name, severity, params, zones: None | "depot" | "sites", cooldown).
# The zone rules watch named zones: the first work area ("the depot") or 20 of the 60 customer sites.
RULES: tuple[tuple[str, str, str, dict, str | None, int], ...] = (
    ("silent", "Silent 1 minute", "info", {"minutes": 1}, None, 30),
    ("silent", "Silent 10 minutes", "warning", {"minutes": 10}, None, 30),
    ("silent", "Silent 30 minutes", "critical", {"minutes": 30}, None, 60),
    ("idle", "Idle 10 minutes", "info", {"minutes": 10}, None, 30),
    ("idle", "Idle 15 minutes", "warning", {"minutes": 15}, None, 30),
    ("idle", "Idle 30 minutes", "critical", {"minutes": 30}, None, 60),
    ("speeding", "Over 90 km/h for 30 s", "warning", {"kmh": 90, "seconds": 30}, None, 30),
    ("speeding", "Over 110 km/h", "critical", {"kmh": 110, "seconds": 0}, None, 30),
    ("speeding", "Over 60 km/h for a minute", "info", {"kmh": 60, "seconds": 60}, None, 30),
    ("low_battery", "Battery 15 %", "info", {"percent": 15}, None, 120),
    ("low_battery", "Battery 5 %", "warning", {"percent": 5}, None, 120),
    ("zone_exit", "Left the depot", "info", {}, "depot", 10),
    ("zone_exit", "Left the depot in the morning", "warning", {"from": "07:00", "to": "12:00"}, "depot", 10),
    ("zone_enter", "At one of 20 key customers", "info", {}, "sites", 10),
    ("zone_enter", "Entered the depot", "info", {}, "depot", 10),
    ("task_at_risk", "Task at risk", "warning", {}, None, 30),
    ("task_not_arrived", "Not arrived by the window's end", "warning", {}, None, 30),
    ("task_overdue", "Task overdue 30 minutes", "warning", {"minutes": 30}, None, 30),
    ("task_overdue", "Task overdue 2 hours", "critical", {"minutes": 120}, None, 60),
    ("low_survey", "Survey of 2 stars or fewer", "warning", {"stars": 2}, None, 0),
)


# ---- figures --------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not within 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Comparison:
    """Interleaved rounds without (a) and with (b) the rules: medians, and b's throughput as a share of a's."""

    without: list[float]
    with_rules: list[float]

    @property
    def median_without(self) -> float:
        return statistics.median(self.without)

    @property
    def median_with(self) -> float:
        return statistics.median(self.with_rules)

    @property
    def ratio(self) -> float:
        return self.median_with / self.median_without

    @property
    def cost(self) -> float:
        """The share of throughput the rules take (negative: within the noise, the rules' rounds were faster)."""
        return 1 - self.ratio


def arms(rounds: int) -> list[bool]:
    """Whether each round runs with the rules: A B A B …, starting without."""
    return [i % 2 == 1 for i in range(2 * rounds)]


# ---- the bench's organisation -----------------------------------------------------------------------------------


def setup() -> tuple[Runtime, EmbeddedServices]:
    rt, services = bench_runtime(DATABASE, PREFIX, "bench-alerts")
    with rt.db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            "TRUNCATE alerts, alert_notifications, employees, teams, positions, activities, tasks, customers, zones"
            " RESTART IDENTITY CASCADE"
        )
        cur.execute("DELETE FROM alert_rules WHERE NOT builtin")
        cur.execute("INSERT INTO teams (name) SELECT 'Team ' || g FROM generate_series(1, %s) g", (TEAMS,))
        cur.execute(
            "INSERT INTO employees (code, name, team_id)"
            " SELECT 'A' || g, 'Person ' || g, (g - 1) %% %s + 1 FROM generate_series(1, %s) g",
            (TEAMS, EMPLOYEES),
        )
        cur.execute("DELETE FROM working_hours")
        cur.execute(
            "INSERT INTO working_hours (weekday, starts, ends) SELECT d, '00:00', '00:00' FROM generate_series(0, 6) d"
        )
    add_zones(rt, random.Random(1))
    add_tasks(rt)
    add_rules(rt)
    return rt, services


def add_tasks(rt: Runtime) -> None:
    """Two tasks a person today at customer sites: one open now and ending within the hour (at risk when the
    person is far), one later; for one person in twenty the first window ended 40 minutes ago (overdue)."""
    with rt.db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            """INSERT INTO tasks (customer_id, employee_id, state, window_start, window_end)
               SELECT 1 + (e.id * 7 + k) % 60, e.id, 'assigned',
                      now() + make_interval(mins => CASE WHEN k = 1 THEN 60 WHEN e.id % 20 = 0 THEN -100 ELSE -20 END),
                      now() + make_interval(mins => CASE WHEN k = 1 THEN 120 WHEN e.id % 20 = 0 THEN -40
                                                         ELSE 10 + e.id % 50 END)
               FROM employees e, generate_series(0, 1) k"""
        )


def add_rules(rt: Runtime) -> list[int]:
    viewer = Viewer(None, "bench", "manager", None, Scope.everything())
    zones = rt.db.fetch_all("SELECT id, kind FROM zones ORDER BY id")
    named = {
        "depot": [z["id"] for z in zones if z["kind"] == "work_area"][:1],
        "sites": [z["id"] for z in zones if z["kind"] == "customer_site"][:20],
    }
    ids = []
    for kind, name, severity, params, zone_set, cooldown in RULES:
        values = {
            "kind": kind,
            "name": name,
            "severity": severity,
            "params": params,
            "zone_ids": named[zone_set] if zone_set else None,
            "cooldown_min": cooldown,
            "recipients": ["supervisors", "managers"],
            "channels": ["inbox"],
        }
        ids.append(alerts.create_rule(rt.db, alerting.validate_rule(values, viewer), None))
    return ids


def set_rules(rt: Runtime, enabled: bool) -> None:
    rt.db.execute("UPDATE alert_rules SET enabled = %s WHERE NOT builtin", (enabled,))


def has_alert_handler(writer: Writer) -> bool:
    return any(name.startswith("alert") for name in writer.pipeline.names)


# ---- the fleet --------------------------------------------------------------------------------------------------


@dataclass
class Mover:
    lat: float
    lon: float
    heading: float  # degrees
    speed: float  # m/s
    battery: float  # %


class Fleet:
    """1,000 people moving through the bench's box: a tenth standing still (idle), a fifth driving (12 m/s),
    with `speeders` one in fifty at 126 km/h; the rest walking. Battery drains slowly; with `low_batteries`
    about one in nine starts under 15 %."""

    def __init__(self, rng: random.Random, *, speeders: bool, low_batteries: bool) -> None:
        self.rng = rng
        self.people: dict[int, Mover] = {}
        for e in range(1, EMPLOYEES + 1):
            if e % 10 == 0:
                speed = 0.0
            elif speeders and e % 50 == 1:
                speed = 35.0
            elif e % 5 == 2:
                speed = 12.0
            else:
                speed = 1.4
            battery = 100.0 - (e % 97) if low_batteries else 80.0 + e % 20
            self.people[e] = Mover(
                BOX[0] + rng.random() * (BOX[1] - BOX[0]),
                BOX[2] + rng.random() * (BOX[3] - BOX[2]),
                rng.random() * 360,
                speed,
                battery,
            )

    def fix(self, employee_id: int, ts_ms: int, dt_s: float, **override: float) -> Fix:
        """The person's next fix dt_s seconds on; override speed (m/s) or battery (%) for this fix and after."""
        p = self.people[employee_id]
        p.battery = override.get("battery", max(1.0, p.battery - 0.002 * dt_s))
        speed = override.get("speed", p.speed)
        p.heading = (p.heading + self.rng.uniform(-20, 20)) % 360
        step = speed * dt_s / METRES_PER_DEGREE
        p.lat += step * math.cos(math.radians(p.heading))
        p.lon += step * math.sin(math.radians(p.heading)) / math.cos(math.radians(p.lat))
        if not BOX[0] <= p.lat <= BOX[1] or not BOX[2] <= p.lon <= BOX[3]:  # turn back at the edge of the map
            p.lat, p.lon = min(max(p.lat, BOX[0]), BOX[1]), min(max(p.lon, BOX[2]), BOX[3])
            p.heading = (p.heading + 180) % 360
        noise = 3 / METRES_PER_DEGREE  # a phone's few metres of jitter
        return Fix(
            employee_id,
            ts_ms,
            p.lat + self.rng.uniform(-noise, noise),
            p.lon + self.rng.uniform(-noise, noise),
            speed,
            p.heading,
            8.0,
            {"batt": round(p.battery, 1)},
        )

    def seconds(self, start_ms: int, count: int) -> list[Fix]:
        """Everyone's fixes for `count` seconds from start_ms, a second apart, spread over each second."""
        return [self.fix(e, start_ms + s * 1000 + e % 1000, 1.0) for s in range(count) for e in range(1, EMPLOYEES + 1)]


# ---- throughput -------------------------------------------------------------------------------------------------


@dataclass
class Round:
    with_rules: bool
    rows_per_s: float
    stored: int
    raised: int
    shares: dict[str, float]  # each handler's seconds


def with_fresh_alerts(writer: Writer) -> None:
    """The writer's alerts handler replaced by a new one, as after a restart: it reads the round's rules and its
    memory in Redis (not timed). The other handlers go on, so zone dwells, stays and visits span rounds."""
    handlers = writer.pipeline.handlers
    for index, handler in enumerate(handlers):
        if handler.name.startswith("alert"):
            fresh = type(handler)(writer.rt)
            fresh.restore()
            if hasattr(fresh, "plan"):
                fresh.plan.get()
            handlers[index] = fresh


def writer_round(
    rt: Runtime, writer: Writer, fixes: list[Fix], with_rules: bool, profiler: cProfile.Profile | None
) -> Round:
    set_rules(rt, with_rules)
    with_fresh_alerts(writer)
    raised_before = rt.db.fetch_one("SELECT count(*) AS n FROM alerts")["n"]
    for start in range(0, len(fixes), BATCH):
        rt.feed.publish(fixes[start : start + BATCH], "native")
    seconds_before = dict(writer.pipeline.seconds)
    stored = 0
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    ticking = 0.0
    while entries := rt.feed.read_stream("bench", BATCH, 10):
        stored += writer.process(entries)
        ticked = time.perf_counter()
        writer.pipeline.tick(int(time.time() * 1000))  # as Writer.run does after each batch: the due timers
        ticking += time.perf_counter() - ticked
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - t0
    raised = rt.db.fetch_one("SELECT count(*) AS n FROM alerts")["n"] - raised_before
    shares = {name: spent - seconds_before.get(name, 0.0) for name, spent in writer.pipeline.seconds.items()}
    return Round(with_rules, stored / elapsed, stored, raised, shares | {"timers": ticking})


def run_throughput(args: argparse.Namespace, rt: Runtime) -> None:
    import time_machine  # the test extra's; only this bench moves the clock

    writer = Writer(rt, "bench")
    if not has_alert_handler(writer):
        print(f"NOTE: the writer's pipeline has no alerts handler ({' → '.join(writer.pipeline.names)})")
    writer.start()
    fleet = Fleet(random.Random(2), speeders=True, low_batteries=True)
    per_round = max(1, args.positions // EMPLOYEES)
    profiler = cProfile.Profile() if args.profile else None
    start_ms = int(time.time() * 1000)
    rounds: list[Round] = []
    with time_machine.travel(datetime.fromtimestamp(start_ms / 1000, UTC), tick=True) as clock:
        next_ms = start_ms // 1000 * 1000
        for warming in (True, True):  # two rounds to settle caches, zone dwells, stays and open alerts
            warm = fleet.seconds(next_ms, per_round)
            next_ms += per_round * 1000
            clock.move_to(datetime.fromtimestamp(warm[-1].ts_ms / 1000, UTC))
            writer_round(rt, writer, warm, warming, None)
        for with_rules in arms(args.rounds):
            fixes = fleet.seconds(next_ms, per_round)
            next_ms += per_round * 1000
            clock.move_to(datetime.fromtimestamp(fixes[-1].ts_ms / 1000, UTC))
            done = writer_round(rt, writer, fixes, with_rules, profiler if with_rules else None)
            rounds.append(done)
            print(
                f"  {'with 20 rules' if with_rules else 'without rules'}: {done.rows_per_s:,.0f} rows/s "
                f"({done.stored} rows, {done.raised} alerts raised) · "
                + ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in done.shares.items()),
                flush=True,
            )
    comparison = Comparison(
        [r.rows_per_s for r in rounds if not r.with_rules], [r.rows_per_s for r in rounds if r.with_rules]
    )
    print(
        f"writer, 1,000 people, {per_round * EMPLOYEES:,} fixes a round, {args.rounds} rounds each, interleaved:"
        f"\n  without rules: median {comparison.median_without:,.0f} rows/s"
        f"\n  with 20 rules: median {comparison.median_with:,.0f} rows/s"
        f"\n  ratio {comparison.ratio:.3f}: the rules cost {comparison.cost:.1%} of the writer's throughput"
        f" (target ≤ 10 %)"
    )
    with_rounds = [r for r in rounds if r.with_rules]
    total = sum(sum(r.shares.values()) for r in with_rounds)
    if total:
        shares = {name: sum(r.shares.get(name, 0.0) for r in with_rounds) / total for name in with_rounds[0].shares}
        print("  handlers' shares with rules: " + ", ".join(f"{n} {s:.1%}" for n, s in shares.items()))
        # Under heavy load the medians drown in noise; the rules' own seconds against each round's whole time do not.
        own = [
            (r.shares.get("alerts", 0.0) + r.shares.get("timers", 0.0)) * r.rows_per_s / r.stored for r in with_rounds
        ]
        print(
            f"  the alerts handler and its timers took {statistics.median(own):.1%} of the rounds with rules "
            f"(median; rounds {min(own):.1%} to {max(own):.1%}), {sum(r.raised for r in with_rounds)} alerts raised"
        )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(r"writer/alerts\.py|work/alerting\.py|alert_state\.py", 25)
        print(out.getvalue())


# ---- latency ----------------------------------------------------------------------------------------------------


@dataclass
class Occasion:
    kind: str
    employee_id: int
    due_ms: int  # when the rule was satisfied: the fix's timestamp, or the silent timer's due time
    second: int  # of the run, when the occasion was set up


class AlertWatcher:
    """Reads the open alerts as the live map does: polls the alerts' version, reads them when it moves; every
    second it reads them anyway (so an alert whose version never moved is still seen, and counted)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.state = alerting.state(rt)
        self.seen_ms: dict[tuple[str, int], int] = {}
        self.seen_without_version = 0

    def run(self, stop: threading.Event) -> None:
        version, read_at = self.state.version(), 0.0
        while not stop.is_set():
            now = self.state.version()
            moved = now != version
            if moved or time.monotonic() - read_at >= 1.0:
                version, read_at = now, time.monotonic()
                seen = int(time.time() * 1000)
                for alert in alerts.open_alerts(self.rt.db, Scope.everything()):
                    key = (alert["kind"], alert["employee_id"])
                    if key not in self.seen_ms:
                        self.seen_ms[key] = seen
                        self.seen_without_version += not moved
            stop.wait(POLL_S)


def run_latency(args: argparse.Namespace, rt: Runtime) -> None:
    if args.no_rules:  # the same load with only the built-in help rule: does the writer keep up without them?
        set_rules(rt, False)
    fleet = Fleet(random.Random(3), speeders=False, low_batteries=False)
    silent_group = list(range(EMPLOYEES - 99, EMPLOYEES + 1))  # the last hundred go silent, one a second
    talkers = [e for e in range(1, EMPLOYEES + 1) if e not in silent_group]
    silent_after_s = 60  # the rule "Silent 1 minute"
    stopped_at: dict[int, int] = {}  # person → their last fix's ms
    occasions: list[Occasion] = []
    stop = threading.Event()
    probe = Writer(rt, "bench-probe")
    if not has_alert_handler(probe):
        print(f"NOTE: the writer's pipeline has no alerts handler ({' → '.join(probe.pipeline.names)})")
    writer = Writer(rt)
    threads = [threading.Thread(target=writer.run, args=(stop,), name="writer", daemon=True)]
    threads[0].start()
    if not args.writer_only:
        threads += start_background(rt, stop)
    watcher = AlertWatcher(rt)
    watch_stop = threading.Event()
    watching = threading.Thread(target=watcher.run, args=(watch_stop,), name="watcher", daemon=True)
    watching.start()
    tick_s = 0.1
    per_tick = args.rate // 10
    occasions_end_s = args.seconds - silent_after_s - 10  # every occasion has time to be seen before the end
    order = talkers + silent_group
    speeding_until: dict[int, int] = {}  # a speeder keeps 126 km/h for SPEEDING_S, so the alert stays open
    backlog: list[tuple[int, int]] = []  # (second, stream entries not yet written)
    cursor, published, tick = 0, 0, 0
    t0 = time.monotonic()
    try:
        while (elapsed := time.monotonic() - t0) < args.seconds:
            now_ms = int(time.time() * 1000)
            second, first_of_second = int(elapsed), tick % 10 == 0
            special: dict[int, dict[str, float]] = {}
            if first_of_second:
                backlog.append((second, rt.feed.stream_backlog()))
            if first_of_second and WARM_S <= second < occasions_end_s:
                battery_person = talkers[(2 * second) % len(talkers)]
                speed_person = talkers[(2 * second + 1) % len(talkers)]
                special = {battery_person: {"battery": 8.0}, speed_person: {"speed": 35.0}}
                speeding_until[speed_person] = now_ms + SPEEDING_S * 1000
                occasions += [
                    Occasion("low_battery", battery_person, now_ms, second),
                    Occasion("speeding", speed_person, now_ms, second),
                ]
                quiet = silent_group[(second - WARM_S) % len(silent_group)]
                if quiet not in stopped_at and second - WARM_S < len(silent_group):
                    stopped_at[quiet] = -1  # their next fix is their last
            fixes = []
            while len(fixes) < per_tick:  # those gone silent leave their turns to the others: the rate holds
                e = order[cursor % EMPLOYEES]
                cursor += 1
                if stopped_at.get(e, 0) > 0:
                    continue
                override = special.get(e) or ({"speed": 35.0} if speeding_until.get(e, 0) > now_ms else {})
                fixes.append(fleet.fix(e, now_ms, 1.0, **override))
                if stopped_at.get(e) == -1:
                    stopped_at[e] = now_ms
                    occasions.append(Occasion("silent", e, now_ms + silent_after_s * 1000, second))
            for e, override in special.items():  # an occasion's person reports now, whoever's turn it is
                if not any(f.employee_id == e for f in fixes):
                    fixes.append(fleet.fix(e, now_ms, 0.1, **override))
            if fixes:
                rt.feed.publish(fixes, "native")
                published += len(fixes)
            tick += 1
            time.sleep(max(0.0, t0 + tick * tick_s - time.monotonic()))
        time.sleep(2)  # the last reads
    finally:
        watch_stop.set()
        stop.set()
        for thread in threads:
            thread.join(10)
        watching.join(5)
    elapsed = time.monotonic() - t0
    report_latency(occasions, watcher, published, elapsed, args)
    report_stored(rt, [o for o in occasions if o.kind != "silent"], watcher)
    worst = max(backlog, key=lambda b: b[1])
    print(f"  the writer's backlog (stream entries not yet written): at most {worst[1]:,}, at second {worst[0]}")


def report_latency(
    occasions: list[Occasion], watcher: AlertWatcher, published: int, elapsed: float, args: argparse.Namespace
) -> None:
    print(
        f"latency: {published:,} positions in {elapsed:.0f} s ({published / elapsed:,.0f}/s; target rate "
        f"{args.rate}/s), writer thread as in `fieldops worker`, reader polling every {POLL_S * 1000:.0f} ms"
    )
    everything: list[float] = []
    for kind, label in (
        ("low_battery", "fix → low battery"),
        ("speeding", "fix → speeding"),
        ("silent", "timer → silent"),
    ):
        delays = [
            (watcher.seen_ms[(o.kind, o.employee_id)] - o.due_ms) / 1000
            for o in occasions
            if o.kind == kind and (o.kind, o.employee_id) in watcher.seen_ms
        ]
        asked = sum(o.kind == kind for o in occasions)
        everything += delays
        if delays:
            print(
                f"  {label}: {len(delays)} of {asked} seen; p50 {percentile(delays, 50):.2f} s, "
                f"p95 {percentile(delays, 95):.2f} s, max {max(delays):.2f} s"
            )
        else:
            print(f"  {label}: 0 of {asked} seen")
    if everything:
        print(
            f"  all {len(everything)} occasions: p50 {percentile(everything, 50):.2f} s, "
            f"p95 {percentile(everything, 95):.2f} s, max {max(everything):.2f} s (target p95 ≤ 3 s)"
        )
    print(f"  alerts first seen by the once-a-second read, the version unmoved: {watcher.seen_without_version}")
    late = sorted(
        ((watcher.seen_ms[(o.kind, o.employee_id)] - o.due_ms) / 1000, o.second, o.kind)
        for o in occasions
        if (o.kind, o.employee_id) in watcher.seen_ms
    )[-5:]
    print("  the slowest (delay, second of the run, kind): " + ", ".join(f"{d:.1f} s @{s} {k}" for d, s, k in late))


def report_stored(rt: Runtime, occasions: list[Occasion], watcher: AlertWatcher) -> None:
    """The fix occasions' delay split at the writer's insert (`received_at`): waiting in the stream behind the
    writer's backlog, then the rest of the batch, the rules and the commit until the reader saw the alert."""
    seen = [o for o in occasions if (o.kind, o.employee_id) in watcher.seen_ms]
    if not seen:
        return
    rows = rt.db.fetch_all(
        """SELECT p.employee_id, (extract(epoch FROM p.ts) * 1000)::bigint AS ts_ms,
                  extract(epoch FROM p.received_at) * 1000 AS stored_ms
           FROM positions p JOIN unnest(%s::int[], %s::bigint[]) AS o(employee_id, ts_ms)
             ON p.employee_id = o.employee_id AND p.ts = to_timestamp(o.ts_ms / 1000.0)""",
        ([o.employee_id for o in seen], [o.due_ms for o in seen]),
    )
    stored = {(r["employee_id"], int(r["ts_ms"])): float(r["stored_ms"]) for r in rows}
    waited = [
        (stored[(o.employee_id, o.due_ms)] - o.due_ms) / 1000 for o in seen if (o.employee_id, o.due_ms) in stored
    ]
    after = [
        (watcher.seen_ms[(o.kind, o.employee_id)] - stored[(o.employee_id, o.due_ms)]) / 1000
        for o in seen
        if (o.employee_id, o.due_ms) in stored
    ]
    if waited:
        print(
            f"  the fix occasions ({len(waited)}) split at the writer's insert: fix → stored p50 "
            f"{percentile(waited, 50):.2f} s, p95 {percentile(waited, 95):.2f} s; stored → alert seen p50 "
            f"{percentile(after, 50):.2f} s, p95 {percentile(after, 95):.2f} s, max {max(after):.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("throughput", "latency"))
    parser.add_argument("--positions", type=int, default=50_000, help="throughput: fixes a round")
    parser.add_argument("--rounds", type=int, default=6, help="throughput: rounds of each arm")
    parser.add_argument("--profile", action="store_true", help="throughput: cProfile the rounds with rules")
    parser.add_argument("--rate", type=int, default=1000, help="latency: positions/s")
    parser.add_argument("--seconds", type=int, default=240, help="latency: how long the fleet reports")
    parser.add_argument("--no-rules", action="store_true", help="latency: the same load, the 20 rules off")
    parser.add_argument("--writer-only", action="store_true", help="latency: without the worker's other loops")
    args = parser.parse_args()
    if args.kind == "latency" and args.seconds < WARM_S + 90:
        parser.error(f"latency needs --seconds of at least {WARM_S + 90} (warm-up, the silent minute, time to see)")
    load = os.getloadavg()[0]
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}")
    rt, services = setup()
    try:
        {"throughput": run_throughput, "latency": run_latency}[args.kind](args, rt)
    finally:
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        rt.close()
        services.stop()


if __name__ == "__main__":
    main()
