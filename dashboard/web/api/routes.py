"""The REST API for integrators (issue 9): /api/v1/…, authenticated by an API token (dashboard/work/tokens.py).

Each route is declared once with `route(...)`: its scope, its parameters and its answer's schema.
The same declaration validates the request (query and path parameters, JSON bodies) and is
published in the OpenAPI document (dashboard/web/api/openapi.py), so the document cannot drift from the
handlers. A refusal raises `AppError` (dashboard/core/errors.py), answered `{"error": {"code", "message"}}`
with a stable code, as RFC 9457 problem details, by the one error handler (dashboard/web/errors.py); lists are pages
of `{"data": [...], "next_cursor"}`, ordered by id, with `updated_since` for incremental sync. A route about
individuals (`individuals=True`) answers 403 `individuals_hidden` to a token whose maker may not see them
(permissions.may_see_individuals, issue 15).

Issue 18 made it read-write: the single records, lookups by external id and the writes of employees, teams,
customers and tasks are declared the same way in their own modules (people.py, customers.py, work_orders.py,
records.py), which openapi.py imports. Every POST goes through idempotency.py (Idempotency-Key), every PATCH may
send If-Match (preconditions.py).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import orjson
from flask import Blueprint, Response, g, request
from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match

from dashboard.analytics import metrics
from dashboard.analytics.efficiency import MAX_PERIOD_DAYS
from dashboard.analytics.metrics import FIGURES
from dashboard.core.auditing import record_look
from dashboard.core.errors import AppError
from dashboard.core.inputs import json_body
from dashboard.core.permissions import Viewer, may_read_report, may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.geo.coords import SYSTEMS
from dashboard.web.api import idempotency, preconditions
from dashboard.work import alerting, erp
from dashboard.work.attendance import MAX_ATTENDANCE_DAYS, attendance_rows
from data import alerts, employees, reports, sync
from data.scope import Scope

blueprint = Blueprint("api", __name__)
MAX_INT = 2_147_483_647  # PostgreSQL integer
MAX_TRACK_DAYS = 31
INDIVIDUALS_HIDDEN = (
    "the organisation's privacy setting hides individuals from this token's maker; "
    "team figures are in the reports (/api/v1/reports)"
)


def _json(body: object, status: int = 200) -> Response:
    return Response(orjson.dumps(body, default=str), status=status, mimetype="application/json")


def figures_body(
    first: date,
    last: date,
    timezone: str,
    keys: list[str],
    total: dict,
    teams: list[dict],
    employees: list[dict],
    shown: bool,
) -> dict:
    """A period's figures as the API answers them (metrics, coverage): the total, each team's, each person's (none
    when the viewer may not see individuals: `employees_shown` false)."""
    return {
        "from": first,
        "to": last,
        "timezone": timezone,
        "total": {key: total[key] for key in keys},
        "teams": [
            {"team_id": r["team_id"], "team_name": r["team_name"], "figures": {key: r[key] for key in keys}}
            for r in teams
        ],
        "employees": [
            {
                "employee_id": r["employee_id"],
                "employee_code": r["employee_code"],
                "employee_name": r["employee_name"],
                "team_id": r["team_id"],
                "figures": {key: r[key] for key in keys},
            }
            for r in employees
        ],
        "employees_shown": shown,
    }


# Parameters: an OpenAPI parameter object each; `_coerce` reads a request's value by the same schema.


def _param(name: str, schema: dict, description: str, required: bool = False, where: str = "query") -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "description": description,
        "schema": schema,
    }


ID = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
LIMIT = _param("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}, "rows per page")
CURSOR = _param("cursor", {"type": "string", "maxLength": 200}, "`next_cursor` of the previous page")
UPDATED_SINCE = _param(
    "updated_since",
    {"type": "string", "format": "date-time"},
    "only rows changed at or after this moment (ISO-8601 with a zone): keep the newest `updated_at` you saw",
)
PAGED = [LIMIT, CURSOR, UPDATED_SINCE]


def _id_filter(name: str, description: str) -> dict:
    return _param(name, ID, description)


def _moment(name: str, description: str, required: bool = False) -> dict:
    return _param(name, {"type": "string", "format": "date-time"}, description, required)


def _coerce(spec: dict, raw: str) -> object:
    schema, name = spec["schema"], spec["name"]
    kind = schema["type"]
    if kind == "integer":
        if not raw.lstrip("-").isdigit() or len(raw) > 12:
            raise AppError(400, "invalid_parameter", f"{name} must be a whole number")
        value = int(raw)
        if not schema.get("minimum", -MAX_INT) <= value <= schema.get("maximum", MAX_INT):
            raise AppError(400, "invalid_parameter", f"{name} must be from {schema['minimum']} to {schema['maximum']}")
        return value
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise AppError(400, "invalid_parameter", f"{name} must be true or false")
        return raw == "true"
    if "enum" in schema and raw not in schema["enum"]:
        raise AppError(400, "invalid_parameter", f"{name} must be one of {', '.join(schema['enum'])}")
    if len(raw) > schema.get("maxLength", 200) or "\x00" in raw:
        raise AppError(400, "invalid_parameter", f"{name} is too long")
    if schema.get("format") == "date-time":
        return _parse_moment(name, raw)
    if schema.get("format") == "date":
        return _parse_day(name, raw)
    return raw


def _parse_moment(name: str, raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in raw.upper() or not 1970 <= moment.year <= 2200:
        raise AppError(400, "invalid_parameter", f"{name} must be an ISO-8601 date-time with a zone, 1970–2200")
    return moment.astimezone(UTC)


def _parse_day(name: str, raw: str) -> date:
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1970 <= day.year <= 2200:
        raise AppError(400, "invalid_parameter", f"{name} must be a date YYYY-MM-DD, 1970–2200")
    return day


# Answer schemas (OpenAPI 3.0): one per resource, in components.schemas.


def _t(kind: str, nullable: bool = False, **extra: object) -> dict:
    schema = {"type": kind, **extra}
    return {**schema, "nullable": True} if nullable else schema


INT, INT_N, STR, STR_N = _t("integer"), _t("integer", True), _t("string"), _t("string", True)
NUM, NUM_N, BOOL = _t("number"), _t("number", True), _t("boolean")
TIME, TIME_N = _t("string", format="date-time"), _t("string", True, format="date-time")
DAY, DAY_N = _t("string", format="date"), _t("string", True, format="date")


def _object(**properties: dict) -> dict:
    return {"type": "object", "required": list(properties), "properties": properties}


SCHEMAS = {
    "Employee": _object(
        id=INT,
        code=STR,
        name=STR,
        team_id=INT_N,
        phone=STR_N,
        email=STR_N,
        external_id=STR_N,
        supervisor_user_id=INT_N,
        skills={"type": "array", "items": STR},
        home_lat=NUM_N,
        home_lon=NUM_N,
        active=BOOL,
        deactivated_at=TIME_N,
        created_at=TIME,
        updated_at=TIME,
    ),
    "Team": _object(
        id=INT,
        name=STR,
        color=STR,
        external_id=STR_N,
        members=INT,
        supervisor_ids={"type": "array", "items": INT},
        created_at=TIME,
        updated_at=TIME,
    ),
    "Device": _object(id=INT, identifier=STR, protocol=STR, employee_id=INT, created_at=TIME, last_seen=TIME_N),
    "Customer": _object(
        id=INT,
        external_id=STR_N,
        name=STR,
        category=STR_N,
        address=STR_N,
        lat=NUM,
        lon=NUM,
        owner_employee_id=INT_N,
        created_at=TIME,
        updated_at=TIME,
    ),
    "Order": _object(
        id=INT,
        external_id=STR,
        customer_id=INT,
        customer_external_id=STR_N,
        number=STR,
        status=STR,
        amount=NUM_N,
        currency=STR_N,
        due_date=DAY_N,
        summary=STR_N,
        created_at=TIME,
        updated_at=TIME,
    ),
    "Task": _object(
        id=INT,
        external_id=STR_N,
        customer_id=INT,
        employee_id=INT_N,
        kind=STR,
        priority=INT,
        state=STR,
        window_start=TIME_N,
        window_end=TIME_N,
        duration_min=INT,
        planned_seq=INT_N,
        notes=STR_N,
        arrived_at=TIME_N,
        departed_at=TIME_N,
        created_at=TIME,
        updated_at=TIME,
    ),
    "Activity": _object(
        id=INT,
        employee_id=INT,
        customer_id=INT_N,
        task_id=INT_N,
        visit_id=INT_N,
        kind=STR,
        started_at=TIME,
        ended_at=TIME_N,
        notes=STR_N,
        source=STR,
        attributes={"type": "object"},
        created_at=TIME,
    ),
    "Feedback": _object(
        id=INT,
        task_id=INT_N,
        visit_id=INT_N,
        customer_id=INT,
        employee_id=INT_N,
        created_at=TIME,
        expires_at=TIME,
        answered_at=TIME_N,
        score=INT_N,
        comment=STR_N,
        language=STR_N,
    ),
    "Position": _object(ts=TIME, lat=NUM, lon=NUM, speed=NUM_N, heading=NUM_N, accuracy=NUM_N, source=STR),
    "AttendanceDay": _object(
        employee_id=INT,
        employee_code=STR,
        employee_name=STR,
        day=_t("string", format="date"),
        first_check_in=TIME_N,
        last_check_out=TIME_N,
        hours_in_field=NUM,
        visits=INT,
    ),
    "Report": _object(
        id=INT,
        period_kind=STR,
        period_start=_t("string", format="date"),
        period_end=_t("string", format="date"),
        team_ids=_t("array", True, items=INT),
        formats={"type": "array", "items": STR},
        language=STR,
        author_name=STR,
        state=_t("string", enum=["queued", "running", "done", "failed"]),
        progress=INT,
        created_at=TIME,
        finished_at=TIME_N,
        files={"type": "array", "items": STR},
    ),
    "Figures": _object(**{figure.key: NUM_N for figure in FIGURES}),
    "Metrics": _object(
        **{"from": DAY, "to": DAY},
        timezone=STR,
        total={"$ref": "#/components/schemas/Figures"},
        teams={
            "type": "array",
            "items": _object(team_id=INT_N, team_name=STR_N, figures={"$ref": "#/components/schemas/Figures"}),
        },
        employees={
            "type": "array",
            "items": _object(
                employee_id=INT,
                employee_code=STR,
                employee_name=STR,
                team_id=INT_N,
                figures={"$ref": "#/components/schemas/Figures"},
            ),
        },
        employees_shown=BOOL,
    ),
    "TokenInfo": _object(name=STR, scopes={"type": "array", "items": STR}, team_ids=_t("array", True, items=INT)),
    "ImportReport": _object(
        entity=STR,
        dry_run=BOOL,
        committed=BOOL,
        created=INT,
        updated=INT,
        unchanged=INT,
        error_rows=INT,
        rows={
            "type": "array",
            "items": _object(row=INT, external_id=STR, action=_t("string", enum=["created", "updated", "unchanged"])),
        },
        errors={"type": "array", "items": _object(row=INT, external_id=STR_N, field=STR_N, message=STR)},
    ),
}
IMPORT_BODY = {
    "type": "object",
    "required": ["rows"],
    "properties": {"rows": {"type": "array", "minItems": 1, "maxItems": erp.MAX_ROWS, "items": {"type": "object"}}},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict:
    return _object(data={"type": "array", "items": _ref(name)}, next_cursor=STR_N)


# Routes


@dataclass
class Route:
    method: str
    path: str  # OpenAPI form: /api/v1/employees/{employee_id}/positions
    scope: str
    summary: str
    description: str
    parameters: list[dict]
    answer: dict
    handler: Callable
    body: dict | None = None  # requestBody content, for writes
    errors: tuple[int, ...] = (400, 401, 403)
    extra_answers: dict = field(default_factory=dict)
    individuals: bool = False  # answers about individuals: refused when the token's maker may not see them
    etag: bool = False  # the 200 answer carries the record's version as ETag (preconditions.py)


ROUTES: list[Route] = []


def route(method: str, path: str, scope: str, summary: str, parameters: list[dict], answer: dict, **options):
    def register(handler: Callable) -> Callable:
        spec = Route(
            method, path, scope, summary, (handler.__doc__ or "").strip(), parameters, answer, handler, **options
        )
        ROUTES.append(spec)
        flask_path = path.replace("{", "<").replace("}", ">")
        blueprint.add_url_rule(
            flask_path, handler.__name__, lambda **path_values: _serve(spec, path_values), methods=[method]
        )
        return handler

    return register


def _serve(spec: Route, path_values: dict) -> Response:
    if spec.scope and spec.scope not in g.api_scopes:
        raise AppError(403, "insufficient_scope", f"this token lacks the scope {spec.scope}")
    if spec.individuals and not may_see_individuals(g.viewer, runtime().org_settings()):
        raise AppError(403, "individuals_hidden", INDIVIDUALS_HIDDEN)
    values = {}
    for param in spec.parameters:
        raw = path_values.get(param["name"]) if param["in"] == "path" else request.args.get(param["name"])
        if raw is None or (raw == "" and param["in"] == "query"):
            if param["required"]:
                raise AppError(400, "missing_parameter", f"{param['name']} is required")
            values[param["name"]] = param["schema"].get("default")
        else:
            values[param["name"]] = _coerce(param, raw)
    if spec.method == "POST":
        return idempotency.answer_once(lambda: spec.handler(**values))
    return spec.handler(**values)


def _cursor(raw: str | None, kind: str) -> object:
    """A page cursor: base64url of [kind, value] (a last id, a last timestamp, or a last (updated_at, id) key)."""
    if raw is None:
        return None
    try:
        found_kind, value = orjson.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, TypeError):
        raise AppError(400, "invalid_cursor", "the cursor is not one this API gave out") from None
    if kind == "id" and found_kind == "id" and isinstance(value, int) and 0 <= value <= MAX_INT:
        return value
    if kind == "ts" and found_kind == "ts" and isinstance(value, str):
        return _parse_moment("cursor", value)
    if kind == "key" and found_kind == "key" and isinstance(value, list) and len(value) == 2:
        moment, last_id = value
        if isinstance(moment, str) and isinstance(last_id, int) and 0 <= last_id <= 2**63 - 1:
            return _parse_moment("cursor", moment), last_id
    raise AppError(400, "invalid_cursor", "the cursor is not one this API gave out")


def _next_cursor(kind: str, value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([kind, value], default=str)).decode().rstrip("=")


def _page(resource: str, limit: int, cursor: str | None, updated_since: datetime | None, **filters: object) -> Response:
    rows = sync.page(
        runtime().db,
        resource,
        g.viewer.scope,
        after=_cursor(cursor, "id"),
        limit=limit + 1,
        since=updated_since,
        filters=filters,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return _json({"data": rows, "next_cursor": _next_cursor("id", rows[-1]["id"]) if more else None})


@route("GET", "/api/v1/token", "", "The token in use: its name, scopes and team limit", [], _ref("TokenInfo"))
def token_info() -> Response:
    """What the token you send may do: call this first to check a new token."""
    return _json(
        {
            "name": g.viewer.username.removeprefix("token:"),
            "scopes": sorted(g.api_scopes),
            "team_ids": g.viewer.scope.team_filter(),
        }
    )


@route(
    "GET",
    "/api/v1/employees",
    "employees:read",
    "Employees",
    [*PAGED, _id_filter("team_id", "one team only")],
    _page_of("Employee"),
    individuals=True,
)
def list_employees(limit: int, cursor: str | None, updated_since: datetime | None, team_id: int | None) -> Response:
    """Employees of the token's teams (all teams when it has no team limit), by id."""
    return _page("employees", limit, cursor, updated_since, team_id=team_id)


@route("GET", "/api/v1/teams", "teams:read", "Teams", PAGED, _page_of("Team"))
def list_teams(limit: int, cursor: str | None, updated_since: datetime | None) -> Response:
    """Teams, with their active members and supervisors' accounts; `updated_since` compares with the team's last
    change."""
    return _page("teams", limit, cursor, updated_since)


@route(
    "GET",
    "/api/v1/devices",
    "devices:read",
    "Trackers and whom they report for",
    [*PAGED, _id_filter("employee_id", "one employee's devices")],
    _page_of("Device"),
    individuals=True,
)
def list_devices(limit: int, cursor: str | None, updated_since: datetime | None, employee_id: int | None) -> Response:
    """Registered trackers (never their secrets); `updated_since` compares with their registration."""
    return _page("devices", limit, cursor, updated_since, employee_id=employee_id)


@route(
    "GET",
    "/api/v1/customers",
    "customers:read",
    "Customers",
    [*PAGED, _param("external_id", {"type": "string", "maxLength": 100}, "the ERP's id")],
    _page_of("Customer"),
)
def list_customers(limit: int, cursor: str | None, updated_since: datetime | None, external_id: str | None) -> Response:
    """Customers whose owner is in the token's teams (all customers without a team limit)."""
    return _page("customers", limit, cursor, updated_since, external_id=external_id)


@route(
    "GET",
    "/api/v1/orders",
    "orders:read",
    "Customers' orders (from the ERP import)",
    [*PAGED, _id_filter("customer_id", "one customer's orders")],
    _page_of("Order"),
)
def list_orders(limit: int, cursor: str | None, updated_since: datetime | None, customer_id: int | None) -> Response:
    """Orders of the customers the token may see."""
    return _page("orders", limit, cursor, updated_since, customer_id=customer_id)


TASK_STATES = ["new", "assigned", "accepted", "en_route", "on_site", "done", "failed", "cancelled"]


@route(
    "GET",
    "/api/v1/tasks",
    "tasks:read",
    "Tasks",
    [
        *PAGED,
        _id_filter("employee_id", "one employee's tasks"),
        _param("state", {"type": "string", "enum": TASK_STATES}, "one state only"),
        _moment("from", "window starts at or after"),
        _moment("to", "window starts before"),
    ],
    _page_of("Task"),
    individuals=True,
)
def list_tasks(
    limit: int,
    cursor: str | None,
    updated_since: datetime | None,
    employee_id: int | None,
    state: str | None,
    **window: datetime | None,
) -> Response:
    """Tasks of the token's teams, as the Tasks page has them: through their assignee, or unassigned through their
    customer's owner."""
    return _page(
        "tasks",
        limit,
        cursor,
        updated_since,
        employee_id=employee_id,
        state=state,
        start=window["from"],
        end=window["to"],
    )


ACTIVITY_KINDS = [
    "visit",
    "note",
    "call",
    "meeting",
    "email",
    "geofence_enter",
    "geofence_exit",
    "stay",
    "check_in",
    "check_out",
]
PERIOD = [_moment("from", "started at or after"), _moment("to", "started before")]


@route(
    "GET",
    "/api/v1/activities",
    "activities:read",
    "Activities: visits, check-ins, notes, geofence events",
    [
        *PAGED,
        _id_filter("employee_id", "one employee's activities"),
        _param("kind", {"type": "string", "enum": ACTIVITY_KINDS}, "one kind only"),
        *PERIOD,
    ],
    _page_of("Activity"),
    individuals=True,
)
def list_activities(
    limit: int,
    cursor: str | None,
    updated_since: datetime | None,
    employee_id: int | None,
    kind: str | None,
    **period: datetime | None,
) -> Response:
    """Activities of people in the token's teams; `updated_since` compares with when the row was recorded."""
    return _page(
        "activities",
        limit,
        cursor,
        updated_since,
        employee_id=employee_id,
        kind=kind,
        start=period["from"],
        end=period["to"],
    )


@route(
    "GET",
    "/api/v1/visits",
    "activities:read",
    "Visits (activities of kind visit)",
    [*PAGED, _id_filter("employee_id", "one employee's visits"), *PERIOD],
    _page_of("Activity"),
    individuals=True,
)
def list_visits(
    limit: int, cursor: str | None, updated_since: datetime | None, employee_id: int | None, **period: datetime | None
) -> Response:
    """Visits, from a customer's site or a phone check-in (`source`): `ended_at` is null while the person is
    still there, and a person has at most one such open visit."""
    return _page(
        "activities",
        limit,
        cursor,
        updated_since,
        employee_id=employee_id,
        kind="visit",
        start=period["from"],
        end=period["to"],
    )


@route(
    "GET",
    "/api/v1/feedback",
    "feedback:read",
    "Post-visit surveys and their answers",
    [*PAGED, _id_filter("employee_id", "one employee's"), _id_filter("customer_id", "one customer's")],
    _page_of("Feedback"),
    individuals=True,
)
def list_feedback(
    limit: int, cursor: str | None, updated_since: datetime | None, employee_id: int | None, customer_id: int | None
) -> Response:
    """Surveys sent after visits; `updated_since` compares with the answer (or the sending)."""
    return _page("feedback", limit, cursor, updated_since, employee_id=employee_id, customer_id=customer_id)


@route(
    "GET",
    "/api/v1/employees/{employee_id}/positions",
    "positions:read",
    "One person's position history",
    [
        _param("employee_id", ID, "the employee", where="path"),
        _moment("from", "at or after", required=True),
        _moment("to", f"before; at most {MAX_TRACK_DAYS} days on", required=True),
        _param("limit", {"type": "integer", "minimum": 1, "maximum": 5000, "default": 1000}, "positions per page"),
        CURSOR,
    ],
    _page_of("Position"),
    errors=(400, 401, 403, 404),
    individuals=True,
)
def employee_positions(employee_id: int, limit: int, cursor: str | None, **period: datetime) -> Response:
    """Stored positions, oldest first. Every call is written to the audit log, like a look at a track on a page."""
    start, end = period["from"], period["to"]
    if not start < end <= start + timedelta(days=MAX_TRACK_DAYS):
        raise AppError(400, "invalid_period", f"to must be after from, at most {MAX_TRACK_DAYS} days on")
    db = runtime().db
    if employees.get_employee(db, g.viewer.scope, employee_id) is None:
        raise AppError(404, "not_found", "no such employee in this token's teams")
    rows = sync.track_page(db, employee_id, start, end, _cursor(cursor, "ts"), limit + 1)
    record_look("view_track", [employee_id], {"via": "api", "from": start.isoformat(), "to": end.isoformat()})
    more = len(rows) > limit
    rows = rows[:limit]
    return _json({"data": rows, "next_cursor": _next_cursor("ts", rows[-1]["ts"].isoformat()) if more else None})


@route(
    "GET",
    "/api/v1/attendance",
    "attendance:read",
    "Attendance: first check-in, last check-out, hours per day",
    [
        _param("from", {"type": "string", "format": "date"}, "first day (the organisation's time zone)", True),
        _param("to", {"type": "string", "format": "date"}, f"last day, at most {MAX_ATTENDANCE_DAYS} days on", True),
    ],
    _object(data={"type": "array", "items": _ref("AttendanceDay")}, timezone=STR),
    individuals=True,
)
def attendance_days(**period: date) -> Response:
    """Per employee and day: the first arrival (check-in or visit start), the last departure (check-out or visit
    end) and the hours between them. Days without either are not listed."""
    rows = attendance_rows(period["from"], period["to"])
    return _json({"data": rows, "timezone": runtime().settings.timezone})


@route(
    "GET",
    "/api/v1/metrics",
    "metrics:read",
    "Figures of a period: totals, per team and per employee",
    [
        _param("from", {"type": "string", "format": "date"}, "first day (the organisation's time zone)", True),
        _param("to", {"type": "string", "format": "date"}, f"last day, at most {MAX_PERIOD_DAYS} days on", True),
        _id_filter("team_id", "one team only"),
    ],
    _ref("Metrics"),
)
def metrics_of_period(team_id: int | None, **period: date) -> Response:
    """Every figure of docs/EFFICIENCY.md ("Figures") over local days from..to, as the performance page, the reports
    and the wall compute it (dashboard/analytics/metrics.py). `employees` is empty, and `employees_shown` false,
    where the organisation's privacy rule hides individuals from the token's role."""
    first, last = period["from"], period["to"]
    if not first <= last <= first + timedelta(days=MAX_PERIOD_DAYS - 1):
        raise AppError(400, "invalid_period", f"to must be on or after from, at most {MAX_PERIOD_DAYS} days on")
    rt = runtime()
    scope = g.viewer.scope.narrowed_to_team(team_id)
    rows = metrics.employee_days(rt.db, scope, first, last, rt.settings.timezone, datetime.now(rt.settings.tz))
    shown = may_see_individuals(g.viewer, rt.org_settings())
    keys = [figure.key for figure in FIGURES]
    total = metrics.total(rows)
    staff = metrics.people(rt.db, scope)
    employees = metrics.per_employee(rows, staff) if shown else []
    if employees:
        record_look("export", [row["employee_id"] for row in employees], {"what": "metrics", "via": "api"})
    teams = metrics.per_team(rows, staff)
    return _json(figures_body(first, last, rt.settings.timezone, keys, total, teams, employees, shown))


@route(
    "GET",
    "/api/v1/reports",
    "reports:read",
    "Stored reports (PDF, XLSX, CSV) and their files",
    [*PAGED, _param("state", {"type": "string", "enum": ["queued", "running", "done", "failed"]}, "one state only")],
    _page_of("Report"),
)
def list_reports(limit: int, cursor: str | None, updated_since: datetime | None, state: str | None) -> Response:
    """Reports whose scope the token's teams cover; `updated_since` compares with when the build finished. Fetch a
    file with GET /api/v1/reports/{report_id}/files/{name}."""
    return _page("reports", limit, cursor, updated_since, state=state)


REPORT_FILE_ANSWER = {
    "200": {
        "description": "The file",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in (
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "text/csv",
            )
        },
    }
}


@route(
    "GET",
    "/api/v1/reports/{report_id}/files/{name}",
    "reports:read",
    "One file of a stored report",
    [
        _param("report_id", ID, "the report", where="path"),
        _param("name", {"type": "string", "maxLength": 200}, "a name from the report's `files`", where="path"),
    ],
    {},
    errors=(400, 401, 403, 404),
    extra_answers=REPORT_FILE_ANSWER,
)
def report_file(report_id: int, name: str) -> Response:
    """The file's bytes; each download is written to the audit log as an export, as on the Reports page."""
    rt = runtime()
    file = reports.report_file(rt.db, g.viewer.scope, report_id, name)
    if file is None:
        raise AppError(404, "not_found", "no such report file for this token")
    if not may_read_report(g.viewer, file["names_individuals"], rt.org_settings()):
        raise AppError(403, "individuals_hidden", INDIVIDUALS_HIDDEN)
    teams = file["scope_team_ids"]
    subjects = reports.employee_ids(rt.db, Scope(None if teams is None else frozenset(teams)))
    record_look("export", subjects, {"report": report_id, "file": name, "via": "api"})
    return Response(
        bytes(file["content"]),
        mimetype=file["media_type"],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(file['name'])}"},
    )


DRY_RUN = _param("dry_run", {"type": "boolean", "default": False}, "report what would change, write nothing")
COORD_SYSTEM = _param(
    "coord_system",
    {"type": "string", "enum": list(SYSTEMS), "default": "wgs84"},
    "the system of the rows' lat/lon (an export from AMap or Tencent is gcj02, from Baidu bd09); stored in WGS-84",
)
IMPORT_CONTENT = {
    "application/json": {"schema": IMPORT_BODY},
    "text/csv": {"schema": {"type": "string"}},
}


def _import(entity: str, dry_run: bool, coord_system: str = "wgs84") -> Response:
    kind = request.mimetype
    if kind == "application/json":
        body = json_body()
        problem = next(Draft4Validator(IMPORT_BODY).iter_errors(body), None)
        if problem is not None:
            reason = str(getattr(problem, "message", problem))[:200]
            raise AppError(400, "invalid_body", f'the body is {{"rows": [...]}}: {reason}')
        rows = body["rows"]
    elif kind == "text/csv":
        try:
            rows = erp.read_rows(request.get_data(), "csv")
        except erp.ImportFileError as exc:
            raise AppError(400, "invalid_file", str(exc)) from None
    else:
        raise AppError(415, "unsupported_media_type", "send application/json or text/csv")
    report = erp.run_import(runtime(), g.viewer.scope, entity, rows, dry_run, coord_system).as_dict()
    return _json(report, 422 if report["errors"] and not dry_run else 200)


IMPORT_ANSWERS = {
    "422": {
        "description": "Rows in error: nothing was written; the report names each",
        "content": {"application/json": {"schema": _ref("ImportReport")}},
    }
}


@route(
    "POST",
    "/api/v1/import/customers",
    "customers:write",
    "Upsert customers by external_id (ERP import)",
    [DRY_RUN, COORD_SYSTEM],
    _ref("ImportReport"),
    body=IMPORT_CONTENT,
    errors=(400, 401, 403, 413, 415),
    extra_answers=IMPORT_ANSWERS,
)
def import_customers(dry_run: bool, coord_system: str) -> Response:
    """Columns: external_id, name, lat, lon (required), address, category, owner_code (an employee's code).
    All or nothing: with any row in error nothing is written (422). A row states the whole customer: an optional
    column left empty is cleared. `dry_run=true` reports created / updated / unchanged per row. A token limited to
    teams updates only its teams' customers, each with an owner of its teams, and creates none: an id stored
    outside its teams is answered like an id stored nowhere. `coord_system` names the system of lat/lon."""
    return _import("customers", dry_run, coord_system)


@route(
    "POST",
    "/api/v1/import/orders",
    "orders:write",
    "Upsert orders by external_id (ERP import)",
    [DRY_RUN],
    _ref("ImportReport"),
    body=IMPORT_CONTENT,
    errors=(400, 401, 403, 413, 415),
    extra_answers=IMPORT_ANSWERS,
)
def import_orders(dry_run: bool) -> Response:
    """Columns: external_id, customer_external_id, number (required), status (default open), amount, currency
    (ISO 4217), due_date (YYYY-MM-DD), summary. The customer must exist (import customers first). All or nothing,
    like customers. A token limited to teams updates only the orders of its teams' customers and creates none."""
    return _import("orders", dry_run)


# Alerts (issue 17): what a rule raised for a person to act on, and the rules that raise them. Alerts are pages
# by (updated_at, id), so `updated_since` with the cursor follows every change of state; a token acts on them as
# its maker (acknowledged_by, resolved_by) within its team limit.

ALERT_KEYS = (
    "id",
    "rule_id",
    "rule_name",
    "kind",
    "severity",
    "state",
    "employee_id",
    "team_id",
    "team_name",
    "at",
    "created_at",
    "updated_at",
    "subject",
    "task_id",
    "zone_id",
    "detail",
    "lat",
    "lon",
    "accuracy_m",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "resolution",
)
RULE_KEYS = ("id", "builtin", *alerts.RULE_FIELDS, "created_by", "created_at", "updated_at")
IDS_N = _t("array", True, items=INT)
RECIPIENT = {
    "oneOf": [
        {"type": "string", "enum": list(alerts.RELATIVE_RECIPIENTS)},
        {"type": "object", "required": ["user"], "properties": {"user": ID}, "additionalProperties": False},
    ]
}
SCHEMAS["Alert"] = _object(
    id=INT,
    rule_id=INT_N,
    rule_name=STR_N,
    kind=_t("string", enum=list(alerts.KINDS)),
    severity=_t("string", enum=list(alerts.SEVERITIES)),
    state=_t("string", enum=list(alerts.STATES)),
    employee_id=INT,
    employee_code=STR,
    employee_name=STR,
    team_id=INT_N,
    team_name=STR_N,
    at=TIME,
    created_at=TIME,
    updated_at=TIME,
    subject=STR,
    task_id=INT_N,
    zone_id=INT_N,
    detail={"type": "object"},
    lat=NUM_N,
    lon=NUM_N,
    accuracy_m=NUM_N,
    acknowledged_at=TIME_N,
    acknowledged_by=INT_N,
    resolved_at=TIME_N,
    resolved_by=INT_N,
    resolution=_t("string", True, enum=["resolved", "cleared"]),
)
SCHEMAS["AlertRule"] = _object(
    id=INT,
    builtin=BOOL,
    kind=_t("string", enum=list(alerts.KINDS)),
    name=STR,
    severity=_t("string", enum=list(alerts.SEVERITIES)),
    params={"type": "object"},
    team_ids=IDS_N,
    employee_ids=IDS_N,
    zone_ids=IDS_N,
    working_hours_only=BOOL,
    cooldown_min=INT,
    recipients={"type": "array", "items": RECIPIENT},
    channels={"type": "array", "items": _t("string", enum=list(alerts.CHANNELS))},
    robot_ids={"type": "array", "items": INT},
    enabled=BOOL,
    created_by=INT_N,
    created_at=TIME,
    updated_at=TIME,
)
_RULE_NUMBER = {"type": "number"}
_CLOCK = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "description": "HH:MM, the organisation's time"}
_BODY_IDS = {"type": "array", "nullable": True, "maxItems": 1000, "items": ID}
RULE_PROPERTIES = {
    "kind": {"type": "string", "enum": [key for key, kind in alerting.KINDS.items() if kind.user_made]},
    "name": {"type": "string", "minLength": 1, "maxLength": 120},
    "severity": {"type": "string", "enum": list(alerts.SEVERITIES)},
    "params": {
        "type": "object",
        "description": "minutes (silent, idle, task_overdue), percent (low_battery), kmh and seconds (speeding), "
        "stars (low_survey), score (low_trust_check_in), days (customer_overdue); from and to: a daily window of a "
        "zone rule",
        "properties": {"minutes": _RULE_NUMBER, "percent": _RULE_NUMBER, "kmh": _RULE_NUMBER, "seconds": _RULE_NUMBER}
        | {"stars": _RULE_NUMBER, "score": _RULE_NUMBER, "days": _RULE_NUMBER, "from": _CLOCK, "to": _CLOCK},
        "additionalProperties": False,
    },
    "team_ids": _BODY_IDS | {"description": "null: every team (a team-limited token: its teams)"},
    "employee_ids": _BODY_IDS | {"description": "null: everyone in the teams"},
    "zone_ids": _BODY_IDS | {"description": "zone rules: the zones watched (null: the work areas)"},
    "working_hours_only": {"type": "boolean", "default": True},
    "cooldown_min": {"type": "integer", "minimum": 0, "maximum": 10080, "default": 30},
    "recipients": {"type": "array", "maxItems": 100, "items": RECIPIENT},
    "channels": {"type": "array", "maxItems": 4, "items": {"type": "string", "enum": list(alerts.CHANNELS)}},
    "robot_ids": {"type": "array", "maxItems": 100, "items": ID},
    "enabled": {"type": "boolean", "default": True},
}
RULE_CHANGE_BODY = {
    "type": "object",
    "properties": RULE_PROPERTIES | {"kind": {"type": "string", "enum": list(alerts.KINDS)}},  # it cannot change
    "additionalProperties": False,
}
RULE_BODY = {
    "type": "object",
    "required": ["kind", "name"],
    "properties": RULE_PROPERTIES,
    "additionalProperties": False,
}
BUILTIN_CHANGES = ("recipients", "channels", "robot_ids")  # all that the built-in help rule lets change
ALERT_ID = _param("alert_id", ID, "the alert", where="path")
RULE_ID = _param("rule_id", ID, "the rule", where="path")


def _draft4(schema: object) -> object:
    """An OpenAPI 3.0 schema as JSON Schema draft 4 reads it: `nullable` becomes a null type."""
    if isinstance(schema, list):
        return [_draft4(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _draft4(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
    return out


def checked_body(schema: dict, code: str = "invalid_body") -> dict:
    """The request's JSON body, checked against the published schema: 400 `code` naming the field at fault."""
    body = json_body(force=True)
    problem = best_match(Draft4Validator(_draft4(schema)).iter_errors(body))
    if problem is not None:
        raise AppError(400, code, str(problem.message)[:200], field=_field_of(problem))
    holding = _nul_at(body)
    if holding is not None:  # PostgreSQL's text cannot hold one: refused here for every write, not one field at a time
        raise AppError(400, code, "text may not contain a NUL character", field=holding or None)
    return body


def _nul_at(value: object, path: str = "") -> str | None:
    """The dotted path of the first text in a JSON value that holds a NUL character ("" for the value itself), or
    None when none does."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        inner = path if isinstance(key, int) else f"{path}.{key}" if path else key  # indices unnamed, as _field_of
        found = _nul_at(child, inner)
        if found is not None:
            return found
    return None


def _field_of(problem: ValidationError) -> str | None:
    path = [str(part) for part in problem.absolute_path if not isinstance(part, int)]
    instance = problem.instance if isinstance(problem.instance, dict) else {}
    if problem.validator == "required":
        path.append(next(key for key in problem.validator_value if key not in instance))
    elif problem.validator == "additionalProperties":
        path.append(sorted(set(instance) - set(problem.schema.get("properties", {})))[0])
    return ".".join(path) or None


def _alert_answer(row: dict) -> dict:
    return {key: row[key] for key in ALERT_KEYS} | {"employee_code": row["code"], "employee_name": row["name"]}


def _alerts_answer(rows: list[dict]) -> list[dict]:
    """Alerts as the API gives them; those that show where someone was are audited like a look at a position."""
    placed = [row for row in rows if row["lat"] is not None]
    if placed:
        subjects = sorted({row["employee_id"] for row in placed})
        record_look("view_alert", subjects, {"via": "api", "alerts": [row["id"] for row in placed]})
    return [_alert_answer(row) for row in rows]


def _alert_in_scope(alert_id: int) -> dict:
    found = alerts.get_alert(runtime().db, alert_id, g.viewer.scope)
    if found is None:
        raise AppError(404, "not_found", "no such alert in this token's teams")
    return found


@route(
    "GET",
    "/api/v1/alerts",
    "alerts:read",
    "Alerts raised by the alert rules",
    [
        LIMIT,
        CURSOR,
        _moment("updated_since", "only alerts raised or changed at or after this moment (ISO-8601 with a zone)"),
        _param("state", {"type": "string", "enum": list(alerts.STATES)}, "one state only"),
        _param("severity", {"type": "string", "enum": list(alerts.SEVERITIES)}, "one severity only"),
        _param("kind", {"type": "string", "enum": list(alerts.KINDS)}, "one kind of rule only"),
        _id_filter("team_id", "one team's people only"),
        _id_filter("employee_id", "one person's alerts"),
    ],
    _page_of("Alert"),
    individuals=True,
)
def list_alerts(
    limit: int,
    cursor: str | None,
    updated_since: datetime | None,
    state: str | None,
    severity: str | None,
    kind: str | None,
    team_id: int | None,
    employee_id: int | None,
) -> Response:
    """Alerts about people in the token's teams, oldest change first: each is listed again when it is acknowledged
    or resolved (its `updated_at` moves), so a sync that keeps the newest `updated_at` and passes it as
    `updated_since` sees every change of state. An alert with a position is audited like a look at it."""
    rows = alerts.list_alerts(
        runtime().db,
        g.viewer.scope,
        states=[state] if state else None,
        severities=[severity] if severity else None,
        kinds=[kind] if kind else None,
        team_id=team_id,
        employee_id=employee_id,
        updated_since=updated_since,
        after=_cursor(cursor, "key"),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    next_cursor = _next_cursor("key", [last["updated_at"].isoformat(), last["id"]]) if last else None
    return _json({"data": _alerts_answer(rows), "next_cursor": next_cursor})


@route(
    "GET",
    "/api/v1/alerts/{alert_id}",
    "alerts:read",
    "One alert",
    [ALERT_ID],
    _ref("Alert"),
    errors=(400, 401, 403, 404),
    individuals=True,
)
def get_alert(alert_id: int) -> Response:
    """The alert, when it is about someone in the token's teams (404 otherwise, as for one that does not exist)."""
    return _json(_alerts_answer([_alert_in_scope(alert_id)])[0])


def _change_alert(alert_id: int, change: Callable[..., bool], allowed_from: tuple[str, ...]) -> Response:
    found = _alert_in_scope(alert_id)
    if found["state"] not in allowed_from or not change(runtime(), g.viewer, alert_id):
        state = _alert_in_scope(alert_id)["state"]
        raise AppError(409, f"already_{state}", f"the alert is already {state}", state=state)
    return _json(_alerts_answer([_alert_in_scope(alert_id)])[0])


@route(
    "POST",
    "/api/v1/alerts/{alert_id}/acknowledge",
    "alerts:write",
    "Acknowledge an open alert (taken in hand)",
    [ALERT_ID],
    _ref("Alert"),
    errors=(400, 401, 403, 404, 409),
    individuals=True,
)
def acknowledge_alert(alert_id: int) -> Response:
    """Open → acknowledged, by the token's maker, now. 409 `already_acknowledged` or `already_resolved` when the
    alert is not open."""
    return _change_alert(alert_id, alerting.acknowledge, ("open",))


@route(
    "POST",
    "/api/v1/alerts/{alert_id}/resolve",
    "alerts:write",
    "Resolve an alert",
    [ALERT_ID],
    _ref("Alert"),
    errors=(400, 401, 403, 404, 409),
    individuals=True,
)
def resolve_alert(alert_id: int) -> Response:
    """Open or acknowledged → resolved (resolution `resolved`), by the token's maker, now; announced by the
    webhook event `alert.resolved`. 409 `already_resolved` when it is resolved already (by a person, or cleared:
    the condition ended)."""
    return _change_alert(alert_id, alerting.resolve, ("open", "acknowledged"))


def token_planner() -> Viewer:
    """A token makes and changes rules and tasks as a supervisor of its teams would, or as a manager without a team
    limit."""
    return replace(g.viewer, role="manager" if g.viewer.scope.team_ids is None else "supervisor")


def _rule_answer(row: dict) -> dict:
    return {key: row[key] for key in RULE_KEYS}


def _visible_rule(rule_id: int) -> dict:
    """A rule the token may read: any without a team limit; with one, those for every team or one of its teams."""
    found = alerts.rule(runtime().db, rule_id)
    teams = g.viewer.scope.team_ids
    if found is None or not (teams is None or found["team_ids"] is None or teams & set(found["team_ids"])):
        raise AppError(404, "not_found", "no such alert rule for this token's teams")
    return found


def _managed_rule(rule_id: int) -> dict:
    found = _visible_rule(rule_id)
    if not alerting.may_manage(token_planner(), found):
        raise AppError(403, "forbidden", "a team-limited token changes only the rules of its own teams")
    return found


@route(
    "GET",
    "/api/v1/alert-rules",
    "alerts:read",
    "Alert rules",
    [*PAGED, _param("kind", {"type": "string", "enum": list(alerts.KINDS)}, "one kind only")],
    _page_of("AlertRule"),
)
def list_alert_rules(limit: int, cursor: str | None, updated_since: datetime | None, kind: str | None) -> Response:
    """The rules, by id: with a team limit, those for every team and those for one of the token's teams."""
    after = _cursor(cursor, "id") or 0
    rows = sorted(alerts.rules(runtime().db, team_ids=g.viewer.scope.team_filter()), key=lambda row: row["id"])
    rows = [
        row
        for row in rows
        if row["id"] > after
        and (kind is None or row["kind"] == kind)
        and (updated_since is None or row["updated_at"] >= updated_since)
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _next_cursor("id", rows[-1]["id"]) if more else None
    return _json({"data": [_rule_answer(row) for row in rows], "next_cursor": next_cursor})


@route(
    "GET",
    "/api/v1/alert-rules/{rule_id}",
    "alerts:read",
    "One alert rule",
    [RULE_ID],
    _ref("AlertRule"),
    errors=(400, 401, 403, 404),
)
def get_alert_rule(rule_id: int) -> Response:
    """The rule (404 for one outside a team-limited token's teams)."""
    return _json(_rule_answer(_visible_rule(rule_id)))


RULE_CREATED = {
    "201": {
        "description": "Created; Location names the new rule",
        "headers": {"Location": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": _ref("AlertRule")}},
    }
}


@route(
    "POST",
    "/api/v1/alert-rules",
    "alerts:write",
    "Create an alert rule",
    [],
    {},
    body={"application/json": {"schema": RULE_BODY}},
    errors=(400, 401, 403),
    extra_answers=RULE_CREATED,
)
def create_alert_rule() -> Response:
    """A rule of a kind with its parameters (each kind's defaults fill what is left out), its scope of teams,
    people and zones, working hours as its calendar unless `working_hours_only` is false, a cooldown, recipients
    and channels. A 400 names the field at fault in `field`. A team-limited token makes rules for its own teams
    only (with no `team_ids`: all of them)."""
    maker = token_planner()
    values = alerting.validate_rule(checked_body(RULE_BODY, "invalid_rule"), maker)
    rule_id = alerts.create_rule(runtime().db, values, maker.user_id)
    answer = _json(_rule_answer(alerts.rule(runtime().db, rule_id)), 201)
    answer.headers["Location"] = f"/api/v1/alert-rules/{rule_id}"
    return answer


@route(
    "PATCH",
    "/api/v1/alert-rules/{rule_id}",
    "alerts:write",
    "Change an alert rule",
    [RULE_ID],
    _ref("AlertRule"),
    body={"application/json": {"schema": RULE_CHANGE_BODY}},
    errors=(400, 401, 403, 404),
)
def change_alert_rule(rule_id: int) -> Response:
    """The fields sent change, the others stay; a rule's kind never changes. The built-in help rule changes only
    in its recipients, channels and robots (400 naming any other field sent with a different value)."""
    existing = _managed_rule(rule_id)
    body = checked_body(RULE_CHANGE_BODY, "invalid_rule")
    if existing["builtin"]:
        fixed = next((key for key in body if key not in BUILTIN_CHANGES and body[key] != existing[key]), None)
        if fixed is not None:
            message = "the built-in help rule changes only in its recipients, channels and robots"
            raise AppError(400, "invalid_rule", message, field=fixed)
    values = alerting.validate_rule(body, token_planner(), existing=existing)
    alerts.update_rule(runtime().db, rule_id, values)
    return _json(_rule_answer(alerts.rule(runtime().db, rule_id)))


@route(
    "DELETE",
    "/api/v1/alert-rules/{rule_id}",
    "alerts:write",
    "Remove an alert rule",
    [RULE_ID],
    {},
    errors=(400, 401, 403, 404, 409),
    extra_answers={"204": {"description": "Removed; the alerts it raised stay"}},
)
def delete_alert_rule(rule_id: int) -> Response:
    """The rule goes; the alerts it raised stay (their `rule_id` becomes null). The built-in help rule cannot be
    removed: 409 `builtin_rule`."""
    if _managed_rule(rule_id)["builtin"]:
        raise AppError(409, "builtin_rule", "the built-in help rule cannot be removed")
    if not alerts.delete_rule(runtime().db, rule_id):
        raise AppError(404, "not_found", "no such alert rule for this token's teams")
    return Response(status=204)


# The OpenAPI document's part for these routes.

ERROR_TEXT = {
    400: "Bad parameter or body (code invalid_parameter, missing_parameter, invalid_cursor, invalid_period, "
    "invalid_body, invalid_rule; `field` names the body's field at fault, ...)",
    401: "No valid token (code token_required, invalid_token)",
    403: "The token lacks the scope (code insufficient_scope), its maker may not see individuals "
    "(individuals_hidden), or the thing is outside its team limit (forbidden)",
    404: "Not found (code not_found)",
    409: "The resource is not in a state that allows this (code already_acknowledged, already_resolved, builtin_rule, "
    "illegal_transition, not_empty), a unique value is taken (conflict; `field` names it), or a request with this "
    "Idempotency-Key is still being answered (idempotency_key_in_progress, with Retry-After)",
    412: "If-Match names an older version: the record changed since it was read, nothing was changed "
    "(code precondition_failed)",
    413: "The body is too large (code too_large)",
    415: "Send application/json or text/csv (code unsupported_media_type)",
    422: "This Idempotency-Key was used for another request (code idempotency_key_reused)",
}
# Every error under /api/ is RFC 9457 problem details that also carry the one error shape (openapi.py's schemas).
PROBLEM = {"application/problem+json": {"schema": _ref("Problem")}}
UNAVAILABLE = {
    "description": "PostgreSQL or Redis cannot be reached now, or the writer's backlog is full (code unavailable; "
    "`dependency` names which is down): retry after Retry-After seconds",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": PROBLEM,
}


def openapi_paths() -> dict:
    paths: dict = {}
    for spec in ROUTES:
        answers = {"200": {"description": "OK", "content": {"application/json": {"schema": spec.answer}}}}
        if spec.etag:
            answers["200"]["headers"] = preconditions.ETAG_HEADER
        answers = (answers if spec.answer else {}) | spec.extra_answers
        answers |= {str(status): {"description": ERROR_TEXT[status], "content": PROBLEM} for status in spec.errors}
        answers["503"] = UNAVAILABLE
        operation = {
            "operationId": spec.handler.__name__,
            "summary": spec.summary,
            "description": spec.description + (f"\n\nScope: `{spec.scope}`." if spec.scope else ""),
            "tags": [spec.path.split("/")[3]],
            "security": [{"apiToken": []}],
            "parameters": spec.parameters,
            "responses": answers,
        }
        if spec.method == "POST":  # every POST: a retry with the same Idempotency-Key is answered, not done, again
            operation["parameters"] = [*spec.parameters, idempotency.PARAMETER]
            for status in ("409", "422"):
                if int(status) in spec.errors:
                    continue
                known = answers.get(status, {"description": "", "content": {}})  # the import's 422 report stays
                description = f"{known['description']}; or: {ERROR_TEXT[int(status)]}".removeprefix("; or: ")
                answers[status] = {"description": description, "content": known["content"] | PROBLEM}
        if spec.method == "PATCH":
            operation["parameters"] = [*spec.parameters, preconditions.PARAMETER]
            answers["412"] = {"description": ERROR_TEXT[412], "content": PROBLEM}
        if spec.body:
            operation["requestBody"] = {"required": True, "content": spec.body}
        paths.setdefault(spec.path, {})[spec.method.lower()] = operation
    return paths
