"""GPX track points read with no server: the real files in ../shared/realdata (see SOURCES.md there)
and small documents written here."""

from datetime import UTC, datetime

import pytest

from dashboard.ingest.accept import InvalidFix, parse_fix
from dashboard.ingest.protocols.gpx import read_track_points
from tests.replay import realdata

NOW_MS = 1_764_237_600_000  # 2025-11-27T10:00:00Z


def _read(name: str) -> tuple[list[dict], int]:
    return read_track_points(realdata(name).read_text(encoding="utf-8-sig"))


def _gpx(body: str, version: str = "1.1") -> str:
    namespace = f"http://www.topografix.com/GPX/{version.replace('.', '/')}"
    return f'<?xml version="1.0"?><gpx version="{version}" creator="test" xmlns="{namespace}">{body}</gpx>'


@pytest.mark.parametrize(
    ("name", "timed", "untimed"),
    [
        ("around-visnjan-with-car.gpx", 104, 0),  # the whole file on one line
        ("korita-zbevnica.gpx", 513, 358),
        ("cerknicko-jezero.gpx", 296, 0),  # waypoints beside the tracks
        ("Mojstrovka.gpx", 184, 0),
        ("run.gpx", 206, 0),
        ("blue_hills.gpx", 1243, 0),  # CRLF line ends, 14 segments, 46 waypoints
    ],
)
def test_every_track_point_of_a_real_file_is_read_and_untimed_ones_counted(name, timed, untimed):
    fixes, untimed_points = _read(name)
    assert (len(fixes), untimed_points) == (timed, untimed)


def test_a_real_run_starts_where_and_when_it_was_recorded():
    fixes, _untimed = _read("run.gpx")
    first = fixes[0]
    assert datetime.fromtimestamp(first["ts"], UTC) == datetime(2012, 10, 24, 23, 29, 40, tzinfo=UTC)
    assert (first["lat"], first["lon"]) == pytest.approx((38.927474, -77.020162))
    assert first["attributes"] == {"altitude": pytest.approx(25.6)}
    assert first["accuracy"] is None


def test_a_broken_export_dated_1901_is_read_and_then_refused_by_the_one_validation():
    fixes, _untimed = _read("Mojstrovka.gpx")
    assert all(datetime.fromtimestamp(fix["ts"], UTC).year == 1901 for fix in fixes)
    with pytest.raises(InvalidFix, match="before 2000"):
        parse_fix(fixes[0], 7, NOW_MS)


def test_track_points_become_plain_fixes_with_speed_course_and_elevation():
    document = _gpx(
        '<trk><trkseg><trkpt lat="60.17" lon="24.94"><ele>12.5</ele><time>2025-11-27T10:00:00Z</time>'
        "<course>90</course><speed>3.5</speed></trkpt></trkseg></trk>",
        version="1.0",
    )
    assert read_track_points(document) == (
        [
            {
                "ts": 1_764_237_600,
                "lat": 60.17,
                "lon": 24.94,
                "speed": 3.5,
                "heading": 90,
                "accuracy": None,
                "attributes": {"altitude": 12.5},
            }
        ],
        0,
    )


def test_times_with_an_offset_or_without_a_zone_are_utc_instants():
    document = _gpx(
        '<trk><trkseg><trkpt lat="1" lon="2"><time>2025-11-27T12:00:05+02:00</time></trkpt></trkseg>'
        '<trkseg><trkpt lat="1" lon="2"><time>2025-11-27T10:00:10</time></trkpt></trkseg></trk>'
    )
    fixes, _untimed = read_track_points(document)
    assert [fix["ts"] for fix in fixes] == [1_764_237_605, 1_764_237_610]


def test_a_point_without_a_time_is_counted_not_read():
    document = _gpx(
        '<trk><trkseg><trkpt lat="1" lon="2"/><trkpt lat="1" lon="2"><time>2025-11-27T10:00:00Z</time></trkpt>'
        "</trkseg></trk>"
    )
    fixes, untimed = read_track_points(document)
    assert (len(fixes), untimed, fixes[0]["attributes"]) == (1, 1, None)


def test_waypoints_and_routes_are_plans_not_where_someone_was():
    document = _gpx(
        '<wpt lat="1" lon="2"><time>2025-11-27T10:00:00Z</time></wpt>'
        '<rte><rtept lat="1" lon="2"><time>2025-11-27T10:00:00Z</time></rtept></rte>'
    )
    assert read_track_points(document) == ([], 0)


@pytest.mark.parametrize("text", ["<html>", "", "not xml at all"])
def test_what_is_not_gpx_is_refused(text):
    with pytest.raises(ValueError, match="not a GPX file"):
        read_track_points(text)
