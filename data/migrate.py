"""Ordered SQL migrations in data/migrations, applied once each and recorded in schema_migrations."""

from __future__ import annotations

import logging
from pathlib import Path

from data.db import Database

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
LOCK_KEY = 727_001  # pg_advisory_lock key: one migrator at a time across processes

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def migration_files() -> list[Path]:
    return sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))


def migrate(db: Database) -> list[str]:
    """Apply the pending migrations in one transaction (all or none); return their versions."""
    applied_now: list[str] = []
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        cur.execute(CREATE_LEDGER)
        cur.execute("SELECT version FROM schema_migrations")
        done = {row[0] for row in cur.fetchall()}
        for path in migration_files():
            version = path.stem
            if version in done:
                continue
            cur.execute(path.read_text())
            cur.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
            applied_now.append(version)
            log.info("Applied migration %s", version)
    return applied_now


def applied_versions(db: Database) -> list[str]:
    if db.fetch_one("SELECT to_regclass('schema_migrations') AS ledger")["ledger"] is None:
        return []
    return [row["version"] for row in db.fetch_all("SELECT version FROM schema_migrations ORDER BY version")]
