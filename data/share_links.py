"""Share links: one person's live position for whoever holds the token, until it expires or is revoked."""

from __future__ import annotations

from datetime import datetime

from data.db import Database
from data.devices import hash_token


def create_link(db: Database, employee_id: int, token: str, created_by: int | None, expires_at: datetime) -> int:
    return db.fetch_one(
        """INSERT INTO share_links (employee_id, token_hash, created_by, expires_at)
           VALUES (%s, %s, %s, %s) RETURNING id""",
        (employee_id, hash_token(token), created_by, expires_at),
    )["id"]


def valid_link(db: Database, token: str, now: datetime) -> dict | None:
    """The link this token opens, only while it is neither expired nor revoked at `now`."""
    return db.fetch_one(
        """SELECT l.id, l.employee_id, l.expires_at, e.name FROM share_links l
           JOIN employees e ON e.id = l.employee_id
           WHERE l.token_hash = %s AND l.revoked_at IS NULL AND l.expires_at > %s""",
        (hash_token(token), now),
    )


def active_links(db: Database, employee_id: int, now: datetime) -> list[dict]:
    return db.fetch_all(
        """SELECT id, created_at, expires_at FROM share_links
           WHERE employee_id = %s AND revoked_at IS NULL AND expires_at > %s ORDER BY created_at""",
        (employee_id, now),
    )


def revoke_links(db: Database, employee_id: int, now: datetime) -> int:
    return db.execute(
        """UPDATE share_links SET revoked_at = %(now)s
           WHERE employee_id = %(employee)s AND revoked_at IS NULL AND expires_at > %(now)s""",
        {"employee": employee_id, "now": now},
    )
