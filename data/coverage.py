"""The counts behind the coverage figures (issue 21): planned, done and missed visits, unplanned visits, and each
customer's days since its last visit against its frequency.

dashboard/analytics/coverage.py turns these rows into the figures every surface shows (the Coverage page, the
phone's "due this week", the reports, the API, the overdue alert rule); docs/PLANS.md ("Coverage") writes each
definition down. A planned visit is a task with `planned_for`; it counts for its assignee, else for its customer's
owner. A person's figures belong to their current team; a customer belongs to its owner's team. Every read takes
the viewer's Scope.
"""

from __future__ import annotations

from datetime import date, datetime

from psycopg2.extras import Json

from data.db import Database
from data.scope import Scope
from data.tasks import OPEN_STATES

PERSON_IN_SCOPE = """(%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR e.id = %(employee)s)"""
CUSTOMER_IN_SCOPE = """(%(teams)s::int[] IS NULL OR o.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR c.owner_employee_id = %(employee)s)"""
START = "(%(first_day)s::date::timestamp AT TIME ZONE %(tz)s)"
END = "((%(last_day)s::date + 1)::timestamp AT TIME ZONE %(tz)s)"
REMOTE_CHANNELS = ("phone", "video", "wechat")  # a visit made without going there; it counts for coverage
# Missed: cancelled or failed, or still open after its day (`today` is the organisation's local day of `now`).
MISSED = "(t.state IN ('cancelled', 'failed') OR (t.state = ANY(%(open)s) AND t.planned_for < %(today)s))"
COUNTS = ("planned", "done", "missed", "pending", "unplanned")

PERSON_COUNTS = f"""
WITH parts AS (
    SELECT coalesce(t.employee_id, c.owner_employee_id) AS employee_id, 1 AS planned,
           (t.state = 'done')::int AS done, {MISSED}::int AS missed,
           (t.state = ANY(%(open)s) AND t.planned_for >= %(today)s)::int AS pending, 0 AS unplanned
    FROM tasks t JOIN customers c ON c.id = t.customer_id
    WHERE t.planned_for BETWEEN %(first_day)s AND %(last_day)s
    UNION ALL
    SELECT a.employee_id, 0, 0, 0, 0, 1
    FROM activities a LEFT JOIN tasks t ON t.id = a.task_id
    WHERE a.kind = 'visit' AND t.planned_for IS NULL AND a.started_at >= {START} AND a.started_at < {END}
)
SELECT e.id AS employee_id, e.code AS employee_code, display_name(e) AS employee_name, e.team_id,
       tm.name AS team_name, {", ".join(f"sum(p.{key})::int AS {key}" for key in COUNTS)}
FROM parts p JOIN employees e ON e.id = p.employee_id LEFT JOIN teams tm ON tm.id = e.team_id
WHERE {PERSON_IN_SCOPE}
GROUP BY e.id, tm.name
ORDER BY e.id
"""  # noqa: S608 - only constants are formatted in

# A customer's frequency (its own, else its tier's) and its last visit of any channel up to `at`; days are counted
# between local days, so a visit yesterday evening is 1 day ago this morning.
CUSTOMER_STANDING = f"""
SELECT * FROM (
    SELECT c.id AS customer_id, c.name AS customer_name, c.address, c.lat, c.lon, c.tier,
           c.owner_employee_id, display_name(o) AS owner_name, o.team_id, tm.name AS team_name,
           coalesce(c.visit_every_days, vt.every_days) AS every_days, v.last_visit_at,
           %(today)s::date - (v.last_visit_at AT TIME ZONE %(tz)s)::date AS days_since
    FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id LEFT JOIN teams tm ON tm.id = o.team_id
    LEFT JOIN visit_tiers vt ON vt.code = c.tier
    LEFT JOIN LATERAL (
        SELECT max(a.started_at) AS last_visit_at FROM activities a
        WHERE a.customer_id = c.id AND a.kind = 'visit' AND a.started_at <= %(at)s
    ) v ON true
    WHERE {CUSTOMER_IN_SCOPE} AND (%(customer)s::int IS NULL OR c.id = %(customer)s)
) s
"""  # noqa: S608 - only constants are formatted in


def _params(scope: Scope, **values: object) -> dict:
    return {"teams": scope.team_filter(), "employee": scope.employee_id, "open": list(OPEN_STATES)} | values


def person_counts(db: Database, scope: Scope, first_day: date, last_day: date, tz: str, today: date) -> list[dict]:
    """Per person in `scope` with anything to count in local days [first_day, last_day]: planned, done, missed,
    pending (open, its day not yet past) and unplanned visits, with code, name and current team. `today` is the
    organisation's local day of now: an open planned visit of an earlier day is missed."""
    return db.fetch_all(
        PERSON_COUNTS,
        _params(scope, first_day=first_day, last_day=last_day, tz=tz, today=today),
    )


def customer_standing(
    db: Database, scope: Scope, tz: str, at: datetime, today: date, customer_id: int | None = None
) -> list[dict]:
    """Every customer in `scope` (or the one asked): its frequency (`every_days`, None: no plan), its last visit
    up to `at` and the local days since (None: never visited), its owner and team, ordered by id."""
    return db.fetch_all(
        CUSTOMER_STANDING + " ORDER BY s.customer_id",
        _params(scope, tz=tz, at=at, today=today, customer=customer_id),
    )


def record_remote_visit(
    db: Database, employee_id: int, customer_id: int, channel: str, at: datetime, notes: str
) -> int | None:
    """A visit made by phone, video or WeChat, started and ended at `at`, for one of the person's own customers
    (its owner); None when the customer is not theirs. It never touches the person's open visit at a site."""
    if channel not in REMOTE_CHANNELS:
        raise ValueError(f"not a remote channel: {channel}")
    row = db.fetch_one(
        """INSERT INTO activities (employee_id, customer_id, kind, started_at, ended_at, notes, source, channel,
                                   attributes)
           SELECT %(employee)s, c.id, 'visit', %(at)s, %(at)s, %(notes)s, 'phone', %(channel)s, %(attributes)s
           FROM customers c WHERE c.id = %(customer)s AND c.owner_employee_id = %(employee)s
           RETURNING id""",
        {
            "employee": employee_id,
            "customer": customer_id,
            "at": at,
            "notes": notes or None,
            "channel": channel,
            "attributes": Json({"remote": True}),
        },
    )
    return None if row is None else row["id"]
