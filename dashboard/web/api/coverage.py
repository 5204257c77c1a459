"""Coverage (issue 21): planned, done, missed and unplanned visits per team and person for a period, and the
customers overdue for a visit, as the Coverage page computes them (dashboard/analytics/coverage.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, g

from dashboard.analytics import coverage
from dashboard.analytics.efficiency import MAX_PERIOD_DAYS
from dashboard.core.auditing import record_look
from dashboard.core.errors import AppError
from dashboard.core.permissions import may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.web.api.routes import (
    BOOL,
    CURSOR,
    DAY,
    INT,
    INT_N,
    LIMIT,
    NUM,
    NUM_N,
    SCHEMAS,
    STR,
    STR_N,
    TIME_N,
    _cursor,
    _id_filter,
    _json,
    _next_cursor,
    _object,
    _page_of,
    _param,
    _ref,
    figures_body,
    route,
)

FIGURE_KEYS = (*coverage.COUNTS, "done_rate")
SCHEMAS["CoverageFigures"] = _object(**{key: INT for key in coverage.COUNTS}, done_rate=NUM_N)
SCHEMAS["Coverage"] = _object(
    **{"from": DAY, "to": DAY},
    timezone=STR,
    total=_ref("CoverageFigures"),
    teams={
        "type": "array",
        "items": _object(team_id=INT_N, team_name=STR_N, figures=_ref("CoverageFigures")),
    },
    employees={
        "type": "array",
        "items": _object(
            employee_id=INT, employee_code=STR, employee_name=STR, team_id=INT_N, figures=_ref("CoverageFigures")
        ),
    },
    employees_shown=BOOL,
)
SCHEMAS["OverdueCustomer"] = _object(
    id=INT,
    name=STR,
    tier=STR_N,
    owner_employee_id=INT_N,
    team_id=INT_N,
    every_days=INT,
    last_visit_at=TIME_N,
    days_since=INT,
    overdue_by=INT,
    lat=NUM,
    lon=NUM,
)


@route(
    "GET",
    "/api/v1/coverage",
    "coverage:read",
    "Visit coverage of a period: planned, done, missed and unplanned visits per team and employee",
    [
        _param("from", {"type": "string", "format": "date"}, "first day (the organisation's time zone)", True),
        _param("to", {"type": "string", "format": "date"}, f"last day, at most {MAX_PERIOD_DAYS} days on", True),
        _id_filter("team_id", "one team only"),
    ],
    _ref("Coverage"),
)
def coverage_of_period(team_id: int | None, **period: date) -> Response:
    """docs/PLANS.md ("Coverage"): `planned` visits due in the period (tasks the planner made), `done`, `missed`
    (cancelled, failed, or still open after their day), `pending` (open, their day not past), `unplanned` visits
    started in the period (remote ones included) and `done_rate` (done / planned, null when none were planned).
    `employees` is empty, and `employees_shown` false, where the organisation's privacy rule hides individuals."""
    first, last = period["from"], period["to"]
    if not first <= last <= first + timedelta(days=MAX_PERIOD_DAYS - 1):
        raise AppError(400, "invalid_period", f"to must be on or after from, at most {MAX_PERIOD_DAYS} days on")
    rt = runtime()
    scope = g.viewer.scope.narrowed_to_team(team_id)
    rows = coverage.person_counts(rt.db, scope, first, last, rt.settings.timezone, datetime.now(rt.settings.tz))
    staff = coverage.people(rt.db, scope)
    shown = may_see_individuals(g.viewer, rt.org_settings())
    employees = coverage.per_employee(rows, staff) if shown else []
    if employees:
        record_look("export", [row["employee_id"] for row in employees], {"what": "coverage", "via": "api"})
    total = coverage.total(rows)
    teams = coverage.per_team(rows, staff)
    return _json(figures_body(first, last, rt.settings.timezone, list(FIGURE_KEYS), total, teams, employees, shown))


@route(
    "GET",
    "/api/v1/customers/overdue",
    "coverage:read",
    "Customers overdue for a visit",
    [
        LIMIT,
        CURSOR,
        _param(
            "min_days",
            {"type": "integer", "minimum": 1, "maximum": 3660, "default": 1},
            "only customers overdue by at least this many days",
        ),
    ],
    _page_of("OverdueCustomer"),
)
def overdue_customers(limit: int, cursor: str | None, min_days: int) -> Response:
    """Customers of the token's teams whose days since their last visit (any channel: site, phone, video,
    WeChat) exceed their visit frequency (their own, else their tier's), by id: `overdue_by` = `days_since` −
    `every_days`, in the organisation's local days as of now. Customers never visited are not listed here."""
    rt = runtime()
    rows = coverage.overdue_page(
        rt.db,
        g.viewer.scope,
        rt.settings.timezone,
        datetime.now(rt.settings.tz),
        min_days=min_days,
        after_id=_cursor(cursor, "id") or 0,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    data = [
        {
            "id": r["customer_id"],
            "name": r["customer_name"],
            "tier": r["tier"],
            "owner_employee_id": r["owner_employee_id"],
            "team_id": r["team_id"],
            "every_days": r["every_days"],
            "last_visit_at": r["last_visit_at"],
            "days_since": r["days_since"],
            "overdue_by": r["overdue_by"],
            "lat": r["lat"],
            "lon": r["lon"],
        }
        for r in rows
    ]
    return _json({"data": data, "next_cursor": _next_cursor("id", rows[-1]["customer_id"]) if more else None})
