"""The writer's way into `positions` (issue 20): numpy columns → binary COPY straight in, the staging table
and ON CONFLICT only for a replay; every value as it was sent, each (employee, ts) once, its hours marked."""

from datetime import UTC, datetime, timedelta

import orjson
from h3.api.basic_int import latlng_to_cell

from dashboard.writer.pipeline import Batch
from dashboard.writer.store import columns
from data.feed import Fix, StreamEntry
from data.positions import PositionRow, Positions, insert_positions

AT = datetime(2026, 11, 27, 9, 59, 30, tzinfo=UTC)
AT_MS = int(AT.timestamp() * 1000)


def _entries(employee_id: int) -> list[StreamEntry]:
    """Every pattern of unknown values, two sources, tracker attributes on some, a day boundary crossed."""
    fixes = [
        Fix(employee_id, AT_MS, 60.1701234567, 24.9401234567, 3.5, 90.0, 8.0),
        Fix(employee_id, AT_MS + 1000, 60.18, 24.95, None, 180.0, None),
        Fix(employee_id, AT_MS + 2000, -33.9, 151.2, None, None, None, {"batt": 87, "charge": True}),
        Fix(employee_id, AT_MS + 3000, 60.19, 24.96, 0.0, None, 12.5),
        Fix(employee_id, AT_MS + 15 * 3600 * 1000 + 1, 60.2, 24.97, 1.25, 0.5, 3.0, {"note": "tab\tand\nline"}),
    ]
    sources = ["native", "osmand", "osmand", "gpx", "native"]
    return [
        StreamEntry(f"1-{n}".encode(), source, fix) for n, (fix, source) in enumerate(zip(fixes, sources, strict=True))
    ]


def _stored(rt, employee_id: int) -> list[dict]:
    return rt.db.fetch_all(
        "SELECT ts, lat, lon, speed, heading, accuracy, cell, source, attributes FROM positions"
        " WHERE employee_id = %s ORDER BY ts",
        (employee_id,),
    )


def test_a_batch_is_stored_value_for_value_through_binary_copy(rt):
    employee = rt.db.fetch_one("INSERT INTO employees (code, name) VALUES ('C1', 'Copy') RETURNING id")["id"]
    entries = _entries(employee)
    assert insert_positions(rt.db, columns(Batch.of(entries))) == 5
    rows = _stored(rt, employee)
    assert [r["ts"] for r in rows] == [datetime.fromtimestamp(e.fix.ts_ms / 1000, UTC) for e in entries]
    assert [(r["lat"], r["lon"]) for r in rows] == [(e.fix.lat, e.fix.lon) for e in entries]  # float8, exact
    assert [(r["speed"], r["heading"], r["accuracy"]) for r in rows] == [
        (3.5, 90.0, 8.0),
        (None, 180.0, None),
        (None, None, None),
        (0.0, None, 12.5),
        (1.25, 0.5, 3.0),
    ]
    assert [r["source"] for r in rows] == ["native", "osmand", "osmand", "gpx", "native"]
    assert [r["attributes"] for r in rows] == [
        None,
        None,
        {"batt": 87, "charge": True},
        None,
        {"note": "tab\tand\nline"},
    ]
    assert [r["cell"] for r in rows] == [latlng_to_cell(e.fix.lat, e.fix.lon, 10) for e in entries]


def test_a_replayed_batch_stores_only_what_is_new_and_marks_its_hours(rt):
    employee = rt.db.fetch_one("INSERT INTO employees (code, name) VALUES ('C2', 'Replay') RETURNING id")["id"]
    entries = _entries(employee)
    assert insert_positions(rt.db, columns(Batch.of(entries[:2]))) == 2
    rt.db.execute("DELETE FROM analytics_dirty WHERE employee_id = %s", (employee,))
    # A writer killed after the commit and before the acknowledgement reads the batch again, with more.
    assert insert_positions(rt.db, columns(Batch.of(entries))) == 3
    assert insert_positions(rt.db, columns(Batch.of(entries))) == 0
    assert len(_stored(rt, employee)) == 5
    hours = rt.db.fetch_all("SELECT hour FROM analytics_dirty WHERE employee_id = %s ORDER BY hour", (employee,))
    # 09:59:30 and GAP_S (5 min) before it: 09:00; the next day's 00:59:30 and 00:54:30: 00:00.
    assert [h["hour"].astimezone(UTC) for h in hours] == [
        AT.replace(minute=0, second=0),
        AT.replace(minute=0, second=0) + timedelta(hours=15),
    ]


def test_the_first_of_two_fixes_for_one_instant_wins_and_rows_go_the_same_way(rt):
    employee = rt.db.fetch_one("INSERT INTO employees (code, name) VALUES ('C3', 'Rows') RETURNING id")["id"]
    rows = [
        PositionRow(employee, AT, 60.1, 24.9, None, None, None, 0, "gpx", orjson.dumps({"ele": 12}).decode()),
        PositionRow(employee, AT, 60.2, 24.9, None, None, None, 0, "gpx"),
        PositionRow(employee, AT + timedelta(microseconds=250), 60.3, 24.9, 2.0, None, None, 0, "gpx"),
    ]
    assert insert_positions(rt.db, rows) == 2
    stored = _stored(rt, employee)
    assert [(r["ts"], r["lat"], r["attributes"]) for r in stored] == [
        (AT, 60.1, {"ele": 12}),
        (AT + timedelta(microseconds=250), 60.3, None),  # a datetime's microseconds are kept
    ]
    assert insert_positions(rt.db, Positions.of_rows([])) == 0
