"""The OsmAnd protocol as Traccar Client sends it (Traccar's port 5055).

- GET with a query string, or POST with a form body when the query is empty;
- POST with a JSON body (Content-Type application/json, newer Traccar Client).

Device: `id` or `deviceid` (JSON: `device_id`), registered with `fieldops device add --osmand`.
Position: `lat` + `lon`, or `location=LAT,LON`. `timestamp`: all digits → epoch seconds or
milliseconds, told apart by size (dashboard.ingest.accept.EPOCH_MS_FROM: Traccar's own limit,
2147483647, would read seconds after 2038 as milliseconds in 1970); with a `T` → ISO-8601 with a zone; otherwise
`yyyy-MM-dd HH:mm:ss`, which we read as **UTC** (Traccar reads it as its server's local time);
missing → the time it was received. `speed` is in knots (JSON: m/s). Negative speed, bearing,
accuracy or battery mean unknown. `altitude`, `hdop`, `batt`, `charge` and every other key are
kept as the position's attributes.

Answers: 200 with an empty body; 400 (query/form) or 404 (JSON) for an unknown device; 400 with
a JSON error for a fix that cannot be accepted; 503 with Retry-After while the writer's backlog
is full (Traccar Client keeps the fix and retries).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request

from dashboard.core.errors import AppError
from dashboard.core.inputs import json_body
from dashboard.core.runtime import Runtime, runtime
from dashboard.ingest.accept import InvalidFix, Steps, accepting_fixes, finite, publish_inline
from dashboard.ingest.trackers import find_device

log = logging.getLogger(__name__)

PATH = "/ingest/osmand"
KNOT_MPS = 1852 / 3600
MAX_LOCATIONS = 1000
DIGITS = re.compile(r"^\d{1,16}$")
KNOWN_KEYS = {"id", "deviceid", "lat", "lon", "location", "timestamp", "speed", "bearing", "heading", "accuracy"}

blueprint = Blueprint("osmand", __name__)


def fix_time(value: str | None, received_ms: int) -> int | str:
    """A plain fix's `ts` from any timestamp form Traccar accepts (see the module's doc): epoch digits as
    the number sent, so that accept.parse_timestamp_ms reads its unit once, by the one rule; ISO-8601 as
    sent; `yyyy-MM-dd HH:mm:ss` as ISO-8601 in UTC; nothing as the time received (ms)."""
    if value is None or value == "":
        return received_ms
    if DIGITS.match(value):
        return int(value)
    if "T" in value:
        return value
    try:
        parsed = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidFix(f"timestamp {value[:40]!r} is neither epoch, ISO-8601 nor yyyy-MM-dd HH:mm:ss") from exc
    return parsed.isoformat()


def _float(value: Any, key: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError as exc:
            raise InvalidFix(f"{key} must be a number, not {value[:40]!r}") from exc
    if not isinstance(value, int | float):
        raise InvalidFix(f"{key} must be a number, not {str(value)[:40]!r}")
    number = finite(value)
    if number is None:
        raise InvalidFix(f"{key} must be a finite number")
    return number


def _attribute(value: str) -> float | bool | str:
    """Traccar keeps an extra key as a number, a boolean or text, whichever it reads as."""
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    try:
        number = float(value)
    except ValueError:
        return value[:200]
    return number if math.isfinite(number) else value[:200]


def fix_from_params(params: Mapping[str, str], received_ms: int) -> dict:
    """One plain fix from a query string or form body (device id excluded)."""
    lat, lon = params.get("lat"), params.get("lon")
    if "location" in params and (lat is None or lon is None):
        parts = params["location"].split(",")
        if len(parts) != 2:
            raise InvalidFix("location must be LAT,LON")
        lat, lon = parts
    if lat is None or lon is None:
        raise InvalidFix("lat and lon (or location=LAT,LON) are required")
    speed_knots = _float(params.get("speed"), "speed")
    heading = params.get("bearing", params.get("heading"))
    attributes = {key: _attribute(value) for key, value in params.items() if key not in KNOWN_KEYS}
    return {
        "ts": fix_time(params.get("timestamp"), received_ms),
        "lat": _float(lat, "lat"),
        "lon": _float(lon, "lon"),
        "speed": None if speed_knots is None else speed_knots * KNOT_MPS,
        "heading": _float(heading, "bearing"),
        "accuracy": _float(params.get("accuracy"), "accuracy"),
        "attributes": attributes,
    }


def fixes_from_json(body: Any, received_ms: int) -> tuple[str, list[dict]]:
    """(device id, plain fixes) from Traccar Client's JSON body; `location` an object or a list."""
    if not isinstance(body, dict) or not isinstance(body.get("device_id"), str | int) or body["device_id"] == "":
        raise InvalidFix('the JSON body is an object with "device_id" and "location"')
    locations = body.get("location")
    locations = locations if isinstance(locations, list) else [locations]
    if len(locations) > MAX_LOCATIONS:
        raise InvalidFix(f"at most {MAX_LOCATIONS} locations per request")
    return str(body["device_id"]), [_fix_from_location(location, received_ms) for location in locations]


def _fix_from_location(location: Any, received_ms: int) -> dict | InvalidFix:
    """A plain fix, or the reason this location cannot be one (kept in its place for the answer)."""
    try:
        if not isinstance(location, dict) or not isinstance(location.get("coords"), dict):
            raise InvalidFix('each location is an object with "coords"')
        coords = location["coords"]
        timestamp = location.get("timestamp")
        if not isinstance(timestamp, str | int | None) or isinstance(timestamp, bool):
            raise InvalidFix("timestamp must be ISO-8601 text or epoch digits")
        attributes: dict[str, Any] = {}
        if isinstance(location.get("extras"), dict):
            attributes.update(location["extras"])
        for key in ("is_moving", "odometer", "event"):
            if location.get(key) is not None:
                attributes["motion" if key == "is_moving" else key] = location[key]
        battery = location.get("battery")
        if isinstance(battery, dict):
            level = _float(battery.get("level"), "battery.level")
            if level is not None and level >= 0:
                attributes["batt"] = round(level * 100, 1)
            if isinstance(battery.get("is_charging"), bool):
                attributes["charge"] = battery["is_charging"]
        if isinstance(location.get("activity"), dict) and isinstance(location["activity"].get("type"), str):
            attributes["activity"] = location["activity"]["type"][:50]
        altitude = _float(coords.get("altitude"), "altitude")
        if altitude is not None:
            attributes["altitude"] = altitude
        return {
            "ts": fix_time(None if timestamp is None else str(timestamp), received_ms),
            "lat": _float(coords.get("latitude"), "latitude"),
            "lon": _float(coords.get("longitude"), "longitude"),
            "speed": _float(coords.get("speed"), "speed"),
            "heading": _float(coords.get("heading"), "heading"),
            "accuracy": _float(coords.get("accuracy"), "accuracy"),
            "attributes": attributes,
        }
    except InvalidFix as exc:
        return exc


@blueprint.route(PATH, methods=["GET", "POST"])
def receive() -> Response:
    received_ms = int(time.time() * 1000)
    if request.method == "POST" and request.is_json:
        publish_inline(runtime(), receiving_json(runtime(), json_body(), received_ms))
    else:
        params = request.args if request.args else request.form
        publish_inline(runtime(), receiving_params(runtime(), params.to_dict(), received_ms))
    return Response(status=200)


def receiving_params(rt: Runtime, params: Mapping[str, str], received_ms: int) -> Steps[None]:
    """A query string's or form body's fix, as steps (dashboard/ingest/accept.py): raises AppError to refuse."""
    identifier = params.get("id") or params.get("deviceid")
    if not identifier:
        raise AppError(400, "missing_parameter", "id (or deviceid) is required")
    device = find_device(rt, "osmand", identifier)
    if device is None:
        log.warning("OsmAnd fix from unknown device %r refused", identifier[:64])
        raise AppError(400, "unknown_device", f"unknown device {identifier[:64]!r}")
    try:
        fix = fix_from_params(params, received_ms)
    except InvalidFix as exc:
        raise AppError(400, "invalid_fix", str(exc)) from None
    outcome = yield from accepting_fixes(
        rt, device["employee_id"], [fix], "osmand", coord_system=device["coord_system"]
    )
    if outcome.rejected:
        raise AppError(400, "invalid_fix", outcome.rejected[0]["error"])


def receiving_json(rt: Runtime, body: Any, received_ms: int) -> Steps[None]:
    """Traccar Client's JSON body, as steps: raises AppError to refuse."""
    try:
        identifier, parsed = fixes_from_json(body, received_ms)
    except InvalidFix as exc:
        raise AppError(400, "invalid_body", str(exc)) from None
    device = find_device(rt, "osmand", identifier)
    if device is None:
        log.warning("OsmAnd JSON from unknown device %r refused", identifier[:64])
        raise AppError(404, "unknown_device", f"unknown device {identifier[:64]!r}")
    fixes = [fix for fix in parsed if not isinstance(fix, InvalidFix)]
    outcome = yield from accepting_fixes(
        rt, device["employee_id"], fixes, "osmand", coord_system=device["coord_system"]
    )
    # Re-number the rejections by the locations' own positions in the request.
    indices = [i for i, fix in enumerate(parsed) if not isinstance(fix, InvalidFix)]
    rejected = [{"index": i, "error": str(fix)} for i, fix in enumerate(parsed) if isinstance(fix, InvalidFix)]
    rejected += [{"index": indices[r["index"]], "error": r["error"]} for r in outcome.rejected]
    if rejected:
        raise AppError(
            400,
            "invalid_fix",
            "some locations could not be accepted",
            accepted=outcome.accepted,
            rejected=sorted(rejected, key=lambda r: r["index"]),
        )


class OsmAndPort:
    """WSGI middleware: a request that arrived on the dedicated OsmAnd port (5055 by default,
    FIELDOPS_OSMAND_PORT) is an OsmAnd request whatever its path, as Traccar Client's default
    settings expect; the dashboard itself is not served there."""

    def __init__(self, app: Any, port: int | None) -> None:
        self.app = app
        self.port = port

    def __call__(self, environ: dict, start_response: Any) -> Any:
        connection = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
        if self.port is not None and connection is not None:
            try:
                local = connection.getsockname()
            except OSError:
                local = None
            if isinstance(local, tuple) and local[1] == self.port:
                environ["PATH_INFO"] = PATH
        return self.app(environ, start_response)
