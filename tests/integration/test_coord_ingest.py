"""Sources that speak GCJ-02 or BD-09 (issue 19): a tracker declared so, or a request's coord_system, is stored in
WGS-84; outside mainland China nothing moves; a wrong system is a 400 naming what is allowed."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from dashboard.demo.seed import device_token, employee_code
from dashboard.geo.coords import from_wgs84
from dashboard.ingest.trackers import DeviceError, register_device
from dashboard.work.streets import distance_m
from dashboard.work.tokens import SCOPES, issue
from data import devices
from tests.conftest import SECRET, make_app
from tests.replay import drain

EMPLOYEE = 1
BEIJING = (39.990475, 116.481499)  # WGS-84; AMap's documented example point


@pytest.fixture
def app(seeded_settings):
    app = make_app(replace(seeded_settings, max_fix_age_s=3600))
    rt = app.server.extensions["fieldops"]
    devices.add_device(rt.db, "cn-tracker-1", EMPLOYEE, "osmand", None, "gcj02")
    yield app
    rt.close()


@pytest.fixture
def rt(app):
    return app.server.extensions["fieldops"]


def _stored(rt):
    drain(rt)
    return rt.db.fetch_all("SELECT lat, lon FROM positions WHERE employee_id = %s ORDER BY ts", (EMPLOYEE,))


def test_a_gcj02_tracker_is_stored_in_wgs84(app, rt):
    lat, lon = from_wgs84(*BEIJING, "gcj02")
    ts = int(time.time()) - 60
    answer = app.server.test_client().get(f"/ingest/osmand?id=cn-tracker-1&lat={lat}&lon={lon}&timestamp={ts}")
    assert answer.status_code == 200
    [row] = _stored(rt)
    assert distance_m(row["lat"], row["lon"], *BEIJING) < 1.0


def test_a_gcj02_tracker_in_helsinki_is_stored_as_sent(app, rt):
    ts = int(time.time()) - 60
    answer = app.server.test_client().get(f"/ingest/osmand?id=cn-tracker-1&lat=60.17&lon=24.94&timestamp={ts}")
    assert answer.status_code == 200
    [row] = _stored(rt)
    assert (row["lat"], row["lon"]) == (60.17, 24.94)


def test_a_native_batch_declares_its_coord_system(app, rt):
    headers = {"Authorization": f"Bearer {device_token(SECRET, employee_code(EMPLOYEE))}"}
    lat, lon = from_wgs84(*BEIJING, "bd09")
    fix = {"ts": int(time.time()) - 30, "lat": lat, "lon": lon, "accuracy": 5}
    client = app.server.test_client()
    answer = client.post("/api/v1/positions", json={"positions": [fix], "coord_system": "bd09"}, headers=headers)
    assert answer.status_code == 200, answer.json
    [row] = _stored(rt)
    assert distance_m(row["lat"], row["lon"], *BEIJING) < 1.0

    refused = client.post("/api/v1/positions", json={"positions": [fix], "coord_system": "utm"}, headers=headers)
    assert refused.status_code == 400
    assert "wgs84, gcj02, bd09" in str(refused.json)


def test_a_tracker_is_registered_with_the_system_it_sends(rt):
    _employee, identifier, _secret = register_device(rt.db, employee_code(EMPLOYEE), "osmand", "cn-tracker-2", "gcj02")
    assert devices.device_by_identifier(rt.db, "osmand", identifier)["coord_system"] == "gcj02"
    with pytest.raises(DeviceError, match="GCJ-02"):
        register_device(rt.db, employee_code(EMPLOYEE), "osmand", "cn-tracker-3", "epsg3857")


def test_customers_from_an_amap_export_are_stored_in_wgs84(app, rt):
    headers = {"Authorization": f"Bearer {issue(rt.db, 'ERP', SCOPES, None, 30, None)}"}
    client = app.server.test_client()
    lat, lon = from_wgs84(*BEIJING, "gcj02")
    body = {"external_id": "BJ-1", "name": "北京望京店", "lat": lat, "lon": lon, "coord_system": "gcj02"}
    created = client.post("/api/v1/customers", json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert distance_m(created.json["lat"], created.json["lon"], *BEIJING) < 1.0
    half = client.patch(
        f"/api/v1/customers/{created.json['id']}", json={"lat": lat, "coord_system": "gcj02"}, headers=headers
    )
    assert half.status_code == 400 and half.json["field"] == "lat"

    csv = f"external_id,name,lat,lon\nBJ-2,北京国贸店,{lat},{lon}\n".encode()
    imported = client.post(
        "/api/v1/import/customers?coord_system=gcj02", data=csv, headers=headers | {"Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.json
    row = rt.db.fetch_one("SELECT lat, lon FROM customers WHERE external_id = 'BJ-2'")
    assert distance_m(row["lat"], row["lon"], *BEIJING) < 1.0
    wrong = client.post(
        "/api/v1/import/customers?coord_system=utm", data=csv, headers=headers | {"Content-Type": "text/csv"}
    )
    assert wrong.status_code == 400
