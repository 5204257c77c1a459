"""Check-in trust scores (issue 19): a scripted spoofed track scores low with its reasons, real tracks from
/work/shared/realdata score high, and each rule alone."""

from __future__ import annotations

from pathlib import Path

import gpxpy
import pytest

from dashboard.core.permissions import Viewer, may_see_trust, scope_for
from dashboard.work.trust import Hint, TrustFix, band, reason_text, score_fix

REALDATA = Path("/work/shared/realdata")
START = 1_790_000_000_000  # ms; scores never read the clock
STILL = (60.1699, 24.9384)


def _codes(verdict) -> set[str]:
    return {reason["code"] for reason in verdict.reasons}


def _jittering(n: int, step_s: int = 10, accuracy: bool = True) -> list[TrustFix]:
    """A phone lying still: a few metres of wander and an accuracy that changes."""
    wander = [(0.00001, -0.00002), (-0.00003, 0.00001), (0.00002, 0.00003), (0.0, -0.00001), (-0.00001, 0.00002)]
    return [
        TrustFix(
            START + i * step_s * 1000,
            STILL[0] + wander[i % 5][0],
            STILL[1] + wander[i % 5][1],
            (8.0 + (i * 7) % 5) if accuracy else None,
        )
        for i in range(n)
    ]


def test_spoofed_track_frozen_then_a_50_km_jump_in_a_minute_scores_low_with_both_reasons():
    frozen = [TrustFix(START + i * 10_000, *STILL, 5.0) for i in range(12)]
    jump = TrustFix(frozen[-1].ts_ms + 60_000, STILL[0] + 50 / 111.2, STILL[1], 5.0)  # 50 km north, a minute on
    verdict = score_fix(jump, frozen, jump.ts_ms + 1000)
    assert verdict.score < 50 and band(verdict.score) == "low"
    reasons = {r["code"]: r for r in verdict.reasons}
    assert reasons["frozen"]["fixes"] == 12
    assert reasons["impossible_speed"]["kmh"] > 2900
    assert "constant_accuracy" in reasons  # the mock app's one accuracy, 13 times


@pytest.mark.parametrize("name", ["around-visnjan-with-car.gpx", "run.gpx"])
def test_real_tracks_score_high_at_every_fix(name):
    """A Garmin eTrex car drive (1 s logging) and a Garmin Connect run (4 s): every fix scores 100."""
    with (REALDATA / name).open() as stream:
        gpx = gpxpy.parse(stream)
    points = [p for track in gpx.tracks for segment in track.segments for p in segment.points if p.time]
    fixes = sorted(
        (TrustFix(int(p.time.timestamp() * 1000), p.latitude, p.longitude) for p in points), key=lambda f: f.ts_ms
    )
    assert len(fixes) > 100
    scores = [score_fix(fix, fixes[:i], fix.ts_ms + 2000).score for i, fix in enumerate(fixes)]
    assert min(scores) >= 80 and band(min(scores)) == "high"


def test_a_still_phone_that_jitters_is_not_frozen():
    track = _jittering(20)
    assert score_fix(track[-1], track[:-1], track[-1].ts_ms).score == 100


def test_frozen_alone():
    track = [TrustFix(START + i * 15_000, *STILL, 5.0 + i) for i in range(6)]
    verdict = score_fix(track[-1], track[:-1], track[-1].ts_ms)
    assert _codes(verdict) == {"frozen"} and verdict.score == 60


def test_a_few_identical_fixes_within_seconds_are_not_frozen():
    track = [TrustFix(START + i * 5_000, *STILL, 5.0 + i) for i in range(6)]  # 25 s: under a minute
    assert _codes(score_fix(track[-1], track[:-1], track[-1].ts_ms)) == set()


def test_impossible_speed_alone():
    track = _jittering(5)
    jump = TrustFix(track[-1].ts_ms + 60_000, STILL[0] + 0.5, STILL[1], 9.0)  # 55 km in a minute
    verdict = score_fix(jump, track, jump.ts_ms)
    assert _codes(verdict) == {"impossible_speed"} and verdict.score == 50


def test_a_fast_car_is_not_impossible():
    track = _jittering(5)
    drive = TrustFix(track[-1].ts_ms + 60_000, STILL[0] + 0.02, STILL[1], 9.0)  # 2.2 km in a minute: 133 km/h
    assert _codes(score_fix(drive, track, drive.ts_ms)) == set()


def test_constant_accuracy_alone():
    track = [TrustFix(f.ts_ms, f.lat, f.lon, 12.0) for f in _jittering(12)]
    verdict = score_fix(track[-1], track[:-1], track[-1].ts_ms)
    assert _codes(verdict) == {"constant_accuracy"} and verdict.score == 80


def test_unknown_accuracy_is_not_constant():
    track = _jittering(12, accuracy=False)
    assert _codes(score_fix(track[-1], track[:-1], track[-1].ts_ms)) == set()


def test_clock_alone_from_the_phones_own_clock():
    fix = _jittering(1)[0]
    verdict = score_fix(fix, [], fix.ts_ms, device_now_ms=fix.ts_ms - 600_000)
    assert verdict.reasons == [{"code": "clock", "seconds": -600}] and verdict.score == 75


def test_clock_from_a_fix_ahead_of_the_server_but_not_an_old_fix():
    fix = _jittering(1)[0]
    assert _codes(score_fix(fix, [], fix.ts_ms - 300_000)) == {"clock"}
    assert _codes(score_fix(fix, [], fix.ts_ms + 3_600_000)) == set()  # buffered while offline, sent later


def test_new_device_alone():
    fix = _jittering(1)[0]
    verdict = score_fix(fix, [], fix.ts_ms, new_device=True)
    assert verdict.reasons == [{"code": "new_device"}] and verdict.score == 85


def test_far_from_hint_alone_and_near_it():
    fix = _jittering(1)[0]
    far = score_fix(fix, [], fix.ts_ms, hint=Hint(STILL[0] + 1.0, STILL[1], 3000))  # 111 km away, 3 km radius
    assert _codes(far) == {"far_from_hint"} and far.score == 70 and far.reasons[0]["km"] > 100
    near = score_fix(fix, [], fix.ts_ms, hint=Hint(STILL[0] + 0.03, STILL[1], 3000))
    assert _codes(near) == set()


def test_fixes_older_than_the_window_or_later_are_ignored():
    old = [TrustFix(START - 3_600_000 + i * 10_000, *STILL, 5.0) for i in range(12)]
    fix = TrustFix(START, STILL[0] + 0.0001, STILL[1], 7.0)
    later = TrustFix(START + 60_000, STILL[0] + 1.0, STILL[1], 7.0)
    assert score_fix(fix, [*old, later], START).score == 100


def test_the_score_never_goes_below_zero_and_every_reason_has_words():
    frozen = [TrustFix(START + i * 10_000, *STILL, 5.0) for i in range(12)]
    jump = TrustFix(frozen[-1].ts_ms + 60_000, STILL[0] + 1.0, STILL[1], 5.0)
    verdict = score_fix(
        jump, frozen, jump.ts_ms, device_now_ms=0, new_device=True, hint=Hint(STILL[0] - 1.0, STILL[1], 1000)
    )
    assert verdict.score == 0 and len(verdict.reasons) == 6
    assert all(reason_text(r) != r["code"] for r in verdict.reasons)


@pytest.mark.parametrize(
    ("role", "enabled", "executives", "sees"),
    [
        ("supervisor", True, False, True),
        ("manager", True, False, True),
        ("executive", True, False, False),  # executives see a person's score only when they may see individuals
        ("executive", True, True, True),
        ("field", True, True, False),  # never the person scored
        ("admin", True, True, False),
        ("wall", True, True, False),
        ("supervisor", False, True, False),  # the organisation switched scores off
    ],
)
def test_who_sees_a_trust_score(role, enabled, executives, sees):
    viewer = Viewer(1, "someone", role, 7 if role == "field" else None, scope_for(role, 7, [1]))
    settings = {"trust.enabled": enabled, "privacy.executive_sees_individuals": executives}
    assert may_see_trust(viewer, settings) is sees
