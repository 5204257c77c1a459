"""ETag and If-Match on the token API (issue 18): a stale update gets 412, not a silent overwrite.

A record's ETag is its `version`, the PostgreSQL row's xmin, which every update of the row changes; it is sent on a
single record's GET and on every write's answer. A PATCH may send it back as `If-Match`: when the record changed
since, the answer is 412 `precondition_failed` and nothing changes. A PATCH without If-Match is allowed (the last
write wins, as before); `If-Match: *` only asks that the record exists."""

from __future__ import annotations

import orjson
from flask import Response, request

from dashboard.core.errors import AppError

HEADER = "If-Match"
PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "the ETag of the record as you read it: 412 if it changed since (nothing is changed then); "
    "leave it out to write regardless",
    "schema": {"type": "string", "maxLength": 200},
}
ETAG_HEADER = {"ETag": {"description": "the record's version: send it back as If-Match", "schema": {"type": "string"}}}


def etag(version: str) -> str:
    return f'"{version}"'


def with_etag(answer: Response, version: str | None) -> Response:
    if version is not None:
        answer.headers["ETag"] = etag(version)
    return answer


def wanted_version() -> str | None:
    """The version the request's If-Match names: None without the header or with `*` (any version)."""
    raw = request.headers.get(HEADER)
    if raw is None or raw.strip() == "*":
        return None
    tag = raw.strip().removeprefix("W/")
    if len(tag) < 3 or len(tag) > 200 or not (tag.startswith('"') and tag.endswith('"')) or '"' in tag[1:-1]:
        raise AppError(400, "invalid_parameter", 'If-Match is one ETag as it was sent, e.g. "12345"', header=HEADER)
    return tag[1:-1]


def stale() -> AppError:
    return AppError(412, "precondition_failed", "the record changed since you read it: GET it again", header=HEADER)


def check_version(current: str) -> str | None:
    """Refuse (412) a request whose If-Match names another version than `current`; the version it names, if any."""
    wanted = wanted_version()
    if wanted is not None and wanted != current:
        raise stale()
    return wanted


def record_answer(record: dict, version: str | None, status: int = 200, location: str | None = None) -> Response:
    """A record as JSON with its ETag (and, for a 201, the Location of the new record)."""
    answer = with_etag(Response(orjson.dumps(record, default=str), status=status, mimetype="application/json"), version)
    if location is not None:
        answer.headers["Location"] = location
    return answer
