"""The phone page's services and routes (issue 7): the position endpoint, help alerts, share links,
tracker setup. Check-in verification and photo checks are in tests/unit/test_phone.py, browser
behaviour in tests/browser/test_mobile.py."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.demo.seed import plan_day
from dashboard.ingest.accept import accept_fixes
from dashboard.work.phone import (
    MobileError,
    PhoneFix,
    call_for_help,
    create_share_link,
    owntracks_setup,
    qr_svg,
    traccar_setup,
)
from data import alerts, audit, employees, share_links
from data.scope import Scope
from tests.conftest import make_app, post_callback, signed_in_client


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    plan_day(rt.db, datetime.now(rt.settings.tz).date(), rt.settings.tz, start=datetime.now(rt.settings.tz))
    yield app
    rt.close()


def _rt(app):
    return app.server.extensions["fieldops"]


def _field_employee(app) -> int:
    return employees.employee_by_code(_rt(app).db, "E0001")["id"]


def _now_ms() -> int:
    return int(time.time() * 1000)


def test_the_phone_posts_its_own_positions_with_the_session(app):
    client = signed_in_client(app, "field")
    now = _now_ms()
    batch = [
        {"ts": now - 2000, "lat": 60.17, "lon": 24.94, "accuracy": 8},
        {"ts": now - 1000, "lat": 60.171, "lon": 24.94},
    ]
    answer = client.post("/api/v1/me/positions", json={"positions": batch})
    assert answer.status_code == 200 and answer.get_json()["accepted"] == 2
    assert _rt(app).feed.latest(_field_employee(app)).ts_ms == now - 1000
    again = client.post("/api/v1/me/positions", json={"positions": batch})  # a resend after a lost answer
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ({"positions": "x"}, 400),
        ({"positions": [{"ts": "yesterday", "lat": 1}]}, 400),
        ({"positions": [{"ts": 1, "lat": 0, "lon": 0}] * 1001}, 413),
    ],
)
def test_bad_position_batches_from_the_phone_answer_with_a_reason(app, body, status):
    client = signed_in_client(app, "field")
    answer = (
        client.post("/api/v1/me/positions", data=body, content_type="application/json")
        if isinstance(body, str)
        else client.post("/api/v1/me/positions", json=body)
    )
    assert answer.status_code == status and answer.get_json()["error"]["message"]


def test_the_position_endpoint_needs_the_csrf_token(app):
    client = signed_in_client(app, "field")
    client.environ_base.pop("HTTP_X_CSRFTOKEN")
    assert client.post("/api/v1/me/positions", json={"positions": []}).status_code == 403


def test_help_raises_an_alert_the_supervisor_sees_and_lists_colleagues_by_travel_time(app):
    rt = _rt(app)
    me = _field_employee(app)
    team = employees.get_employee(rt.db, Scope.everything(), me)["team_id"]
    mate = next(p for p in employees.roster(rt.db, Scope(team_ids=frozenset({team}))) if p["id"] != me)
    accept_fixes(rt, mate["id"], [{"ts": _now_ms(), "lat": 60.1719, "lon": 24.9414}], "native")
    with app.server.test_request_context():
        alert_id, colleagues = call_for_help(rt, me, PhoneFix(60.1699, 24.9384, 10.0, _now_ms()))
    assert [c["employee_id"] for c in colleagues] == [mate["id"]] and colleagues[0]["minutes"] >= 0
    assert [a["id"] for a in alerts.open_alerts(rt.db, Scope(team_ids=frozenset({team})))] == [alert_id]
    assert alerts.open_alerts(rt.db, Scope(team_ids=frozenset({team + 1000}))) == []
    assert not alerts.resolve(rt.db, alert_id, Scope(team_ids=frozenset({team + 1000})), None)
    assert alerts.resolve(rt.db, alert_id, Scope(team_ids=frozenset({team})), None)
    assert alerts.open_alerts(rt.db, Scope.everything()) == []


def test_a_share_link_shows_one_position_until_it_expires_or_is_revoked(app):
    rt = _rt(app)
    me = _field_employee(app)
    accept_fixes(rt, me, [{"ts": _now_ms(), "lat": 60.17, "lon": 24.94}], "native")
    with app.server.test_request_context():
        path = create_share_link(rt, me, None, 15)
        with pytest.raises(MobileError):
            create_share_link(rt, me, None, 7)
    anonymous = app.server.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200 and b"E0001" not in page.data
    body = anonymous.get(f"{path}/position").get_json()
    assert set(body) == {"position", "map", "link", "expires_at", "now"} and body["position"]["lat"] == 60.17
    assert body["map"] == {"lat": 60.17, "lon": 24.94}  # the same point where the map draws it: no offset here
    assert body["link"].startswith("https://www.openstreetmap.org/?mlat=60.170000&mlon=24.940000")
    assert [e["action"] for e in audit.looks_at(rt.db, me)][:1] == ["view_shared_link"]
    token = path.rsplit("/", 1)[1]
    assert share_links.valid_link(rt.db, token, datetime.now(UTC))["employee_id"] == me
    rt.db.execute("UPDATE share_links SET expires_at = %s", (datetime.now(UTC) - timedelta(seconds=1),))
    assert anonymous.get(f"{path}/position").status_code == 404
    assert anonymous.get(path).status_code == 404
    with app.server.test_request_context():
        second = create_share_link(rt, me, None, 60)
    assert share_links.revoke_links(rt.db, me, datetime.now(UTC)) == 1
    assert anonymous.get(f"{second}/position").status_code == 404


def test_tracker_setup_registers_devices_that_the_protocols_then_accept(app):
    client = signed_in_client(app, "field")
    rt = _rt(app)
    me = _field_employee(app)
    with app.server.test_request_context():
        traccar = traccar_setup(rt, "E0001")
        owntracks = owntracks_setup(rt, "E0001")
    assert traccar["server"].endswith(":5055") and traccar["identifier"].startswith("E0001-")
    assert qr_svg(traccar["qr"]).startswith("data:image/svg+xml;base64,")
    config = json.loads(base64.b64decode(owntracks["qr"].split("inline=", 1)[1]))
    assert config["url"].endswith("/ingest/owntracks") and config["password"] == owntracks["password"]
    answer = client.post(
        "/ingest/owntracks",
        json={"_type": "location", "tst": int(time.time()) - 5, "lat": 60.17, "lon": 24.94},
        headers={"X-Limit-D": "phone", "Authorization": _basic("e0001", owntracks["password"])},
    )
    assert answer.status_code == 200
    answer = client.get(f"/ingest/osmand?id={traccar['identifier']}&lat=60.18&lon=24.95&timestamp={int(time.time())}")
    assert answer.status_code == 200
    assert rt.feed.latest(me).lat == 60.18


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_supervisor_shares_only_someone_in_their_team(app):
    rt = _rt(app)
    me = _field_employee(app)
    outsider = rt.db.fetch_one(
        "SELECT id FROM employees WHERE team_id <> (SELECT team_id FROM employees WHERE id = %s) LIMIT 1", (me,)
    )["id"]
    client = signed_in_client(app, "supervisor")

    def press(employee_id):
        return post_callback(
            client,
            "trackers-share-result.children",
            {"trackers-share-create.n_clicks": 1, "trackers-share-revoke.n_clicks": None},
            {"trackers-employee.value": employee_id, "trackers-share-minutes.value": 15},
            changed="trackers-share-create.n_clicks",
        )

    assert b"alert-info" in press(me).data
    assert len(share_links.active_links(rt.db, me, datetime.now(UTC))) == 1
    assert b"alert-danger" in press(outsider).data
    assert share_links.active_links(rt.db, outsider, datetime.now(UTC)) == []
