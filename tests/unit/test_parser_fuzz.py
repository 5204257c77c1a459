"""Property-based tests of the pure parsers (hypothesis, tests/hostile.py): whatever a tracker sends, each
parser returns its result or refuses with its reason (InvalidFix, or GPX's ValueError), never another error;
and a fix that is accepted is within every rule of dashboard/ingest/accept.py."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from dashboard.ingest.accept import EARLIEST_MS, FUTURE_SLACK_MS, MAX_SPEED_MPS, InvalidFix, parse_fix
from dashboard.ingest.protocols.gpx import read_track_points
from dashboard.ingest.protocols.osmand import fix_from_params, fixes_from_json
from dashboard.ingest.protocols.owntracks import fix_from_location
from tests.hostile import EDGE_DATES, LIMIT_NUMBERS, fuzz, hostile, json_values, numbers, texts

NOW_MS = 1_764_237_600_000  # 2025-11-27T10:00:00Z
FIX_KEYS = ["ts", "lat", "lon", "speed", "heading", "accuracy", "attributes"]
OSMAND_KEYS = ["id", "lat", "lon", "location", "timestamp", "speed", "bearing", "heading", "accuracy", "batt"]
JSON_KEYS = ["device_id", "location", "coords", "timestamp", "latitude", "longitude", "speed", "heading"]
JSON_KEYS += ["accuracy", "altitude", "battery", "level", "is_charging", "activity", "type", "extras", "is_moving"]
OWNTRACKS_KEYS = ["_type", "tst", "lat", "lon", "acc", "vel", "cog", "batt", "event", "desc", "wtst", "t", "tid"]


def _accepted_within_the_rules(item: object) -> None:
    try:
        fix = parse_fix(item, 7, NOW_MS, max_age_s=3600)
    except InvalidFix as exc:
        assert str(exc)
        return
    assert NOW_MS - 3_600_000 <= fix.ts_ms <= NOW_MS + FUTURE_SLACK_MS
    assert -90 <= fix.lat <= 90 and -180 <= fix.lon <= 180
    assert fix.speed is None or 0 <= fix.speed <= MAX_SPEED_MPS
    assert all(v is None or math.isfinite(v) for v in (fix.speed, fix.heading, fix.accuracy))


def _one_field_changed(valid: dict, keys: list[str]) -> st.SearchStrategy:
    """A valid message with one or two fields made hostile, so that the rules after the first are reached too."""
    changes = st.dictionaries(st.sampled_from(keys), hostile(keys), min_size=1, max_size=2)
    return st.builds(lambda change: {**valid, **change}, changes)


@fuzz(200)
@given(item=_one_field_changed({"ts": NOW_MS - 10_000, "lat": 60.17, "lon": 24.94}, FIX_KEYS) | json_values(FIX_KEYS))
def test_parse_fix_accepts_within_the_rules_or_refuses_with_a_reason(item):
    _accepted_within_the_rules(item)


@fuzz(200)
@given(ts=numbers | texts | st.sampled_from(LIMIT_NUMBERS))
def test_any_timestamp_is_read_or_refused_with_a_reason(ts):
    try:
        fix = parse_fix({"ts": ts, "lat": 60.17, "lon": 24.94}, 7, NOW_MS)
    except InvalidFix as exc:
        assert str(exc)
    else:
        assert EARLIEST_MS <= fix.ts_ms <= NOW_MS + FUTURE_SLACK_MS


osmand_params = st.dictionaries(
    st.sampled_from(OSMAND_KEYS) | st.text(max_size=8),
    texts | numbers.map(str) | st.sampled_from(EDGE_DATES),
    max_size=8,
)


@fuzz(200)
@given(params=osmand_params)
def test_osmand_parameters_become_a_fix_or_a_reason(params):
    try:
        fix = fix_from_params(params, NOW_MS)
    except InvalidFix as exc:
        assert str(exc)
        return
    _accepted_within_the_rules(fix)


@fuzz(200)
@given(
    body=json_values(JSON_KEYS) | st.fixed_dictionaries({"device_id": st.just("d"), "location": json_values(JSON_KEYS)})
)
def test_osmand_json_becomes_fixes_or_reasons(body):
    try:
        _device, parsed = fixes_from_json(body, NOW_MS)
    except InvalidFix as exc:
        assert str(exc)
        return
    for fix in parsed:
        if not isinstance(fix, InvalidFix):
            _accepted_within_the_rules(fix)


@fuzz(200)
@given(
    message=_one_field_changed({"_type": "location", "tst": 1_764_237_590, "lat": 46.07, "lon": 11.15}, OWNTRACKS_KEYS)
)
def test_owntracks_location_becomes_a_fix_or_a_reason(message):
    try:
        fix = fix_from_location(message)
    except InvalidFix as exc:
        assert str(exc)
        return
    _accepted_within_the_rules(fix)


point = st.builds(
    lambda lat, lon, time, extra: f'<trkpt lat="{lat}" lon="{lon}">{time}{extra}</trkpt>',
    texts | numbers.map(str),
    texts | numbers.map(str),
    (texts | st.sampled_from(EDGE_DATES)).map(lambda t: f"<time>{t}</time>") | st.just(""),
    st.sampled_from(
        ["", "<ele>1e400</ele>", "<speed>NaN</speed>", "<course>-1e308</course>", "<ele>9" + "9" * 400 + "</ele>"]
    ),
)


@fuzz(200)
@given(points=st.lists(point, max_size=5))
def test_gpx_track_points_become_fixes_or_the_file_is_refused(points):
    document = (
        '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{''.join(points)}</trkseg></trk></gpx>"
    )
    try:
        read, _untimed = read_track_points(document)
    except ValueError as exc:
        assert str(exc)
        return
    for fix in read:
        try:
            parse_fix(fix, 7, NOW_MS)
        except InvalidFix as exc:
            assert str(exc)
