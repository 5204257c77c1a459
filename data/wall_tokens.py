"""Wall display tokens: long-lived, revocable, stored hashed."""

from __future__ import annotations

from datetime import datetime

from data.db import Database
from data.devices import hash_token


def create(db: Database, name: str, token: str, expires_at: datetime, created_by: int | None) -> int:
    return db.fetch_one(
        """INSERT INTO wall_tokens (name, token_hash, expires_at, created_by) VALUES (%s, %s, %s, %s)
           RETURNING id""",
        (name, hash_token(token), expires_at, created_by),
    )["id"]


def valid_token(db: Database, token: str, now: datetime) -> dict | None:
    """The token's row if it exists, is not revoked and has not expired at `now`; marks it used."""
    return db.fetch_one(
        """UPDATE wall_tokens SET last_used_at = %(now)s
           WHERE token_hash = %(hash)s AND revoked_at IS NULL AND expires_at > %(now)s
           RETURNING id, name""",
        {"hash": hash_token(token), "now": now},
    )


def active_token(db: Database, token_id: int, now: datetime) -> dict | None:
    """The token's id and name while it is neither revoked nor expired at `now`."""
    return db.fetch_one(
        "SELECT id, name FROM wall_tokens WHERE id = %s AND revoked_at IS NULL AND expires_at > %s", (token_id, now)
    )


def is_registered(db: Database, token: str) -> bool:
    return db.fetch_one("SELECT 1 AS ok FROM wall_tokens WHERE token_hash = %s", (hash_token(token),)) is not None


def list_tokens(db: Database) -> list[dict]:
    return db.fetch_all(
        """SELECT id, name, created_at, expires_at, revoked_at, last_used_at FROM wall_tokens
           ORDER BY revoked_at NULLS FIRST, created_at DESC"""
    )


def revoke(db: Database, token_id: int) -> None:
    db.execute("UPDATE wall_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL", (token_id,))
