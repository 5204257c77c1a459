"""The OpenAPI 3 description of the whole HTTP API, served at /api/v1/openapi.json, and its browsable
docs at /api/v1/docs (Swagger UI, served from the swagger-ui-bundle package: no CDN, works offline)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from dashboard.geo.coords import SYSTEMS
from dashboard.web.api import (  # noqa: F401 - they declare routes
    consents,
    coverage,
    customers,
    form_answers,
    people,
    records,
    work_orders,
)
from dashboard.web.api import routes as api

blueprint = Blueprint("openapi", __name__)

# Errors: the one shape {"error": {"code", "message"}}; under /api/ it is RFC 9457 problem details too (PROBLEM),
# on the trackers' /ingest/ paths plain JSON, as the tracker apps read it.
_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _refused(body: dict, description: str = "Refused: the error's code and message") -> dict:
    return {"description": description, "content": body}


def _too_large(body: dict) -> dict:
    return _refused(body, "The body is larger than FIELDOPS_MAX_BODY_BYTES (or the batch too long)")


def _unavailable(body: dict) -> dict:
    return {**api.UNAVAILABLE, "content": body}


def _query(name: str, description: str, kind: str = "string", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": {"type": kind}}


OSMAND_PARAMETERS = [
    _query("id", "tracker id (or `deviceid`), registered with `fieldops device add --osmand`", required=True),
    _query("lat", "latitude, degrees", "number"),
    _query("lon", "longitude, degrees", "number"),
    _query("location", "`LAT,LON`, instead of lat and lon"),
    _query(
        "timestamp",
        "digits < 500000000000: epoch s (after 2038 too); other digits: epoch ms; with `T`: ISO-8601 with a zone; "
        "`yyyy-MM-dd HH:mm:ss`: read as UTC; missing: time received",
    ),
    _query("speed", "knots; negative = unknown", "number"),
    _query("bearing", "degrees (or `heading`); negative = unknown", "number"),
    _query("accuracy", "metres; negative = unknown", "number"),
    _query("altitude", "metres, kept as an attribute", "number"),
]

SPEC: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "FieldOps API",
        "version": "1",
        "description": "How positions enter FieldOps (ingest: device tokens and tracker protocols), and the "
        "integrators' REST API (issue 9).\n\n"
        "**Tokens.** An administrator creates an API token on *Admin → API & webhooks*, with scopes "
        "(`customers:read`, `orders:write`, `alerts:read`, …) and optionally a set of teams; it is shown once. "
        "Send it as `Authorization: Bearer fop_…`. Session cookies are not accepted here. A token reads exactly what a "
        "supervisor of its teams would (all teams without a limit); every read of positions is audited.\n\n"
        '**Errors**, everywhere (ingest too), are `{"error": {"code": "…", "message": "…"}}` with a stable code; '
        "a batch of positions refused whole also names each position's problem in `rejected`. Under /api/ the "
        "same body is also RFC 9457 problem details (`application/problem+json`: `type`, `title`, `status`, "
        "`detail`); the trackers' /ingest/ paths answer plain `application/json`.\n\n"
        "**Outages** are 503 with `Retry-After` (seconds): while the writer's backlog is full, or PostgreSQL "
        "or Redis cannot be reached (`dependency` names which), send again after that time. While PostgreSQL "
        "is down, trackers already known to this server go on sending and their positions are stored once it "
        "is back.\n\n"
        '**Lists** are pages `{"data": [...], "next_cursor": "…"}` ordered by id (alerts by their last change, '
        "`updated_at` then id): pass `cursor` to get the next page until `next_cursor` is null. For incremental "
        "sync keep the newest `updated_at` you stored and pass it as `updated_since` next time, less a minute: "
        "a transaction that committed late may "
        "carry an earlier time, and a row seen twice is harmless when you upsert by id.\n\n"
        "**ERP import**: `POST /api/v1/import/customers` then `/api/v1/import/orders`, CSV or JSON, with "
        "`dry_run=true` first.\n\n"
        "**Writes** (issue 18): `POST`/`PATCH /api/v1/employees` and `/api/v1/teams` (scope `people:write`; "
        '`"active": false` in a PATCH deactivates a person, `true` reactivates them), `POST`/`PATCH /api/v1/customers` '
        "(`customers:write`, the ERP import's checks), `POST /api/v1/tasks` to create a work order and `PATCH "
        '/api/v1/tasks/{id}` to reschedule (window), reassign (`employee_id`) or cancel (`{"state": "cancelled"}`) '
        "it (`tasks:write`, through the task state machine). Every record has `GET /api/v1/{resource}/{id}`; "
        "employees, teams, customers, orders and tasks also `GET /api/v1/{resource}/by-external-id/{external_id}`. "
        "Outside the token's teams a record is 404, as one that does not exist, and a team-limited token writes "
        "within its teams only.\n\n"
        "**Idempotency-Key** on every POST: send a new unique key (a UUID) with each request you may retry. The first "
        "successful answer is kept 24 hours per token and key; a retry with the same key and body gets it again "
        "(`Idempotent-Replayed: true`) and creates nothing; the same key with another body is 422 "
        "`idempotency_key_reused`; while the first is still being answered, 409 `idempotency_key_in_progress` with "
        "Retry-After. A refused request (4xx) keeps nothing: mend it and send it again with the same key.\n\n"
        "**ETag / If-Match**: a single record's GET and every write's answer carry the record's version as `ETag`. "
        "Send it back as `If-Match` on a PATCH: if the record changed since, the answer is 412 "
        "`precondition_failed` and nothing changes. A PATCH without If-Match is allowed and writes regardless.\n\n"
        "**Problems** name the body's field at fault in `field` (e.g. `team_id`, `window_end`, `params.minutes`).\n\n"
        "**Alerts** (issue 17) are raised by alert rules for a person to act on: `GET /api/v1/alerts` "
        "(open → acknowledged → resolved; `POST …/acknowledge` and `…/resolve` act as the token's maker), and "
        "the rules at `/api/v1/alert-rules` (a refused rule is a 400 whose `field` names the field at fault; the "
        "built-in help rule changes only in its recipients, channels and robots, and is never removed).\n\n"
        "**Webhooks**: each delivery is a POST of `{id, event, created_at, data}` with headers "
        "`FieldOps-Event`, `FieldOps-Delivery` and `FieldOps-Signature: t=<unix>,v1=<hex>` where v1 is "
        "HMAC-SHA256 of `<t>.<raw body>` keyed with the subscription's secret. Reject a t older than 5 minutes. "
        "Answer 2xx within 10 s; anything else is retried with exponential backoff (30 s doubling, at most "
        "1 h apart, 8 attempts). Events: visit.completed, task.state_changed, geofence.enter, geofence.exit, "
        "help.requested, survey.answered, alert.raised, alert.resolved, "
        "employee.created, employee.updated, employee.deactivated, employee.reactivated, team.created, team.updated, "
        "team.merged, team.deleted, form.submitted, and test. The employee and team events carry the record as the "
        "API gives it "
        "(`employee` or `team`), after the change (`team.merged` also `merged_team_id` and `moved`). "
        "`alert.raised` data: alert_id, "
        "rule_id, kind, severity, employee_id, at (when the condition held), subject, detail (the figures that "
        "satisfied the rule), lat, lon, accuracy_m. `alert.resolved` data: alert_id, rule_id, kind, severity, "
        "employee_id, subject, state, resolution (`resolved` by a person, `cleared` when the condition ended), at. "
        "`form.submitted` (issue 21): a task's visit form answers the first time they are complete, the record "
        "`GET /api/v1/form-answers` gives.",
    },
    "paths": {
        "/api/v1/positions": {
            "post": {
                "summary": "Native batch of positions (mobile page, simulator)",
                "security": [{"deviceToken": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["positions"],
                                "properties": {
                                    "positions": {
                                        "type": "array",
                                        "maxItems": 1000,
                                        "items": {"$ref": "#/components/schemas/Position"},
                                    },
                                    "coord_system": {
                                        "type": "string",
                                        "enum": list(SYSTEMS),
                                        "description": "The system lat/lon are in (default: the device's, "
                                        "else wgs84); stored in WGS-84",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "At least one accepted; the others named by index",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Outcome"}}},
                    },
                    "400": _refused(api.PROBLEM),
                    "401": _refused(api.PROBLEM),
                    "413": _too_large(api.PROBLEM),
                    "503": _unavailable(api.PROBLEM),
                },
            }
        },
        "/ingest/osmand": {
            "get": {
                "summary": "OsmAnd protocol (Traccar Client), query string; also the root of port 5055",
                "parameters": OSMAND_PARAMETERS,
                "responses": {
                    "200": {"description": "Stored (empty body)"},
                    "400": _refused(_ERROR_BODY),
                    "413": _too_large(_ERROR_BODY),
                    "503": _unavailable(_ERROR_BODY),
                },
            },
            "post": {
                "summary": "OsmAnd protocol: the same keys as a form body, or Traccar Client's JSON",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                        "application/json": {"schema": {"$ref": "#/components/schemas/OsmAndJson"}},
                    }
                },
                "responses": {
                    "200": {"description": "Stored (empty body)"},
                    "400": _refused(_ERROR_BODY),
                    "404": _refused(_ERROR_BODY, "Unknown device (JSON body)"),
                    "413": _too_large(_ERROR_BODY),
                    "503": _unavailable(_ERROR_BODY),
                },
            },
        },
        "/ingest/owntracks": {
            "post": {
                "summary": "OwnTracks HTTP mode",
                "security": [{"owntracksBasic": []}],
                "parameters": [_query("u", "user (or header X-Limit-U)"), _query("d", "device (or header X-Limit-D)")],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"type": "object"},
                                    {"type": "array", "maxItems": 1000, "items": {"type": "object"}},
                                ]
                            },
                            "example": {
                                "_type": "location",
                                "lat": 46.0681247,
                                "lon": 11.1512805,
                                "tst": 1551874878,
                                "acc": 15,
                                "vel": 0,
                                "cog": -1,
                                "batt": 46,
                                "conn": "w",
                            },
                        }
                    }
                },
                "responses": {
                    "200": {
                        "description": "Accepted: a JSON array (always empty)",
                        "content": {"application/json": {"schema": {"type": "array"}}},
                    },
                    "400": _refused(_ERROR_BODY),
                    "401": _refused(_ERROR_BODY),
                    "413": _too_large(_ERROR_BODY),
                    "503": _unavailable(_ERROR_BODY),
                },
            }
        },
        "/api/v1/gpx": {
            "post": {
                "summary": "Import past tracks from GPX files for one employee (signed-in viewer)",
                "parameters": [
                    {
                        "name": "coord_system",
                        "in": "query",
                        "required": False,
                        "description": "the files' system (GPX is WGS-84, but apps for mainland China export "
                        "gcj02); stored in WGS-84",
                        "schema": {"type": "string", "enum": list(SYSTEMS), "default": "wgs84"},
                    }
                ],
                "requestBody": {
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "employee_id": {"type": "integer"},
                                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                                },
                            }
                        },
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "employee_id": {"type": "integer"},
                                    "files": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {"name": {"type": "string"}, "gpx": {"type": "string"}},
                                        },
                                    },
                                },
                            }
                        },
                    }
                },
                "responses": {
                    "200": {
                        "description": "One report per file",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "files": {"type": "array", "items": {"$ref": "#/components/schemas/GpxReport"}}
                                    },
                                }
                            }
                        },
                    },
                    "400": _refused(api.PROBLEM),
                    "401": _refused(api.PROBLEM, "Not signed in (a session of the GPX import page)"),
                    "403": _refused(api.PROBLEM, "Missing CSRF token, or a role that may not import"),
                    "404": _refused(api.PROBLEM),
                    "413": _too_large(api.PROBLEM),
                    "503": _unavailable(api.PROBLEM),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "deviceToken": {"type": "http", "scheme": "bearer"},
            "owntracksBasic": {"type": "http", "scheme": "basic"},
            "apiToken": {"type": "http", "scheme": "bearer", "description": "an API token, fop_…"},
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    },
                    "accepted": {"type": "integer", "description": "OsmAnd JSON: locations stored nonetheless"},
                    "rejected": {"type": "array", "items": {"$ref": "#/components/schemas/Rejection"}},
                    "dependency": {
                        "type": "string",
                        "enum": ["postgresql", "redis"],
                        "description": "503: which server cannot be reached now",
                    },
                },
            },
            "Problem": {
                "description": "RFC 9457 problem details (application/problem+json), with the one error shape beside",
                "allOf": [
                    {"$ref": "#/components/schemas/Error"},
                    {
                        "type": "object",
                        "required": ["type", "title", "status", "detail"],
                        "properties": {
                            "type": {"type": "string", "description": "about:blank: the status says what happened"},
                            "title": {"type": "string", "description": "the status's phrase"},
                            "status": {"type": "integer"},
                            "detail": {"type": "string", "description": "the same text as error.message"},
                        },
                    },
                ],
            },
            "Rejection": {"type": "object", "properties": {"index": {"type": "integer"}, "error": {"type": "string"}}},
            "Outcome": {
                "type": "object",
                "properties": {
                    "accepted": {"type": "integer"},
                    "rejected": {"type": "array", "items": {"$ref": "#/components/schemas/Rejection"}},
                    "withheld": {
                        "type": "integer",
                        "description": "accepted, not stored (working hours, a pause, no consent): do not resend",
                    },
                    "no_consent": {
                        "type": "integer",
                        "description": "of the withheld, those refused because the person's consent to tracking "
                        "is withdrawn or not given",
                    },
                    "reason": {"type": "string", "description": "why positions were withheld for want of consent"},
                },
            },
            "Position": {
                "type": "object",
                "required": ["ts", "lat", "lon"],
                "properties": {
                    "ts": {
                        "oneOf": [{"type": "string", "format": "date-time"}, {"type": "number"}],
                        "description": "ISO-8601 with a zone, or epoch s (< 500000000000) or ms",
                    },
                    "lat": {"type": "number", "minimum": -90, "maximum": 90},
                    "lon": {"type": "number", "minimum": -180, "maximum": 180},
                    "speed": {"type": "number", "description": "m/s, 0..150; negative = unknown"},
                    "heading": {"type": "number", "description": "degrees; negative = unknown"},
                    "accuracy": {"type": "number", "description": "metres; negative = unknown"},
                    "attributes": {"type": "object", "description": "extra keys, at most 4 kB of JSON"},
                },
            },
            "OsmAndJson": {
                "type": "object",
                "required": ["device_id", "location"],
                "properties": {
                    "device_id": {"type": "string"},
                    "location": {
                        "type": "object",
                        "description": "timestamp (ISO-8601), coords {latitude, longitude, "
                        "accuracy, speed (m/s), heading, altitude}, is_moving, odometer, event, "
                        "battery {level 0..1, is_charging}, activity {type}, extras; or a list of them",
                    },
                },
            },
            "GpxReport": {
                "type": "object",
                "properties": {
                    "file": {"type": "string"},
                    "points": {"type": "integer"},
                    "accepted": {"type": "integer"},
                    "untimed": {"type": "integer"},
                    "error": {"type": "string", "nullable": True},
                    "rejected": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"reason": {"type": "string"}, "count": {"type": "integer"}},
                        },
                    },
                },
            },
        },
    },
}


SPEC["paths"] |= api.openapi_paths()
SPEC["components"]["schemas"] |= api.SCHEMAS

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FieldOps API</title>
<link rel="stylesheet" href="/api/v1/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/v1/docs/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/fieldops-docs.js"></script>
</body></html>"""
# A file, not an inline script: the Content-Security-Policy allows scripts from this site only.
DOCS_SCRIPT = 'window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true});\n'


@blueprint.get("/api/v1/openapi.json")
def openapi_document() -> Response:
    return jsonify(SPEC)


@blueprint.get("/api/v1/docs")
def docs_page() -> Response:
    return Response(DOCS_PAGE, mimetype="text/html")


@blueprint.get("/api/v1/docs/fieldops-docs.js")
def docs_script() -> Response:
    return Response(DOCS_SCRIPT, mimetype="text/javascript")


@blueprint.get("/api/v1/docs/<path:name>")
def docs_asset(name: str) -> Response:
    return send_from_directory(swagger_ui_path, name, max_age=86400)
