"""Visit plans (issue 21, docs/PLANS.md): tiers, each customer's effective plan, the organisation's calendar, people's
leave, and what the planner reads and writes (dashboard/work/planning.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from psycopg2.extras import RealDictCursor

from data.db import Database
from data.scope import Scope

PLANNER_LOCK = 727_021  # pg_try_advisory_lock key: one planner run at a time across every worker
CALENDAR_KINDS = ("holiday", "workday")
TIER_FIELDS = ("code", "name", "every_days", "route_days", "window_start", "window_end", "task_kind", "duration_min")
OPEN_STATES = ("new", "assigned", "accepted", "en_route", "on_site")
# A customer is in a scope through its owner, as data/customers.py has it.
CUSTOMER_IN_SCOPE = """
    (%(teams)s::int[] IS NULL OR o.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR c.owner_employee_id = %(employee)s)
"""
# A customer's effective plan: its own overrides, else its tier's.
EFFECTIVE_PLAN = """
    SELECT c.id AS customer_id, c.name AS customer_name, c.tier, c.owner_employee_id, o.active AS owner_active,
           o.team_id, coalesce(c.visit_every_days, t.every_days) AS every_days,
           coalesce(c.visit_route_days, t.route_days, '{}'::smallint[]) AS route_days,
           CASE WHEN c.visit_window_start IS NOT NULL OR c.visit_window_end IS NOT NULL
                THEN c.visit_window_start ELSE t.window_start END AS window_start,
           CASE WHEN c.visit_window_start IS NOT NULL OR c.visit_window_end IS NOT NULL
                THEN c.visit_window_end ELSE t.window_end END AS window_end,
           coalesce(t.task_kind, 'visit') AS task_kind, t.duration_min,
           c.visit_every_days, c.visit_route_days, c.visit_window_start, c.visit_window_end
    FROM customers c LEFT JOIN visit_tiers t ON t.code = c.tier LEFT JOIN employees o ON o.id = c.owner_employee_id
"""


def _scope_params(scope: Scope) -> dict:
    return {"teams": scope.team_filter(), "employee": scope.employee_id}


# Tiers.


def list_tiers(db: Database) -> list[dict]:
    """Every tier with how many customers are in it."""
    return db.fetch_all(
        """SELECT t.code, t.name, t.every_days, t.route_days, t.window_start, t.window_end, t.task_kind,
                  t.duration_min, (SELECT count(*) FROM customers c WHERE c.tier = t.code) AS customers
           FROM visit_tiers t ORDER BY t.every_days, t.code"""
    )


def save_tier(db: Database, tier: dict) -> None:
    """Add a tier, or change the one of that code."""
    db.execute(
        """INSERT INTO visit_tiers (code, name, every_days, route_days, window_start, window_end, task_kind,
                                    duration_min)
           VALUES (%(code)s, %(name)s, %(every_days)s, %(route_days)s::smallint[], %(window_start)s, %(window_end)s,
                   %(task_kind)s, %(duration_min)s)
           ON CONFLICT (code) DO UPDATE
             SET name = EXCLUDED.name, every_days = EXCLUDED.every_days, route_days = EXCLUDED.route_days,
                 window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end,
                 task_kind = EXCLUDED.task_kind, duration_min = EXCLUDED.duration_min""",
        tier,
    )


def delete_tier(db: Database, code: str) -> bool:
    """Remove a tier; its customers keep their own overrides and have no tier."""
    return bool(db.execute("DELETE FROM visit_tiers WHERE code = %s", (code,)))


# Each customer's plan.


def planned_customers(db: Database) -> list[dict]:
    """Every customer with a visit frequency (its own or its tier's), with its effective plan and its owner."""
    return db.fetch_all(
        f"""{EFFECTIVE_PLAN} WHERE coalesce(c.visit_every_days, t.every_days) IS NOT NULL ORDER BY c.id"""
    )


def customer_plans(db: Database, scope: Scope) -> list[dict]:
    """The customers in the scope with their tier, overrides and effective plan (the admin page's list)."""
    return db.fetch_all(
        f"""{EFFECTIVE_PLAN} WHERE {CUSTOMER_IN_SCOPE} ORDER BY c.name, c.id""",
        _scope_params(scope),
    )


def customer_plan(db: Database, scope: Scope, customer_id: int) -> dict | None:
    """One customer's tier, overrides and effective plan, when the customer is in the scope."""
    return db.fetch_one(
        f"""{EFFECTIVE_PLAN} WHERE c.id = %(id)s AND {CUSTOMER_IN_SCOPE}""",
        {"id": customer_id, **_scope_params(scope)},
    )


def set_customer_plan(db: Database, scope: Scope, customer_id: int, plan: dict) -> bool:
    """Set a customer's tier and overrides (tier, visit_every_days, visit_route_days, visit_window_start,
    visit_window_end; None clears one); False when the customer is not in the scope."""
    return bool(
        db.execute(
            """UPDATE customers c SET tier = %(tier)s, visit_every_days = %(visit_every_days)s,
                      visit_route_days = %(visit_route_days)s::smallint[],
                      visit_window_start = %(visit_window_start)s, visit_window_end = %(visit_window_end)s,
                      updated_at = now()
               WHERE c.id = %(id)s
                 AND (%(teams)s::int[] IS NULL OR EXISTS (
                        SELECT 1 FROM employees o WHERE o.id = c.owner_employee_id AND o.team_id = ANY(%(teams)s)))
                 AND (%(employee)s::int IS NULL OR c.owner_employee_id = %(employee)s)""",
            {**plan, "id": customer_id, **_scope_params(scope)},
        )
    )


# The calendar beyond the working week.


def calendar_days(db: Database, first: date, last: date) -> list[dict]:
    return db.fetch_all(
        "SELECT day, kind, name, source FROM calendar_days WHERE day BETWEEN %s AND %s ORDER BY day", (first, last)
    )


def set_calendar_day(db: Database, day: date, kind: str, name: str, source: str = "manual") -> None:
    """Mark a day a holiday or a make-up working day (a day marked again takes the new mark)."""
    db.execute(
        """INSERT INTO calendar_days (day, kind, name, source) VALUES (%s, %s, %s, %s)
           ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, source = EXCLUDED.source""",
        (day, kind, name, source),
    )


def import_calendar_days(db: Database, days: list[tuple[date, str, str]]) -> int:
    """An official calendar's (day, kind, name) rows in one transaction; a day marked by hand keeps its mark.
    Returns how many days were written."""
    written = 0
    with db.transaction() as conn, conn.cursor() as cur:
        for day, kind, name in days:
            cur.execute(
                """INSERT INTO calendar_days (day, kind, name, source) VALUES (%s, %s, %s, 'import')
                   ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name
                   WHERE calendar_days.source = 'import'""",
                (day, kind, name[:200]),
            )
            written += cur.rowcount
    return written


def remove_calendar_day(db: Database, day: date) -> bool:
    return bool(db.execute("DELETE FROM calendar_days WHERE day = %s", (day,)))


# Leave.


def leave_list(db: Database, scope: Scope, since: date) -> list[dict]:
    """Leave in the scope that ends on or after `since`, with the person's name."""
    return db.fetch_all(
        """SELECT l.id, l.employee_id, display_name(e) AS employee_name, l.first_day, l.last_day, l.reason,
                  u.username AS created_by
           FROM leave_days l JOIN employees e ON e.id = l.employee_id LEFT JOIN users u ON u.id = l.created_by
           WHERE l.last_day >= %(since)s AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL OR e.id = %(employee)s)
           ORDER BY l.first_day, l.id""",
        {"since": since, **_scope_params(scope)},
    )


def add_leave(
    db: Database, scope: Scope, employee_id: int, first: date, last: date, reason: str, user_id: int | None
) -> int | None:
    """Mark a person in the scope away for [first, last]; None when the person is not in the scope."""
    row = db.fetch_one(
        """INSERT INTO leave_days (employee_id, first_day, last_day, reason, created_by)
           SELECT e.id, %(first)s, %(last)s, %(reason)s, %(user)s FROM employees e
           WHERE e.id = %(id)s AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL OR e.id = %(employee)s)
           RETURNING id""",
        {"id": employee_id, "first": first, "last": last, "reason": reason, "user": user_id, **_scope_params(scope)},
    )
    return row["id"] if row else None


def remove_leave(db: Database, scope: Scope, leave_id: int) -> bool:
    return bool(
        db.execute(
            """DELETE FROM leave_days l USING employees e
               WHERE l.id = %(id)s AND e.id = l.employee_id
                 AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
                 AND (%(employee)s::int IS NULL OR e.id = %(employee)s)""",
            {"id": leave_id, **_scope_params(scope)},
        )
    )


def leave_between(db: Database, first: date, last: date) -> list[dict]:
    """Everyone's leave overlapping [first, last]: employee_id, first_day, last_day."""
    return db.fetch_all(
        """SELECT employee_id, first_day, last_day FROM leave_days
           WHERE first_day <= %s AND last_day >= %s ORDER BY employee_id, first_day""",
        (last, first),
    )


# What the planner reads and writes.


def last_visit_days(db: Database, customer_ids: list[int], before: datetime, timezone: str) -> dict[int, date]:
    """Each customer's last local day of a visit made before `before`: a visit activity of any channel (at the
    site, by phone, video or WeChat) or a task done there."""
    rows = db.fetch_all(
        """SELECT customer_id, max(day) AS day FROM (
               SELECT a.customer_id, (a.started_at AT TIME ZONE %(tz)s)::date AS day FROM activities a
               WHERE a.kind = 'visit' AND a.customer_id = ANY(%(ids)s) AND a.started_at < %(before)s
               UNION ALL
               SELECT t.customer_id, (coalesce(t.departed_at, t.updated_at) AT TIME ZONE %(tz)s)::date FROM tasks t
               WHERE t.state = 'done' AND t.customer_id = ANY(%(ids)s)
                 AND coalesce(t.departed_at, t.updated_at) < %(before)s
           ) visits GROUP BY customer_id""",
        {"ids": customer_ids, "before": before, "tz": timezone},
    )
    return {r["customer_id"]: r["day"] for r in rows}


def booked_days(db: Database, customer_ids: list[int], today: date, timezone: str) -> dict[int, date]:
    """Each customer's latest day already booked: a planned task's day in any state (one cancelled or failed is a
    missed visit, and the next one follows from it), or an open task's window (today when it has none)."""
    rows = db.fetch_all(
        """SELECT customer_id, max(day) AS day FROM (
               SELECT t.customer_id, t.planned_for AS day FROM tasks t
               WHERE t.planned_for IS NOT NULL AND t.customer_id = ANY(%(ids)s)
               UNION ALL
               SELECT t.customer_id, coalesce((t.window_start AT TIME ZONE %(tz)s)::date, %(today)s) FROM tasks t
               WHERE t.planned_for IS NULL AND t.state = ANY(%(open)s) AND t.customer_id = ANY(%(ids)s)
           ) booked GROUP BY customer_id""",
        {"ids": customer_ids, "today": today, "tz": timezone, "open": list(OPEN_STATES)},
    )
    return {r["customer_id"]: r["day"] for r in rows}


def create_planned_task(db: Database, task: dict) -> int | None:
    """An assigned task the planner made (customer_id, employee_id, kind, window_start, window_end, duration_min,
    planned_for), with its first event; None when the customer already has one for that day."""
    with db.transaction() as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute(
            """INSERT INTO tasks (customer_id, employee_id, kind, priority, state, window_start, window_end,
                                  duration_min, planned_for, created_at, updated_at)
               VALUES (%(customer_id)s, %(employee_id)s, %(kind)s, 2, 'assigned', %(window_start)s, %(window_end)s,
                       %(duration_min)s, %(planned_for)s, %(now)s, %(now)s)
               ON CONFLICT (customer_id, planned_for) WHERE planned_for IS NOT NULL DO NOTHING
               RETURNING id""",
            task,
        )
        row = cur.fetchone()
        if row is None:
            return None
        cur.execute(
            """INSERT INTO task_events (task_id, from_state, to_state, employee_id, user_id, reason, at)
               VALUES (%s, NULL, 'assigned', %s, %s, 'planned', %s)""",
            (row["id"], task["employee_id"], task.get("user_id"), task["now"]),
        )
        return row["id"]


def planned_tasks(db: Database, scope: Scope, first: date, last: date) -> list[dict]:
    """The tasks the planner made for the days [first, last] in the scope, in any state (cancelled and failed
    ones are missed visits): what the Coverage page counts as planned."""
    return db.fetch_all(
        """SELECT t.id, t.customer_id, c.name AS customer_name, t.employee_id, display_name(e) AS employee_name,
                  e.team_id, t.planned_for, t.state, t.window_start, t.window_end, t.planned_seq,
                  t.state IN ('cancelled', 'failed') AS missed
           FROM tasks t JOIN customers c ON c.id = t.customer_id LEFT JOIN employees e ON e.id = t.employee_id
           WHERE t.planned_for BETWEEN %(first)s AND %(last)s
             AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL OR t.employee_id = %(employee)s)
           ORDER BY t.planned_for, t.employee_id, t.planned_seq NULLS LAST, t.id""",
        {"first": first, "last": last, **_scope_params(scope)},
    )


@contextmanager
def planner_lock(db: Database) -> Iterator[bool]:
    """Hold the planner's lock for a run when no other process holds it (True), else yield False at once: several
    workers may start the daily run, one makes it."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", (PLANNER_LOCK,))
        held = cur.fetchone()[0]
        conn.commit()
        try:
            yield held
        finally:
            if held:
                cur.execute("SELECT pg_advisory_unlock(%s)", (PLANNER_LOCK,))
