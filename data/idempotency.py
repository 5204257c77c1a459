"""The API's Idempotency-Key answers (issue 18): one row per (token, key), claimed before the request is handled and
filled with its answer after, so a retry is answered again instead of done again. Kept 24 hours (the writer's
upkeep removes older ones)."""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson

from data.db import Database

KEPT = timedelta(hours=24)  # how long a key's answer is given again


def claim(db: Database, token_id: int, key: str, request_hash: str, now: datetime, abandoned: datetime) -> dict | None:
    """Take the key for this request; None when it is taken. A claim left unanswered since before `abandoned` (its
    process died) is taken over."""
    return db.fetch_one(
        """INSERT INTO api_idempotency (token_id, key, request_hash, created_at)
           VALUES (%(token)s, %(key)s, %(hash)s, %(now)s)
           ON CONFLICT (token_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
                                                     created_at = EXCLUDED.created_at
           WHERE api_idempotency.status IS NULL AND api_idempotency.created_at < %(abandoned)s
           RETURNING key""",
        {"token": token_id, "key": key, "hash": request_hash, "now": now, "abandoned": abandoned},
    )


def stored(db: Database, token_id: int, key: str) -> dict | None:
    """The key's row: its request's hash, and its answer once there is one (status None while in progress)."""
    row = db.fetch_one(
        "SELECT request_hash, status, body, headers FROM api_idempotency WHERE token_id = %s AND key = %s",
        (token_id, key),
    )
    if row is not None and row["body"] is not None:
        row["body"] = bytes(row["body"])
    return row


def answer(db: Database, token_id: int, key: str, status: int, body: bytes, headers: dict) -> None:
    db.execute(
        "UPDATE api_idempotency SET status = %s, body = %s, headers = %s WHERE token_id = %s AND key = %s",
        (status, body, orjson.dumps(headers).decode(), token_id, key),
    )


def release(db: Database, token_id: int, key: str) -> None:
    """Forget a claim whose request was refused or failed: the client may send it again with the same key."""
    db.execute("DELETE FROM api_idempotency WHERE token_id = %s AND key = %s AND status IS NULL", (token_id, key))


def purge_before(db: Database, before: datetime) -> int:
    return db.execute("DELETE FROM api_idempotency WHERE created_at < %s", (before,))
