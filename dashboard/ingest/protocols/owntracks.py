"""OwnTracks, HTTP mode (POST /ingest/owntracks) and MQTT mode (dashboard/ingest/protocols/mqtt.py).

HTTP: JSON, an object or an array, with Basic auth; the user and device come from the headers
`X-Limit-U` / `X-Limit-D`, or `?u=&d=`, else the Basic user name. The device is registered as
`USER/DEVICE` with `fieldops device add --owntracks USER/DEVICE`, which prints its password once.

- `_type: location` → a position: `tst` (epoch seconds; text tolerated), `lat`, `lon`, `acc` (m),
  `vel` (km/h, stored as m/s), `cog` (deg); -1 means unknown; every other key is an attribute.
- `_type: transition` → an activity geofence_enter / geofence_exit with the region's name.
- any other type (lwt, waypoint, status, cmd, card, encrypted, ...) is accepted and ignored.

Answers: 200 with a JSON array (`[]`: we share no friends' locations); 401 for missing or wrong
credentials; 400 with a JSON error when the body is not JSON or no location in it could be
accepted; 503 with Retry-After while the writer's backlog is full (the app queues and retries).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from dashboard.core.errors import AppError
from dashboard.core.inputs import json_from
from dashboard.core.runtime import Runtime, runtime
from dashboard.ingest.accept import InvalidFix, Outcome, Steps, accept_event, accepting_fixes, finite, publish_inline
from dashboard.ingest.trackers import find_device, secret_matches

log = logging.getLogger(__name__)

PATH = "/ingest/owntracks"
KMH_MPS = 1 / 3.6
MAX_MESSAGES = 1000
LOCATION_KEYS = {"_type", "tst", "lat", "lon", "acc", "vel", "cog"}
TRANSITION_KINDS = {"enter": "geofence_enter", "leave": "geofence_exit"}

blueprint = Blueprint("owntracks", __name__)


def _number(message: dict, key: str) -> float | None:
    value = message.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)  # seen in the wild: tst and others sent as text
        except ValueError as exc:
            raise InvalidFix(f"{key} must be a number, not {value[:40]!r}") from exc
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidFix(f"{key} must be a number")
    number = finite(value)
    if number is None:
        raise InvalidFix(f"{key} must be a finite number")
    return number


def fix_from_location(message: dict) -> dict:
    """A plain fix from a `_type: location` message."""
    tst = _number(message, "tst")
    if tst is None:
        raise InvalidFix("tst is required (epoch seconds)")
    velocity = _number(message, "vel")
    return {
        "ts": tst,
        "lat": _number(message, "lat"),
        "lon": _number(message, "lon"),
        "speed": None if velocity is None or velocity < 0 else velocity * KMH_MPS,
        "heading": _number(message, "cog"),
        "accuracy": _number(message, "acc"),
        "attributes": {key: value for key, value in message.items() if key not in LOCATION_KEYS},
    }


def handle_messages(
    rt: Runtime, employee_id: int, messages: list[Any], source: str, coord_system: str = "wgs84"
) -> Outcome:
    """`handling_messages`, run in this thread (MQTT's way)."""
    return publish_inline(rt, handling_messages(rt, employee_id, messages, source, coord_system))


def handling_messages(
    rt: Runtime, employee_id: int, messages: list[Any], source: str, coord_system: str = "wgs84"
) -> Steps[Outcome]:
    """Store the locations (sent in the device's coord_system), record the transitions, ignore the rest;
    rejections numbered by message."""
    fixes: list[dict] = []
    positions: list[int] = []
    transitions: list[tuple[int, dict]] = []
    rejected: list[dict] = []
    for index, message in enumerate(messages):
        kind = message.get("_type") if isinstance(message, dict) else None
        if kind == "location":
            try:
                fixes.append(fix_from_location(message))
                positions.append(index)
            except InvalidFix as exc:
                rejected.append({"index": index, "error": str(exc)})
        elif kind == "transition":
            transitions.append((index, message))
    # Positions first: if the backlog is full nothing is recorded, and the sender's retry is clean.
    outcome = yield from accepting_fixes(rt, employee_id, fixes, source, coord_system=coord_system)
    for index, message in transitions:
        try:
            _record_transition(rt, employee_id, message)
            outcome.accepted += 1
        except InvalidFix as exc:
            rejected.append({"index": index, "error": str(exc)})
    rejected += [{"index": positions[r["index"]], "error": r["error"]} for r in outcome.rejected]
    outcome.rejected = sorted(rejected, key=lambda r: r["index"])
    return outcome


def _record_transition(rt: Runtime, employee_id: int, message: dict) -> None:
    event = message.get("event")
    kind = TRANSITION_KINDS.get(event) if isinstance(event, str) else None
    if kind is None:
        raise InvalidFix('a transition\'s event is "enter" or "leave"')
    tst = _number(message, "tst") or _number(message, "wtst")
    if tst is None:
        raise InvalidFix("a transition needs tst (epoch seconds)")
    details = {key: message[key] for key in ("desc", "rid", "lat", "lon", "acc", "t") if key in message}
    accept_event(rt, employee_id, kind, tst, "owntracks", details)


@blueprint.post(PATH)
def receive() -> Response:
    auth = request.authorization
    credentials = None
    if auth is not None and auth.type == "basic" and auth.username and auth.password is not None:
        credentials = (auth.username, auth.password)
    user = request.headers.get("X-Limit-U") or request.args.get("u")
    device_name = request.headers.get("X-Limit-D") or request.args.get("d")
    publish_inline(runtime(), receiving(runtime(), credentials, user, device_name, request.get_data))
    return jsonify([])


def receiving(
    rt: Runtime,
    credentials: tuple[str, str] | None,
    user: str | None,
    device_name: str | None,
    body: Callable[[], bytes],
) -> Steps[None]:
    """One HTTP post as steps (dashboard/ingest/accept.py): Basic credentials (user, password), the user and
    device named by header or query (else the credentials' user), the body (read once the device is known).
    Raises AppError to refuse; returning means 200 `[]`."""
    if credentials is None:
        raise _unauthorized("HTTP Basic credentials are required")
    user = user or credentials[0]
    if not device_name:
        raise AppError(400, "missing_parameter", "the device is required: header X-Limit-D or ?d=")
    identifier = f"{user}/{device_name}"
    device = find_device(rt, "owntracks", identifier)
    if device is None or user != credentials[0] or not secret_matches(device, credentials[1]):
        log.warning("OwnTracks post for %r refused: unknown device or wrong password", identifier[:64])
        raise _unauthorized("unknown device or wrong password")
    raw = body()
    if not raw.strip():
        return
    parsed = json_from(raw)
    if parsed is None:
        raise AppError(400, "invalid_body", "the body is a JSON object or an array, not null")
    messages = parsed if isinstance(parsed, list) else [parsed]
    if len(messages) > MAX_MESSAGES:
        raise AppError(413, "too_large", f"at most {MAX_MESSAGES} messages per request")
    outcome = yield from handling_messages(rt, device["employee_id"], messages, "owntracks", device["coord_system"])
    if outcome.rejected and not outcome.accepted:
        raise AppError(400, "nothing_accepted", "no message could be accepted", rejected=outcome.rejected)
    if outcome.rejected:
        log.warning(
            "OwnTracks %s: %s message(s) refused: %s", identifier[:64], len(outcome.rejected), outcome.rejected[:3]
        )


def _unauthorized(reason: str) -> AppError:
    return AppError(401, "unauthorized", reason, headers={"WWW-Authenticate": 'Basic realm="fieldops"'})
