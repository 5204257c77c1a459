"""Webhook subscriptions and their outbox (`webhook_deliveries`), which is also the delivery log.

`enqueue` takes the cursor of the transaction that records the event itself, so an event is
announced exactly when it is committed; the worker's deliverer (dashboard/work/webhooks.py) sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import orjson
from psycopg2.extensions import cursor as Cursor

from data.db import Database

EVENTS = (
    "visit.completed",
    "task.state_changed",
    "geofence.enter",
    "geofence.exit",
    "help.requested",
    "survey.answered",
    "alert.raised",
    "alert.resolved",
    # People and teams (issue 18): the record as it is after the change (dashboard/work/people.py).
    "employee.created",
    "employee.updated",
    "employee.deactivated",
    "employee.reactivated",
    "team.created",
    "team.updated",
    "team.merged",
    "team.deleted",
    # Visit forms (issue 21): a task's answers the first time they are complete (dashboard/work/form_answers.py).
    "form.submitted",
)
TEST_EVENT = "test"
LEASE_S = 120  # a claimed delivery is not claimed again for this long (its deliverer may have died)

ENQUEUE = """
INSERT INTO webhook_deliveries (subscription_id, event, payload, created_at, next_attempt_at)
SELECT id, %(event)s, %(payload)s, %(now)s, %(now)s FROM webhook_subscriptions WHERE active AND %(event)s = ANY(events)
"""


def enqueue(cur: Cursor, event: str, data: dict) -> None:
    """Announce an event to every active subscription of it, in the caller's transaction."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    payload = orjson.dumps(data, default=str).decode()
    # Due by this process's clock, the one claim_due is given (not PostgreSQL's now()).
    cur.execute(ENQUEUE, {"event": event, "payload": payload, "now": datetime.now(UTC)})


def enqueue_now(db: Database, event: str, data: dict) -> None:
    with db.cursor() as cur:
        enqueue(cur, event, data)


def create_subscription(db: Database, url: str, events: Sequence[str], secret: str, created_by: int | None) -> int:
    return db.fetch_one(
        """INSERT INTO webhook_subscriptions (url, events, secret, created_by) VALUES (%s, %s, %s, %s)
           RETURNING id""",
        (url, list(events), secret, created_by),
    )["id"]


def subscriptions(db: Database) -> list[dict]:
    return db.fetch_all(
        """SELECT s.id, s.url, s.events, s.active, s.created_at,
                  (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id
                     AND d.delivered_at IS NULL AND d.given_up_at IS NULL) AS pending
           FROM webhook_subscriptions s ORDER BY s.id"""
    )


def set_active(db: Database, subscription_id: int, active: bool) -> bool:
    return db.execute("UPDATE webhook_subscriptions SET active = %s WHERE id = %s", (active, subscription_id)) > 0


def delete_subscription(db: Database, subscription_id: int) -> bool:
    return db.execute("DELETE FROM webhook_subscriptions WHERE id = %s", (subscription_id,)) > 0


def enqueue_test(db: Database, subscription_id: int, data: dict) -> int | None:
    """A test event for one subscription, whatever events it is subscribed to."""
    row = db.fetch_one(
        """INSERT INTO webhook_deliveries (subscription_id, event, payload, created_at, next_attempt_at)
           SELECT id, %(event)s, %(payload)s, %(now)s, %(now)s FROM webhook_subscriptions WHERE id = %(id)s
           RETURNING id""",
        {
            "event": TEST_EVENT,
            "payload": orjson.dumps(data, default=str).decode(),
            "now": datetime.now(UTC),
            "id": subscription_id,
        },
    )
    return row["id"] if row else None


def claim_due(db: Database, limit: int, now: datetime) -> list[dict]:
    """Deliveries whose time has come by `now`, leased to this deliverer (other deliverers skip them)."""
    return db.fetch_all(
        """WITH due AS (
               SELECT id FROM webhook_deliveries
               WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= %(now)s
               ORDER BY next_attempt_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED),
           leased AS (
               UPDATE webhook_deliveries d SET next_attempt_at = %(now)s + make_interval(secs => %(lease)s)
               FROM due WHERE d.id = due.id
               RETURNING d.id, d.subscription_id, d.event, d.payload, d.created_at, d.attempts)
           SELECT l.*, s.url, s.secret FROM leased l JOIN webhook_subscriptions s ON s.id = l.subscription_id
           ORDER BY l.id""",
        {"limit": limit, "lease": LEASE_S, "now": now},
    )


def record_attempt(
    db: Database,
    delivery_id: int,
    *,
    delivered: bool,
    status: int | None,
    response: str | None,
    error: str | None,
    retry_at: datetime | None,
) -> None:
    """One attempt's outcome; with neither success nor a retry time the delivery is given up."""
    db.execute(
        """UPDATE webhook_deliveries
           SET attempts = attempts + 1, last_attempt_at = now(), last_status = %(status)s,
               last_response = %(response)s, last_error = %(error)s,
               delivered_at = CASE WHEN %(delivered)s THEN now() END,
               given_up_at = CASE WHEN NOT %(delivered)s AND %(retry)s::timestamptz IS NULL THEN now() END,
               next_attempt_at = coalesce(%(retry)s, next_attempt_at)
           WHERE id = %(id)s""",
        {
            "id": delivery_id,
            "delivered": delivered,
            "status": status,
            "response": response,
            "error": error,
            "retry": retry_at,
        },
    )


def delivery_log(db: Database, limit: int = 200) -> list[dict]:
    return db.fetch_all(
        """SELECT d.id, d.subscription_id, s.url, d.event, d.created_at, d.attempts, d.last_attempt_at,
                  d.next_attempt_at, d.delivered_at, d.given_up_at, d.last_status, d.last_response, d.last_error
           FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
           ORDER BY d.id DESC LIMIT %s""",
        (limit,),
    )


def delivery(db: Database, delivery_id: int) -> dict | None:
    return db.fetch_one("SELECT * FROM webhook_deliveries WHERE id = %s", (delivery_id,))
