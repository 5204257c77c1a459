from data.feed import Fix, LiveFeed


def test_latest_position_only_moves_forward_in_time(rt):
    feed = rt.feed
    assert feed.publish([Fix(1, 2_000, 60.2, 24.9)], "native") == 1
    assert feed.publish([Fix(1, 1_000, 60.1, 24.8)], "native") == 0  # a late fix from a buffer
    assert feed.latest(1).lat == 60.2
    assert feed.stream_backlog() == 2  # both still reach the writer


def test_each_shard_has_its_version_changed_by_each_newer_fix_and_each_status(rt):
    feed = rt.feed
    v0 = feed.version()
    assert len(v0) == feed.shards
    feed.publish([Fix(1, 1_000, 60.1, 24.9), Fix(2, 1_000, 60.1, 24.9), Fix(1 + feed.shards, 1_000, 60.1, 24.9)], "x")
    v1 = feed.version()
    assert [new - old for old, new in zip(v0, v1, strict=True)][:3] == [0, 1, 1]  # one change per shard touched
    assert sum(v1) == sum(v0) + 2
    assert feed.set_status(1, {"visit": 9}) == v1[1] + 1
    feed.publish([Fix(1, 500, 60.1, 24.9)], "native")
    assert feed.version()[1] == v1[1] + 1 and sum(feed.version()) == sum(v1) + 1


def test_snapshot_carries_each_row_with_its_shards_version_of_its_change(rt):
    feed = rt.feed
    feed.publish([Fix(1, 1_000, 60.1, 24.9, speed=3.5, heading=90, accuracy=8)], "native")
    feed.publish([Fix(1 + feed.shards, 1_000, 60.2, 24.8)], "native")  # the same shard as 1
    feed.set_status(1 + feed.shards, {"visit": 44, "since": 1_000})
    feed.publish([Fix(2, 1_000, 60.2, 24.8)], "native")
    snap = feed.snapshot()
    rows = dict(zip(snap.employee_ids, snap.latest, strict=True))
    assert rows[1] == [1_000, 60.1, 24.9, 3.5, 90, 8, 1]
    assert rows[1 + feed.shards][6] == 2
    assert rows[2][6] == 1
    assert snap.status[1 + feed.shards] == {"visit": 44, "since": 1_000, "v": 3}
    assert snap.version[:3] == (0, 3, 1)


def test_snapshot_of_ten_thousand_is_one_round_trip(rt):
    feed = rt.feed
    feed.publish([Fix(i, 1_000 + i, 60 + i / 1e5, 24.9) for i in range(1, 10_001)], "native")
    sent = []
    original = feed.client.pipeline

    def counting_pipeline(*args, **kwargs):
        pipe = original(*args, **kwargs)
        sent.append(pipe)
        return pipe

    feed.client.pipeline = counting_pipeline
    snap = feed.snapshot()
    assert len(sent) == 1
    assert len(snap.employee_ids) == 10_000


def test_nearest_staff_by_straight_line(rt):
    rt.feed.publish([Fix(1, 1, 60.1700, 24.9400), Fix(2, 1, 60.1800, 24.9400), Fix(3, 1, 60.1705, 24.9400)], "x")
    nearest = rt.feed.nearest(60.1700, 24.9400, radius_m=2_000, count=2)
    assert [employee for employee, _ in nearest] == [1, 3]
    assert 50 < nearest[1][1] < 60


def test_nearest_staff_merges_every_shard_nearest_first(rt):
    # 40 people on a line north, 11 m apart, over every shard: the 10 nearest come from 10 shards.
    rt.feed.publish([Fix(i, 1, 60.17 + i * 1e-4, 24.94) for i in range(1, 41)], "x")
    nearest = rt.feed.nearest(60.17, 24.94, radius_m=10_000, count=10)
    assert [employee for employee, _ in nearest] == list(range(1, 11))
    assert [d for _, d in nearest] == sorted(d for _, d in nearest)
    assert len(rt.feed.nearest(60.17, 24.94, radius_m=10_000, count=100)) == 40


def test_forget_takes_people_off_every_shard_they_are_in(rt):
    feed = rt.feed
    feed.publish([Fix(i, 1, 60.17, 24.94) for i in range(1, 6)], "x")
    feed.set_status(2, {"visit": 1})
    before = feed.version()
    feed.forget([2, 3])
    assert sorted(feed.snapshot().employee_ids) == [1, 4, 5]
    assert 2 not in feed.statuses() and [e for e, _ in feed.nearest(60.17, 24.94, 100, 10)] == [1, 4, 5]
    assert [new - old for old, new in zip(before, feed.version(), strict=True)][:5] == [0, 0, 1, 1, 0]


def test_writer_reads_then_acknowledges_entries(rt):
    feed = rt.feed
    feed.ensure_writer_group()
    feed.ensure_writer_group()  # a second writer start is harmless
    feed.publish([Fix(1, 1_000, 60.1, 24.9)], "osmand")
    entries = feed.read_stream("w1", 10, 100)
    assert [(e.source, e.fix.employee_id) for e in entries] == [("osmand", 1)]
    assert feed.read_stream("w1", 10, 100, pending=True)  # unacknowledged: handed back after a crash
    feed.acknowledge(entries)
    assert feed.read_stream("w1", 10, 100, pending=True) == []
    assert feed.stream_backlog() == 0


def test_prefixes_keep_feeds_apart(rt):
    other = LiveFeed(rt.feed.client, rt.settings.redis_prefix + "other:")
    rt.feed.publish([Fix(1, 1, 60.1, 24.9)], "x")
    assert other.snapshot().employee_ids == []
    rt.feed.client.delete(*[other.shard_key(k, "version") for k in range(other.shards)])


def test_a_feed_from_before_the_shards_is_moved_into_them_once(rt):
    feed, client = rt.feed, rt.feed.client
    old = feed.prefix  # the keys had no shard: fieldops:latest, fieldops:geo, ...
    rows = {1: b"[1000,60.1,24.9,null,null,null,40]", 2: b"[1000,60.2,24.9,2,null,null,41]"}
    client.hset(old + "latest", mapping=rows)
    client.hset(old + "status", 2, b'{"visit":7,"since":900,"v":41}')
    client.hset(old + "zones", 1, b"[3]")
    client.geoadd(old + "geo", (24.9, 60.1, 1, 24.9, 60.2, 2))
    client.set(old + "version", 41)
    feed.publish([Fix(2, 2_000, 60.3, 24.9)], "x")  # published since the upgrade: it stays

    assert feed.adopt_unsharded() == 1
    snap = feed.snapshot()
    rows = dict(zip(snap.employee_ids, snap.latest, strict=True))
    assert rows[1] == [1000, 60.1, 24.9, None, None, None, 40] and rows[2][0] == 2_000
    assert snap.status == {2: {"visit": 7, "since": 900, "v": 41}} and feed.inside_zones() == {1: [3]}
    assert min(snap.version) >= 41  # a browser holding old rows' versions misses nothing
    assert [e for e, _ in feed.nearest(60.1, 24.9, 50_000, 5)] == [1, 2]
    assert not client.exists(*(old + name for name in ("latest", "status", "zones", "geo", "version")))
    assert feed.adopt_unsharded() == 0
