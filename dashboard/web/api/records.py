"""Single records of the token API (issue 18): `GET /api/v1/{resource}/{id}` for every listed resource, and
`GET /api/v1/{resource}/by-external-id/{external_id}` for those an ERP names (customers, orders, tasks; employees
and teams in people.py). A record outside the token's scope is 404 `not_found`, exactly as one that does not exist.
Records that change (customers, orders, tasks) carry their version as an ETag (preconditions.py)."""

from __future__ import annotations

from flask import Response, g

from dashboard.core.errors import AppError
from dashboard.core.runtime import runtime
from dashboard.web.api import preconditions
from dashboard.web.api.routes import ID, _param, _ref, route
from data import sync

EXTERNAL_ID = {"type": "string", "minLength": 1, "maxLength": 100}
RECORD_ERRORS = (400, 401, 403, 404)


def found(resource: str, noun: str, **key: object) -> dict:
    """One row of a resource in the token's scope, by id or external id; 404 otherwise."""
    row = sync.one(runtime().db, resource, g.viewer.scope, **key)
    if row is None:
        raise AppError(404, "not_found", f"no such {noun} in this token's teams")
    return row


def answer(row: dict, status: int = 200, location: str | None = None) -> Response:
    """A row of data/sync.py as the API gives it, its version as the ETag."""
    version = row.pop("version", None)
    return preconditions.record_answer(row, version, status, location)


def _declare(resource: str, noun: str, scope: str, schema: str, individuals: bool, external_id: bool) -> None:
    """Declare the single-record GET (and the external-id lookup) of one resource of data/sync.py."""
    id_param = f"{noun}_id"

    def by_id(**values: int) -> Response:
        return answer(found(resource, noun, id=values[id_param]))

    by_id.__name__ = f"get_{noun}"
    by_id.__doc__ = f"One {noun}, by id: 404 outside the token's teams, as for an id that does not exist."
    route(
        "GET",
        f"/api/v1/{resource}/{{{id_param}}}",
        scope,
        f"One {noun}",
        [_param(id_param, ID, f"the {noun}'s id", where="path")],
        _ref(schema),
        errors=RECORD_ERRORS,
        individuals=individuals,
        etag=sync.RESOURCES[resource].version is not None,
    )(by_id)
    if not external_id:
        return

    def by_external_id(external_id: str) -> Response:
        return answer(found(resource, noun, external_id=external_id))

    by_external_id.__name__ = f"get_{noun}_by_external_id"
    by_external_id.__doc__ = f"One {noun}, by the ERP's id: 404 outside the token's teams, as for an unknown one."
    route(
        "GET",
        f"/api/v1/{resource}/by-external-id/{{external_id}}",
        scope,
        f"One {noun}, by its external id",
        [_param("external_id", EXTERNAL_ID, "the ERP's id", where="path")],
        _ref(schema),
        errors=RECORD_ERRORS,
        individuals=individuals,
        etag=sync.RESOURCES[resource].version is not None,
    )(by_external_id)


# resource, noun, scope, schema, about individuals, named by an external id
for spec in (
    ("devices", "device", "devices:read", "Device", True, False),
    ("customers", "customer", "customers:read", "Customer", False, True),
    ("orders", "order", "orders:read", "Order", False, True),
    ("tasks", "task", "tasks:read", "Task", True, True),
    ("activities", "activity", "activities:read", "Activity", True, False),
    ("feedback", "feedback", "feedback:read", "Feedback", True, False),
    ("reports", "report", "reports:read", "Report", False, False),
):
    _declare(*spec)
