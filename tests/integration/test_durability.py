"""Nothing accepted is lost: a worker killed with SIGKILL mid-batch, and PostgreSQL stopped while
devices keep sending. Real servers: a `fieldops worker` process, and a PostgreSQL of this test's
own (tests/conftest.py's own_postgres, so it can be stopped; the machine's own server is never touched)."""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from dashboard.core.runtime import Runtime
from dashboard.writer.worker import Writer
from data import devices, employees, positions
from data.db import Database
from data.feed import Fix
from data.migrate import migrate
from tests.conftest import make_app, track_around_the_clock

ROOT = Path(__file__).resolve().parents[2]


def _wait(condition, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _pending_of(rt, consumer):
    return next((c["pending"] for c in rt.feed.writer_consumers() if c["name"] == consumer), 0)


@pytest.mark.faults  # kills a worker process, whose clock a pinned instant cannot reach: the second pass leaves it out
def test_a_worker_killed_mid_batch_loses_nothing_and_stores_nothing_twice(rt):
    total = 150_000
    now_ms = int(time.time() * 1000)
    fixes = [
        Fix(1 + i % 500, now_ms - 3_600_000 + i // 500 * 1000 + i % 500, 60.1 + (i % 997) / 1e4, 24.9, 1.0)
        for i in range(total)
    ]
    rt.feed.ensure_writer_group()
    for start in range(0, total, 5000):
        rt.feed.publish(fixes[start : start + 5000], "native")
    env = {
        **os.environ,
        "DATABASE_URL": rt.settings.database_url,
        "REDIS_URL": rt.settings.redis_url,
        "FIELDOPS_REDIS_PREFIX": rt.settings.redis_prefix,
        "SECRET_KEY": rt.settings.secret_key,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        consumers = rt.feed.writer_consumers
        _wait(lambda: any(c["pending"] > 0 for c in consumers()), 60, "the worker to take a batch")
        stored_before = positions.count(rt.db)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    dead = next(c["name"] for c in consumers() if c["pending"] > 0)
    assert stored_before < total, "the worker finished before it could be killed"
    # Another writer takes over the dead one's shards once their leases expire, and its pending entries at once.
    survivor = Writer(Runtime.open(rt.settings), "survivor", claim_idle_ms=500)
    stop = threading.Event()
    thread = threading.Thread(target=survivor.run, args=(stop, 100), daemon=True)
    thread.start()
    try:
        _wait(lambda: rt.feed.stream_backlog() == 0, 120, "the stream to drain")
    finally:
        stop.set()
        thread.join(10)
        survivor.rt.close()
    assert _pending_of(rt, dead) == 0
    row = rt.db.fetch_one("SELECT count(*) AS n, count(DISTINCT (employee_id, ts)) AS d FROM positions")
    assert row["n"] == row["d"] == total


def test_postgres_stopped_while_devices_keep_sending_loses_nothing(settings, own_postgres):
    server, url = own_postgres
    db = Database(url)
    migrate(db)
    employee_id = employees.create_employee(db, "P1", "Pia Persistent", None)
    track_around_the_clock(db, employee_id)
    devices.add_device(db, "pia-phone", employee_id, "osmand", None)
    db.close()
    app = make_app(replace(settings, database_url=url))
    rt = app.server.extensions["fieldops"]
    client = app.server.test_client()
    writer = Writer(rt, "outage-writer", claim_idle_ms=500)
    stop = threading.Event()
    thread = threading.Thread(target=writer.run, args=(stop, 100), daemon=True)
    thread.start()
    start_s = int(time.time()) - 600
    sent = 0

    def send(count):
        nonlocal sent
        for _ in range(count):
            answer = client.get(f"/ingest/osmand?id=pia-phone&lat=60.17&lon=24.94&timestamp={start_s + sent}")
            assert answer.status_code == 200, answer.data
            sent += 1

    try:
        send(200)
        _wait(lambda: positions.count(rt.db) == 200, 30, "the first fixes to be stored")
        server.stop()
        send(300)  # the device register is cached; the fixes wait in the stream
        time.sleep(3)
        assert rt.feed.stream_backlog() == 300
        health = client.get("/readyz")
        assert health.status_code == 503 and health.get_json()["writer"]["backlog"] == 300
        server.start()
        send(100)
        _wait(lambda: rt.feed.stream_backlog() == 0, 60, "the backlog to drain after the outage")
    finally:
        stop.set()
        thread.join(10)
    row = rt.db.fetch_one("SELECT count(*) AS n, count(DISTINCT ts) AS d, min(ts) AS first FROM positions")
    assert row["n"] == row["d"] == sent == 600
    rt.close()
