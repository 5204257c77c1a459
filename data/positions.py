"""Position history in PostgreSQL: partitioned by UTC day, written in batches through binary COPY.

The writer hands its batch over as columns (`Positions`: numpy arrays of epoch microseconds, degrees,
H3 cells), so storing a fix makes no Python object of its own: the COPY stream is built by numpy, a
structured array per null pattern. A batch goes straight into `positions`; only when some of its keys
are stored already (a replay after a crash) does it go the slower way, through a staging table and
`INSERT … ON CONFLICT DO NOTHING`. Either way a fix is stored once per (employee_id, ts).
"""

from __future__ import annotations

import io
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from psycopg2 import errors, sql

from data.analytics import GAP_S, MARK_DIRTY
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
COPY_COLUMNS = ", ".join(COLUMNS)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PG_EPOCH_US = 946_684_800_000_000  # PostgreSQL's timestamps count microseconds from 2000-01-01 UTC
DAY_US = 86_400_000_000
MINUTE_US = 60_000_000
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
COPY_TRAILER = struct.pack(">h", -1)
JSONB_VERSION = b"\x01"


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


@dataclass(frozen=True, slots=True)
class Positions:
    """Fixes to store, as columns of equal length: what the writer builds, without an object per fix."""

    employee_id: np.ndarray  # int64
    ts_us: np.ndarray  # int64, UTC epoch microseconds
    lat: np.ndarray  # float64, degrees
    lon: np.ndarray
    speed: np.ndarray  # float64; NaN where unknown (stored NULL)
    heading: np.ndarray
    accuracy: np.ndarray
    cell: np.ndarray  # int64, the H3 cell
    source: Sequence[str]
    attributes: Sequence[bytes | str | None] | None = None  # JSON of a tracker's extra keys; None: none has any

    def __len__(self) -> int:
        return len(self.ts_us)

    @classmethod
    def of_rows(cls, rows: Sequence[PositionRow]) -> Positions:
        """Rows of an import, a test or the demo's history as columns."""
        return cls(
            np.array([row.employee_id for row in rows], dtype=np.int64),
            np.array([(_aware(row.ts) - EPOCH) // timedelta(microseconds=1) for row in rows], dtype=np.int64),
            np.array([row.lat for row in rows], dtype=np.float64),
            np.array([row.lon for row in rows], dtype=np.float64),
            np.array([row.speed for row in rows], dtype=np.float64),
            np.array([row.heading for row in rows], dtype=np.float64),
            np.array([row.accuracy for row in rows], dtype=np.float64),
            np.array([row.cell for row in rows], dtype=np.int64),
            [row.source for row in rows],
            [row.attributes for row in rows] if any(row.attributes for row in rows) else None,
        )

    def take(self, index: np.ndarray) -> Positions:
        return Positions(
            self.employee_id[index],
            self.ts_us[index],
            self.lat[index],
            self.lon[index],
            self.speed[index],
            self.heading[index],
            self.accuracy[index],
            self.cell[index],
            [self.source[i] for i in index.tolist()],
            [self.attributes[i] for i in index.tolist()] if self.attributes is not None else None,
        )


def ensure_partitions(db: Database, first_day: date, days: int) -> int:
    row = db.fetch_one("SELECT ensure_position_partitions(%s, %s) AS created", (first_day, days))
    return int(row["created"])


def insert_positions(db: Database, rows: Positions | Sequence[PositionRow]) -> int:
    """Store fixes; one already stored for (employee, ts) is skipped. Returns rows newly stored.

    Within a batch, the first of several fixes for one (employee, ts) wins, as across batches."""
    fixes = rows if isinstance(rows, Positions) else Positions.of_rows(rows)
    if not len(fixes):
        return 0
    fixes = _first_per_key(fixes)
    _ensure_days(db, {EPOCH.date() + timedelta(days=int(d)) for d in np.unique(fixes.ts_us // DAY_US)})
    stream = io.BytesIO(copy_binary(fixes))
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("SAVEPOINT straight")
        try:
            cur.copy_expert(f"COPY positions ({COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)", stream)
            stored = len(fixes)
        except errors.UniqueViolation:  # some were stored before (a replay): skip those
            cur.execute("ROLLBACK TO SAVEPOINT straight")
            cur.execute(STAGE)
            stream.seek(0)
            cur.copy_expert(f"COPY positions_incoming ({COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)", stream)
            cur.execute(MOVE_STAGED)
            stored = cur.rowcount
        employees, minutes = _dirty_minutes(fixes)
        cur.execute(MARK_DIRTY, {"employees": employees, "minutes": minutes})  # the analytics upkeep's hours
        return stored


def copy_binary(fixes: Positions) -> bytes:
    """PostgreSQL's binary COPY of `COLUMNS`: one numpy structured array per pattern of unknown values
    and source; the few fixes with tracker attributes row by row."""
    known = [~np.isnan(column) for column in (fixes.speed, fixes.heading, fixes.accuracy)]
    sources = sorted(set(fixes.source))
    if len(sources) == 1:
        source_code = np.zeros(len(fixes), dtype=np.int64)
    else:
        code = {source: n for n, source in enumerate(sources)}
        source_code = np.array([code[source] for source in fixes.source], dtype=np.int64)
    pattern = known[0] * 1 + known[1] * 2 + known[2] * 4 + source_code * 8
    has_attributes = np.zeros(len(fixes), dtype=bool)
    if fixes.attributes is not None:
        has_attributes = np.array([bool(a) for a in fixes.attributes])
    parts = [COPY_HEADER]
    for key in np.unique(pattern[~has_attributes]).tolist():
        rows = np.flatnonzero((pattern == key) & ~has_attributes)
        parts.append(_uniform_rows(fixes, rows, [bool(key >> bit & 1) for bit in range(3)], sources[key >> 3]))
    for row in np.flatnonzero(has_attributes).tolist():
        parts.append(_one_row(fixes, row))
    parts.append(COPY_TRAILER)
    return b"".join(parts)


def _uniform_rows(fixes: Positions, rows: np.ndarray, known: list[bool], source: str) -> bytes:
    """Rows that share which values are known and their source: one fixed layout, filled column by column."""
    text = source.encode()
    layout: list[tuple[str, str]] = [("fields", ">i2")]
    values: dict[str, np.ndarray | bytes | int] = {"fields": len(COLUMNS)}

    def field(name: str, kind: str, size: int, value: np.ndarray | bytes | None) -> None:
        layout.append((f"{name}_size", ">i4"))
        values[f"{name}_size"] = size if value is not None else -1
        if value is not None:
            layout.append((name, kind))
            values[name] = value

    field("employee_id", ">i4", 4, fixes.employee_id[rows])
    field("ts", ">i8", 8, fixes.ts_us[rows] - PG_EPOCH_US)
    field("lat", ">f8", 8, fixes.lat[rows])
    field("lon", ">f8", 8, fixes.lon[rows])
    for name, is_known in zip(("speed", "heading", "accuracy"), known, strict=True):
        field(name, ">f4", 4, getattr(fixes, name)[rows] if is_known else None)
    field("cell", ">i8", 8, fixes.cell[rows])
    layout.append(("source_size", ">i4"))
    values["source_size"] = len(text)
    if text:
        layout.append(("source", f"S{len(text)}"))
        values["source"] = text
    field("attributes", "", 0, None)
    out = np.empty(len(rows), dtype=np.dtype(layout))
    for name, value in values.items():
        out[name] = value
    return out.tobytes()


def _one_row(fixes: Positions, row: int) -> bytes:
    source = fixes.source[row].encode()
    attributes = fixes.attributes[row]
    document = JSONB_VERSION + (attributes.encode() if isinstance(attributes, str) else attributes)
    floats = []
    for column in (fixes.speed, fixes.heading, fixes.accuracy):
        value = float(column[row])
        floats.append(struct.pack(">i", -1) if np.isnan(value) else struct.pack(">if", 4, value))
    return b"".join(
        [
            struct.pack(
                ">hiiiqidid",
                len(COLUMNS),
                4,
                int(fixes.employee_id[row]),
                8,
                int(fixes.ts_us[row]) - PG_EPOCH_US,
                8,
                float(fixes.lat[row]),
                8,
                float(fixes.lon[row]),
            ),
            *floats,
            struct.pack(">iq", 8, int(fixes.cell[row])),
            struct.pack(">i", len(source)),
            source,
            struct.pack(">i", len(document)),
            document,
        ]
    )


def _first_per_key(fixes: Positions) -> Positions:
    first = _first_of_pairs(fixes.employee_id, fixes.ts_us)
    return fixes if len(first) == len(fixes) else fixes.take(first)


def _first_of_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each distinct (a, b) pair, in their order."""
    order = np.lexsort((b, a))  # stable: equal pairs keep their order, the first comes first
    a_sorted, b_sorted = a[order], b[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (a_sorted[1:] != a_sorted[:-1]) | (b_sorted[1:] != b_sorted[:-1])
    return np.sort(order[new])


def _dirty_minutes(fixes: Positions) -> tuple[list[int], list[int]]:
    """(employee, minute) pairs whose hours the analytics upkeep recomputes: each fix's own, and GAP_S
    before it (the fix ends that hour's last interval). Minutes, not hours: the hour is truncated in
    PostgreSQL, in the session's time zone, as before."""
    employees = np.concatenate([fixes.employee_id, fixes.employee_id])
    minutes = np.concatenate([fixes.ts_us, fixes.ts_us - GAP_S * 1_000_000]) // MINUTE_US
    first = _first_of_pairs(employees, minutes)
    return employees[first].tolist(), minutes[first].tolist()


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo is not None else ts.astimezone(UTC)


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
