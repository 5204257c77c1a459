"""The OsmAnd protocol as Traccar Client sends it, decoded with no server: query/form parameters,
every timestamp form, and the JSON variant. Wire format: docs in dashboard/ingest/protocols/osmand.py."""

import pytest

from dashboard.ingest.accept import EPOCH_MS_FROM, InvalidFix, parse_fix, parse_timestamp_ms
from dashboard.ingest.protocols.osmand import KNOT_MPS, fix_from_params, fix_time, fixes_from_json

RECEIVED_MS = 1_764_237_600_000  # 2025-11-27T10:00:00Z, the instant the request arrived
EMPLOYEE = 7


def test_knots_convert_to_metres_per_second():
    assert pytest.approx(0.514444, rel=1e-5) == KNOT_MPS


@pytest.mark.parametrize(
    ("value", "expected_ms"),
    [
        ("1764237600", 1_764_237_600_000),  # digits below EPOCH_MS_FROM: seconds
        ("1764237600123", 1_764_237_600_123),  # from it on: milliseconds
        ("2025-11-27T10:00:00Z", 1_764_237_600_000),
        ("2025-11-27T12:00:00+02:00", 1_764_237_600_000),
        ("2025-11-27T10:00:00.250Z", 1_764_237_600_250),
        ("2025-11-27 10:00:00", 1_764_237_600_000),  # read as UTC, as documented
        (None, RECEIVED_MS),  # missing: the time received
    ],
)
def test_osmand_timestamps_in_every_form(value, expected_ms):
    assert parse_timestamp_ms(fix_time(value, RECEIVED_MS)) == expected_ms


def test_osmand_seconds_after_2038_are_seconds():
    # Traccar's limit (2147483647) would read these as milliseconds in January 1970.
    assert parse_timestamp_ms(fix_time("2147483647", RECEIVED_MS)) == 2_147_483_647_000
    assert parse_timestamp_ms(fix_time("4102444800", RECEIVED_MS)) == 4_102_444_800_000  # 2100-01-01


def test_osmand_digits_from_the_limit_on_are_milliseconds():
    assert parse_timestamp_ms(fix_time(str(EPOCH_MS_FROM - 1), RECEIVED_MS)) == (EPOCH_MS_FROM - 1) * 1000
    assert parse_timestamp_ms(fix_time(str(EPOCH_MS_FROM), RECEIVED_MS)) == EPOCH_MS_FROM


def test_osmand_empty_timestamp_is_the_time_received():
    assert fix_time("", RECEIVED_MS) == RECEIVED_MS


@pytest.mark.parametrize("value", ["yesterday", "2025-11-27T10:00:00", "27.11.2025 10:00", "-1764237600"])
def test_osmand_timestamp_in_no_known_form_is_refused(value):
    with pytest.raises(InvalidFix):
        parse_timestamp_ms(fix_time(value, RECEIVED_MS))


def test_osmand_speed_is_in_knots():
    fix = fix_from_params({"lat": "60.17", "lon": "24.94", "speed": "10"}, RECEIVED_MS)
    assert fix["speed"] == pytest.approx(10 * KNOT_MPS)
    assert fix["speed"] == pytest.approx(5.1444, rel=1e-4)


def test_osmand_query_string_becomes_a_plain_fix_with_the_rest_as_attributes():
    params = {
        "lat": "60.17",
        "lon": "24.94",
        "timestamp": "1764237540",
        "bearing": "90",
        "accuracy": "6",
        "altitude": "224.0",
        "hdop": "6.0",
        "batt": "87",
        "charge": "true",
        "driverUniqueId": "D7",
    }
    fix = fix_from_params(params, RECEIVED_MS)
    assert (fix["ts"], fix["lat"], fix["lon"], fix["heading"], fix["accuracy"]) == (1_764_237_540, 60.17, 24.94, 90, 6)
    assert fix["speed"] is None
    assert fix["attributes"] == {"altitude": 224.0, "hdop": 6.0, "batt": 87.0, "charge": True, "driverUniqueId": "D7"}


def test_osmand_heading_may_be_called_heading_instead_of_bearing():
    assert fix_from_params({"lat": "1", "lon": "2", "heading": "45"}, RECEIVED_MS)["heading"] == 45
    assert fix_from_params({"lat": "1", "lon": "2", "bearing": "90", "heading": "45"}, RECEIVED_MS)["heading"] == 90


def test_osmand_location_pair_stands_for_lat_and_lon():
    fix = fix_from_params({"location": "60.2,24.9"}, RECEIVED_MS)
    assert (fix["lat"], fix["lon"], fix["ts"]) == (60.2, 24.9, RECEIVED_MS)


def test_osmand_lat_and_lon_beat_the_location_pair():
    fix = fix_from_params({"lat": "60.1", "lon": "24.8", "location": "1,2"}, RECEIVED_MS)
    assert (fix["lat"], fix["lon"]) == (60.1, 24.8)


def test_osmand_text_that_reads_as_no_number_is_kept_as_text():
    fix = fix_from_params({"lat": "1", "lon": "2", "note": "gate B", "count": "3", "odd": "nan"}, RECEIVED_MS)
    assert fix["attributes"] == {"note": "gate B", "count": 3.0, "odd": "nan"}


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "abc", "lon": "24.9"},
        {"lat": "nan", "lon": "24.9"},
        {"lat": "60", "lon": "inf"},
        {"location": "60.1"},
        {"location": "60.1,24.9,3"},
        {"lat": "60"},
        {},
        {"lat": "60", "lon": "24", "speed": "fast"},
    ],
)
def test_osmand_parameters_without_a_usable_position_are_refused_with_a_reason(params):
    with pytest.raises(InvalidFix) as refused:
        fix_from_params(params, RECEIVED_MS)
    assert str(refused.value)


def test_osmand_negative_speed_and_bearing_mean_unknown():
    fix = fix_from_params({"location": "60.2,24.9", "speed": "-1", "bearing": "-1"}, RECEIVED_MS)
    accepted = parse_fix(fix, EMPLOYEE, RECEIVED_MS)
    assert (accepted.speed, accepted.heading) == (None, None)


def test_osmand_fix_is_accepted_as_parsed():
    fix = fix_from_params({"lat": "60.17", "lon": "24.94", "timestamp": "1764237540", "speed": "2"}, RECEIVED_MS)
    accepted = parse_fix(fix, EMPLOYEE, RECEIVED_MS)
    assert (accepted.employee_id, accepted.ts_ms) == (EMPLOYEE, 1_764_237_540_000)
    assert (accepted.lat, accepted.lon) == (60.17, 24.94)
    assert accepted.speed == pytest.approx(2 * KNOT_MPS)


# The JSON variant (newer Traccar Client)


def test_osmand_json_speed_is_metres_per_second_and_extras_become_attributes():
    body = {
        "device_id": "902064",
        "location": {
            "timestamp": "2025-11-27T09:59:40Z",
            "coords": {
                "latitude": 60.18,
                "longitude": 24.95,
                "accuracy": 12,
                "speed": 3.5,
                "heading": 270,
                "altitude": 12.5,
            },
            "is_moving": True,
            "odometer": 1234,
            "event": "motionchange",
            "battery": {"level": 0.55, "is_charging": False},
            "activity": {"type": "on_foot"},
            "extras": {"shift": "B"},
        },
    }
    device, [fix] = fixes_from_json(body, RECEIVED_MS)
    assert device == "902064"
    assert (parse_timestamp_ms(fix["ts"]), fix["lat"], fix["lon"]) == (1_764_237_580_000, 60.18, 24.95)
    assert (fix["speed"], fix["heading"], fix["accuracy"]) == (3.5, 270, 12)
    assert fix["attributes"] == {
        "shift": "B",
        "motion": True,
        "odometer": 1234,
        "event": "motionchange",
        "batt": 55.0,
        "charge": False,
        "activity": "on_foot",
        "altitude": 12.5,
    }


def test_osmand_json_negative_speed_heading_and_battery_mean_unknown():
    location = {"coords": {"latitude": 60.1, "longitude": 24.9, "speed": -1, "heading": -1}, "battery": {"level": -1}}
    _device, [fix] = fixes_from_json({"device_id": "902064", "location": location}, RECEIVED_MS)
    assert "batt" not in fix["attributes"]
    accepted = parse_fix(fix, EMPLOYEE, RECEIVED_MS)
    assert (accepted.speed, accepted.heading) == (None, None)


def test_osmand_json_without_a_timestamp_is_the_time_received_and_a_numeric_device_id_is_text():
    body = {"device_id": 902064, "location": {"coords": {"latitude": 1, "longitude": 2}}}
    device, [fix] = fixes_from_json(body, RECEIVED_MS)
    assert (device, fix["ts"]) == ("902064", RECEIVED_MS)


def test_osmand_json_epoch_digits_are_read_as_in_the_query_string():
    body = {"device_id": "d", "location": {"timestamp": 1764237540, "coords": {"latitude": 1, "longitude": 2}}}
    assert fixes_from_json(body, RECEIVED_MS)[1][0]["ts"] == 1_764_237_540


def test_osmand_json_list_keeps_each_broken_location_in_its_place():
    good = {"coords": {"latitude": 1, "longitude": 2}}
    body = {"device_id": "d", "location": [good, "junk", {"coords": good["coords"], "timestamp": True}, good]}
    _device, parsed = fixes_from_json(body, RECEIVED_MS)
    assert [isinstance(item, InvalidFix) for item in parsed] == [False, True, True, False]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "902064",
        {"location": {"coords": {"latitude": 1, "longitude": 2}}},
        {"device_id": "", "location": {}},
        {"device_id": ["a"], "location": {}},
        {"device_id": "d", "location": [{"coords": {"latitude": 1, "longitude": 2}}] * 1001},
    ],
)
def test_osmand_json_body_without_a_device_or_with_too_many_locations_is_refused(body):
    with pytest.raises(InvalidFix):
        fixes_from_json(body, RECEIVED_MS)


@pytest.mark.parametrize(
    "coords",
    [{"latitude": 10**400, "longitude": 2}, {"latitude": 1, "longitude": 2, "speed": -(10**400)}],
)
def test_osmand_json_a_number_too_large_for_a_float_is_refused_with_a_reason(coords):
    _device, [refused] = fixes_from_json({"device_id": "d", "location": {"coords": coords}}, RECEIVED_MS)
    assert isinstance(refused, InvalidFix) and "finite number" in str(refused)
