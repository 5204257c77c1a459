"""The audit log: every look at someone's location (who, whose, what, when)."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from data.db import Database

ACTIONS = ("view_live_map", "view_person", "view_track", "export", "export_own_data", "view_shared_link")
ACTIONS += ("view_customer_visits",)  # a customer's page lists who visited when (issue 6)
ACTIONS += ("view_alert",)  # an alert's panel shows where and when, and links to that day (issue 17)


def record(
    db: Database,
    *,
    user_id: int | None,
    username: str,
    role: str,
    action: str,
    subject_ids: Sequence[int],
    detail: dict | None = None,
    ip: str | None = None,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    db.execute(
        """INSERT INTO audit_log (user_id, username, role, action, subject_ids, detail, ip)
           VALUES (%s, %s, %s, %s, %s, %s, %s)""",
        (user_id, username, role, action, list(subject_ids), orjson.dumps(detail or {}).decode(), ip),
    )


def recent(db: Database, limit: int = 200, action: str | None = None, subject_id: int | None = None) -> list[dict]:
    return db.fetch_all(
        """SELECT a.id, a.at, a.username, a.role, a.action, cardinality(a.subject_ids) AS subjects,
                  CASE WHEN cardinality(a.subject_ids) = 1 THEN display_name(e) END AS subject_name, a.detail, a.ip
           FROM audit_log a LEFT JOIN employees e ON e.id = a.subject_ids[1]
           WHERE (%(action)s::text IS NULL OR a.action = %(action)s)
             AND (%(subject)s::int IS NULL OR %(subject)s = ANY(a.subject_ids))
           ORDER BY a.at DESC, a.id DESC LIMIT %(limit)s""",
        {"action": action, "subject": subject_id, "limit": limit},
    )


def looks_at(db: Database, employee_id: int, limit: int = 200) -> list[dict]:
    """Who looked at this person's location, newest first: the 'my data' page."""
    return db.fetch_all(
        """SELECT at, username, role, action FROM audit_log WHERE %s = ANY(subject_ids)
           ORDER BY at DESC, id DESC LIMIT %s""",
        (employee_id, limit),
    )
