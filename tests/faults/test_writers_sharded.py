"""Issue 20: with the stream sharded by employee and each shard leased to one writer, N writers derive the same
events as one. The same fleet, driving through customers' sites and the work areas at a fixed time, goes through
one `fieldops worker` and through three (one joining mid-run, one killed with SIGKILL mid-run); the activities
(visits, geofence enter/exit, stays), the tasks and their state changes come out the same, row for row.

The kill comes between two rounds of fixes, each stored before the next is sent: the dead writer holds no
batch half-done (a kill inside a batch, after its events are committed and before its acknowledgement, may
record an event twice: docs/SCALING.md), and the next round's fixes of its shards wait for its leases to expire
and for the others to take them over, with its people's state.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from dashboard.core.config import Settings
from data.db import Database
from data.feed import Fix, LiveFeed, connect
from tests.conftest import _make_settings, wait_until

ROOT = Path(__file__).resolve().parents[2]
START_MS = 1_790_000_000_000  # the fleet's first fix: a fixed instant, never the clock
STEP_S = 10  # between one person's fixes
SPEED_MPS = 10.0  # driving between sites
DWELL_FIXES = 48  # eight minutes at each site: a visit (60 s) and a stay (FIELDOPS_STAY_MIN_S, 300 s)
SITES_PER_PERSON = 3
ROUNDS = 8
METRES_PER_DEGREE = 111_320.0


def _fleet(db: Database) -> list[Fix]:
    """Each person drives from 2 km north to three customers' sites in turn, stays eight minutes at each (within
    a few metres of its centre), and drives away; all deterministic."""
    sites = db.fetch_all(
        """SELECT z.customer_id, z.center_lat, z.center_lon FROM zones z
           WHERE z.kind = 'customer_site' ORDER BY z.id"""
    )
    people = [row["id"] for row in db.fetch_all("SELECT id FROM employees ORDER BY id")]
    fixes: list[Fix] = []
    for n, employee_id in enumerate(people):
        stops = [sites[(n * 7 + k * 11) % len(sites)] for k in range(SITES_PER_PERSON)]
        lat, lon = stops[0]["center_lat"] + 0.018, stops[0]["center_lon"]
        ts_ms = START_MS + n * 1000
        track: list[tuple[float, float]] = [(lat, lon)]
        for site in [*stops, {"center_lat": lat, "center_lon": lon}]:
            dlat, dlon = site["center_lat"] - lat, site["center_lon"] - lon
            metres = math.hypot(dlat * METRES_PER_DEGREE, dlon * METRES_PER_DEGREE * math.cos(math.radians(lat)))
            legs = max(1, math.ceil(metres / (SPEED_MPS * STEP_S)))
            track += [(lat + dlat * i / legs, lon + dlon * i / legs) for i in range(1, legs + 1)]
            lat, lon = site["center_lat"], site["center_lon"]
            if "customer_id" in site:
                track += [(lat + (i % 5 - 2) * 1e-5, lon + (i % 3 - 1) * 2e-5) for i in range(DWELL_FIXES)]
        for i, (fix_lat, fix_lon) in enumerate(track):
            fixes.append(Fix(employee_id, ts_ms + i * STEP_S * 1000, fix_lat, fix_lon, 0.0, None, 5.0))
        for k, site in enumerate(stops):
            db.execute(
                """INSERT INTO tasks (customer_id, employee_id, state, planned_seq) VALUES (%s, %s, 'assigned', %s)""",
                (site["customer_id"], employee_id, k + 1),
            )
    return fixes


def _rounds(fixes: list[Fix]) -> list[list[Fix]]:
    """The fleet's hours cut into ROUNDS equal slices of time: every person's fixes of a slice, in order."""
    first, last = min(f.ts_ms for f in fixes), max(f.ts_ms for f in fixes) + 1
    width = math.ceil((last - first) / ROUNDS)
    rounds: list[list[Fix]] = [[] for _ in range(ROUNDS)]
    for fix in sorted(fixes, key=lambda f: (f.employee_id, f.ts_ms)):
        rounds[(fix.ts_ms - first) // width].append(fix)
    return rounds


def _outcome(db: Database) -> dict[str, list[tuple]]:
    """What the writers derived, without row ids and creation times."""
    return {
        "activities": [
            tuple(row.values())
            for row in db.fetch_all(
                """SELECT employee_id, customer_id, task_id, kind, started_at, ended_at, notes, source,
                          attributes::text AS attributes
                   FROM activities ORDER BY employee_id, started_at, kind, attributes::text"""
            )
        ],
        "tasks": [
            tuple(row.values())
            for row in db.fetch_all(
                "SELECT id, customer_id, employee_id, state, arrived_at, departed_at FROM tasks ORDER BY id"
            )
        ],
        "task_events": [
            tuple(row.values())
            for row in db.fetch_all(
                """SELECT task_id, from_state, to_state, employee_id, user_id, reason, at FROM task_events
                   ORDER BY task_id, at, to_state"""
            )
        ],
    }


class Writers:
    """`fieldops worker` processes on one database and Redis prefix."""

    def __init__(self, settings: Settings, folder: Path) -> None:
        self.settings = settings
        self.folder = folder
        self.env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "FIELDOPS_REDIS_PREFIX": settings.redis_prefix,
            "SECRET_KEY": settings.secret_key,
            "FIELDOPS_OSMAND_PORT": "off",
        }
        self.processes: list[subprocess.Popen] = []
        self.feed = LiveFeed(connect(settings.redis_url), settings.redis_prefix)

    def start(self) -> subprocess.Popen:
        log = (self.folder / f"writer-{len(self.processes) + 1}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "worker"], env=self.env, cwd=ROOT, stdout=log, stderr=log
        )
        self.processes.append(process)
        return process

    def name(self, process: subprocess.Popen) -> str:
        return f"{socket.gethostname()}-{process.pid}"

    def owners(self) -> dict[int, str | None]:
        return self.feed.lease_owners()

    def wait_shared_by(self, processes: list[subprocess.Popen]) -> None:
        """Until every shard is held, each of these writers holding some and no other writer any."""
        names = {self.name(p) for p in processes}
        wait_until(
            lambda: set(self.owners().values()) == names,
            f"the shards shared by {len(names)} writers: {self.owners()}",
            90,
        )

    def send(self, fixes: list[Fix]) -> None:
        for start in range(0, len(fixes), 500):
            self.feed.publish(fixes[start : start + 500], "native")

    def wait_stored(self) -> None:
        wait_until(lambda: self.feed.stream_backlog() == 0, "the writers to store every fix", 90)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-20:])
            for path in sorted(self.folder.glob("writer-*.log"))
        )

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.feed.client.close()


@contextmanager
def _writers(settings: Settings, folder: Path) -> Iterator[Writers]:
    folder.mkdir()
    writers = Writers(settings, folder)
    try:
        yield writers
    except BaseException:
        print(writers.logs())
        raise
    finally:
        writers.close()


def _through_one_writer(settings: Settings, folder: Path) -> dict[str, list[tuple]]:
    with closing(Database(settings.database_url)) as db:
        rounds = _rounds(_fleet(db))
        with _writers(settings, folder) as writers:
            writers.wait_shared_by([writers.start()])
            for fixes in rounds:
                writers.send(fixes)
                writers.wait_stored()
        return _outcome(db)


def _through_three_writers(settings: Settings, folder: Path) -> tuple[dict[str, list[tuple]], dict]:
    with closing(Database(settings.database_url)) as db:
        rounds = _rounds(_fleet(db))
        seen: dict[str, object] = {}
        with _writers(settings, folder) as writers:
            first, second = writers.start(), writers.start()
            writers.wait_shared_by([first, second])
            for fixes in rounds[:2]:
                writers.send(fixes)
                writers.wait_stored()
            third = writers.start()  # joins mid-run: the others give it their extra shards, with their state
            writers.wait_shared_by([first, second, third])
            for fixes in rounds[2:5]:
                writers.send(fixes)
                writers.wait_stored()
            # SIGKILL the writer holding the most people (the fleet is employees 1..12 of 16 shards).
            owners = writers.owners()
            people = {
                n: sum(1 for k, o in owners.items() if o == writers.name(p) and 1 <= k <= 12)
                for n, p in enumerate((first, second, third))
            }
            victim = (first, second, third)[max(people, key=people.get)]
            seen["killed_shards"] = sorted(k for k, o in owners.items() if o == writers.name(victim))
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            killed_at = time.monotonic()
            survivors = [p for p in (first, second, third) if p is not victim]
            writers.send(rounds[5])  # its shards' fixes wait for its leases to expire and the others to take them
            writers.wait_stored()
            seen["taken_over_s"] = round(time.monotonic() - killed_at, 1)
            for fixes in rounds[6:]:
                writers.send(fixes)
                writers.wait_stored()
            writers.wait_shared_by(survivors)
        return _outcome(db), seen


def test_three_writers_one_killed_derive_the_same_events_as_one(seeded_settings, servers, templates, tmp_path):
    one = _through_one_writer(seeded_settings, tmp_path / "one")
    second = _make_settings(servers, templates, "seeded")
    try:
        three, seen = _through_three_writers(next(second), tmp_path / "three")
    finally:
        next(second, None)
    kinds = {row[3] for row in one["activities"]}
    assert {"visit", "geofence_enter", "geofence_exit", "stay"} <= kinds, kinds
    assert sum(1 for task in one["tasks"] if task[3] == "done") >= 12 * SITES_PER_PERSON // 2
    assert seen["killed_shards"], seen
    for table in one:
        assert three[table] == one[table], table
    print(f"three writers, one killed: {len(one['activities'])} activities alike; {seen}")
