"""OsmAnd (Traccar Client), OwnTracks HTTP and GPX import, through the real app and writer."""

import base64
import io
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from dashboard.demo.seed import device_token, employee_code
from dashboard.ingest.protocols.osmand import KNOT_MPS
from data import devices
from tests.conftest import SECRET, make_app, signed_in_client
from tests.replay import drain, realdata

EMPLOYEE = 1
OT_USER, OT_DEVICE, OT_PASSWORD = "anna", "phone", "s3cret-password"


@pytest.fixture
def app(seeded_settings):
    app = make_app(replace(seeded_settings, max_fix_age_s=3600))
    rt = app.server.extensions["fieldops"]
    devices.add_device(rt.db, "902064", EMPLOYEE, "osmand", None)
    devices.add_device(rt.db, f"{OT_USER}/{OT_DEVICE}", EMPLOYEE, "owntracks", OT_PASSWORD)
    yield app
    rt.close()


@pytest.fixture
def client(app):
    # Trackers need no session; the GPX import is a signed-in viewer's call.
    return signed_in_client(app)


@pytest.fixture
def rt(app):
    return app.server.extensions["fieldops"]


def _stored(rt, employee_id=EMPLOYEE):
    drain(rt)
    return rt.db.fetch_all(
        "SELECT ts, lat, lon, speed, heading, accuracy, source, attributes FROM positions"
        " WHERE employee_id = %s ORDER BY ts",
        (employee_id,),
    )


def _now_s():
    return int(time.time())


def _basic(user=OT_USER, password=OT_PASSWORD):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


# OsmAnd / Traccar Client


def test_osmand_query_string_is_stored_with_speed_in_knots(client, rt):
    ts = _now_s() - 60
    answer = client.get(
        f"/ingest/osmand?id=902064&lat=60.17&lon=24.94&timestamp={ts}&speed=10&bearing=90"
        "&accuracy=6&altitude=224.0&hdop=6.0&batt=87&charge=true&driverUniqueId=D7"
    )
    assert answer.status_code == 200
    assert answer.data == b""
    [row] = _stored(rt)
    assert row["ts"] == datetime.fromtimestamp(ts, UTC)
    assert (row["lat"], row["lon"], row["heading"], row["accuracy"]) == (60.17, 24.94, 90, 6)
    assert row["speed"] == pytest.approx(10 * KNOT_MPS, rel=1e-6)
    assert row["source"] == "osmand"
    assert row["attributes"] == {"altitude": 224.0, "hdop": 6.0, "batt": 87.0, "charge": True, "driverUniqueId": "D7"}


def test_osmand_form_body_and_location_pair(client, rt):
    ts = _now_s() - 30
    answer = client.post(
        "/ingest/osmand",
        data={"deviceid": "902064", "location": "60.2,24.9", "timestamp": str(ts * 1000), "speed": "-1"},
    )
    assert answer.status_code == 200
    [row] = _stored(rt)
    assert (row["lat"], row["lon"], row["speed"]) == (60.2, 24.9, None)
    assert row["ts"] == datetime.fromtimestamp(ts, UTC)


def test_osmand_json_body_speed_is_metres_per_second(client, rt):
    at = datetime.fromtimestamp(_now_s() - 20, UTC)
    body = {
        "device_id": "902064",
        "location": {
            "timestamp": at.isoformat().replace("+00:00", "Z"),
            "coords": {
                "latitude": 60.18,
                "longitude": 24.95,
                "accuracy": 12,
                "speed": 3.5,
                "heading": -1,
                "altitude": 12.5,
            },
            "is_moving": True,
            "odometer": 1234,
            "battery": {"level": 0.55, "is_charging": False},
            "activity": {"type": "on_foot"},
            "extras": {"shift": "B"},
        },
    }
    assert client.post("/ingest/osmand", json=body).status_code == 200
    [row] = _stored(rt)
    assert (row["ts"], row["speed"], row["heading"], row["accuracy"]) == (at, 3.5, None, 12)
    assert row["attributes"] == {
        "shift": "B",
        "motion": True,
        "odometer": 1234,
        "batt": 55.0,
        "charge": False,
        "activity": "on_foot",
        "altitude": 12.5,
    }


def test_osmand_unknown_device_is_400_for_query_and_404_for_json(client, rt):
    assert client.get("/ingest/osmand?id=nobody&lat=1&lon=1").status_code == 400
    assert client.get("/ingest/osmand?lat=1&lon=1").status_code == 400
    body = {"device_id": "nobody", "location": {"coords": {"latitude": 1, "longitude": 1}}}
    assert client.post("/ingest/osmand", json=body).status_code == 404
    assert _stored(rt) == []


@pytest.mark.parametrize(
    "query",
    [
        "lat=abc&lon=24.9",
        "lat=nan&lon=24.9",
        "lat=95&lon=24.9",
        "lat=60&lon=inf",
        "location=60.1",
        "lat=60&lon=24&timestamp=yesterday",
        "lat=60&lon=24&timestamp=2025-11-27T10:00:00",
        "lat=60&lon=24&timestamp=1000",
        "lat=60&lon=24&speed=fast",
        "lat=60&lon=24&speed=5000",
        "lat=60&lon=24&timestamp=99999999999999999",
    ],
)
def test_osmand_bad_fixes_are_400_with_a_reason(client, rt, query):
    answer = client.get(f"/ingest/osmand?id=902064&{query}")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"]
    assert _stored(rt) == []


def test_osmand_fix_older_than_the_window_is_refused(client):
    answer = client.get(f"/ingest/osmand?id=902064&lat=60&lon=24&timestamp={_now_s() - 7200}")
    assert answer.status_code == 400
    assert "older than 3600 s" in answer.get_json()["error"]["message"]


# OwnTracks


def test_owntracks_location_with_velocity_in_kmh(client, rt):
    tst = _now_s() - 10
    message = {
        "_type": "location",
        "acc": 15,
        "alt": 440.5,
        "batt": 46,
        "conn": "w",
        "lat": 46.0681247,
        "lon": 11.1512805,
        "t": "u",
        "tid": "5t",
        "tst": str(tst),
        "vac": 2,
        "vel": 36,
        "cog": -1,
    }
    answer = client.post(
        "/ingest/owntracks", json=message, headers={**_basic(), "X-Limit-U": OT_USER, "X-Limit-D": OT_DEVICE}
    )
    assert answer.status_code == 200
    assert answer.get_json() == []
    [row] = _stored(rt)
    assert row["ts"] == datetime.fromtimestamp(tst, UTC)
    assert row["speed"] == pytest.approx(10.0)
    assert (row["heading"], row["accuracy"], row["source"]) == (None, 15, "owntracks")
    assert row["attributes"] == {"alt": 440.5, "batt": 46, "conn": "w", "t": "u", "tid": "5t", "vac": 2}


def test_owntracks_array_with_query_identity_transition_and_other_types(client, rt):
    tst = _now_s() - 100
    messages = [
        {"_type": "lwt", "tst": tst},
        {"_type": "location", "lat": 60.1, "lon": 24.9, "tst": tst, "vel": -1},
        {
            "_type": "transition",
            "event": "enter",
            "desc": "Depot",
            "rid": "r1",
            "tst": tst + 1,
            "lat": 60.1,
            "lon": 24.9,
            "acc": 10,
            "wtst": tst - 1000,
            "t": "c",
        },
        {"_type": "waypoints", "waypoints": []},
        {"_type": "location", "lat": 60.2, "lon": 24.9, "tst": tst + 5},
    ]
    answer = client.post(f"/ingest/owntracks?u={OT_USER}&d={OT_DEVICE}", json=messages, headers=_basic())
    assert answer.status_code == 200
    assert [row["lat"] for row in _stored(rt)] == [60.1, 60.2]
    [event] = rt.db.fetch_all("SELECT kind, started_at, source, attributes FROM activities")
    assert (event["kind"], event["source"]) == ("geofence_enter", "owntracks")
    assert event["started_at"] == datetime.fromtimestamp(tst + 1, UTC)
    assert event["attributes"]["desc"] == "Depot"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer x"},
        "wrong-password",
        "wrong-user",
    ],
)
def test_owntracks_bad_credentials_are_401(client, rt, headers):
    if headers == "wrong-password":
        headers = _basic(password="guess")
    elif headers == "wrong-user":
        headers = _basic(user="mallory")
    body = {"_type": "location", "lat": 60.1, "lon": 24.9, "tst": _now_s()}
    answer = client.post(f"/ingest/owntracks?u={OT_USER}&d={OT_DEVICE}", json=body, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert _stored(rt) == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 200),  # an empty body is ignored
        (b"{not json", 400),
        ('{"_type":"location","lat":60,"lon":24,"tst":1}'.encode("utf-16"), 400),  # a wrong encoding
        (b'{"_type":"location","lat":60,"lon":24,"tst":1000}', 400),  # an absurd tst
        (b'{"_type":"location","lat":60,"lon":24,"tst":1764237}', 400),  # absurd, and not to be read as ms
        (b'{"_type":"location","lat":"north","lon":24,"tst":1764237600}', 400),
        (b'{"_type":"location","lat":60,"lon":24}', 400),
        (b'[1, "two", null]', 200),  # not messages: accepted and ignored like unknown types
    ],
)
def test_owntracks_malformed_bodies(client, rt, body, status):
    answer = client.post(
        f"/ingest/owntracks?u={OT_USER}&d={OT_DEVICE}", data=body, headers=_basic(), content_type="application/json"
    )
    assert answer.status_code == status
    if status == 400:
        assert answer.get_json()["error"]["message"]
    assert _stored(rt) == []


# Limits that hold on every path


def test_a_huge_body_is_413_with_a_reason(seeded_settings):
    app = make_app(replace(seeded_settings, max_body_bytes=64 * 1024))
    rt = app.server.extensions["fieldops"]
    devices.add_device(rt.db, f"{OT_USER}/{OT_DEVICE}", EMPLOYEE, "owntracks", OT_PASSWORD)
    client = signed_in_client(app)
    native = {"Authorization": f"Bearer {device_token(SECRET, employee_code(1))}"}
    for path, headers in (
        ("/api/v1/positions", native),
        ("/ingest/osmand", {}),
        (f"/ingest/owntracks?u={OT_USER}&d={OT_DEVICE}", _basic()),
        ("/api/v1/gpx", {}),
    ):
        answer = client.post(path, data=b"x" * 200_000, content_type="application/json", headers=headers)
        assert answer.status_code == 413, path
        assert "larger than" in answer.get_json()["error"]["message"]
    rt.close()


def test_a_full_backlog_answers_503_and_stores_nothing(seeded_settings):
    app = make_app(replace(seeded_settings, max_backlog=1000))
    rt = app.server.extensions["fieldops"]
    devices.add_device(rt.db, "902064", EMPLOYEE, "osmand", None)
    client = app.server.test_client()
    now = _now_s()
    for i in range(1000):
        assert client.get(f"/ingest/osmand?id=902064&lat=60&lon=24&timestamp={now - 1000 + i}").status_code == 200
    answer = client.get(f"/ingest/osmand?id=902064&lat=60&lon=24&timestamp={now}")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert answer.get_json()["error"]["code"] == "unavailable"
    health = client.get("/healthz").get_json()
    assert health["writer"]["backlog"] == 1000 and health["writer"]["lag_s"] >= 0
    assert rt.feed.stream_backlog() == 1000
    assert drain(rt) == 1000
    assert client.get(f"/ingest/osmand?id=902064&lat=60&lon=24&timestamp={now}").status_code == 200
    rt.close()


def test_a_wrong_method_is_405_with_a_reason(client):
    for path in ("/ingest/osmand", "/ingest/owntracks", "/api/v1/gpx"):
        answer = client.delete(path)
        assert answer.status_code == 405, path
        assert "POST" in answer.get_json()["error"]["message"]


def test_the_openapi_document_describes_every_ingest_path(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/positions", "/ingest/osmand", "/ingest/owntracks", "/api/v1/gpx"} <= spec["paths"].keys()


# GPX


def test_gpx_import_reports_untimed_points_and_absurd_times(client, rt):
    files = {name: realdata(name).read_bytes() for name in ("korita-zbevnica.gpx", "Mojstrovka.gpx")}
    answer = client.post(
        "/api/v1/gpx",
        data={
            "employee_id": str(EMPLOYEE),
            "file": [(io.BytesIO(data), name) for name, data in files.items()],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    korita, mojstrovka = answer.get_json()["files"]
    assert (korita["points"], korita["untimed"], korita["accepted"]) == (871, 358, 513)
    assert (mojstrovka["points"], mojstrovka["accepted"]) == (184, 0)
    assert mojstrovka["rejected"] == [{"reason": "ts is before 2000-01-01: the device clock is wrong", "count": 184}]
    assert len(_stored(rt)) == 513


def test_gpx_import_refuses_what_is_not_gpx(client):
    answer = client.post("/api/v1/gpx", json={"employee_id": EMPLOYEE, "files": [{"name": "a.gpx", "gpx": "<html>"}]})
    assert answer.status_code == 200
    assert answer.get_json()["files"][0]["error"].startswith("not a GPX file")
    assert client.post("/api/v1/gpx", json={"employee_id": "x", "files": []}).status_code == 400
    answer = client.post("/api/v1/gpx", json={"employee_id": 99999, "files": [{"name": "a.gpx", "gpx": "<gpx/>"}]})
    assert answer.status_code == 404
