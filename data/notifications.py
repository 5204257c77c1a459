"""The alert notifications' outbox (`alert_notifications`, written by data/alerts.raise_alert in the alert's own
transaction), which is also their log; and the chat robots' sending windows in Redis.

A deliverer claims due rows with a lease (SKIP LOCKED: several deliverers never take the same row), and records
each attempt: delivered, retried at a later time, or given up with its last error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import redis

from data.alerts import ALERT_COLUMNS, ALERT_FROM
from data.db import Database

LEASE_S = 120  # a claimed row is not claimed again for this long (its deliverer may have died)


def claim_due(db: Database, limit: int, now: datetime) -> list[dict]:
    """Rows whose time has come by `now`, leased to this deliverer, oldest first."""
    return db.fetch_all(
        """WITH due AS (
               SELECT id FROM alert_notifications
               WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= %(now)s
               ORDER BY next_attempt_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
           UPDATE alert_notifications n SET next_attempt_at = %(now)s + make_interval(secs => %(lease)s)
           FROM due WHERE n.id = due.id
           RETURNING n.id, n.alert_id, n.event, n.channel, n.user_id, n.robot_id, n.created_at, n.attempts""",
        {"limit": limit, "lease": LEASE_S, "now": now},
    )


def record_attempt(
    db: Database,
    ids: Sequence[int],
    *,
    delivered: bool,
    error: str | None,
    retry_at: datetime | None,
    digest_of: int = 1,
) -> None:
    """One attempt's outcome for rows sent together; neither delivered nor retried means given up."""
    db.execute(
        """UPDATE alert_notifications
           SET attempts = attempts + 1, last_error = %(error)s, digest_of = %(digest_of)s,
               delivered_at = CASE WHEN %(delivered)s THEN now() END,
               given_up_at = CASE WHEN NOT %(delivered)s AND %(retry)s::timestamptz IS NULL THEN now() END,
               next_attempt_at = coalesce(%(retry)s, next_attempt_at)
           WHERE id = ANY(%(ids)s)""",
        {"ids": list(ids), "delivered": delivered, "error": error, "retry": retry_at, "digest_of": digest_of},
    )


def postpone(db: Database, ids: Sequence[int], until: datetime) -> None:
    """Not an attempt: the robot's window is full, the rows wait until it has room."""
    db.execute("UPDATE alert_notifications SET next_attempt_at = %s WHERE id = ANY(%s)", (until, list(ids)))


def alerts_for_notice(db: Database, alert_ids: Sequence[int]) -> dict[int, dict]:
    """The alerts named in notifications, whoever's they are (the deliverer reads for the recipients the outbox
    already chose)."""
    rows = db.fetch_all(
        f"SELECT {ALERT_COLUMNS} FROM {ALERT_FROM} WHERE a.id = ANY(%(ids)s)",  # noqa: S608 - constants
        {"ids": list(alert_ids)},
    )
    return {row["id"]: row for row in rows}


def contact(db: Database, user_id: int) -> dict | None:
    """Where a user's notifications go: their e-mail (their own, else their employee's) and their language."""
    return db.fetch_one(
        """SELECT u.id, u.username, u.language, coalesce(nullif(u.email, ''), nullif(e.email, '')) AS email
           FROM users u LEFT JOIN employees e ON e.id = u.employee_id
           WHERE u.id = %s AND NOT u.disabled""",
        (user_id,),
    )


def robot(db: Database, robot_id: int) -> dict | None:
    return db.fetch_one("SELECT id, kind, name, url, secret, active FROM alert_robots WHERE id = %s", (robot_id,))


def delete_user_push_subscription(db: Database, user_id: int, endpoint: str) -> bool:
    """A user ends their own browser's subscription (never another user's)."""
    return db.execute("DELETE FROM push_subscriptions WHERE user_id = %s AND endpoint = %s", (user_id, endpoint)) > 0


def notification_log(db: Database, limit: int = 200) -> list[dict]:
    """The latest notifications with their outcome (newest first), for the admin page."""
    return db.fetch_all(
        """SELECT n.id, n.alert_id, n.event, n.channel, n.user_id, u.username, n.robot_id, r.name AS robot_name,
                  n.created_at, n.attempts, n.delivered_at, n.given_up_at, n.next_attempt_at, n.digest_of,
                  n.last_error
           FROM alert_notifications n LEFT JOIN users u ON u.id = n.user_id
           LEFT JOIN alert_robots r ON r.id = n.robot_id
           ORDER BY n.id DESC LIMIT %s""",
        (limit,),
    )


# ---- the chat robots' sending windows (Redis) ------------------------------------------------------------------


def _window_key(prefix: str, robot_id: int) -> str:
    return f"{prefix}alerts:robot:{robot_id}:sent"


def robot_sent_since(client: redis.Redis, prefix: str, robot_id: int, since_ms: int) -> list[int]:
    """When (epoch ms) the robot was sent each message since `since_ms`, oldest first."""
    key = _window_key(prefix, robot_id)
    pipe = client.pipeline()
    pipe.zremrangebyscore(key, "-inf", f"({since_ms}")
    pipe.zrangebyscore(key, since_ms, "+inf", withscores=True)
    _, sent = pipe.execute()
    return [int(score) for _member, score in sent]


def record_robot_send(client: redis.Redis, prefix: str, robot_id: int, at_ms: int, message_id: str, keep_s: int):
    key = _window_key(prefix, robot_id)
    pipe = client.pipeline()
    pipe.zadd(key, {message_id: at_ms})
    pipe.expire(key, keep_s)
    pipe.execute()
