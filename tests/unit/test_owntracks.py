"""OwnTracks `_type: location` messages decoded with no server: velocity in km/h, -1 for unknown,
`tst` sent as text. Wire format: docs in dashboard/ingest/protocols/owntracks.py."""

import pytest

from dashboard.ingest.accept import InvalidFix, parse_fix
from dashboard.ingest.protocols.owntracks import fix_from_location

NOW_MS = 1_764_237_600_000  # 2025-11-27T10:00:00Z
TST = 1_764_237_590
EMPLOYEE = 7

# The example message in OwnTracks' own documentation, with a recent tst.
DOCUMENTED = {
    "_type": "location",
    "acc": 15,
    "alt": 440,
    "batt": 46,
    "conn": "w",
    "lat": 46.0681247,
    "lon": 11.1512805,
    "t": "u",
    "tid": "5t",
    "tst": TST,
    "vac": 2,
    "vel": 0,
}


def test_owntracks_documented_example_becomes_a_plain_fix():
    fix = fix_from_location(DOCUMENTED)
    assert (fix["ts"], fix["lat"], fix["lon"], fix["speed"], fix["accuracy"]) == (TST, 46.0681247, 11.1512805, 0, 15)
    assert fix["heading"] is None
    assert fix["attributes"] == {"alt": 440, "batt": 46, "conn": "w", "t": "u", "tid": "5t", "vac": 2}


def test_owntracks_velocity_is_in_kmh():
    assert fix_from_location({**DOCUMENTED, "vel": 36})["speed"] == pytest.approx(10.0)


def test_owntracks_tst_sent_as_text_is_read_as_a_number():
    assert fix_from_location({**DOCUMENTED, "tst": str(TST)})["ts"] == TST


def test_owntracks_minus_one_means_unknown():
    fix = fix_from_location({**DOCUMENTED, "vel": -1, "cog": -1, "acc": -1})
    assert fix["speed"] is None
    accepted = parse_fix(fix, EMPLOYEE, NOW_MS)
    assert (accepted.speed, accepted.heading, accepted.accuracy) == (None, None, None)


def test_owntracks_course_is_the_heading_and_decimal_altitude_is_kept():
    fix = fix_from_location({**DOCUMENTED, "cog": 271, "alt": 440.5})
    assert fix["heading"] == 271
    assert fix["attributes"]["alt"] == 440.5


def test_owntracks_location_is_accepted_as_parsed():
    accepted = parse_fix(fix_from_location({**DOCUMENTED, "vel": 18}), EMPLOYEE, NOW_MS)
    assert (accepted.ts_ms, accepted.lat, accepted.lon) == (TST * 1000, 46.0681247, 11.1512805)
    assert accepted.speed == pytest.approx(5.0)


def test_owntracks_absurd_tst_is_refused_by_the_one_validation():
    with pytest.raises(InvalidFix, match="before 2000"):
        parse_fix(fix_from_location({**DOCUMENTED, "tst": 1000}), EMPLOYEE, NOW_MS)


@pytest.mark.parametrize("change", [{"tst": 10**400}, {"lat": -(10**400)}, {"vel": 10**400}, {"cog": "1e400"}])
def test_owntracks_a_number_too_large_for_a_float_is_refused_with_a_reason(change):
    with pytest.raises(InvalidFix, match="finite number"):
        fix_from_location({**DOCUMENTED, **change})


@pytest.mark.parametrize(
    "change",
    [
        {"tst": None},
        {"tst": "yesterday"},
        {"tst": True},
        {"lat": "north"},
        {"lon": float("nan")},
        {"vel": [1]},
    ],
)
def test_owntracks_location_without_a_usable_time_or_number_is_refused(change):
    with pytest.raises(InvalidFix):
        fix_from_location({**DOCUMENTED, **change})
