"""Check-ins people can trust (issue 19, 防作弊): a browser cannot read Android's mock-location flag, so a fix
is scored 0-100 with the reasons it lost points. Pure: no database, no clock; the caller passes the person's
recent fixes, the server's receive time and what it knows about the device. A score never blocks or changes
anything by itself: supervisors read it, and an alert rule may watch it (docs/CHINA.md explains each rule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard.core.i18n import _
from dashboard.work.streets import distance_m

# A still phone's GPS wanders by metres from fix to fix; a mock-location app repeats one point exactly.
FROZEN_MIN_FIXES = 5  # this many identical fixes in a row...
FROZEN_MIN_SPAN_S = 60  # ...over at least this long
FROZEN_DECIMALS = 6  # identical to about 0.1 m
FROZEN_PENALTY = 40
# Faster than a train between two fixes, after both fixes' accuracy is allowed for, is a jump, not a journey.
IMPOSSIBLE_KMH = 300.0
IMPOSSIBLE_PENALTY = 50
# A receiver's accuracy estimate changes with the sky it sees; a mock app sends one constant.
CONSTANT_ACCURACY_MIN_FIXES = 10
CONSTANT_ACCURACY_PENALTY = 20
# The phone's clock against the server's at the moment the server receives the fix (network time keeps phones
# within seconds; a clock set by hand moves a faked track in time).
CLOCK_SLACK_S = 120
CLOCK_PENALTY = 25
NEW_DEVICE_PENALTY = 15
# A cell tower or an IP address places a phone within its own radius; further than that plus the fix's accuracy
# and a margin is a position the network does not see.
HINT_MARGIN_M = 2000.0
HINT_PENALTY = 30
RECENT_S = 15 * 60  # how far back the recent fixes a score reads go
BANDS = ((80, "high"), (50, "medium"), (0, "low"))


@dataclass(frozen=True)
class TrustFix:
    """One position as scoring needs it: UTC epoch milliseconds, degrees, metres (accuracy None when unknown)."""

    ts_ms: int
    lat: float
    lon: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class Hint:
    """Where the network places the phone (a tracker's cell, an IP's location), within radius_m."""

    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class Verdict:
    score: int
    reasons: list[dict] = field(default_factory=list)

    def as_record(self) -> dict:
        return {"score": self.score, "reasons": self.reasons}


def score_fix(
    fix: TrustFix,
    recent: Sequence[TrustFix],
    received_ms: int,
    *,
    device_now_ms: int | None = None,
    new_device: bool = False,
    hint: Hint | None = None,
) -> Verdict:
    """The fix's score and reasons. `recent` are the person's earlier fixes (any order; later ones and ones older
    than RECENT_S before the fix are ignored); `device_now_ms` the phone's clock when it sent the fix, if it said."""
    earlier = [f for f in recent if fix.ts_ms - RECENT_S * 1000 <= f.ts_ms < fix.ts_ms]
    track = [*sorted(earlier, key=lambda f: f.ts_ms), fix]
    reasons = [
        reason
        for reason in (
            _frozen(track),
            _impossible_speed(track),
            _constant_accuracy(track),
            _clock(fix, received_ms, device_now_ms),
            {"code": "new_device"} if new_device else None,
            _far_from_hint(fix, hint),
        )
        if reason is not None
    ]
    penalty = sum(PENALTIES[reason["code"]] for reason in reasons)
    return Verdict(max(0, 100 - penalty), reasons)


def _frozen(track: list[TrustFix]) -> dict | None:
    """The longest run of exactly repeated coordinates in the recent track."""
    best, run_start = (0, 0.0), 0
    for i, f in enumerate(track):
        if i and _point(f) != _point(track[i - 1]):
            run_start = i
        span_s = (f.ts_ms - track[run_start].ts_ms) / 1000
        best = max(best, (i - run_start + 1, span_s))
    fixes, span_s = best
    if fixes >= FROZEN_MIN_FIXES and span_s >= FROZEN_MIN_SPAN_S:
        return {"code": "frozen", "fixes": fixes, "seconds": round(span_s)}
    return None


def _point(f: TrustFix) -> tuple[float, float]:
    return round(f.lat, FROZEN_DECIMALS), round(f.lon, FROZEN_DECIMALS)


def _impossible_speed(track: list[TrustFix]) -> dict | None:
    """The speed from the previous fix to this one, with both fixes' accuracy taken off the distance."""
    if len(track) < 2:
        return None
    before, fix = track[-2], track[-1]
    slack = (before.accuracy_m or 0) + (fix.accuracy_m or 0)
    metres = max(0.0, distance_m(before.lat, before.lon, fix.lat, fix.lon) - slack)
    seconds = max((fix.ts_ms - before.ts_ms) / 1000, 1.0)
    kmh = metres / seconds * 3.6
    if kmh > IMPOSSIBLE_KMH:
        return {"code": "impossible_speed", "kmh": round(kmh), "km": round(metres / 1000, 1)}
    return None


def _constant_accuracy(track: list[TrustFix]) -> dict | None:
    tail = track[-CONSTANT_ACCURACY_MIN_FIXES:]
    if len(tail) < CONSTANT_ACCURACY_MIN_FIXES or tail[0].accuracy_m is None:
        return None
    if all(f.accuracy_m == tail[0].accuracy_m for f in tail):
        return {"code": "constant_accuracy", "fixes": len(tail), "accuracy_m": tail[0].accuracy_m}
    return None


def _clock(fix: TrustFix, received_ms: int, device_now_ms: int | None) -> dict | None:
    """The phone's own clock when it said it (else the fix's time, which may only be older, never ahead)."""
    if device_now_ms is not None:
        skew_s = (device_now_ms - received_ms) / 1000
    else:
        skew_s = max(0.0, (fix.ts_ms - received_ms) / 1000)
    if abs(skew_s) > CLOCK_SLACK_S:
        return {"code": "clock", "seconds": round(skew_s)}
    return None


def _far_from_hint(fix: TrustFix, hint: Hint | None) -> dict | None:
    if hint is None:
        return None
    away = distance_m(fix.lat, fix.lon, hint.lat, hint.lon) - hint.radius_m - (fix.accuracy_m or 0)
    if away > HINT_MARGIN_M:
        return {"code": "far_from_hint", "km": round(away / 1000, 1)}
    return None


PENALTIES = {
    "frozen": FROZEN_PENALTY,
    "impossible_speed": IMPOSSIBLE_PENALTY,
    "constant_accuracy": CONSTANT_ACCURACY_PENALTY,
    "clock": CLOCK_PENALTY,
    "new_device": NEW_DEVICE_PENALTY,
    "far_from_hint": HINT_PENALTY,
}


def band(score: int) -> str:
    """high (80 and over), medium (50-79) or low: the colour a supervisor sees."""
    return next(name for low, name in BANDS if score >= low)


def reason_text(reason: dict) -> str:
    """A reason in the viewer's words, with its numbers."""
    code = reason.get("code")
    if code == "frozen":
        return _("the same coordinates {fixes} times in a row", fixes=reason.get("fixes"))
    if code == "impossible_speed":
        return _("an impossible speed of {kmh} km/h from the previous position", kmh=reason.get("kmh"))
    if code == "constant_accuracy":
        return _("accuracy never changed over {fixes} positions", fixes=reason.get("fixes"))
    if code == "clock":
        return _("the phone's clock is {seconds} s off the server's", seconds=reason.get("seconds"))
    if code == "new_device":
        return _("a device not seen before for this person")
    if code == "far_from_hint":
        return _("{km} km from where the network places the phone", km=reason.get("km"))
    return str(code)
