"""Consent to tracking (issue 19, PIPL art. 28-29): withdrawn, the person's next fix is not stored and is counted
under its own reason, the live map lists them as consent withdrawn; given again, their next fix is stored; in notice
mode (another lawful basis) nothing waits for an answer. The demo publishes a text and everyone gives consent."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from dashboard.demo.seed import device_token, employee_code
from dashboard.ingest.privacy import tracking_policy
from dashboard.live.presence import CONSENT_WITHDRAWN, ONLINE
from dashboard.work import consent as consents
from dashboard.work import tokens
from data import devices, employees, org_settings
from data.scope import Scope
from tests.conftest import SECRET, make_app

PERSON = 2


@pytest.fixture
def app(seeded_settings):
    app = make_app(replace(seeded_settings, max_fix_age_s=3600))
    rt = app.server.extensions["fieldops"]
    devices.add_device(rt.db, "consent-osmand", _person(rt), "osmand", None)
    yield app
    rt.close()


@pytest.fixture
def rt(app):
    return app.server.extensions["fieldops"]


def _person(rt) -> int:
    return rt.db.fetch_one("SELECT id FROM employees WHERE code = %s", (employee_code(PERSON),))["id"]


def _native(client, lat=60.1701):
    headers = {"Authorization": f"Bearer {device_token(SECRET, employee_code(PERSON))}"}
    return client.post(
        "/api/v1/positions", headers=headers, json={"positions": [{"ts": int(time.time()), "lat": lat, "lon": 24.94}]}
    )


def _osmand(client, seconds_ago=0):
    return client.get(
        f"/ingest/osmand?id=consent-osmand&lat=60.17&lon=24.94&timestamp={int(time.time()) - seconds_ago}"
    )


def _no_consent_count(client, protocol: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "fieldops_ingest_positions_total"
        and sample.labels == {"protocol": protocol, "outcome": "no_consent"}
    )


def test_the_demo_publishes_a_text_in_both_languages_and_everyone_has_given_consent(rt):
    person = _person(rt)
    assert consents.state_of(rt, person, "zh-CN").language == "zh-CN"
    assert consents.state_of(rt, person, "en").state == consents.GIVEN
    assert not tracking_policy(rt).without_consent(row["id"] for row in employees.roster(rt.db, Scope.everything()))


def test_withdrawal_refuses_and_counts_the_next_fix_and_the_live_map_says_so(app, rt):
    client = app.server.test_client()
    person = _person(rt)
    assert _native(client).get_json()["withheld"] == 0
    assert rt.feed.latest(person) is not None
    assert rt.livemap.presence(Scope.everything()).state[person] == ONLINE

    consents.withdraw(rt, person, "phone", "en")
    assert rt.feed.latest(person) is None  # off the live feed at once
    before = (_no_consent_count(client, "native"), _no_consent_count(client, "osmand"))
    backlog = rt.feed.stream_backlog()

    answer = _native(client)
    assert answer.status_code == 200  # answered, so the tracker does not send it again
    assert answer.get_json() == {
        "accepted": 1,
        "rejected": [],
        "withheld": 1,
        "no_consent": 1,
        "reason": "consent_withdrawn_or_not_given",
    }
    assert _osmand(client, seconds_ago=1).status_code == 200
    assert rt.feed.latest(person) is None and rt.feed.stream_backlog() == backlog  # nothing stored, nor queued
    after = (_no_consent_count(client, "native"), _no_consent_count(client, "osmand"))
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)

    presence = rt.livemap.presence(Scope.everything())
    assert presence.state[person] == CONSENT_WITHDRAWN and presence.counts()[CONSENT_WITHDRAWN] == 1
    payload = rt.livemap.fleet_payload(Scope.everything(), None)
    assert payload["withdrawn"] == [person] and person not in payload["id"]

    consents.give(rt, person, "phone", "en")
    assert _native(client).get_json()["withheld"] == 0
    assert rt.feed.latest(person) is not None
    assert rt.livemap.presence(Scope.everything()).state[person] == ONLINE


def test_another_process_refuses_within_the_refresh(app, rt, seeded_settings):
    other = make_app(replace(seeded_settings, max_fix_age_s=3600))
    other_rt = other.server.extensions["fieldops"]
    try:
        person = _person(rt)
        tracking_policy(other_rt).refresh(force=True)
        consents.withdraw(rt, person, "admin", "en")
        tracking_policy(other_rt)._loaded -= 60  # REFRESH_S has passed in the other process
        assert _native(other.server.test_client()).get_json()["no_consent"] == 1
    finally:
        other_rt.close()


def test_a_new_text_asks_again_but_an_earlier_consent_keeps_tracking(app, rt):
    person = _person(rt)
    version = consents.publish(rt, {"en": "Version two.", "zh-CN": "第二版。"}, None)
    state = consents.state_of(rt, person, "en")
    assert (state.state, state.version, state.text) == (consents.NEEDS_ANSWER, version, "Version two.")
    assert state.tracked and _native(app.server.test_client()).get_json()["withheld"] == 0
    assert consents.give(rt, person, "phone", "zh-CN").state == consents.GIVEN


def test_someone_who_never_answered_is_not_tracked_in_consent_mode(app, rt):
    client = app.server.test_client()
    person = _person(rt)
    rt.db.execute("DELETE FROM consent_decisions WHERE employee_id = %s", (person,))
    tracking_policy(rt).refresh(force=True)
    assert consents.state_of(rt, person).state == consents.NEEDS_ANSWER
    assert _native(client).get_json()["no_consent"] == 1


def test_notice_mode_does_not_block_and_has_nothing_to_withdraw(app, rt):
    client = app.server.test_client()
    person = _person(rt)
    rt.db.execute("DELETE FROM consent_decisions WHERE employee_id = %s", (person,))
    consents.set_legal_basis(rt, "notice", None)
    assert consents.state_of(rt, person).state == consents.NEEDS_ANSWER
    assert _native(client).get_json()["withheld"] == 0 and rt.feed.latest(person) is not None
    with pytest.raises(consents.ConsentError):
        consents.withdraw(rt, person, "phone", "en")
    assert consents.give(rt, person, "phone", "en").state == consents.ACKNOWLEDGED


def test_before_any_text_is_published_nothing_changes(settings):
    app = make_app(settings)
    rt = app.server.extensions["fieldops"]
    try:
        person = employees.create_employee(rt.db, "no-text", "No Text", None)
        assert consents.state_of(rt, person).state == consents.UNASKED
        assert not tracking_policy(rt).refresh(force=True).unconsented
        with pytest.raises(consents.ConsentError):
            consents.withdraw(rt, person, "phone", "en")
    finally:
        rt.close()


def test_decisions_and_texts_are_append_only(rt):
    with pytest.raises(Exception, match="append-only"):
        rt.db.execute("UPDATE consent_texts SET body = 'changed'")
    with pytest.raises(Exception, match="append-only"):
        rt.db.execute("UPDATE consent_decisions SET decision = 'withdrawn'")


def test_my_data_export_includes_the_consent_history(rt):
    person = _person(rt)
    consents.withdraw(rt, person, "phone", "en")
    exported = employees.export_own_data(rt.db, person)
    assert [row["decision"] for row in exported["consents"]] == ["given", "withdrawn"]


def test_the_api_lists_the_register_in_pages(app, rt):
    person = _person(rt)
    consents.withdraw(rt, person, "phone", "en")
    client = app.server.test_client()
    headers = {"Authorization": f"Bearer {tokens.issue(rt.db, 'register', ['consents:read'], None, 30, None)}"}
    first = client.get("/api/v1/consents?limit=2", headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    body = first.get_json()
    assert len(body["data"]) == 2 and body["next_cursor"]
    rows = body["data"]
    cursor = body["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/consents?limit=50&cursor={cursor}", headers=headers).get_json()
        rows += page["data"]
        cursor = page["next_cursor"]
    mine = next(row for row in rows if row["employee_id"] == person)
    assert (mine["state"], mine["version"], mine["source"]) == ("withdrawn", 1, "phone")
    assert client.get("/api/v1/consents?limit=0", headers=headers).status_code == 400
    assert org_settings.DEFAULTS["privacy.legal_basis"] == "consent"
