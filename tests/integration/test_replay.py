"""The real tracks in ../shared/realdata, replayed through every protocol they fit, stored in
PostgreSQL with the right count, order and values. Origins and licences: realdata/SOURCES.md."""

import io
from dataclasses import replace
from datetime import UTC, datetime

import gpxpy
import pytest

from dashboard.demo.seed import device_token, employee_code
from data import devices
from tests.conftest import SECRET, make_app, signed_in_client
from tests.replay import bus_rows, drain, realdata

GPX_FILES = [
    "around-visnjan-with-car.gpx",
    "korita-zbevnica.gpx",
    "cerknicko-jezero.gpx",
    "Mojstrovka.gpx",
    "run.gpx",
    "blue_hills.gpx",
]
TEN_YEARS_S = 10 * 366 * 86400


@pytest.fixture
def app(seeded_settings):
    # Old recordings: lift the live trackers' age window so they can be replayed as if live.
    app = make_app(replace(seeded_settings, max_fix_age_s=TEN_YEARS_S))
    yield app
    app.server.extensions["fieldops"].close()


def _track(rt, employee_id):
    return [
        (r["ts"], r["lat"], r["lon"])
        for r in rt.db.fetch_all(
            "SELECT ts, lat, lon FROM positions WHERE employee_id = %s ORDER BY ts", (employee_id,)
        )
    ]


def _expected_from_gpx(name):
    """First fix per timestamp, timed points since 2000, in time order: what must be stored."""
    parsed = gpxpy.parse(realdata(name).read_text(encoding="utf-8"))
    first: dict[datetime, tuple] = {}
    for track in parsed.tracks:
        for segment in track.segments:
            for p in segment.points:
                if p.time is not None and p.time.year >= 2000:
                    at = p.time.astimezone(UTC)
                    first.setdefault(at.replace(microsecond=at.microsecond // 1000 * 1000), (p.latitude, p.longitude))
    return [(ts, lat, lon) for ts, (lat, lon) in sorted(first.items())]


@pytest.mark.parametrize("name", GPX_FILES)
def test_every_gpx_file_through_the_gpx_import(app, name):
    rt = app.server.extensions["fieldops"]
    employee_id = GPX_FILES.index(name) + 1
    answer = signed_in_client(app).post(
        "/api/v1/gpx",
        data={
            "employee_id": str(employee_id),
            "file": [(io.BytesIO(realdata(name).read_bytes()), name)],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    [report] = answer.get_json()["files"]
    drain(rt)
    expected = _expected_from_gpx(name)
    assert _track(rt, employee_id) == expected
    assert report["accepted"] + report["untimed"] + sum(r["count"] for r in report["rejected"]) == report["points"]
    assert rt.db.fetch_one("SELECT count(*) AS n FROM activities")["n"] == 0  # history derives no events


def test_the_car_drive_through_owntracks_and_the_native_batch(app):
    rt = app.server.extensions["fieldops"]
    client = app.server.test_client()
    expected = _expected_from_gpx("around-visnjan-with-car.gpx")
    devices.add_device(rt.db, "driver/car", 2, "owntracks", "pw")
    messages = [
        {"_type": "location", "lat": lat, "lon": lon, "tst": int(ts.timestamp()), "vel": 50, "acc": 5}
        for ts, lat, lon in expected
    ]
    auth = {"Authorization": "Basic ZHJpdmVyOnB3"}  # driver:pw
    assert client.post("/ingest/owntracks?u=driver&d=car", json=messages, headers=auth).status_code == 200
    native = [{"ts": ts.isoformat(), "lat": lat, "lon": lon, "speed": 13.9} for ts, lat, lon in expected]
    answer = client.post(
        "/api/v1/positions",
        json={"positions": native},
        headers={"Authorization": f"Bearer {device_token(SECRET, employee_code(3))}"},
    )
    assert answer.get_json() == {"accepted": len(expected), "rejected": [], "withheld": 0}
    drain(rt)
    assert _track(rt, 2) == expected == _track(rt, 3)
    speeds = [r["speed"] for r in rt.db.fetch_all("SELECT speed FROM positions WHERE employee_id = 2")]
    assert speeds == [pytest.approx(50 / 3.6, rel=1e-6)] * len(expected)


def test_the_liverpool_buses_through_osmand_query_and_form(app):
    rt = app.server.extensions["fieldops"]
    client = app.server.test_client()
    rows = bus_rows()
    vehicles = sorted({row["vehicle_id"] for row in rows})
    for number, vehicle in enumerate(vehicles, start=1):
        devices.add_device(rt.db, f"bus-{vehicle}", number, "osmand", None)
    for i, row in enumerate(rows):
        params = {
            "id": f"bus-{row['vehicle_id']}",
            "lat": row["latitude"],
            "lon": row["longitude"],
            "timestamp": row["timestamp"],
            "bearing": row["bearing"],
            "speed": "-1",
        }
        answer = (
            client.get("/ingest/osmand", query_string=params) if i % 2 else client.post("/ingest/osmand", data=params)
        )
        assert answer.status_code == 200, (i, answer.data)
    drain(rt)
    for number, vehicle in enumerate(vehicles, start=1):
        first: dict[datetime, dict] = {}
        for row in rows:
            if row["vehicle_id"] == vehicle:
                at = datetime.strptime(row["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
                first.setdefault(at, row)
        stored = rt.db.fetch_all(
            "SELECT ts, lat, lon, heading, speed, source FROM positions WHERE employee_id = %s ORDER BY ts", (number,)
        )
        assert [r["ts"] for r in stored] == sorted(first)
        for r in stored:
            source = first[r["ts"]]
            assert (r["lat"], r["lon"]) == (float(source["latitude"]), float(source["longitude"]))
            assert r["heading"] == (float(source["bearing"]) if source["bearing"] else None)
            assert (r["speed"], r["source"]) == (None, "osmand")
