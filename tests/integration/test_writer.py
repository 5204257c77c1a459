from datetime import UTC, datetime

import h3

from dashboard.writer.pipeline import Arrived, Batch, Departed, Pipeline
from dashboard.writer.store import Store
from dashboard.writer.visits import ARRIVAL_DWELL_S
from dashboard.writer.worker import Writer
from data.feed import Fix


def _customer_with_task(rt):
    site = rt.db.fetch_one(
        """SELECT z.customer_id, z.center_lat, z.center_lon, c.owner_employee_id FROM zones z
           JOIN customers c ON c.id = z.customer_id WHERE z.kind = 'customer_site' ORDER BY z.id LIMIT 1"""
    )
    task = rt.db.fetch_one(
        """INSERT INTO tasks (customer_id, employee_id, state, planned_seq) VALUES (%s, %s, 'assigned', 1)
           RETURNING id""",
        (site["customer_id"], site["owner_employee_id"]),
    )
    return site, task["id"]


def _drive(rt, writer, employee_id, points, start_ms=1_790_000_000_000, step_s=10):
    fixes = [Fix(employee_id, start_ms + i * step_s * 1000, lat, lon, 0.0) for i, (lat, lon) in enumerate(points)]
    rt.feed.publish(fixes, "native")
    entries = rt.feed.read_stream("test", 1000, 100)
    return writer.process(entries)


def test_fixes_are_stored_with_their_h3_cell_and_acknowledged(seeded_rt):
    rt = seeded_rt
    writer = Writer(rt, "test")
    writer.start()
    assert _drive(rt, writer, 1, [(60.17, 24.94), (60.1701, 24.9401)]) == 2
    row = rt.db.fetch_one("SELECT cell, source FROM positions WHERE employee_id = 1 ORDER BY ts LIMIT 1")
    assert row["cell"] == h3.str_to_int(h3.latlng_to_cell(60.17, 24.94, 10))
    assert row["source"] == "native"
    assert rt.feed.stream_backlog() == 0


def test_a_stay_at_a_customer_site_becomes_a_visit_with_arrival_and_departure(seeded_rt):
    rt = seeded_rt
    site, task_id = _customer_with_task(rt)
    employee = site["owner_employee_id"]
    writer = Writer(rt, "test")
    writer.start()
    at_site = (site["center_lat"], site["center_lon"])
    away = (site["center_lat"] + 0.01, site["center_lon"])
    track = [away] * 3 + [at_site] * (ARRIVAL_DWELL_S // 10 + 30) + [away] * 10
    _drive(rt, writer, employee, track)
    visit = rt.db.fetch_one("SELECT customer_id, task_id, started_at, ended_at FROM activities WHERE kind = 'visit'")
    assert visit["customer_id"] == site["customer_id"]
    assert visit["task_id"] == task_id
    assert visit["started_at"] == datetime.fromtimestamp((1_790_000_000_000 + 3 * 10_000) / 1000, UTC)
    assert (visit["ended_at"] - visit["started_at"]).total_seconds() == (ARRIVAL_DWELL_S // 10 + 29) * 10
    task = rt.db.fetch_one("SELECT state, arrived_at, departed_at FROM tasks WHERE id = %s", (task_id,))
    assert (task["state"], task["arrived_at"], task["departed_at"]) == ("done", visit["started_at"], visit["ended_at"])
    assert rt.feed.statuses()[employee]["visit"] is None


def test_passing_by_a_customer_is_not_a_visit(seeded_rt):
    rt = seeded_rt
    site, _task = _customer_with_task(rt)
    writer = Writer(rt, "test")
    writer.start()
    at_site = (site["center_lat"], site["center_lon"])
    away = (site["center_lat"] + 0.01, site["center_lon"])
    # 50 s inside (drift or a drive-by), then gone: below the arrival dwell.
    _drive(rt, writer, site["owner_employee_id"], [away, at_site, at_site, at_site, at_site, at_site, away, away])
    assert rt.db.fetch_one("SELECT count(*) AS n FROM activities")["n"] == 0


def test_while_on_a_visit_the_live_feed_says_so(seeded_rt):
    rt = seeded_rt
    site, _task = _customer_with_task(rt)
    writer = Writer(rt, "test")
    writer.start()
    _drive(rt, writer, site["owner_employee_id"], [(site["center_lat"], site["center_lon"])] * 10)
    assert rt.feed.statuses()[site["owner_employee_id"]]["visit"] == site["customer_id"]


def test_a_replayed_batch_after_a_crash_stores_nothing_twice(seeded_rt):
    rt = seeded_rt
    writer = Writer(rt, "test")
    writer.start()
    rt.feed.publish([Fix(1, 1_790_000_000_000, 60.17, 24.94)], "native")
    entries = rt.feed.read_stream("test", 10, 100)
    writer.process(entries)
    assert writer.process(entries) == 0
    assert rt.db.fetch_one("SELECT count(*) AS n FROM positions")["n"] == 1


def test_noise_between_overlapping_sites_does_not_restart_the_stay(seeded_rt):
    rt = seeded_rt
    site, _task = _customer_with_task(rt)
    lat, lon = site["center_lat"], site["center_lon"]
    neighbour = rt.db.fetch_one(
        """INSERT INTO customers (name, lat, lon) VALUES ('Next door', %s, %s) RETURNING id""", (lat, lon + 0.0005)
    )
    rt.db.execute(
        """INSERT INTO zones (name, kind, customer_id, center_lat, center_lon, radius_m)
           VALUES ('Next door', 'customer_site', %s, %s, %s, 40)""",
        (neighbour["id"], lat, lon + 0.0005),
    )
    writer = Writer(rt, "test")
    writer.start()
    # Fixes wander between the two sites' overlap and each centre, for 2 minutes.
    wobble = [(lat, lon), (lat, lon + 0.0003), (lat, lon + 0.0005), (lat, lon + 0.0002)] * 3
    _drive(rt, writer, site["owner_employee_id"], wobble)
    visit = rt.db.fetch_one("SELECT customer_id FROM activities WHERE kind = 'visit'")
    assert visit is not None
    assert visit["customer_id"] in (site["customer_id"], neighbour["id"])


def test_the_pipeline_runs_its_handlers_in_the_documented_order(rt):
    assert Writer(rt, "test").pipeline.names == ["store", "zones", "stays", "visits", "tasks", "alerts"]


def test_every_handler_is_timed_on_its_own(seeded_rt):
    rt = seeded_rt
    site, _task = _customer_with_task(rt)
    writer = Writer(rt, "test")
    writer.start()
    _drive(rt, writer, site["owner_employee_id"], [(site["center_lat"], site["center_lon"])] * 10)
    # The tasks handler only reacts to the arrival: its time is its own, not counted in visits'.
    assert all(writer.pipeline.seconds[name] > 0 for name in writer.pipeline.names)


def test_a_visit_and_its_task_talk_through_events_on_the_batch(seeded_rt):
    rt = seeded_rt
    site, task_id = _customer_with_task(rt)
    employee = site["owner_employee_id"]
    writer = Writer(rt, "test")
    writer.start()
    at_site = (site["center_lat"], site["center_lon"])
    away = (site["center_lat"] + 0.01, site["center_lon"])
    track = [at_site] * (ARRIVAL_DWELL_S // 10 + 2) + [away] * 10
    fixes = [Fix(employee, 1_790_000_000_000 + i * 10_000, lat, lon, 0.0) for i, (lat, lon) in enumerate(track)]
    rt.feed.publish(fixes, "native")
    batch = writer.pipeline.run(Batch.of(rt.feed.read_stream("test", 1000, 100)))
    visits = [e for e in batch.events if isinstance(e, Arrived | Departed)]
    assert [(type(e), e.customer_id, e.task_id) for e in visits] == [
        (Arrived, site["customer_id"], task_id),
        (Departed, site["customer_id"], task_id),
    ]


def test_the_store_handler_works_alone(rt):
    rt.feed.ensure_writer_group()
    rt.feed.publish([Fix(1, 1_790_000_000_000, 60.17, 24.94), Fix(1, 1_790_000_010_000, 60.17, 24.94)], "native")
    batch = Pipeline([Store(rt)]).run(Batch.of(rt.feed.read_stream("test", 10, 100)))
    assert batch.stored == 2
    assert batch.events == []
