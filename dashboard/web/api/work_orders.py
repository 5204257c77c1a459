"""Work orders from an ERP (issue 18): tasks created, rescheduled, reassigned and cancelled through the task
lifecycle (dashboard/work/lifecycle.py: validate_task, create_task, edit_task, change_state), the one task state
machine, so every change has its event and its `task.state_changed` webhook as on the Tasks page. The token plans as
a supervisor of its teams (a manager without a team limit): a team-limited token creates tasks only for its teams'
customers and assigns them only to its teams' people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import psycopg2.errors
from flask import Response, g

from dashboard.core.errors import AppError
from dashboard.core.runtime import runtime
from dashboard.web.api import preconditions
from dashboard.web.api.records import answer, found
from dashboard.web.api.routes import ID, _param, _parse_moment, _ref, checked_body, route, token_planner
from dashboard.work import lifecycle
from data import customers

TASK_ID = _param("task_id", ID, "the task's id", where="path")
_MOMENT = {"type": "string", "format": "date-time", "nullable": True, "description": "ISO-8601 with a zone"}
TASK_PROPERTIES = {
    "kind": {"type": "string", "enum": list(lifecycle.KINDS), "default": "visit"},
    "priority": {"type": "integer", "enum": list(lifecycle.PRIORITIES), "default": 2, "description": "1 urgent, 3 low"},
    "window_start": _MOMENT | {"description": "when the visit may start (ISO-8601 with a zone)"},
    "window_end": _MOMENT | {"description": "when it must be done by (after window_start)"},
    "duration_min": {"type": "integer", "minimum": 1, "maximum": lifecycle.MAX_DURATION_MIN},
    "notes": {"type": "string", "nullable": True, "maxLength": 2000},
    "employee_id": ID | {"nullable": True, "description": "who does it (the task is then assigned); null: nobody"},
}
TASK_BODY = {
    "type": "object",
    "properties": {
        "customer_id": ID | {"description": "the customer (or customer_external_id)"},
        "customer_external_id": {"type": "string", "minLength": 1, "maxLength": 100},
        "external_id": {"type": "string", "minLength": 1, "maxLength": 100, "description": "the ERP's id (unique)"},
    }
    | TASK_PROPERTIES,
    "additionalProperties": False,
}
TASK_CHANGE_BODY = {
    "type": "object",
    "properties": TASK_PROPERTIES
    | {"state": {"type": "string", "enum": ["cancelled"], "description": "cancel the task (sent alone)"}},
    "additionalProperties": False,
}
CREATED = {
    "201": {
        "description": "Created; Location names the new task, ETag is its version",
        "headers": {"Location": {"schema": {"type": "string"}}} | preconditions.ETAG_HEADER,
        "content": {"application/json": {"schema": _ref("Task")}},
    }
}


def _lifecycle(change: Callable[[], object]) -> object:
    """A change of the task lifecycle; its refusal as the API's problem, naming the field at fault."""
    try:
        return change()
    except lifecycle.StaleTask:
        raise preconditions.stale() from None
    except lifecycle.TaskNotFound as exc:
        raise AppError(404, "not_found", str(exc)) from None
    except lifecycle.IllegalTransition as exc:
        raise AppError(409, "illegal_transition", str(exc), field="state", state=exc.from_state) from None
    except lifecycle.NotAllowed as exc:
        raise AppError(403, "forbidden", str(exc), **({"field": exc.field} if exc.field else {})) from None
    except lifecycle.TaskError as exc:
        raise AppError(400, "invalid_task", str(exc), **({"field": exc.field} if exc.field else {})) from None


def _moment(body: dict, key: str) -> datetime | None:
    raw = body.get(key)
    if raw is None:
        return None
    try:
        return _parse_moment(key, raw)
    except AppError as exc:
        raise AppError(400, "invalid_task", exc.message, field=key) from None


def _customer_id(body: dict) -> int:
    if ("customer_id" in body) == ("customer_external_id" in body):
        raise AppError(
            400, "invalid_task", "give customer_id or customer_external_id (one of them)", field="customer_id"
        )
    if "customer_id" in body:
        return body["customer_id"]
    known = customers.customers_by_external_id(runtime().db, g.viewer.scope, [body["customer_external_id"]])
    if not known:
        message = "no customer of this token's teams has this external id"
        raise AppError(400, "invalid_task", message, field="customer_external_id")
    return known[body["customer_external_id"]]["id"]


@route(
    "POST",
    "/api/v1/tasks",
    "tasks:write",
    "Create a work order (task)",
    [],
    {},
    body={"application/json": {"schema": TASK_BODY}},
    errors=(400, 401, 403, 409),
    extra_answers=CREATED,
    individuals=True,
)
def create_task() -> Response:
    """A task at a customer (by `customer_id` or `customer_external_id`), state `new`, or `assigned` when it names
    `employee_id`. `kind` defaults to visit, `priority` to 2, `duration_min` to the organisation's default. The ERP's
    `external_id` is unique (409 `conflict`): send POSTs with an Idempotency-Key so a retry creates nothing twice."""
    rt, planner = runtime(), token_planner()
    body = checked_body(TASK_BODY)
    task = _lifecycle(
        lambda: lifecycle.validate_task(
            rt,
            planner,
            customer_id=_customer_id(body),
            kind=body.get("kind", "visit"),
            priority=body.get("priority", 2),
            window_start=_moment(body, "window_start"),
            window_end=_moment(body, "window_end"),
            duration_min=body.get("duration_min", lifecycle.default_duration_min(rt)),
            notes=body.get("notes"),
            employee_id=body.get("employee_id"),
        )
    )
    try:
        task_id = lifecycle.create_task(rt, planner, task, body.get("external_id"))
    except psycopg2.errors.UniqueViolation:
        raise AppError(409, "conflict", "a task already has this external_id", field="external_id") from None
    return answer(found("tasks", "task", id=task_id), 201, f"/api/v1/tasks/{task_id}")


@route(
    "PATCH",
    "/api/v1/tasks/{task_id}",
    "tasks:write",
    "Reschedule, reassign, change or cancel a work order",
    [TASK_ID],
    _ref("Task"),
    body={"application/json": {"schema": TASK_CHANGE_BODY}},
    errors=(400, 401, 403, 404, 409),
    individuals=True,
    etag=True,
)
def change_task(task_id: int) -> Response:
    """The fields sent change, the others stay: a new window reschedules; `employee_id` reassigns (null hands it back
    to the planners: state new), through the lifecycle's assignment. `{"state": "cancelled"}`, sent alone, cancels
    it (409 `illegal_transition` once it is on site or finished). A finished task is not edited (400). With If-Match,
    a task changed since that version is 412 and nothing changes."""
    rt, planner = runtime(), token_planner()
    body = checked_body(TASK_CHANGE_BODY)
    current = found("tasks", "task", id=task_id)
    version = preconditions.check_version(current["version"])
    if "state" in body:
        if len(body) > 1:
            raise AppError(400, "invalid_task", "a cancellation is sent alone", field="state")
        cancel = lifecycle.change_state
        _lifecycle(lambda: cancel(rt, task_id, "cancelled", planner, reason=g.viewer.username, version=version))
        return answer(found("tasks", "task", id=task_id))
    wanted = {key: current[key] for key in TASK_PROPERTIES} | body
    for key in ("window_start", "window_end"):
        wanted[key] = _moment(body, key) if key in body else current[key]
    task = _lifecycle(lambda: lifecycle.validate_task(rt, planner, customer_id=current["customer_id"], **wanted))
    _lifecycle(lambda: lifecycle.edit_task(rt, planner, task_id, task, version))
    return answer(found("tasks", "task", id=task_id))
