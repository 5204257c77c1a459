"""Customers written one at a time by an ERP (issue 18), through the ERP import's own checks and upsert
(dashboard/work/erp.run_import with one row): the same rules as `POST /api/v1/import/customers`, answered as one
record. A customer is named by the ERP's `external_id`; the owner by an employee's code (`owner_code`)."""

from __future__ import annotations

from flask import Response, g

from dashboard.core.errors import AppError
from dashboard.core.runtime import runtime
from dashboard.geo.coords import SYSTEMS, to_wgs84
from dashboard.geo.tiles import offset_regions
from dashboard.web.api import preconditions
from dashboard.web.api.records import answer, found
from dashboard.web.api.routes import ID, _param, _ref, checked_body, route
from dashboard.work import erp
from data import employees
from data.scope import Scope

CUSTOMER_ID = _param("customer_id", ID, "the customer's id", where="path")
_TEXT = {"type": "string", "nullable": True}
CUSTOMER_PROPERTIES = {
    "name": {"type": "string", "minLength": 1, "maxLength": erp.TEXT_LIMITS["name"]},
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "lon": {"type": "number", "minimum": -180, "maximum": 180},
    "category": _TEXT | {"maxLength": erp.TEXT_LIMITS["category"]},
    "address": _TEXT | {"maxLength": erp.TEXT_LIMITS["address"]},
    "owner_code": _TEXT
    | {
        "maxLength": erp.TEXT_LIMITS["owner_code"],
        "description": "the owner's employee code (a team-limited token: one of its teams')",
    },
    "coord_system": {
        "type": "string",
        "enum": list(SYSTEMS),
        "description": "the system of lat/lon sent (default wgs84; AMap and Tencent give gcj02, Baidu bd09); "
        "stored and answered in WGS-84",
    },
}
CUSTOMER_BODY = {
    "type": "object",
    "required": ["external_id", "name", "lat", "lon"],
    "properties": {"external_id": {"type": "string", "minLength": 1, "maxLength": erp.TEXT_LIMITS["external_id"]}}
    | CUSTOMER_PROPERTIES,
    "additionalProperties": False,
}
CUSTOMER_CHANGE_BODY = {"type": "object", "properties": CUSTOMER_PROPERTIES, "additionalProperties": False}
CREATED = {
    "201": {
        "description": "Created; Location names the new customer, ETag is its version",
        "headers": {"Location": {"schema": {"type": "string"}}} | preconditions.ETAG_HEADER,
        "content": {"application/json": {"schema": _ref("Customer")}},
    }
}


def _in_wgs84(body: dict) -> dict:
    """The body with its lat/lon in WGS-84, as stored (coord_system says what they were sent in)."""
    body = dict(body)
    system = body.pop("coord_system", "wgs84")
    if system != "wgs84" and "lat" in body and "lon" in body:
        body["lat"], body["lon"] = to_wgs84(body["lat"], body["lon"], system, offset_regions(runtime().org_settings()))
    elif system != "wgs84" and ("lat" in body or "lon" in body):
        raise AppError(400, "invalid_body", "with coord_system, send lat and lon together", field="lat")
    return body


def _upsert(row: dict) -> dict:
    """Write one customer as the ERP import does (its checks, its upsert, within the token's scope); 400 naming the
    field of the first problem. Returns the customer as the API gives it."""
    report = erp.run_import(runtime(), g.viewer.scope, "customers", [row], dry_run=False)
    if report.errors:
        error = report.errors[0]
        raise AppError(
            400, "invalid_customer", error["message"], **({"field": error["field"]} if error["field"] else {})
        )
    # The external id as the import stored it (trimmed, as every text of a row is), not as it was sent.
    return found("customers", "customer", external_id=report.rows[0]["external_id"])


@route(
    "POST",
    "/api/v1/customers",
    "customers:write",
    "Add a customer",
    [],
    {},
    body={"application/json": {"schema": CUSTOMER_BODY}},
    errors=(400, 401, 403, 409),
    extra_answers=CREATED,
)
def create_customer() -> Response:
    """A new customer named by the ERP's `external_id` (409 `conflict` when a customer has it: PATCH that one). As
    the import: a team-limited token creates no customer (external ids are one namespace for the whole
    organisation), so an ERP that creates customers uses a token without a team limit."""
    body = _in_wgs84(checked_body(CUSTOMER_BODY))
    row = {key: body.get(key) for key in erp.COLUMNS["customers"]}
    check = erp.run_import(runtime(), g.viewer.scope, "customers", [row], dry_run=True)  # the import's own checks
    if not check.errors and check.rows[0]["action"] != "created":
        raise AppError(409, "conflict", "a customer already has this external_id", field="external_id")
    created = _upsert(row)
    return answer(created, 201, f"/api/v1/customers/{created['id']}")


@route(
    "PATCH",
    "/api/v1/customers/{customer_id}",
    "customers:write",
    "Change a customer",
    [CUSTOMER_ID],
    _ref("Customer"),
    body={"application/json": {"schema": CUSTOMER_CHANGE_BODY}},
    errors=(400, 401, 403, 404, 409),
    etag=True,
)
def change_customer(customer_id: int) -> Response:
    """The fields sent change, the others stay (null clears an optional one). Only a customer with an external id
    (one the ERP made or imported) is written here: 409 `no_external_id` otherwise. With If-Match, a customer
    changed since that version is 412 and nothing changes."""
    body = _in_wgs84(checked_body(CUSTOMER_CHANGE_BODY))
    db = runtime().db
    current = found("customers", "customer", id=customer_id)
    preconditions.check_version(current["version"])
    if current["external_id"] is None:
        raise AppError(409, "no_external_id", "this customer has no external id: the API writes the ERP's customers")
    owner = current["owner_employee_id"]
    owner_code = employees.get_employee(db, Scope.everything(), owner)["code"] if owner is not None else None
    row = {key: current[key] for key in ("external_id", "name", "lat", "lon", "category", "address")}
    row = row | {"owner_code": owner_code} | body
    return answer(_upsert(row))
