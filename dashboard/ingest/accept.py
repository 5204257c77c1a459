"""Ingest: validate → normalise → one Redis round trip. The writer takes it on to PostgreSQL.

Every protocol (native batch, OsmAnd, OwnTracks over HTTP and MQTT, GPX import) turns its wire
format into plain fixes — {"ts" (epoch seconds, a float, so no millisecond value can pass for
seconds), "lat", "lon", "speed" (m/s), "heading", "accuracy", "attributes"} — in its own module
under dashboard/ingest/protocols/, then hands them to `accept_fixes`: the one place that validates and
publishes, and so the one place a rule about what may be stored belongs (`accept_event` is the
same for a tracker's own events, such as OwnTracks region transitions).

Two servers drive the same handlers: the web app (Flask, `fieldops serve`) and the ingest server (ASGI,
`fieldops ingest`, dashboard/ingest/server/). So a handler is written as steps: a generator that prepares
(parse, validate, convert, privacy), yields one `Publish` — the only Redis call — and, once it returned,
finishes (counts, coarse presence, the answer). `publish_inline` drives the steps in this thread, one Redis
call each (the web app's way); the ingest server hands each `Publish` to its micro-batcher, which folds the
requests of a few milliseconds into one call. A failed call is thrown back into the steps at the `yield`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson

from dashboard.core.errors import POSTGRES_DOWN, AppError, Unavailable
from dashboard.core.metrics import count_ingest
from dashboard.core.runtime import Runtime
from dashboard.geo.coords import CoordSystemError, checked_system, to_wgs84
from dashboard.geo.tiles import offset_regions
from dashboard.ingest.privacy import coarse_rows, tracking_policy
from data import activities, positions
from data.feed import Fix

MAX_BATCH = 1000
EARLIEST_MS = 946_684_800_000  # 2000-01-01: older fixes are broken clocks, not history
FUTURE_SLACK_MS = 5 * 60 * 1000
# An epoch number below this is seconds, from it on milliseconds. Traccar's rule splits at 2,147,483,647, so a
# time after 2038-01-19 in seconds becomes one in 1970 in milliseconds. Here it is 5e11: as seconds the year
# 17814, as milliseconds 1985-11-05, so every date in seconds up to the year 9999 (Python's last) and every
# date in milliseconds since 1985 is read in its own unit, and every value gets its own reason. Values that
# the two rules read differently (2^31 to 5e11) are 1970-1985 to Traccar and 2038-17814 here: refused either
# way, so no fix that was accepted changes meaning.
EPOCH_MS_FROM = 500_000_000_000
MAX_SPEED_MPS = 150.0  # 540 km/h: faster is a broken fix, not a field worker
MAX_ACCURACY_M = 100_000.0
MAX_ATTRIBUTES_BYTES = 4096


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Publish:
    """A handler's one Redis call: these fixes, from this source, into the stream and the latest map."""

    fixes: list[Fix]
    source: str


# An ingest handler as steps: yields each Publish, is told its failure by `throw`, returns the handler's result.
Steps = Generator[Publish, None, T]


def publish_inline(rt: Runtime, steps: Steps[T]) -> T:
    """Run a handler's steps in this thread, each Publish one Redis round trip (the web app's way)."""
    try:
        step = next(steps)
        while True:
            try:
                rt.feed.publish(step.fixes, step.source, max_backlog=rt.settings.max_backlog)
            except Exception as exc:
                step = steps.throw(exc)
            else:
                step = steps.send(None)
    except StopIteration as done:
        return done.value


class InvalidFix(ValueError):
    """One fix that cannot be accepted, with the reason told back to the device."""


@dataclass
class Outcome:
    """What became of a request's fixes: how many were accepted, and why each other one was not."""

    accepted: int = 0
    rejected: list[dict] = field(default_factory=list)  # {"index": i, "error": "..."}
    withheld: int = 0  # accepted, but outside working hours or while sharing is paused
    no_consent: int = 0  # accepted, never stored: the person's consent is withdrawn or not given (also withheld)

    def answer(self) -> dict:
        """The native batch's JSON answer (the device endpoint's and the phone's)."""
        body: dict = {"accepted": self.accepted, "rejected": self.rejected, "withheld": self.withheld}
        if self.no_consent:
            body["no_consent"] = self.no_consent
            body["reason"] = "consent_withdrawn_or_not_given"
        return body


def parse_timestamp_ms(value: Any) -> int:
    """Epoch milliseconds, exact for any integer (however large: the range checks give the reason)."""
    if isinstance(value, bool) or value is None:
        raise InvalidFix("ts is required: ISO-8601 with a zone, or epoch seconds or milliseconds")
    if isinstance(value, int | float):
        if not is_number(value):
            raise InvalidFix("ts is not a finite number")
        ms = value * 1000 if abs(value) < EPOCH_MS_FROM else value
        return ms if isinstance(ms, int) else round(ms)
    if isinstance(value, str):
        return parse_iso_ms(value, "ts")
    raise InvalidFix("ts must be a string or a number")


def parse_iso_ms(value: str, name: str) -> int:
    """ISO-8601 with a zone (Z or an offset) as epoch milliseconds; a time without a zone is refused."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidFix(f"{name} {value[:40]!r} is not ISO-8601") from exc
    if parsed.tzinfo is None:
        raise InvalidFix(f"{name} needs a time zone (Z or an offset)")
    return int(parsed.timestamp() * 1000)


def is_number(value: Any) -> bool:
    """A JSON number: an integer of any size, or a finite float (a bool is not one)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def finite(value: int | float) -> float | None:
    """A number as a float for a protocol's unit conversion, or None when it has none: NaN, infinite, or an
    integer beyond a float's range (400 digits of it)."""
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _number(item: dict, key: str, low: float, high: float, *, required: bool = False) -> float | None:
    value = item.get(key)
    if value is None:
        if required:
            raise InvalidFix(f"{key} is required")
        return None
    if not is_number(value):
        raise InvalidFix(f"{key} must be a number")
    if not required and value < 0:
        return None  # trackers send -1 for "unknown"
    if not low <= value <= high:  # exact for an integer of any size
        raise InvalidFix(f"{key} {str(value)[:24]} is outside {low}..{high}")
    return float(value)


def _attributes(item: dict) -> dict | None:
    value = item.get("attributes")
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise InvalidFix("attributes must be a JSON object")
    if len(_storable_json(value, "attributes")) > MAX_ATTRIBUTES_BYTES:
        raise InvalidFix(f"attributes are larger than {MAX_ATTRIBUTES_BYTES} bytes")
    return value


def _storable_json(value: dict, name: str) -> bytes:
    """`value` as the JSON the writer stores (orjson), or the reason PostgreSQL's jsonb could not hold it:
    not JSON (too deep, an integer beyond 64 bits, a lone surrogate) or a NUL character (\\u0000), which
    jsonb refuses — accepted, such a fix would fail the writer's whole batch."""
    try:
        encoded = orjson.dumps(value)
    except TypeError as exc:
        raise InvalidFix(f"{name} must hold JSON values") from exc
    if b"\\u0000" in encoded.replace(b"\\\\", b""):  # an escaped NUL, not an escaped backslash before "u0000"
        raise InvalidFix(f"{name} must not contain the NUL character")
    return encoded


def parse_fix(item: Any, employee_id: int, now_ms: int, *, max_age_s: int | None = None) -> Fix:
    """Validate one normalised fix. max_age_s None: any age since 2000 (history import)."""
    if not isinstance(item, dict):
        raise InvalidFix("each position is a JSON object")
    ts_ms = parse_timestamp_ms(item.get("ts"))
    if ts_ms < EARLIEST_MS:
        raise InvalidFix("ts is before 2000-01-01: the device clock is wrong")
    if ts_ms > now_ms + FUTURE_SLACK_MS:
        raise InvalidFix("ts is in the future: the device clock is wrong")
    if max_age_s is not None and ts_ms < now_ms - max_age_s * 1000:
        raise InvalidFix(f"ts is older than {max_age_s} s: import past tracks as GPX instead")
    return Fix(
        employee_id=employee_id,
        ts_ms=ts_ms,
        lat=_number(item, "lat", -90, 90, required=True),
        lon=_number(item, "lon", -180, 180, required=True),
        speed=_number(item, "speed", 0, MAX_SPEED_MPS),
        heading=_number(item, "heading", 0, 360),
        accuracy=_number(item, "accuracy", 0, MAX_ACCURACY_M),
        attributes=_attributes(item),
    )


def accept_fixes(
    rt: Runtime,
    employee_id: int,
    items: Sequence[Any],
    source: str,
    *,
    history: bool = False,
    coord_system: str = "wgs84",
) -> Outcome:
    """Validate fixes of one employee and publish the valid ones in one Redis round trip (`accepting_fixes`,
    run in this thread)."""
    return publish_inline(
        rt, accepting_fixes(rt, employee_id, items, source, history=history, coord_system=coord_system)
    )


def accepting_fixes(
    rt: Runtime,
    employee_id: int,
    items: Sequence[Any],
    source: str,
    *,
    history: bool = False,
    coord_system: str = "wgs84",
) -> Steps[Outcome]:
    """Validate fixes of one employee, publish the valid ones (one `Publish`), then count and store the coarse
    presence: accept_fixes as steps.

    Every protocol ends here. history=True (GPX import) lifts the age window, not the other rules.
    coord_system is the system the source sends in (the device's, or the request's `coord_system`): the
    fixes are converted to WGS-84, the only system stored (dashboard/geo/coords.py).
    Raises data.feed.StreamFull, having published nothing, while the writer's backlog is full.
    """
    now_ms = int(time.time() * 1000)
    max_age_s = None if history else rt.settings.max_fix_age_s
    outcome = Outcome()
    fixes: list[Fix] = []
    for index, item in enumerate(items):
        try:
            fixes.append(parse_fix(item, employee_id, now_ms, max_age_s=max_age_s))
        except InvalidFix as exc:
            outcome.rejected.append({"index": index, "error": str(exc)})
    if coord_system != "wgs84":
        regions = offset_regions(rt.org_settings())
        fixes = [_in_wgs84(fix, coord_system, regions) for fix in fixes]
    # Privacy first: only fixes inside working hours, of people sharing (with consent where needed), become positions.
    decision = tracking_policy(rt).split(fixes)
    try:
        if decision.tracked:
            yield Publish(decision.tracked, source)
    except Exception:  # StreamFull, Redis down: nothing published, the device is told to retry
        count_ingest(source, refused=len(fixes), rejected=len(outcome.rejected))
        raise
    count_ingest(
        source,
        accepted=len(decision.tracked),
        withheld=decision.withheld,
        no_consent=decision.no_consent,
        rejected=len(outcome.rejected),
    )
    if decision.coarse:
        # Coarse presence goes straight to PostgreSQL (its exact point never reaches Redis): while that is
        # down, the request is refused so the tracker sends it again; its tracked fixes, published twice, are
        # stored once (the writer's (employee_id, ts) key).
        try:
            positions.add_coarse_presence(rt.db, coarse_rows(decision.coarse))
        except POSTGRES_DOWN as exc:
            raise Unavailable(
                "off-hours presence cannot be stored while PostgreSQL is unavailable; retry later",
                dependency="postgresql",
            ) from exc
    outcome.accepted, outcome.withheld = len(fixes), decision.withheld + decision.no_consent
    outcome.no_consent = decision.no_consent
    return outcome


def _in_wgs84(fix: Fix, coord_system: str, regions: frozenset[str]) -> Fix:
    lat, lon = to_wgs84(fix.lat, fix.lon, coord_system, regions)
    return replace(fix, lat=lat, lon=lon)


def accept_batch(rt: Runtime, employee_id: int, body: Any, source: str, coord_system: str = "wgs84") -> Outcome:
    """A native batch (`accepting_batch`, run in this thread)."""
    return publish_inline(rt, accepting_batch(rt, employee_id, body, source, coord_system))


def accepting_batch(
    rt: Runtime, employee_id: int, body: Any, source: str, coord_system: str = "wgs84"
) -> Steps[Outcome]:
    """A native batch, `{"positions": [...], "coord_system": "gcj02"}` (the device endpoint's and the phone's;
    coord_system optional, else the device's): refused whole when it is not one, is longer than MAX_BATCH, or
    holds no fix that could be accepted."""
    if body is None:
        raise AppError(400, "invalid_body", "the body must be JSON (Content-Type: application/json)")
    if not isinstance(body, dict) or not isinstance(body.get("positions"), list):
        raise AppError(400, "invalid_body", 'the body is a JSON object with a "positions" list')
    if len(body["positions"]) > MAX_BATCH:
        raise AppError(413, "too_large", f"at most {MAX_BATCH} positions per request")
    try:
        coord_system = checked_system(body.get("coord_system", coord_system))
    except CoordSystemError as exc:
        raise AppError(400, "invalid_body", str(exc)) from exc
    outcome = yield from accepting_fixes(rt, employee_id, body["positions"], source, coord_system=coord_system)
    if not outcome.accepted:
        raise AppError(400, "nothing_accepted", "no position could be accepted", rejected=outcome.rejected)
    return outcome


def accept_event(rt: Runtime, employee_id: int, kind: str, at_s: float, source: str, details: dict) -> None:
    """Record a tracker's own event (an OwnTracks region transition) as an activity; the one way in
    for events, as accept_fixes is for positions."""
    ts_ms = parse_timestamp_ms(at_s)
    if not EARLIEST_MS <= ts_ms <= int(time.time() * 1000) + FUTURE_SLACK_MS:
        raise InvalidFix("the event's time is before 2000 or in the future: the device clock is wrong")
    _storable_json(details, "the event's details")
    if not tracking_policy(rt).tracks(employee_id, ts_ms):
        return  # outside working hours or while sharing is paused, an event says where someone was
    activities.record_event(rt.db, employee_id, kind, datetime.fromtimestamp(ts_ms / 1000, UTC), source, details)
