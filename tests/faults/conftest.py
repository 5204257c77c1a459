"""The fault-injection suite's fixtures: one seed per run, the stack under test, and a summary of
every scenario (its seed, its moments and its counts) at the end of the run.

`FIELDOPS_FAULTS_SEED=<n>` repeats a run's random moments; without it each run draws a new seed and
prints it. `FIELDOPS_FAULTS_PG_OUTAGE_S` sets how long PostgreSQL stays stopped (60 s, as issue 14 asks).
"""

from __future__ import annotations

import os
import random
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import OwnRedis
from tests.faults.stack import Stack

FLEET_SIZE = 3
SEED = int(os.environ.get("FIELDOPS_FAULTS_SEED") or secrets.randbelow(1_000_000))
SUMMARIES: list[str] = []


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """This scenario's random moments: the run's seed and the scenario's name decide them."""
    return random.Random(f"{SEED}:{request.node.name}")


@pytest.fixture
def durable_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A Redis of the test's own with the append-only file FieldOps relies on, written out here rather than
    taken from the embedded Redis's defaults so the suite says what it assumes; it may be killed and wiped."""
    server = OwnRedis(tmp_path / "redis", "--appendonly", "yes", "--appendfsync", "everysec")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack(
    own_postgres: tuple[object, str], durable_redis: OwnRedis, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    stack = Stack(own_postgres, durable_redis, tmp_path, FLEET_SIZE)
    yield stack
    stack.close()
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        print(f"FIELDOPS_FAULTS_SEED={SEED}\n{stack.logs()}")  # shown under the failure


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.call_report = report
    return report


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Iterator[dict]:
    """What a scenario measured, printed at the end of the run (and beside its failure)."""
    record: dict = {}
    started = time.monotonic()
    yield record
    record["seconds"] = round(time.monotonic() - started, 1)
    SUMMARIES.append(f"{request.node.name}: " + ", ".join(f"{key}={value}" for key, value in record.items()))


def pytest_terminal_summary(terminalreporter) -> None:
    if SUMMARIES:
        terminalreporter.section(f"fault injection (FIELDOPS_FAULTS_SEED={SEED})")
        for line in SUMMARIES:
            terminalreporter.write_line(line)
