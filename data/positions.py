"""Position history in PostgreSQL: partitioned by UTC day, written in batches through COPY."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from psycopg2 import sql

from data.analytics import MARK_DIRTY
from data.db import Database

# Days whose partition exists, so each batch asks PostgreSQL only about new days.
_known_days: set[tuple[str, date]] = set()
_known_lock = threading.Lock()

STAGE = """
CREATE TEMP TABLE IF NOT EXISTS positions_incoming
    (LIKE positions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS
"""
MOVE_STAGED = """
INSERT INTO positions (employee_id, ts, lat, lon, speed, heading, accuracy, cell, source, attributes)
SELECT DISTINCT ON (employee_id, ts) employee_id, ts, lat, lon, speed, heading, accuracy, cell, source, attributes
FROM positions_incoming
ORDER BY employee_id, ts
ON CONFLICT (employee_id, ts) DO NOTHING
"""
COLUMNS = ("employee_id", "ts", "lat", "lon", "speed", "heading", "accuracy", "cell", "source", "attributes")


@dataclass(frozen=True, slots=True)
class PositionRow:
    employee_id: int
    ts: datetime
    lat: float
    lon: float
    speed: float | None
    heading: float | None
    accuracy: float | None
    cell: int
    source: str
    attributes: str | None = None  # JSON text of the tracker's extra keys


def ensure_partitions(db: Database, first_day: date, days: int) -> int:
    row = db.fetch_one("SELECT ensure_position_partitions(%s, %s) AS created", (first_day, days))
    return int(row["created"])


def insert_positions(db: Database, rows: Sequence[PositionRow]) -> int:
    """Store rows; a fix already stored for (employee, ts) is skipped. Returns rows newly stored."""
    if not rows:
        return 0
    # The first of several fixes for one (employee, ts) wins, here as across batches (ON CONFLICT).
    unique = list({(row.employee_id, row.ts): row for row in reversed(rows)}.values())
    _ensure_days(db, {row.ts.astimezone(UTC).date() for row in unique})
    buffer = io.StringIO()
    for row in unique:
        buffer.write(
            f"{row.employee_id}\t{row.ts.isoformat()}\t{row.lat!r}\t{row.lon!r}\t{_nullable(row.speed)}\t"
            f"{_nullable(row.heading)}\t{_nullable(row.accuracy)}\t{row.cell}\t{_text(row.source)}\t"
            f"{_nullable_text(row.attributes)}\n"
        )
    buffer.seek(0)
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(STAGE)
        cur.copy_expert(f"COPY positions_incoming ({', '.join(COLUMNS)}) FROM STDIN", buffer)
        cur.execute(MOVE_STAGED)
        stored = cur.rowcount
        cur.execute(MARK_DIRTY)  # the analytics upkeep recomputes these hours (data/analytics.py)
        return stored


def track(db: Database, employee_id: int, start: datetime, end: datetime) -> list[dict]:
    return db.fetch_all(
        "SELECT ts, lat, lon, speed, heading, accuracy, source, attributes FROM positions"
        " WHERE employee_id = %s AND ts >= %s AND ts < %s ORDER BY ts",
        (employee_id, start, end),
    )


def count(db: Database) -> int:
    return int(db.fetch_one("SELECT count(*) AS n FROM positions")["n"])


def _ensure_days(db: Database, days: set[date]) -> None:
    key = db.url
    with _known_lock:
        missing = sorted(day for day in days if (key, day) not in _known_days)
    for day in missing:
        ensure_partitions(db, day, 1)
        with _known_lock:
            _known_days.add((key, day))


def _nullable(value: float | None) -> str:
    return "\\N" if value is None else repr(float(value))


def _nullable_text(value: str | None) -> str:
    return "\\N" if value is None else _text(value)


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def partitions_before(db: Database, day: date) -> list[str]:
    """Names of the day partitions that hold only positions from before `day`."""
    rows = db.fetch_all(
        """SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'positions'::regclass AND c.relname ~ '^positions_[0-9]{8}$'
             AND to_date(substr(c.relname, 11), 'YYYYMMDD') < %s
           ORDER BY c.relname""",
        (day,),
    )
    return [row["name"] for row in rows]


def drop_partition(db: Database, name: str) -> None:
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("ALTER TABLE positions DETACH PARTITION {}").format(sql.Identifier(name)))
        cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))
    with _known_lock:
        _known_days.difference_update({key for key in _known_days if f"positions_{key[1]:%Y%m%d}" == name})


def purge_coarse_before(db: Database, day: date) -> int:
    return db.execute("DELETE FROM coarse_presence WHERE hour < %s", (day,))


def add_coarse_presence(db: Database, rows: Sequence[tuple[int, datetime, int]]) -> None:
    """Count fixes per (employee, hour, coarse cell): all that is kept outside working hours."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO coarse_presence (employee_id, hour, cell) VALUES (%s, %s, %s)
               ON CONFLICT (employee_id, hour, cell) DO UPDATE SET fixes = coarse_presence.fixes + 1""",
            rows,
        )
