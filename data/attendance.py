"""Attendance and period exports (issue 9): each person's day in the field, from check-ins and visits."""

from __future__ import annotations

from datetime import datetime

from data.db import Database
from data.scope import Scope

IN_SCOPE = """(%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR e.id = %(employee)s)"""


def daily(db: Database, scope: Scope, start: datetime, end: datetime, timezone: str) -> list[dict]:
    """Per employee and local day: first arrival (check-in or visit start), last departure (check-out or
    visit end), and the hours between them."""
    return db.fetch_all(
        f"""WITH moments AS (
                SELECT a.employee_id, (a.started_at AT TIME ZONE %(tz)s)::date AS day, a.kind,
                       a.started_at AS arrived, coalesce(a.ended_at, a.started_at) AS left_at
                FROM activities a JOIN employees e ON e.id = a.employee_id
                WHERE a.kind IN ('check_in', 'check_out', 'visit')
                  AND a.started_at >= %(start)s AND a.started_at < %(end)s AND {IN_SCOPE})
            SELECT m.employee_id, e.code AS employee_code, e.name AS employee_name, m.day,
                   min(m.arrived) FILTER (WHERE m.kind IN ('check_in', 'visit')) AS first_check_in,
                   max(m.left_at) FILTER (WHERE m.kind IN ('check_out', 'visit')) AS last_check_out,
                   count(*) FILTER (WHERE m.kind = 'visit') AS visits
            FROM moments m JOIN employees e ON e.id = m.employee_id
            GROUP BY m.employee_id, e.code, e.name, m.day
            ORDER BY m.day, e.code""",  # noqa: S608 - IN_SCOPE is a constant
        {"tz": timezone, "start": start, "end": end, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def hours_between(first: datetime | None, last: datetime | None) -> float:
    """Hours in the field: from the first arrival to the last departure, 0 when either is missing."""
    if first is None or last is None or last <= first:
        return 0.0
    return round((last - first).total_seconds() / 3600, 2)


def activities_in_period(
    db: Database, scope: Scope, start: datetime, end: datetime, kinds: tuple[str, ...] | None
) -> list[dict]:
    """Activities (or only some kinds) that started in [start, end), with who and where, for a CSV."""
    return db.fetch_all(
        f"""SELECT a.id, a.kind, a.employee_id, e.code AS employee_code, e.name AS employee_name,
                   c.external_id AS customer_external_id, c.name AS customer_name,
                   a.task_id, a.visit_id, a.started_at, a.ended_at, a.source, a.notes
            FROM activities a JOIN employees e ON e.id = a.employee_id
            LEFT JOIN customers c ON c.id = a.customer_id
            WHERE a.started_at >= %(start)s AND a.started_at < %(end)s
              AND (%(kinds)s::text[] IS NULL OR a.kind = ANY(%(kinds)s)) AND {IN_SCOPE}
            ORDER BY a.started_at, a.id""",  # noqa: S608 - IN_SCOPE is a constant
        {
            "start": start,
            "end": end,
            "kinds": list(kinds) if kinds else None,
            "teams": scope.team_filter(),
            "employee": scope.employee_id,
        },
    )
