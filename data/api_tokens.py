"""API tokens: a name, scopes and an optional team limit; only the token's hash is stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from data.db import Database
from data.devices import hash_token


def create(
    db: Database,
    name: str,
    token: str,
    scopes: Sequence[str],
    team_ids: Sequence[int] | None,
    expires_at: datetime,
    created_by: int | None,
) -> int:
    return db.fetch_one(
        """INSERT INTO api_tokens (name, token_hash, scopes, team_ids, expires_at, created_by)
           VALUES (%s, %s, %s, %s, %s, %s) RETURNING id""",
        (
            name,
            hash_token(token),
            list(scopes),
            list(team_ids) if team_ids is not None else None,
            expires_at,
            created_by,
        ),
    )["id"]


def valid_token(db: Database, token: str, now: datetime) -> dict | None:
    """The token's row and its maker's current role, if it exists, is unrevoked and unexpired at `now`; marks it
    used."""
    return db.fetch_one(
        """UPDATE api_tokens t SET last_used_at = %(now)s
           WHERE t.token_hash = %(hash)s AND t.revoked_at IS NULL AND t.expires_at > %(now)s
           RETURNING t.id, t.name, t.scopes, t.team_ids, t.created_by,
                     (SELECT u.role FROM users u WHERE u.id = t.created_by) AS owner_role""",
        {"hash": hash_token(token), "now": now},
    )


def list_tokens(db: Database) -> list[dict]:
    return db.fetch_all(
        """SELECT t.id, t.name, t.scopes, t.team_ids, t.created_at, t.expires_at, t.revoked_at, t.last_used_at,
                  u.username AS created_by
           FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by
           ORDER BY t.revoked_at NULLS FIRST, t.created_at DESC, t.id DESC"""
    )


def revoke(db: Database, token_id: int) -> bool:
    return db.execute("UPDATE api_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL", (token_id,)) > 0
