from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

from data.migrate import applied_versions, migrate, migration_files
from data.positions import PositionRow, ensure_partitions, insert_positions


def test_every_migration_is_applied_once(rt):
    assert applied_versions(rt.db) == [path.stem for path in migration_files()]
    assert migrate(rt.db) == []


def test_core_tables_exist(rt):
    tables = {
        row["table_name"]
        for row in rt.db.fetch_all("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    }
    assert {
        "teams",
        "employees",
        "devices",
        "customers",
        "zones",
        "tasks",
        "activities",
        "positions",
        "users",
        "streets",
        "schema_migrations",
    } <= tables


def test_positions_are_partitioned_by_day_with_days_ahead(rt):
    partitions = {
        row["name"]
        for row in rt.db.fetch_all(
            "SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'positions'::regclass"
        )
    }
    # The migration runs in PostgreSQL, so its days ahead start at PostgreSQL's date, not a pinned test clock's.
    today = rt.db.fetch_one("SELECT (now() AT TIME ZONE 'UTC')::date AS today")["today"]
    for offset in range(0, 7):
        assert f"positions_{today + timedelta(days=offset):%Y%m%d}" in partitions
    assert ensure_partitions(rt.db, today, 3) == 0


def _row(employee_id, ts, lat=60.17):
    return PositionRow(employee_id, ts, lat, 24.94, 1.0, 90.0, 5.0, 0, "native")


def test_same_employee_and_time_is_stored_once(rt):
    employee = rt.db.fetch_one("INSERT INTO employees (code, name) VALUES ('E1', 'A') RETURNING id")["id"]
    ts = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert insert_positions(rt.db, [_row(employee, ts), _row(employee, ts, lat=60.18)]) == 1
    assert insert_positions(rt.db, [_row(employee, ts)]) == 0
    with pytest.raises(psycopg2.errors.UniqueViolation):
        rt.db.execute(
            "INSERT INTO positions (employee_id, ts, lat, lon, cell, source) VALUES (%s, %s, 1, 1, 0, 'x')",
            (employee, ts),
        )


def test_history_from_long_ago_gets_its_own_partition(rt):
    ts = datetime(2024, 2, 29, 23, 59, tzinfo=UTC)
    assert insert_positions(rt.db, [_row(1, ts)]) == 1
    assert rt.db.fetch_one("SELECT to_regclass('positions_20240229') AS p")["p"] == "positions_20240229"


def test_positions_are_stored_in_utc_whatever_the_session_zone(rt):
    local = datetime(2026, 6, 1, 12, 0, tzinfo=UTC).astimezone(rt.settings.tz)
    insert_positions(rt.db, [_row(7, local)])
    row = rt.db.fetch_one("SELECT ts AT TIME ZONE 'UTC' AS utc FROM positions WHERE employee_id = 7")
    assert row["utc"] == datetime(2026, 6, 1, 12, 0)
