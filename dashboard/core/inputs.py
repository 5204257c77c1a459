"""What a browser or a device sends is untrusted: coerce it to the type the code expects, or to nothing.
A callback never fails on a value of the wrong type or size, and no request body reaches a parser that
could recurse without bound."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import orjson
from flask import request

from dashboard.core.errors import AppError

# PostgreSQL's integer: every id of a serial table, and every count, minute, day or setting a callback
# passes on. An integer outside it names no row and is refused by the database, so it is no number here.
INTEGER = range(-(2**31), 2**31)
# PostgreSQL's bigint (the ids of bigserial tables: alerts, reports, ...) and Redis's counters (the feed version).
BIGINT = range(-(2**63), 2**63)
# The days a person may choose: those the API's dates may name (1970–2200, dashboard/web/api/routes.py), far
# from Python's first and last dates (0001-01-01, 9999-12-31), which a day plus a period or a time zone's
# offset would pass.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2200, 12, 31)


def whole_number(value: object, within: range = INTEGER) -> int | None:
    """An integer (not a bool) within `within`, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value in within else None


def whole_number_in_text(value: object, within: range = INTEGER) -> int | None:
    """A whole number written in the digits 0-9 (an address's parameter, a grid's row id), within `within`,
    else None. (`"²".isdigit()` holds, yet int() refuses it, as it refuses 5,000 digits.)"""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > 20:
        return None
    return whole_number(int(value), within)


def counter(value: object) -> int:
    """A refresh counter kept in a store: its value, or 0."""
    return whole_number(value) or 0


def text(value: object, max_length: int = 200) -> str:
    """Text of at most `max_length` characters, without NUL (PostgreSQL's text cannot hold it), else ""."""
    return value[:max_length].replace("\x00", "") if isinstance(value, str) else ""


def whole_numbers(value: object, within: range = INTEGER) -> list[int]:
    return [v for v in value if whole_number(v, within) is not None] if isinstance(value, list) else []


def whole_number_vector(value: object, within: range = INTEGER, most: int = 1024) -> tuple[int, ...] | None:
    """A list of at most `most` whole numbers, each within `within` (the live feed's version, one per shard), as a
    tuple; None when anything in it is not one."""
    if not isinstance(value, list) or len(value) > most:
        return None
    numbers = whole_numbers(value, within)
    return tuple(numbers) if len(numbers) == len(value) else None


def mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def calendar_day(value: object) -> date | None:
    """A day as a date picker sends it (YYYY-MM-DD, or the start of an ISO date-time), between FIRST_DAY and
    LAST_DAY; anything else is None."""
    try:
        chosen = date.fromisoformat(text(value, 10))
    except ValueError:
        return None
    return chosen if FIRST_DAY <= chosen <= LAST_DAY else None


def json_body(*, force: bool = False) -> Any:
    """The request's JSON body; None when it is not sent as JSON (unless `force`). A body that is not JSON as
    RFC 8259 writes it — broken, NaN, a number beyond a double, nested deeper than 1024 levels (orjson's
    limit, where the standard library would recurse until a RecursionError) — is refused with the parser's
    reason: 400 `invalid_body`."""
    if not (force or request.is_json):
        return None
    return json_from(request.get_data())


def json_from(raw: bytes) -> Any:
    """A body read as JSON (json_body's rule, for a server without Flask's request): 400 `invalid_body` with the
    parser's reason when it is not."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise AppError(400, "invalid_body", f"the body is not JSON: {exc}") from None


def safe_next(target: str | None) -> str:
    """A path on this site to go back to: never an absolute URL that someone else chose."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
