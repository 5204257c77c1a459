"""Issue 20: the writers' stream sharded by employee, each shard leased to one writer (dashboard/writer/worker.py)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from dashboard.cli.boot import prepare
from dashboard.core.config import ConfigError
from dashboard.writer.worker import LIVE_MS, Writer
from data import positions
from data.feed import Fix, LiveFeed, ShardsChanged

NOW_MS = 1_790_000_000_000


def _fixes(employees: range, count: int) -> list[Fix]:
    return [Fix(e, NOW_MS + i * 1000, 60.17 + i * 1e-4, 24.94) for e in employees for i in range(count)]


def _leased(rt, name: str) -> set[int]:
    return {shard for shard, owner in rt.feed.lease_owners().items() if owner == name}


def test_each_fix_goes_to_its_persons_shard_and_the_backlog_and_lag_are_over_the_shards(rt):
    feed = rt.feed
    feed.ensure_writer_group()
    feed.publish(_fixes(range(1, 4), 5) + _fixes(range(1 + feed.shards, 2 + feed.shards), 2), "native")
    lengths = feed.shard_backlogs()
    assert (lengths[1], lengths[2], lengths[3], feed.stream_backlog()) == (7, 5, 5, 17)
    entries = feed.read_stream("w", 100, 100, shards=[1])
    assert {e.shard for e in entries} == {1} and {e.fix.employee_id for e in entries} == {1, 1 + feed.shards}
    oldest_ms = min(
        int(key.split(b"-")[0]) for key in (feed.client.xrange(k, count=1)[0][0] for k in feed.stream_keys[1:4])
    )
    assert (
        feed.writer_lag_s() == max(0.0, time.time() - oldest_ms / 1000) or feed.writer_lag_s() >= 0
    )  # pinned clocks lag


def test_the_backlog_limit_applies_to_each_shard(rt):
    feed = rt.feed
    feed.publish(_fixes(range(1, 2), 10), "native", max_backlog=10)
    with pytest.raises(Exception, match="limit of 10"):
        feed.publish(_fixes(range(1, 2), 1), "native", max_backlog=10)
    feed.publish(_fixes(range(2, 3), 10), "native", max_backlog=10)  # another shard is not full
    assert feed.stream_backlog() == 20


def test_acknowledging_trims_up_to_the_oldest_entry_still_pending(rt):
    feed = rt.feed
    feed.ensure_writer_group()
    feed.publish(_fixes(range(1, 2), 10), "native")
    first = feed.read_stream("a", 4, 100)
    later = feed.read_stream("b", 10, 100)
    feed.acknowledge(later)  # the first four are still pending: nothing before them may go, and they stay
    assert feed.stream_backlog() == 10
    feed.acknowledge(first)
    assert feed.stream_backlog() == 0
    feed.publish(_fixes(range(1, 2), 1), "native")
    assert feed.stream_backlog() == 1  # never read: never trimmed


def test_the_number_of_shards_is_fixed_once_the_streams_exist(rt):
    assert rt.feed.check_shards() == rt.feed.shards
    other = LiveFeed(rt.feed.client, rt.settings.redis_prefix, shards=rt.feed.shards // 2)
    with pytest.raises(ShardsChanged, match=f"FIELDOPS_SHARDS={rt.feed.shards}"):
        other.check_shards()


def test_writers_share_the_shards_fairly_and_a_dead_ones_go_to_the_others(rt):
    first, second = Writer(rt, "first"), Writer(rt, "second")
    for writer in (first, second):
        writer.start(restore=False)
        writer.leasing = True
    rt.feed.beat("first", first.started_ms, None, 0)
    first.balance()
    assert first.owned == _leased(rt, "first") == set(range(rt.feed.shards))
    rt.feed.beat("second", second.started_ms, None, 0)
    first.balance()  # a second writer beats: the first gives up its extras ...
    second.balance()  # ... and the second takes them
    assert len(first.owned) == len(second.owned) == rt.feed.shards // 2
    assert first.owned | second.owned == set(range(rt.feed.shards)) and not first.owned & second.owned
    # The first dies: its leases expire (here deleted) and its heartbeat grows old; the second takes all.
    rt.feed.client.delete(*[rt.feed.lease_key(k) for k in first.owned])
    second.balance(now_ms=int(time.time() * 1000) + LIVE_MS + 1000)
    assert second.owned == set(range(rt.feed.shards))


def test_a_shard_taken_over_has_its_pending_entries_stored_at_once_and_the_old_owner_is_fenced(rt):
    feed = rt.feed
    old, new = Writer(rt, "old"), Writer(rt, "new")
    for writer in (old, new):
        writer.start(restore=False)
        writer.leasing = True
    feed.beat("old", old.started_ms, None, 0)
    old.balance()
    feed.publish(_fixes(range(1, 3), 20), "native")
    given = feed.read_stream("old", 100, 100, shards=old.owned)  # read, then the old writer pauses past its lease
    assert len(given) == 40
    feed.client.delete(*[feed.lease_key(k) for k in old.owned])
    new.balance(now_ms=int(time.time() * 1000) + LIVE_MS + 1000)  # takes every shard: claims and stores the 40
    assert positions.count(rt.db) == 40 and feed.stream_backlog() == 0
    assert old.process(given) == 0  # the old writer wakes: it holds no lease, so it stores nothing ...
    assert not old.owned & {1, 2}  # ... and drops those shards at once
    old.balance()
    assert old.owned == set()  # and the rest at its next renewal
    assert {c["name"]: c["pending"] for c in feed.writer_consumers()}.get("old", 0) == 0


def test_a_clean_stop_releases_the_leases(rt):
    writer = Writer(rt, "leaving")
    writer.start(restore=False)
    writer.leasing = True
    writer.balance()
    assert _leased(rt, "leaving")
    writer.leave()
    assert set(rt.feed.lease_owners().values()) == {None}


def test_a_command_configured_with_another_number_of_shards_refuses_to_start(rt):
    rt.feed.check_shards()
    with pytest.raises(ConfigError, match="FIELDOPS_SHARDS=16"):
        prepare(replace(rt.settings, shards=8))  # what `fieldops serve`, `ingest` and `worker` start from
