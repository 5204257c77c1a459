import time

import pytest

from dashboard.demo.seed import device_token, employee_code
from dashboard.ingest.accept import EARLIEST_MS
from tests.conftest import SECRET, make_app


@pytest.fixture
def client(seeded_settings):
    app = make_app(seeded_settings)
    yield app.server.test_client()
    app.server.extensions["fieldops"].close()


def _auth(code=None):
    code = code or employee_code(1)
    return {"Authorization": f"Bearer {device_token(SECRET, code)}"}


def _now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def test_a_device_without_a_valid_token_is_refused(client):
    body = {"positions": [{"ts": _now_iso(), "lat": 60.17, "lon": 24.94}]}
    assert client.post("/api/v1/positions", json=body).status_code == 401
    answer = client.post("/api/v1/positions", json=body, headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorized"
    assert "device token" in answer.get_json()["error"]["message"]
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="fieldops"'


def test_accepted_fixes_reach_the_live_feed(client):
    feed = client.application.extensions["fieldops"].feed
    answer = client.post(
        "/api/v1/positions",
        headers=_auth(),
        json={
            "positions": [
                {"ts": _now_iso(), "lat": 60.1701, "lon": 24.9401, "speed": 4.2, "heading": 180, "accuracy": 6},
            ]
        },
    )
    assert answer.status_code == 200
    assert answer.get_json() == {"accepted": 1, "rejected": [], "withheld": 0}
    employee_id = client.application.extensions["fieldops"].db.fetch_one(
        "SELECT id FROM employees WHERE code = %s", (employee_code(1),)
    )["id"]
    fix = feed.latest(employee_id)
    assert (fix.lat, fix.lon, fix.speed, fix.heading, fix.accuracy) == (60.1701, 24.9401, 4.2, 180.0, 6.0)


def test_bad_fixes_are_named_and_good_ones_beside_them_kept(client):
    now = int(time.time())
    answer = client.post(
        "/api/v1/positions",
        headers=_auth(),
        json={
            "positions": [
                {"ts": now, "lat": 60.17, "lon": 24.94},
                {"ts": now, "lat": 95, "lon": 24.94},
                {"ts": "yesterday", "lat": 60.17, "lon": 24.94},
                {"ts": now + 1, "lat": 60.17, "lon": 24.94, "speed": -1, "heading": -1},
            ]
        },
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == [1, 2]
    assert "lat 95" in body["rejected"][0]["error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "must be JSON"),
        ({"pos": []}, '"positions" list'),
        ([1, 2], '"positions" list'),
        ({"positions": [{"lat": 60, "lon": 24}]}, "no position could be accepted"),
        ({"positions": []}, "no position could be accepted"),
    ],
)
def test_malformed_bodies_get_a_400_with_a_reason(client, body, reason):
    if isinstance(body, str):
        answer = client.post("/api/v1/positions", data=body, headers={**_auth(), "Content-Type": "text/plain"})
    else:
        answer = client.post("/api/v1/positions", json=body, headers=_auth())
    assert answer.status_code == 400
    assert reason in answer.get_json()["error"]["message"]


def test_an_oversized_batch_is_refused_whole(client):
    fixes = [{"ts": int(time.time()), "lat": 60.17, "lon": 24.94}] * 1001
    assert client.post("/api/v1/positions", json={"positions": fixes}, headers=_auth()).status_code == 413


def test_broken_device_clocks_are_refused(client):
    future = int(time.time()) + 3600
    answer = client.post(
        "/api/v1/positions",
        headers=_auth(),
        json={
            "positions": [
                {"ts": EARLIEST_MS - 1, "lat": 60.17, "lon": 24.94},
                {"ts": future, "lat": 60.17, "lon": 24.94},
            ]
        },
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "nothing_accepted"
    errors = [r["error"] for r in answer.get_json()["rejected"]]
    assert "before 2000" in errors[0] and "future" in errors[1]
