"""Ingest: validate → normalise → one Redis round trip. The writer takes it on to PostgreSQL.

`POST /api/v1/positions` is the native batch endpoint used by the mobile page and the simulator:

    Authorization: Bearer <device token>
    {"positions": [{"ts": "2026-11-27T10:00:00Z" | epoch seconds | epoch ms,
                    "lat": 60.17, "lon": 24.94, "speed": 3.2, "heading": 90, "accuracy": 8}]}

Answers 200 {"accepted": n, "rejected": [{"index": i, "error": "..."}], "withheld": m} when at
least one fix was accepted (the rejected ones are named, never dropped silently; "withheld" counts
accepted fixes not stored because of working hours or a pause), 400 with the reasons when none
was, 413 for more than MAX_BATCH fixes.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from dashboard.privacy import coarse_rows
from dashboard.runtime import runtime
from data import positions
from data.feed import Fix

MAX_BATCH = 1000
EARLIEST_MS = 946_684_800_000  # 2000-01-01: older fixes are broken clocks, not history
FUTURE_SLACK_MS = 5 * 60 * 1000
EPOCH_SECONDS_LIMIT = 2_147_483_647  # Traccar's rule: below this an integer is seconds, above it ms

blueprint = Blueprint("ingest", __name__)


class InvalidFix(ValueError):
    """One fix that cannot be accepted, with the reason told back to the device."""


def parse_timestamp_ms(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        raise InvalidFix("ts is required: ISO-8601 with a zone, or epoch seconds or milliseconds")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise InvalidFix("ts is not a finite number")
        return int(value * 1000) if value < EPOCH_SECONDS_LIMIT else int(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidFix(f"ts {value[:40]!r} is not ISO-8601") from exc
        if parsed.tzinfo is None:
            raise InvalidFix("ts needs a time zone (Z or an offset)")
        return int(parsed.timestamp() * 1000)
    raise InvalidFix("ts must be a string or a number")


def _number(item: dict, key: str, low: float, high: float, *, required: bool = False) -> float | None:
    value = item.get(key)
    if value is None:
        if required:
            raise InvalidFix(f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidFix(f"{key} must be a number")
    if not required and value < 0:
        return None  # trackers send -1 for "unknown"
    if not low <= value <= high:
        raise InvalidFix(f"{key} {value} is outside {low}..{high}")
    return float(value)


def parse_fix(item: Any, employee_id: int, now_ms: int) -> Fix:
    if not isinstance(item, dict):
        raise InvalidFix("each position is a JSON object")
    ts_ms = parse_timestamp_ms(item.get("ts"))
    if ts_ms < EARLIEST_MS:
        raise InvalidFix("ts is before 2000-01-01: the device clock is wrong")
    if ts_ms > now_ms + FUTURE_SLACK_MS:
        raise InvalidFix("ts is in the future: the device clock is wrong")
    return Fix(
        employee_id=employee_id,
        ts_ms=ts_ms,
        lat=_number(item, "lat", -90, 90, required=True),
        lon=_number(item, "lon", -180, 180, required=True),
        speed=_number(item, "speed", 0, 150),
        heading=_number(item, "heading", 0, 360),
        accuracy=_number(item, "accuracy", 0, 100_000),
    )


def parse_batch(body: Any, employee_id: int, now_ms: int) -> tuple[list[Fix], list[dict]]:
    """Split a request body into accepted fixes and per-index errors."""
    if not isinstance(body, dict) or not isinstance(body.get("positions"), list):
        raise InvalidFix('the body is a JSON object with a "positions" list')
    fixes: list[Fix] = []
    errors: list[dict] = []
    for index, item in enumerate(body["positions"]):
        try:
            fixes.append(parse_fix(item, employee_id, now_ms))
        except InvalidFix as exc:
            errors.append({"index": index, "error": str(exc)})
    return fixes, errors


def _error(status: int, reason: str, **extra: Any) -> Response:
    response = jsonify(error="invalid_request" if status == 400 else "too_large", reason=reason, **extra)
    response.status_code = status
    return response


@blueprint.post("/api/v1/positions")
def receive_positions() -> Response:
    body = request.get_json(silent=True)
    if body is None:
        return _error(400, "the body must be JSON (Content-Type: application/json)")
    if isinstance(body, dict) and isinstance(body.get("positions"), list) and len(body["positions"]) > MAX_BATCH:
        return _error(413, f"at most {MAX_BATCH} positions per request")
    try:
        fixes, errors = parse_batch(body, g.device["employee_id"], int(time.time() * 1000))
    except InvalidFix as exc:
        return _error(400, str(exc))
    if not fixes:
        return _error(400, "no position could be accepted", rejected=errors)
    withheld = accept_fixes(fixes, source="native")
    return jsonify(accepted=len(fixes), rejected=errors, withheld=withheld)


def accept_fixes(fixes: list[Fix], source: str) -> int:
    """The one way valid fixes enter FieldOps, whatever the protocol: privacy first, then the feed.

    Returns how many were withheld (outside working hours, or sharing paused): accepted, not stored
    as points, and not to be sent again.
    """
    rt = runtime()
    decision = rt.tracking_policy.split(fixes)
    if decision.tracked:
        rt.feed.publish(decision.tracked, source=source)
    if decision.coarse:
        positions.add_coarse_presence(rt.db, coarse_rows(decision.coarse))
    return decision.withheld
