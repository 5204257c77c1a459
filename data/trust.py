"""What scoring a check-in's trust reads and keeps (issue 19): the person's recent fixes, the phone pages they
have used, and the score on the check-in and its visit. The rules themselves are dashboard/work/trust.py."""

from __future__ import annotations

import hashlib
from datetime import datetime

from psycopg2.extras import Json

from data.db import Database

RECENT_LIMIT = 60


def recent_fixes(db: Database, employee_id: int, since: datetime, until: datetime) -> list[dict]:
    """The person's stored fixes in a window, newest last (at most RECENT_LIMIT of the newest)."""
    rows = db.fetch_all(
        """SELECT ts, lat, lon, accuracy FROM positions WHERE employee_id = %s AND ts >= %s AND ts <= %s
           ORDER BY ts DESC LIMIT %s""",
        (employee_id, since, until, RECENT_LIMIT),
    )
    return rows[::-1]


def remember_device(db: Database, employee_id: int, device_key: str, at: datetime) -> bool:
    """Note that the person used this phone page; True when it is new for them while they had used another."""
    device_hash = hashlib.sha256(device_key.encode()).hexdigest()
    row = db.fetch_one(
        """WITH known AS (SELECT count(*) AS others FROM person_devices
                          WHERE employee_id = %(employee)s AND device_hash <> %(hash)s),
                added AS (INSERT INTO person_devices (employee_id, device_hash, first_seen, last_seen)
                          VALUES (%(employee)s, %(hash)s, %(at)s, %(at)s)
                          ON CONFLICT (employee_id, device_hash) DO UPDATE SET last_seen = EXCLUDED.last_seen
                          RETURNING (xmax = 0) AS fresh)
           SELECT added.fresh AND known.others > 0 AS new FROM added, known""",
        {"employee": employee_id, "hash": device_hash, "at": at},
    )
    return bool(row["new"])


def keep_score(db: Database, activity_ids: list[int], score: int, reasons: list[dict]) -> None:
    """The score on the check-in and on the visit it opened."""
    db.execute(
        "UPDATE activities SET trust_score = %s, trust_reasons = %s WHERE id = ANY(%s)",
        (score, Json(reasons), activity_ids),
    )
