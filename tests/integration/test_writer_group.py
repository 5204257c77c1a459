"""Issue 14, defects 3 and 10: the writer's consumer group on a real Redis. A Redis that comes back
without the group no longer stalls the writer; dead writers no longer pile up in the group, and none
holding entries is ever dropped; a writer that stops cleanly leaves; each writer beats in Redis."""

import threading
import time

import pytest

from dashboard.core.runtime import Runtime
from dashboard.writer.worker import Writer
from data import positions
from data.db import Database
from data.feed import Fix
from data.migrate import migrate
from tests.conftest import make_app, wait_until

NOW_MS = 1_790_000_000_000  # a pinned instant: fixes go straight to the feed


def _fixes(first: int, count: int) -> list[Fix]:
    return [Fix(1 + i % 20, NOW_MS + i * 1000, 60.17, 24.94) for i in range(first, first + count)]


def _consumers(rt) -> dict[str, int]:
    return {c["name"]: c["pending"] for c in rt.feed.writer_consumers()}


class Running:
    """A Writer in a thread of this test, stopped (cleanly) at the end."""

    def __init__(self, rt: Runtime, name: str, **kwargs) -> None:
        self.writer = Writer(rt, name, **kwargs)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.writer.run, args=(self.stop, 100), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(15)
        assert not self.thread.is_alive()


@pytest.fixture
def writer_of(rt):
    started: list[Running] = []

    def start(name: str, **kwargs) -> Running:
        started.append(Running(rt, name, **kwargs))
        return started[-1]

    yield start
    for running in started:
        running.close()


def test_a_redis_that_lost_the_writer_group_gets_it_back_and_the_writer_goes_on(rt, writer_of):
    writer_of("steady")
    rt.feed.publish(_fixes(0, 100), "native")
    wait_until(lambda: positions.count(rt.db) == 100, "the first fixes to be stored")
    rt.feed.client.delete(*rt.feed.stream_keys)  # the streams and their groups gone, as after a restart without data
    rt.feed.publish(_fixes(100, 150), "native")  # devices go on sending into a new stream with no group
    wait_until(lambda: positions.count(rt.db) == 250, "fixes sent after the group was lost to be stored")
    assert rt.feed.stream_backlog() == 0
    assert rt.feed.data_lost_at_ms() is not None  # health and metrics tell operators what happened


def test_health_warns_of_a_redis_that_came_back_without_its_data(rt):
    app = make_app(rt.settings)
    assert not any("without its data" in w for w in app.server.test_client().get("/healthz").get_json()["warnings"])
    rt.feed.record_data_loss(int(time.time() * 1000) - 60_000)
    report = app.server.test_client().get("/healthz").get_json()
    assert any("came back without its data" in warning for warning in report["warnings"])
    assert report["writer"]["data_lost_age_s"] >= 60
    metrics = app.server.test_client().get("/metrics").get_data(as_text=True)
    assert "fieldops_redis_data_lost_age_seconds" in metrics


def test_a_writer_started_while_postgres_is_down_waits_and_then_stores(settings, own_postgres):
    server, url = own_postgres
    db = Database(url)
    migrate(db)
    db.close()
    rt = Runtime.open(settings.with_services(url, settings.redis_url))
    server.stop()
    running = Running(rt, "patient")
    try:
        rt.feed.publish(_fixes(0, 50), "native")
        time.sleep(1)
        assert running.thread.is_alive()  # it used to die in start(), leaving the fixes in Redis
        server.start()
        wait_until(lambda: positions.count(rt.db) == 50, "the fixes to be stored once PostgreSQL is back", 60)
    finally:
        running.close()
        rt.close()


def test_a_flushed_redis_does_not_stall_the_writer(settings, own_redis):
    rt = Runtime.open(settings.with_services(settings.database_url, own_redis.url))
    running = Running(rt, "survivor")
    try:
        rt.feed.publish(_fixes(0, 100), "native")
        wait_until(lambda: positions.count(rt.db) == 100, "the first fixes to be stored")
        rt.feed.client.flushall()
        rt.feed.publish(_fixes(100, 100), "native")
        wait_until(lambda: positions.count(rt.db) == 200, "fixes sent after FLUSHALL to be stored")
    finally:
        running.close()
        rt.close()


def test_writers_that_died_are_forgotten_once_their_entries_were_taken_over(rt, writer_of):
    rt.feed.ensure_writer_group()
    # Four writers started and were killed mid-batch: each holds entries it never acknowledged.
    for restart in range(4):
        rt.feed.publish(_fixes(restart * 50, 50), "native")
        assert len(rt.feed.read_stream(f"killed-{restart}", 50, 100)) == 50
    assert set(_consumers(rt)) == {f"killed-{n}" for n in range(4)}
    writer_of("fifth", claim_idle_ms=300, forget_idle_ms=300)
    wait_until(lambda: positions.count(rt.db) == 200, "the dead writers' entries to be claimed and stored")
    wait_until(lambda: set(_consumers(rt)) == {"fifth"}, "the dead writers to be forgotten")
    assert rt.feed.stream_backlog() == 0


def test_a_writer_holding_entries_is_never_forgotten(rt):
    rt.feed.ensure_writer_group()
    rt.feed.publish(_fixes(0, 30), "native")
    holding = rt.feed.read_stream("holding", 10, 100)
    done = rt.feed.read_stream("done", 20, 100)
    rt.feed.acknowledge(done)
    for name in ("holding", "done"):
        rt.feed.beat(name, NOW_MS, None, 0, now_ms=NOW_MS)
    time.sleep(0.3)  # both idle for at least 200 ms, by Redis's own clock
    assert rt.feed.forget_writers(200) == ["done"]
    assert _consumers(rt) == {"holding": len(holding)}
    assert set(rt.feed.heartbeats()) == {"holding"}
    assert rt.feed.forget_writers(60_000) == []  # idle, but not for that long


def test_a_writer_that_stops_cleanly_leaves_the_group_and_its_heartbeat(rt, writer_of):
    running = writer_of("leaving")
    rt.feed.publish(_fixes(0, 40), "native")
    wait_until(lambda: positions.count(rt.db) == 40, "the fixes to be stored")
    wait_until(lambda: rt.feed.heartbeats().get("leaving", {}).get("stored") == 40, "a heartbeat counting them")
    assert "leaving" in _consumers(rt)
    running.close()
    assert "leaving" not in _consumers(rt)
    assert "leaving" not in rt.feed.heartbeats()


def test_each_writer_beats_with_its_last_batch_and_rows_stored(rt, writer_of):
    writer_of("beating")
    wait_until(lambda: "beating" in rt.feed.heartbeats(), "the first heartbeat")
    first = rt.feed.heartbeats()["beating"]
    assert (first["batch_ms"], first["stored"]) == (None, 0)
    rt.feed.publish(_fixes(0, 25), "native")
    wait_until(lambda: rt.feed.heartbeats()["beating"]["stored"] == 25, "a heartbeat after the batch")
    beat = rt.feed.heartbeats()["beating"]
    assert beat["batch_ms"] >= beat["since_ms"] == first["since_ms"]
    assert beat["at_ms"] >= beat["batch_ms"]


def test_an_entry_postgres_refuses_is_set_aside_and_the_others_are_stored(rt):
    """A value PostgreSQL refuses (a NUL in a JSON attribute) failed the writer's whole batch forever,
    holding up every fix behind it; now it is set aside with the reason, kept, and the rest are stored."""
    good = _fixes(0, 99)
    bad = Fix(7, NOW_MS + 500, 60.17, 24.94, attributes={"note": "a\u0000b"})
    rt.feed.ensure_writer_group()
    rt.feed.publish([*good[:50], bad, *good[50:]], "native")
    writer = Writer(rt, "sorter")
    writer.process(rt.feed.read_stream("sorter", 1000, 100))
    assert positions.count(rt.db) == 99
    assert rt.feed.stream_backlog() == 0 and _consumers(rt)["sorter"] == 0
    [(entry, reason)] = rt.feed.set_aside_entries()
    assert entry.fix == bad and entry.source == "native" and "UntranslatableCharacter" in reason
    report = make_app(rt.settings).server.test_client().get("/healthz").get_json()
    assert report["writer"]["set_aside"] == 1
    assert any("set aside" in warning for warning in report["warnings"])

    assert rt.feed.replay_set_aside() == 1  # once the cause is mended, they go through the writer again
    assert rt.feed.set_aside_count() == 0 and rt.feed.stream_backlog() == 1
