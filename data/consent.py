"""Consent texts (versioned, per language) and each person's decisions (appended, never changed): migration 0020."""

from __future__ import annotations

from datetime import datetime

from data.db import Database
from data.employees import IN_SCOPE, _scope_params, consent_history
from data.scope import Scope

# A person's latest decision is the last one recorded (the log is append-only): by id, not by its time, which a
# clock set back would reorder.
LATEST_DECISION = """
    SELECT DISTINCT ON (employee_id) employee_id, decision, version, language, source, decided_at
    FROM consent_decisions ORDER BY employee_id, id DESC
"""


def current_version(db: Database) -> int | None:
    """The newest published version, or None while no text was ever published."""
    return db.fetch_one("SELECT max(version) AS version FROM consent_texts")["version"]


def texts_of(db: Database, version: int) -> dict[str, dict]:
    """language -> {version, language, body, published_at} of one version."""
    rows = db.fetch_all(
        "SELECT version, language, body, published_at FROM consent_texts WHERE version = %s", (version,)
    )
    return {row["language"]: row for row in rows}


def versions(db: Database) -> list[dict]:
    """Every published text, newest first."""
    return db.fetch_all(
        """SELECT c.version, c.language, c.body, c.published_at, u.username AS published_by
           FROM consent_texts c LEFT JOIN users u ON u.id = c.published_by
           ORDER BY c.version DESC, c.language"""
    )


def publish(db: Database, bodies: dict[str, str], user_id: int | None, at: datetime) -> int:
    """A new version with a text per language given, in one transaction; returns its number."""
    with db.cursor(dicts=False) as cur:
        cur.execute("LOCK TABLE consent_texts IN EXCLUSIVE MODE")  # two publishers never share a number
        cur.execute("SELECT coalesce(max(version), 0) + 1 FROM consent_texts")
        version = cur.fetchone()[0]
        for language, body in bodies.items():
            cur.execute(
                """INSERT INTO consent_texts (version, language, body, published_by, published_at)
                   VALUES (%s, %s, %s, %s, %s)""",
                (version, language, body, user_id, at),
            )
    return version


def record(
    db: Database,
    employee_id: int,
    decision: str,
    version: int,
    language: str,
    source: str,
    at: datetime,
    user_id: int | None = None,
) -> None:
    db.execute(
        """INSERT INTO consent_decisions (employee_id, decision, version, language, source, decided_by, decided_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s)""",
        (employee_id, decision, version, language, source, user_id, at),
    )


def record_many(db: Database, rows: list[tuple[int, str, int, str, str, datetime]]) -> None:
    """(employee, decision, version, language, source, at) per row, in one transaction (the demo's seed)."""
    with db.cursor(dicts=False) as cur:
        cur.executemany(
            """INSERT INTO consent_decisions (employee_id, decision, version, language, source, decided_at)
               VALUES (%s, %s, %s, %s, %s, %s)""",
            rows,
        )


def latest_of(db: Database, employee_id: int) -> dict | None:
    return db.fetch_one(
        """SELECT decision, version, language, source, decided_at FROM consent_decisions
           WHERE employee_id = %s ORDER BY id DESC LIMIT 1""",
        (employee_id,),
    )


def history(db: Database, employee_id: int) -> list[dict]:
    """One person's decisions, oldest first (My data)."""
    return consent_history(db, employee_id)


def without_consent(db: Database) -> set[int]:
    """People whose latest decision is not a given consent (withdrawn, only acknowledged, or none at all)."""
    rows = db.fetch_all(
        f"""SELECT e.id FROM employees e LEFT JOIN ({LATEST_DECISION}) d ON d.employee_id = e.id
            WHERE d.decision IS DISTINCT FROM 'given'"""  # noqa: S608 - a constant
    )
    return {row["id"] for row in rows}


def withdrawn(db: Database) -> set[int]:
    """People whose latest decision is a withdrawal."""
    rows = db.fetch_all(f"SELECT employee_id FROM ({LATEST_DECISION}) d WHERE d.decision = 'withdrawn'")  # noqa: S608
    return {row["employee_id"] for row in rows}


def register(db: Database, scope: Scope, after_id: int = 0, limit: int | None = None) -> list[dict]:
    """Every active person in scope with their latest decision (None when they have none), by id."""
    return db.fetch_all(
        f"""SELECT e.id AS employee_id, e.code, display_name(e) AS name, t.name AS team,
                   d.decision, d.version, d.language, d.source, d.decided_at
            FROM employees e LEFT JOIN teams t ON t.id = e.team_id
                 LEFT JOIN ({LATEST_DECISION}) d ON d.employee_id = e.id
            WHERE e.active AND e.id > %(after)s AND {IN_SCOPE}
            ORDER BY e.id LIMIT %(limit)s""",  # noqa: S608 - constants
        {"after": after_id, "limit": limit, **_scope_params(scope)},
    )
