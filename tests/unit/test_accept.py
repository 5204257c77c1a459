"""The one validation every fix passes (dashboard/ingest/accept.py), with a pinned "now" and no server."""

import pytest

from dashboard.ingest.accept import (
    EARLIEST_MS,
    FUTURE_SLACK_MS,
    MAX_ATTRIBUTES_BYTES,
    MAX_SPEED_MPS,
    InvalidFix,
    parse_fix,
    parse_timestamp_ms,
)

NOW_MS = 1_764_237_600_000  # 2025-11-27T10:00:00Z
EMPLOYEE = 7


def _fix(**fields) -> dict:
    return {"ts": NOW_MS - 10_000, "lat": 60.17, "lon": 24.94, **fields}


@pytest.mark.parametrize(
    ("value", "expected_ms"),
    [
        (1_764_237_600, 1_764_237_600_000),  # epoch seconds
        (1_764_237_600_123, 1_764_237_600_123),  # epoch milliseconds
        ("2025-11-27T10:00:00Z", 1_764_237_600_000),
        ("2025-11-27T12:00:00+02:00", 1_764_237_600_000),
    ],
)
def test_timestamps_in_every_accepted_form(value, expected_ms):
    assert parse_timestamp_ms(value) == expected_ms


@pytest.mark.parametrize("value", ["2025-11-27 10:00:00", "2025-11-27T10:00:00", None, True, float("nan")])
def test_timestamps_without_a_zone_or_a_value_are_refused(value):
    with pytest.raises(InvalidFix):
        parse_timestamp_ms(value)


def test_fractional_epoch_seconds_keep_their_milliseconds():
    assert parse_timestamp_ms(1_764_237_600.25) == 1_764_237_600_250


@pytest.mark.parametrize("value", [[1764237600], {"ts": 1}, b"1764237600"])
def test_a_timestamp_of_another_type_is_refused(value):
    with pytest.raises(InvalidFix, match="string or a number"):
        parse_timestamp_ms(value)


def test_a_valid_fix_is_normalised():
    fix = parse_fix(_fix(speed=3, heading=180, accuracy=6, attributes={"batt": 80}), EMPLOYEE, NOW_MS)
    assert (fix.employee_id, fix.ts_ms, fix.lat, fix.lon) == (EMPLOYEE, NOW_MS - 10_000, 60.17, 24.94)
    assert (fix.speed, fix.heading, fix.accuracy, fix.attributes) == (3.0, 180.0, 6.0, {"batt": 80})


def test_optional_numbers_may_be_missing_and_empty_attributes_are_none():
    fix = parse_fix(_fix(attributes={}), EMPLOYEE, NOW_MS)
    assert (fix.speed, fix.heading, fix.accuracy, fix.attributes) == (None, None, None, None)


def test_negative_speed_heading_and_accuracy_mean_unknown():
    fix = parse_fix(_fix(speed=-1, heading=-1, accuracy=-1), EMPLOYEE, NOW_MS)
    assert (fix.speed, fix.heading, fix.accuracy) == (None, None, None)


def test_seconds_after_2038_are_seconds_and_milliseconds_since_1985_are_milliseconds():
    later = 4_102_444_800_000  # 2100-01-01: a "now" in which 2039 is the past
    assert parse_fix(_fix(ts=2_200_000_000), EMPLOYEE, later).ts_ms == 2_200_000_000_000  # 2039-09-18 in seconds
    assert parse_fix(_fix(ts=4_000_000_000_000), EMPLOYEE, later).ts_ms == 4_000_000_000_000  # 2096 in ms
    with pytest.raises(InvalidFix, match="in the future"):
        parse_fix(_fix(ts=2_200_000_000), EMPLOYEE, NOW_MS)  # 2039 seen from 2025: not "before 2000"
    with pytest.raises(InvalidFix, match="before 2000"):
        parse_fix(_fix(ts=600_000_000_000), EMPLOYEE, NOW_MS)  # 1989 in milliseconds


@pytest.mark.parametrize("ts", [-1e308, -(10**400), -1, 0, 1000, 946_684_799, 946_684_799_999])
def test_a_time_before_2000_in_any_unit_or_size_is_refused_as_such(ts):
    with pytest.raises(InvalidFix, match="before 2000"):
        parse_fix(_fix(ts=ts), EMPLOYEE, NOW_MS)


@pytest.mark.parametrize("ts", [1e308, 10**400, 253_402_300_799, 2**63])
def test_a_time_beyond_any_clock_is_refused_as_in_the_future(ts):
    with pytest.raises(InvalidFix, match="in the future"):
        parse_fix(_fix(ts=ts), EMPLOYEE, NOW_MS)


@pytest.mark.parametrize("key", ["lat", "lon", "speed", "heading", "accuracy"])
@pytest.mark.parametrize("value", [10**400, 1e308])
def test_a_number_of_any_size_is_refused_by_its_range(key, value):
    with pytest.raises(InvalidFix, match=f"{key} .* is outside"):
        parse_fix(_fix(**{key: value}), EMPLOYEE, NOW_MS)


def test_broken_device_clocks_are_refused():
    with pytest.raises(InvalidFix, match="before 2000"):
        parse_fix(_fix(ts=EARLIEST_MS - 1), EMPLOYEE, NOW_MS)
    with pytest.raises(InvalidFix, match="in the future"):
        parse_fix(_fix(ts=NOW_MS + FUTURE_SLACK_MS + 1), EMPLOYEE, NOW_MS)


def test_a_clock_a_little_ahead_is_tolerated():
    assert parse_fix(_fix(ts=NOW_MS + FUTURE_SLACK_MS), EMPLOYEE, NOW_MS).ts_ms == NOW_MS + FUTURE_SLACK_MS


def test_the_age_window_refuses_old_fixes_only_when_given():
    old = _fix(ts=NOW_MS - 3_601_000)
    with pytest.raises(InvalidFix, match="older than 3600 s"):
        parse_fix(old, EMPLOYEE, NOW_MS, max_age_s=3600)
    assert parse_fix(old, EMPLOYEE, NOW_MS).ts_ms == NOW_MS - 3_601_000  # history import: any age since 2000


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"lat": None}, "lat is required"),
        ({"lon": None}, "lon is required"),
        ({"lat": 90.5}, "outside"),
        ({"lat": -91}, "outside"),  # a negative position is not "unknown"
        ({"lon": 180.1}, "outside"),
        ({"lat": "60.17"}, "must be a number"),
        ({"lat": True}, "must be a number"),
        ({"lon": float("inf")}, "must be a number"),
        ({"speed": MAX_SPEED_MPS + 1}, "outside"),
        ({"heading": 361}, "outside"),
        ({"accuracy": 100_001}, "outside"),
        ({"attributes": [1]}, "JSON object"),
        ({"attributes": {"blob": "x" * MAX_ATTRIBUTES_BYTES}}, "larger than"),
        ({"attributes": {"when": object()}}, "JSON values"),
    ],
)
def test_a_fix_outside_the_rules_is_refused_with_its_reason(fields, reason):
    with pytest.raises(InvalidFix, match=reason):
        parse_fix(_fix(**fields), EMPLOYEE, NOW_MS)


@pytest.mark.parametrize("item", [None, [60.17, 24.94], "60.17,24.94"])
def test_a_fix_that_is_not_an_object_is_refused(item):
    with pytest.raises(InvalidFix, match="JSON object"):
        parse_fix(item, EMPLOYEE, NOW_MS)


@pytest.mark.parametrize("attributes", [{"note": "a\x00b"}, {"a\x00": 1}, {"deep": {"er": ["\x00"]}}])
def test_attributes_with_a_nul_are_refused_since_postgresql_cannot_store_them(attributes):
    with pytest.raises(InvalidFix, match="NUL"):
        parse_fix(_fix(attributes=attributes), EMPLOYEE, NOW_MS)


def test_attributes_with_the_text_of_an_escape_are_kept():
    assert parse_fix(_fix(attributes={"note": "\\u0000"}), EMPLOYEE, NOW_MS).attributes == {"note": "\\u0000"}
