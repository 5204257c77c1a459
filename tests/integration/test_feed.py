from data.feed import Fix, LiveFeed


def test_latest_position_only_moves_forward_in_time(rt):
    feed = rt.feed
    assert feed.publish([Fix(1, 2_000, 60.2, 24.9)], "native") == 1
    assert feed.publish([Fix(1, 1_000, 60.1, 24.8)], "native") == 0  # a late fix from a buffer
    assert feed.latest(1).lat == 60.2
    assert feed.stream_backlog() == 2  # both still reach the writer


def test_version_changes_with_each_newer_fix_and_each_status(rt):
    feed = rt.feed
    v0 = feed.version()
    feed.publish([Fix(1, 1_000, 60.1, 24.9), Fix(1 + feed.shards, 1_000, 60.1, 24.9)], "native")  # one shard
    v1 = feed.version()
    assert v1 == v0 + 1
    assert feed.set_status(1, {"visit": 9}) == v1 + 1
    feed.publish([Fix(1, 500, 60.1, 24.9)], "native")
    assert feed.version() == v1 + 1


def test_snapshot_carries_each_row_with_the_version_of_its_change(rt):
    feed = rt.feed
    feed.publish([Fix(1, 1_000, 60.1, 24.9, speed=3.5, heading=90, accuracy=8)], "native")
    feed.publish([Fix(2, 1_000, 60.2, 24.8)], "native")
    feed.set_status(2, {"visit": 44, "since": 1_000})
    snap = feed.snapshot()
    rows = dict(zip(snap.employee_ids, snap.latest, strict=True))
    assert rows[1] == [1_000, 60.1, 24.9, 3.5, 90, 8, 1]
    assert rows[2][6] == 2
    assert snap.status[2] == {"visit": 44, "since": 1_000, "v": 3}
    assert snap.version == 3


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
    rt.feed.client.delete(other.version_key)
