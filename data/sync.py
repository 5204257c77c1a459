"""The REST API's reads (issue 9): one keyset-paged, scope-filtered query per resource.

Every query orders by id and takes `after` (the last id of the previous page), `since` (rows
changed at or after a moment: incremental sync) and the viewer's Scope, so the SQL itself filters
exactly as the pages do: field = own employee, supervisor or a team-limited token = those teams.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from data.db import Database
from data.scope import Scope

EMPLOYEE_IN_SCOPE = """(%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR e.id = %(employee)s)"""
CUSTOMER_IN_SCOPE = """(%(teams)s::int[] IS NULL OR o.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR c.owner_employee_id = %(employee)s
         OR EXISTS (SELECT 1 FROM tasks ct WHERE ct.customer_id = c.id AND ct.employee_id = %(employee)s))"""


@dataclass(frozen=True)
class Resource:
    select: str  # columns and joins; the row's id column is `{id}`
    id: str
    scope: str
    filters: str = "TRUE"  # optional filters, each written to pass when its parameter is NULL
    changed: str | None = None  # the column `since` compares with
    external_id: str | None = None  # the ERP's id column, for a lookup by it
    version: str | None = None  # the row's xmin, for a single row's ETag


RESOURCES = {
    "employees": Resource(
        # The columns of data/people.PUBLIC_PERSON: the API's one shape of a person.
        """SELECT e.id, e.code, e.name, e.team_id, e.phone, e.email, e.external_id, e.supervisor_user_id, e.skills,
                  e.home_lat, e.home_lon, e.active, e.deactivated_at, e.created_at, e.updated_at
           FROM employees e""",
        "e.id",
        EMPLOYEE_IN_SCOPE,
        "(%(team_id)s::int IS NULL OR e.team_id = %(team_id)s)",
        "e.updated_at",
    ),
    "teams": Resource(
        # The columns of data/people.PUBLIC_TEAM: the API's one shape of a team.
        """SELECT t.id, t.name, t.color, t.external_id,
                  (SELECT count(*) FROM employees m WHERE m.team_id = t.id AND m.active) AS members,
                  coalesce((SELECT array_agg(u.id ORDER BY u.username) FROM user_teams ut
                            JOIN users u ON u.id = ut.user_id WHERE ut.team_id = t.id AND u.role = 'supervisor'),
                           '{}') AS supervisor_ids,
                  t.created_at, t.updated_at
           FROM teams t""",
        "t.id",
        """(%(teams)s::int[] IS NULL OR t.id = ANY(%(teams)s))
           AND (%(employee)s::int IS NULL OR t.id = (SELECT team_id FROM employees WHERE id = %(employee)s))""",
        changed="t.updated_at",
    ),
    "devices": Resource(
        """SELECT d.id, d.identifier, d.protocol, d.employee_id, d.created_at, d.last_seen
           FROM devices d JOIN employees e ON e.id = d.employee_id""",
        "d.id",
        EMPLOYEE_IN_SCOPE,
        "(%(employee_id)s::int IS NULL OR d.employee_id = %(employee_id)s)",
        "d.created_at",
    ),
    "customers": Resource(
        """SELECT c.id, c.external_id, c.name, c.category, c.address, c.lat, c.lon, c.owner_employee_id,
                  c.created_at, c.updated_at
           FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id""",
        "c.id",
        CUSTOMER_IN_SCOPE,
        "(%(external_id)s::text IS NULL OR c.external_id = %(external_id)s)",
        "c.updated_at",
        "c.external_id",
        "c.xmin::text",
    ),
    "orders": Resource(
        """SELECT r.id, r.external_id, r.customer_id, c.external_id AS customer_external_id, r.number, r.status,
                  r.amount::float8 AS amount, r.currency, r.due_date, r.summary, r.created_at, r.updated_at
           FROM orders r JOIN customers c ON c.id = r.customer_id
           LEFT JOIN employees o ON o.id = c.owner_employee_id""",
        "r.id",
        CUSTOMER_IN_SCOPE,
        "(%(customer_id)s::int IS NULL OR r.customer_id = %(customer_id)s)",
        "r.updated_at",
        "r.external_id",
        "r.xmin::text",
    ),
    "tasks": Resource(
        """SELECT k.id, k.external_id, k.customer_id, k.employee_id, k.kind, k.priority, k.state, k.window_start,
                  k.window_end, k.duration_min, k.planned_seq, k.notes, k.arrived_at, k.departed_at, k.created_at,
                  k.updated_at
           FROM tasks k""",
        "k.id",
        # As the Tasks page has them (data/tasks.IN_SCOPE): through the assignee, or unassigned the customer's owner.
        """(%(teams)s::int[] IS NULL
            OR (SELECT team_id FROM employees WHERE id = coalesce(k.employee_id,
                    (SELECT owner_employee_id FROM customers WHERE id = k.customer_id))) = ANY(%(teams)s))
           AND (%(employee)s::int IS NULL OR k.employee_id = %(employee)s)""",
        """(%(employee_id)s::int IS NULL OR k.employee_id = %(employee_id)s)
           AND (%(state)s::text IS NULL OR k.state = %(state)s)
           AND (%(start)s::timestamptz IS NULL OR k.window_start >= %(start)s)
           AND (%(end)s::timestamptz IS NULL OR k.window_start < %(end)s)""",
        "k.updated_at",
        "k.external_id",
        "k.xmin::text",
    ),
    "activities": Resource(
        """SELECT a.id, a.employee_id, a.customer_id, a.task_id, a.visit_id, a.kind, a.started_at, a.ended_at,
                  a.notes, a.source, a.attributes, a.created_at
           FROM activities a JOIN employees e ON e.id = a.employee_id""",
        "a.id",
        EMPLOYEE_IN_SCOPE,
        """(%(employee_id)s::int IS NULL OR a.employee_id = %(employee_id)s)
           AND (%(kind)s::text IS NULL OR a.kind = %(kind)s)
           AND (%(start)s::timestamptz IS NULL OR a.started_at >= %(start)s)
           AND (%(end)s::timestamptz IS NULL OR a.started_at < %(end)s)""",
        "a.created_at",
    ),
    "feedback": Resource(
        """SELECT f.id, f.task_id, f.visit_id, f.customer_id, f.employee_id, f.created_at, f.expires_at,
                  f.answered_at, f.score, f.comment, f.language
           FROM feedback f LEFT JOIN employees e ON e.id = f.employee_id""",
        "f.id",
        """(%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
           AND (%(employee)s::int IS NULL OR f.employee_id = %(employee)s)""",
        """(%(employee_id)s::int IS NULL OR f.employee_id = %(employee_id)s)
           AND (%(customer_id)s::int IS NULL OR f.customer_id = %(customer_id)s)""",
        "coalesce(f.answered_at, f.created_at)",
    ),
    # Issue 8's stored reports: visible when the viewer's scope covers the report's whole scope.
    "reports": Resource(
        """SELECT r.id, r.period_kind, r.period_start, r.period_end, r.team_ids, r.formats, r.language,
                  r.author_name, r.state, r.progress, r.created_at, r.finished_at,
                  coalesce((SELECT array_agg(name ORDER BY name) FROM report_files WHERE report_id = r.id),
                           '{}') AS files
           FROM reports r""",
        "r.id",
        """(%(teams)s::int[] IS NULL OR (r.scope_team_ids IS NOT NULL AND r.scope_team_ids <@ %(teams)s::int[]))
           AND %(employee)s::int IS NULL""",
        "(%(state)s::text IS NULL OR r.state = %(state)s)",
        "coalesce(r.finished_at, r.created_at)",
    ),
}
FILTER_NAMES = ("team_id", "employee_id", "external_id", "customer_id", "state", "kind", "start", "end")


def page(
    db: Database,
    resource: str,
    scope: Scope,
    *,
    after: int | None,
    limit: int,
    since: datetime | None = None,
    filters: dict | None = None,
) -> list[dict]:
    """Up to `limit` rows of a resource after id `after`, in the viewer's scope."""
    spec = RESOURCES[resource]
    since_clause = f"%(since)s::timestamptz IS NULL OR {spec.changed} >= %(since)s" if spec.changed else "TRUE"
    params = {name: None for name in FILTER_NAMES} | (filters or {})
    params |= {"after": after, "limit": limit, "since": since}
    params |= {"teams": scope.team_filter(), "employee": scope.employee_id}
    return db.fetch_all(
        f"""{spec.select}
            WHERE ({spec.scope}) AND ({spec.filters}) AND ({since_clause})
              AND (%(after)s::int IS NULL OR {spec.id} > %(after)s)
            ORDER BY {spec.id} LIMIT %(limit)s""",
        params,
    )


def one(
    db: Database, resource: str, scope: Scope, *, id: int | None = None, external_id: str | None = None
) -> dict | None:
    """One row of a resource by id or by the ERP's external id, in the viewer's scope (None outside it, as for a row
    that does not exist); with its `version` (the row's xmin, the API's ETag) where the resource has one."""
    spec = RESOURCES[resource]
    key = spec.id if id is not None else spec.external_id
    if key is None:
        raise ValueError(f"{resource} has no external id")
    select = spec.select
    if spec.version is not None:  # the version first among the resource's own columns (constants both)
        select = select.replace("SELECT ", f"SELECT {spec.version} AS version, ", 1)
    params = {name: None for name in FILTER_NAMES} | {"teams": scope.team_filter(), "employee": scope.employee_id}
    return db.fetch_one(
        f"{select} WHERE ({spec.scope}) AND {key} = %(key)s",
        params | {"key": id if id is not None else external_id},
    )


def track_page(
    db: Database, employee_id: int, start: datetime, end: datetime, after: datetime | None, limit: int
) -> list[dict]:
    """One person's positions in [start, end), after the moment `after`, oldest first. The caller checks
    the person is in the viewer's scope."""
    return db.fetch_all(
        """SELECT ts, lat, lon, speed, heading, accuracy, source FROM positions
           WHERE employee_id = %(e)s AND ts >= %(start)s AND ts < %(end)s
             AND (%(after)s::timestamptz IS NULL OR ts > %(after)s)
           ORDER BY ts LIMIT %(limit)s""",
        {"e": employee_id, "start": start, "end": end, "after": after, "limit": limit},
    )
