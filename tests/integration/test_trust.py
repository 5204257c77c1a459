"""Check-in trust scores stored (issue 19): a phone check-in after a frozen track 50 km away is stored with a low
score and both reasons, on the check-in and its visit; its verification is unchanged; a new phone page counts; the
organisation's switch turns it all off; a low_trust_check_in rule raises an alert carrying the score."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dashboard.core.errors import AppError
from dashboard.core.permissions import Viewer, scope_for
from dashboard.work import alerting
from dashboard.work.phone import PhoneFix, create_share_link, record_presence, revoke_share_links
from data import alerts, org_settings, positions, users
from data import trust as trust_store
from data.positions import PositionRow
from tests.conftest import make_app, signed_in_client

START_MS = 1_790_000_000_000
NOW = datetime.fromtimestamp(START_MS / 1000, UTC)


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


@pytest.fixture
def rt(app):
    return app.server.extensions["fieldops"]


@pytest.fixture
def field(rt) -> Viewer:
    user = users.get_user(rt.db, users.user_by_name(rt.db, "field")["id"])
    return Viewer(user["id"], "field", "field", user["employee_id"], scope_for("field", user["employee_id"], []))


def _site_task(rt, employee_id: int) -> tuple[int, dict]:
    site = rt.db.fetch_one(
        "SELECT customer_id, center_lat, center_lon FROM zones WHERE kind = 'customer_site' ORDER BY id LIMIT 1"
    )
    task_id = rt.db.fetch_one(
        "INSERT INTO tasks (customer_id, employee_id, state) VALUES (%s, %s, 'assigned') RETURNING id",
        (site["customer_id"], employee_id),
    )["id"]
    return task_id, site


def _frozen_track_far_away(rt, employee_id: int, site: dict) -> None:
    """A mock app's track: one point 50 km north of the site, repeated exactly, with one accuracy."""
    far = site["center_lat"] + 50 / 111.2
    at = [NOW - timedelta(seconds=130 - 10 * i) for i in range(12)]
    rows = [PositionRow(employee_id, ts, far, site["center_lon"], None, None, 5.0, 0, "test") for ts in at]
    positions.insert_positions(rt.db, rows)


def _check_in(rt, viewer, task_id, site, **kwargs) -> dict:
    fix = PhoneFix(site["center_lat"], site["center_lon"], 5.0, START_MS - 1000)
    with time_machine.travel(NOW, tick=False):
        return record_presence(rt, viewer, task_id, "check_in", fix, **kwargs)


def _scored(rt, employee_id: int) -> list[dict]:
    return rt.db.fetch_all(
        """SELECT kind, trust_score, trust_reasons FROM activities
           WHERE employee_id = %s AND kind IN ('check_in', 'visit') ORDER BY kind""",
        (employee_id,),
    )


def test_a_check_in_after_a_frozen_track_and_a_50_km_jump_is_stored_with_a_low_score_and_both_reasons(rt, field):
    task_id, site = _site_task(rt, field.employee_id)
    _frozen_track_far_away(rt, field.employee_id, site)
    check = _check_in(rt, field, task_id, site, device_key="phone-a", phone_now_ms=START_MS)
    assert check["verified"] is True  # the score never changes the verification
    check_in, visit = _scored(rt, field.employee_id)
    assert check_in["trust_score"] == visit["trust_score"] < 50
    codes = {r["code"] for r in check_in["trust_reasons"]}
    assert {"frozen", "impossible_speed"} <= codes and "new_device" not in codes  # the first phone page is the base


def test_a_clean_check_in_scores_100_and_a_second_phone_page_is_a_new_device(rt, field):
    task_id, site = _site_task(rt, field.employee_id)
    _check_in(rt, field, task_id, site, device_key="phone-a", phone_now_ms=START_MS)
    assert [r["trust_score"] for r in _scored(rt, field.employee_id)] == [100, 100]
    other_task, _site = _site_task(rt, field.employee_id)
    _check_in(rt, field, other_task, site, device_key="phone-b", phone_now_ms=START_MS - 600_000)
    newest = rt.db.fetch_one(
        "SELECT trust_score, trust_reasons FROM activities WHERE kind = 'check_in' ORDER BY id DESC LIMIT 1"
    )
    assert {r["code"] for r in newest["trust_reasons"]} == {"new_device", "clock"}
    assert newest["trust_score"] == 60


def test_switched_off_nothing_is_scored(rt, field):
    org_settings.set_setting(rt.db, "trust.enabled", False, None)
    rt.forget_org_settings()
    task_id, site = _site_task(rt, field.employee_id)
    _frozen_track_far_away(rt, field.employee_id, site)
    check = _check_in(rt, field, task_id, site, device_key="phone-a")
    assert check["verified"] is True
    assert [r["trust_score"] for r in _scored(rt, field.employee_id)] == [None, None]
    assert rt.db.fetch_one("SELECT count(*) AS n FROM person_devices")["n"] == 0


def test_a_low_trust_rule_raises_an_alert_with_the_score_and_a_higher_score_raises_none(rt, field):
    manager = users.get_user(rt.db, users.user_by_name(rt.db, "manager")["id"])
    viewer = Viewer(manager["id"], "manager", "manager", None, scope_for("manager", None, []))
    rule = alerting.validate_rule(
        {"kind": "low_trust_check_in", "name": "Spoofed check-ins", "params": {"score": 40}}, viewer
    )
    alerts.create_rule(rt.db, rule, None)
    clean_task, site = _site_task(rt, field.employee_id)
    _check_in(rt, field, clean_task, site)
    assert rt.db.fetch_one("SELECT count(*) AS n FROM alerts WHERE kind = 'low_trust_check_in'")["n"] == 0
    task_id, _site = _site_task(rt, field.employee_id)
    _frozen_track_far_away(rt, field.employee_id, site)
    _check_in(rt, field, task_id, site)
    alert = rt.db.fetch_one("SELECT employee_id, task_id, detail FROM alerts WHERE kind = 'low_trust_check_in'")
    assert alert["employee_id"] == field.employee_id and alert["task_id"] == task_id
    assert alert["detail"]["score"] <= 40 and alert["detail"]["threshold"] == 40
    assert "frozen" in alert["detail"]["reasons"] and "impossible_speed" in alert["detail"]["reasons"]


def test_a_rule_threshold_out_of_bounds_is_refused_with_a_reason(rt):
    manager = users.get_user(rt.db, users.user_by_name(rt.db, "manager")["id"])
    viewer = Viewer(manager["id"], "manager", "manager", None, scope_for("manager", None, []))
    with pytest.raises(AppError) as refused:
        alerting.validate_rule({"kind": "low_trust_check_in", "name": "x", "params": {"score": 400}}, viewer)
    assert refused.value.status == 400


def _post(client, fixes: list[tuple[int, float, float]]) -> None:
    body = {"positions": [{"ts": ts, "lat": lat, "lon": lon, "accuracy": 5} for ts, lat, lon in fixes]}
    answer = client.post("/api/v1/me/positions", json=body)
    assert answer.status_code == 200 and answer.get_json()["accepted"] == len(fixes)


def test_a_shared_position_is_scored_in_redis_only_while_a_share_link_is_valid(app, rt, field):
    client = signed_in_client(app, "field")
    now = int(time.time() * 1000)
    frozen = [(now - 130_000 + 10_000 * i, 60.17, 24.94) for i in range(12)]
    _post(client, [(now - 200_000, 60.16, 24.93)])
    assert trust_store.shared_score(rt.feed.client, rt.feed.prefix, field.employee_id) is None  # not sharing
    create_share_link(rt, field.employee_id, None, 15)
    for fix in frozen:
        _post(client, [fix])
    _post(client, [(now - 5_000, 60.17 + 50 / 111.2, 24.94)])  # 50 km north, 15 s after the last frozen fix
    shared = trust_store.shared_score(rt.feed.client, rt.feed.prefix, field.employee_id)
    assert shared["ts"] == now - 5_000 and shared["score"] < 50
    assert {"frozen", "impossible_speed"} <= {r["code"] for r in shared["reasons"]}
    revoke_share_links(rt, field.employee_id)
    assert trust_store.shared_score(rt.feed.client, rt.feed.prefix, field.employee_id) is None
    _post(client, [(now - 1_000, 60.17, 24.94)])
    assert trust_store.shared_score(rt.feed.client, rt.feed.prefix, field.employee_id) is None
