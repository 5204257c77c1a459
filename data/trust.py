"""What trust scoring reads and keeps (issue 19): the person's recent fixes, the phone pages they have used, the
score on a check-in and its visit (PostgreSQL), and a shared position's score (Redis). The rules themselves are
dashboard/work/trust.py."""

from __future__ import annotations

import hashlib
from datetime import datetime

import orjson
import redis
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


# ---- shared positions, in Redis (the phone's position path reads no PostgreSQL) -------------------------------
# sharing:<employee>  set while a share link is valid, expiring with it
# recent:<employee>   list of the person's newest phone fixes [ts_ms, lat, lon, accuracy], newest first
# shared              hash employee id -> JSON {"score", "reasons", "ts"}: the latest shared position's trust
RECENT_FIXES = 30
RECENT_TTL_MS = 15 * 60 * 1000


def mark_sharing(client: redis.Redis, prefix: str, employee_id: int, until_ms: int, now_ms: int) -> None:
    """A share link of the person is valid until `until_ms` (the latest of their links wins). Expiry is relative:
    the app's clock, not Redis's, says how long."""
    key = f"{prefix}trust:sharing:{employee_id}"
    current = client.get(key)
    if until_ms > now_ms and (current is None or until_ms > int(current)):
        client.set(key, until_ms, px=until_ms - now_ms)


def stop_sharing(client: redis.Redis, prefix: str, employee_id: int) -> None:
    client.delete(f"{prefix}trust:sharing:{employee_id}", f"{prefix}trust:recent:{employee_id}")
    client.hdel(f"{prefix}trust:shared", employee_id)


def note_shared_fix(client: redis.Redis, prefix: str, employee_id: int, fix: list) -> list[list] | None:
    """Add the person's newest fix to their recent ones while they share; the recent fixes before it (newest
    first), or None when no share is active. One round trip."""
    recent_key = f"{prefix}trust:recent:{employee_id}"
    pipe = client.pipeline(transaction=False)  # two keys, two slots in a Redis Cluster: read, not MULTI
    pipe.exists(f"{prefix}trust:sharing:{employee_id}")
    pipe.lrange(recent_key, 0, RECENT_FIXES - 1)
    sharing, stored = pipe.execute()
    if not sharing:
        return None
    earlier = [orjson.loads(item) for item in stored]
    if not earlier or earlier[0][0] != fix[0]:
        pipe = client.pipeline(transaction=True)
        pipe.lpush(recent_key, orjson.dumps(fix))
        pipe.ltrim(recent_key, 0, RECENT_FIXES - 1)
        pipe.pexpire(recent_key, RECENT_TTL_MS)
        pipe.execute()
    return [item for item in earlier if item[0] != fix[0]]


def keep_shared_score(client: redis.Redis, prefix: str, employee_id: int, record: dict) -> None:
    client.hset(f"{prefix}trust:shared", employee_id, orjson.dumps(record))


def shared_score(client: redis.Redis, prefix: str, employee_id: int) -> dict | None:
    """The trust of the person's latest shared position, if it was scored."""
    value = client.hget(f"{prefix}trust:shared", employee_id)
    return orjson.loads(value) if value else None
