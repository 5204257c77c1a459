"""FieldOps on a real Redis Cluster (issue 20): three primaries started here (tests/redis_cluster.py), ingest
(accept_fixes → publish), the live map's payload (everything, then what changed), nearest-staff search and the
writer storing to PostgreSQL, all through `redis+cluster://`. A shard's keys share one slot (its number is their
hash tag), so every script and transaction stays on one node, and the shards spread over the three."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
import redis
from redis.cluster import RedisCluster

from dashboard.core.durability import DURABLE, VOLATILE, WEAK, check_redis
from dashboard.core.runtime import Runtime
from dashboard.ingest.accept import accept_fixes
from dashboard.live.livemap import LiveMap
from dashboard.work.dispatch import rank_candidates
from dashboard.writer.worker import Writer
from data import employees, positions
from data.feed import connect
from data.scope import Scope
from tests.conftest import wait_until
from tests.redis_cluster import LocalRedisCluster
from tests.replay import drain
from tests.unit.test_dispatch import NEAR_BY_CROW, NEAR_BY_STREET, TARGET


@pytest.fixture(scope="module")
def cluster():
    started = LocalRedisCluster()
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture
def rt(seeded_settings, cluster):
    runtime = Runtime.open(replace(seeded_settings, redis_url=cluster.url))
    yield runtime
    runtime.close()


def _people(rt) -> list[int]:
    return [person["id"] for person in employees.roster(rt.db, Scope.everything())]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _everyone_near_the_target(rt, at_ms: int) -> list[int]:
    people = _people(rt)
    for i, person in enumerate(people):
        fix = {"ts": at_ms, "lat": TARGET[0] + (i + 1) * 0.002, "lon": TARGET[1], "speed": 4.0}
        assert accept_fixes(rt, person, [fix], "native").accepted == 1
    return people


def test_a_shards_keys_live_on_one_primary_and_the_shards_on_all_three(rt, cluster):
    assert isinstance(rt.feed.client, RedisCluster)
    people = _everyone_near_the_target(rt, _now_ms())
    feed = rt.feed
    assert sorted(feed.snapshot().employee_ids) == sorted(people)
    for shard in {feed.shard_of(person) for person in people}:
        holders = [n for n in cluster.keys_per_node(f"{feed.prefix}{{{shard}}}:*") if n]
        # no status or zones yet; the shard's stream is there (the writers' group made with the first entry)
        assert holders == [4], f"shard {shard}: stream, latest, geo and version on one node"
    assert all(cluster.keys_per_node(f"{feed.prefix}*")), "every primary holds some of the feed"


def test_the_live_map_sends_everyone_then_only_what_changed(rt):
    now = _now_ms()
    people = _everyone_near_the_target(rt, now)
    livemap = LiveMap(rt)
    first = livemap.fleet_payload(Scope.everything(), None)
    assert first["full"] is True and sorted(first["id"]) == sorted(people)
    assert len(first["v"]) == rt.feed.shards and set(first["st"]) == {"moving"}

    moved = people[3]
    accept_fixes(rt, moved, [{"ts": now + 1000, "lat": TARGET[0], "lon": TARGET[1], "speed": 0.0}], "native")
    delta = livemap.fleet_payload(Scope.everything(), first["v"])
    assert (delta["full"], delta["id"], delta["st"]) == (False, [moved], ["idle"])
    rt.feed.set_status(people[5], {"visit": 1, "since": now})
    visiting = livemap.fleet_payload(Scope.everything(), delta["v"])
    assert (visiting["id"], visiting["st"]) == ([people[5]], ["visit"])
    assert livemap.fleet_payload(Scope.everything(), visiting["v"])["id"] == []


def test_nearest_staff_search_merges_the_shards_of_three_nodes(rt):
    people = _everyone_near_the_target(rt, _now_ms())  # person i at (i + 1) × 222 m north of the target
    found = rt.feed.nearest(*TARGET, radius_m=50_000, count=5)
    assert [person for person, _metres in found] == people[:5]
    crow, street = people[0], people[1]
    rt.feed.forget(people[2:])
    accept_fixes(rt, crow, [{"ts": _now_ms() + 1, "lat": NEAR_BY_CROW[0], "lon": NEAR_BY_CROW[1]}], "native")
    accept_fixes(rt, street, [{"ts": _now_ms() + 1, "lat": NEAR_BY_STREET[0], "lon": NEAR_BY_STREET[1]}], "native")
    ranked = rank_candidates(rt, Scope.everything(), *TARGET)
    assert [c.employee_id for c in ranked] == [street, crow]  # by street travel time, as on one Redis


def test_the_writer_stores_what_ingest_accepted(rt):
    now = _now_ms()
    people = _everyone_near_the_target(rt, now - 2000)
    _everyone_near_the_target(rt, now - 1000)
    assert drain(rt) == 2 * len(people)
    assert positions.count(rt.db) == 2 * len(people)
    assert rt.feed.stream_backlog() == 0
    rt.feed.forget(people[:2])
    assert sorted(rt.feed.snapshot().employee_ids) == sorted(people[2:])


def test_two_leased_writers_share_the_shards_across_the_nodes_and_store_everything(rt, cluster):
    """The writers' loops as `fieldops worker` runs them: each takes its share of the shards' leases (the leases
    and the streams spread over the three primaries) and stores what ingest accepted, each fix once."""
    people = _everyone_near_the_target(rt, _now_ms() - 3000)
    writers = [Writer(rt, f"cluster-writer-{i}") for i in range(2)]
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(stop, 100), daemon=True) for w in writers]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: positions.count(rt.db) == len(people), "the first fixes stored", timeout_s=30)
        wait_until(
            lambda: all(w.owned for w in writers) and sum(len(w.owned) for w in writers) == rt.feed.shards,
            "the shards shared between the two writers",
        )
        assert not writers[0].owned & writers[1].owned
        _everyone_near_the_target(rt, _now_ms() - 2000)
        wait_until(lambda: positions.count(rt.db) == 2 * len(people), "the second fixes stored", timeout_s=30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert rt.feed.stream_backlog() == 0
    leases = cluster.keys_per_node(f"{rt.feed.prefix}{{*}}:lease")
    assert sum(leases) == 0  # a clean stop released them
    assert all(cluster.keys_per_node(f"{rt.feed.prefix}{{*}}:stream")), "every primary holds some shards' streams"


def test_the_start_up_check_judges_the_weakest_primary(cluster):
    client = connect(cluster.url)
    nodes = [redis.Redis.from_url(node) for node in cluster.nodes]
    try:
        assert check_redis(client, accept_volatile=False).state == VOLATILE  # the test's nodes keep nothing
        for node in nodes:
            node.config_set("appendonly", "yes")
        assert check_redis(client, accept_volatile=False).state == DURABLE
        nodes[1].config_set("appendfsync", "no")
        weakest = check_redis(client, accept_volatile=False)
        assert weakest.state == WEAK and f"127.0.0.1:{cluster.ports[1]}" in weakest.reason
    finally:
        for node in nodes:
            node.config_set("appendfsync", "everysec")
            node.config_set("appendonly", "no")
            node.close()
        client.close()
