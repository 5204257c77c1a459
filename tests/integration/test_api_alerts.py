"""The alerts' API (issue 17): alerts in pages by change with `updated_since`, a team-limited token's scope,
acknowledge → resolve with 404 and 409, alert rules created, changed and removed through the same validation as
the rules page (a 400 problem names the field), the built-in help rule kept, and the webhook events
`alert.raised` and `alert.resolved` delivered to a subscription."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest
import time_machine

from dashboard.core.permissions import Viewer
from dashboard.work import alerting
from dashboard.work.tokens import SCOPES, issue
from dashboard.work.webhooks import Deliverer, subscribe
from data import alerts, org_settings
from data.scope import Scope
from tests.conftest import signed_in_client
from tests.integration.test_webhooks import Receiver

# A Tuesday morning in Helsinki, inside working hours (the API itself does not depend on them).
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
ADMIN = Viewer(None, "admin", "admin", None, Scope.everything())


@pytest.fixture(scope="module", autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(scope="module")
def app(seeded_module_app, pinned):
    return seeded_module_app


@pytest.fixture
def db(app):
    return app.server.extensions["fieldops"].db


@pytest.fixture
def client(app):
    return app.server.test_client()


def _admin_id(db) -> int:
    return db.fetch_one("SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")["id"]


def _token(db, scopes=SCOPES, teams=None, maker=None) -> dict:
    return {"Authorization": f"Bearer {issue(db, 'Ops bot', scopes, teams, 30, maker)}"}


def _team_id(db, name: str) -> int:
    return db.fetch_one("SELECT id FROM teams WHERE name = %s", (name,))["id"]


def _people(db, team: str, n: int) -> list[int]:
    rows = db.fetch_all(
        "SELECT e.id FROM employees e JOIN teams t ON t.id = e.team_id WHERE t.name = %s ORDER BY e.id LIMIT %s",
        (team, n),
    )
    return [row["id"] for row in rows]


def _rule(db, **values) -> dict:
    values = {"kind": "silent", "name": "Silent 10 min", "params": {"minutes": 10}} | values
    return alerts.rule(db, alerts.create_rule(db, alerting.validate_rule(values, ADMIN), None))


def _raise(db, rule: dict, employee_id: int, minutes_ago: int = 5, point=(60.17, 24.94, 8.0)) -> int:
    at = NOW - timedelta(minutes=minutes_ago)
    return alerts.raise_alert(db, rule, employee_id, at, point=point, detail={"silent_s": 600}, now=at)


def test_alerts_come_in_cursor_pages_by_change_and_updated_since_sees_each_change(db, client):
    rule = _rule(db, name="Silent for paging")
    raised = [_raise(db, rule, person, minutes_ago=30 - i) for i, person in enumerate(_people(db, "North", 4))]
    raised += [_raise(db, rule, person, minutes_ago=20 - i) for i, person in enumerate(_people(db, "East", 3))]
    headers, seen, keys, cursor = _token(db), [], [], None
    while True:
        page = client.get("/api/v1/alerts", query_string={"limit": 3, "cursor": cursor or ""}, headers=headers).json
        assert len(page["data"]) <= 3
        seen += [row["id"] for row in page["data"]]
        keys += [(row["updated_at"], row["id"]) for row in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert set(raised) <= set(seen) and len(seen) == len(set(seen))
    assert [key[1] for key in sorted(keys, key=lambda k: (datetime.fromisoformat(k[0]), k[1]))] == seen

    mark = NOW - timedelta(seconds=1)
    assert client.post(f"/api/v1/alerts/{raised[0]}/acknowledge", headers=headers).status_code == 200
    changed = client.get("/api/v1/alerts", query_string={"updated_since": mark.isoformat()}, headers=headers).json
    assert [row["id"] for row in changed["data"]] == [raised[0]]
    assert changed["data"][0]["state"] == "acknowledged" and changed["data"][0]["kind"] == "silent"
    assert changed["data"][0]["rule_name"] == "Silent for paging" and changed["data"][0]["detail"] == {"silent_s": 600}

    filtered = client.get(
        "/api/v1/alerts", query_string={"state": "open", "team_id": _team_id(db, "East"), "limit": 500}, headers=headers
    ).json["data"]
    assert {row["team_name"] for row in filtered} == {"East"} and {row["state"] for row in filtered} == {"open"}
    answer = client.get("/api/v1/alerts", query_string={"cursor": "not-ours"}, headers=headers)
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_cursor"
    answer = client.get("/api/v1/alerts", query_string={"severity": "loud"}, headers=headers)
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"


def test_a_team_limited_token_sees_and_handles_only_its_teams_alerts(db, client):
    rule = _rule(db, name="Silent for scope")
    [north] = _people(db, "North", 1)
    [east] = _people(db, "East", 1)
    mine, theirs = _raise(db, rule, north), _raise(db, rule, east)
    headers = _token(db, teams=[_team_id(db, "North")])
    rows = client.get("/api/v1/alerts?limit=500", headers=headers).json["data"]
    assert mine in {row["id"] for row in rows} and {row["team_name"] for row in rows} == {"North"}
    for answer in (
        client.get(f"/api/v1/alerts/{theirs}", headers=headers),
        client.post(f"/api/v1/alerts/{theirs}/acknowledge", headers=headers),
        client.post(f"/api/v1/alerts/{theirs}/resolve", headers=headers),
    ):
        assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
    assert alerts.get_alert(db, theirs, Scope.everything())["state"] == "open"  # untouched
    assert client.get(f"/api/v1/alerts/{mine}", headers=headers).json["employee_id"] == north


def test_acknowledge_then_resolve_by_the_tokens_maker_and_409_when_already_so(db, client):
    rule = _rule(db, name="Silent for states")
    [person] = _people(db, "North", 1)
    alert_id = _raise(db, rule, person)
    maker = _admin_id(db)
    headers = _token(db, maker=maker)
    acknowledged = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=headers)
    assert acknowledged.status_code == 200
    assert acknowledged.json["state"] == "acknowledged" and acknowledged.json["acknowledged_by"] == maker
    again = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=headers)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.json["error"]["code"] == "already_acknowledged"
    resolved = client.post(f"/api/v1/alerts/{alert_id}/resolve", headers=headers)
    assert resolved.status_code == 200
    assert (resolved.json["state"], resolved.json["resolution"], resolved.json["resolved_by"]) == (
        "resolved",
        "resolved",
        maker,
    )
    for action in ("acknowledge", "resolve"):
        answer = client.post(f"/api/v1/alerts/{alert_id}/{action}", headers=headers)
        assert answer.status_code == 409 and answer.json["error"]["code"] == "already_resolved"
    assert client.post("/api/v1/alerts/2000000000/resolve", headers=headers).status_code == 404
    reader = _token(db, scopes=["alerts:read"])
    answer = client.post(f"/api/v1/alerts/{alert_id}/resolve", headers=reader)
    assert answer.status_code == 403 and answer.json["error"]["code"] == "insufficient_scope"


def test_a_signed_in_session_never_acts_through_the_alerts_api(app, db):
    rule = _rule(db, name="Silent for sessions")
    [person] = _people(db, "North", 1)
    alert_id = _raise(db, rule, person)
    manager = signed_in_client(app, "manager")  # sends its CSRF token too: a cookie is still no API token
    assert manager.post(f"/api/v1/alerts/{alert_id}/resolve").status_code == 401
    assert manager.post("/api/v1/alert-rules", json={"kind": "idle", "name": "By cookie"}).status_code == 401
    assert alerts.get_alert(db, alert_id, Scope.everything())["state"] == "open"


def test_reading_an_alert_with_a_position_is_audited(db, client):
    rule = _rule(db, name="Silent for audit")
    [person] = _people(db, "East", 1)
    alert_id = _raise(db, rule, person)
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=_token(db)).json["lat"] == pytest.approx(60.17)
    row = db.fetch_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row["action"] == "view_alert" and row["subject_ids"] == [person] and row["username"] == "token:Ops bot"
    assert row["detail"] == {"via": "api", "alerts": [alert_id]}


def test_a_rule_with_a_bad_field_is_refused_as_problem_details_naming_it(client, db):
    headers = _token(db)
    for body, field in (
        ({"kind": "silent", "name": "Too eager", "params": {"minutes": 0}}, "params.minutes"),
        ({"kind": "silent", "name": "Loud", "severity": "loud"}, "severity"),
        ({"kind": "silent"}, "name"),
        ({"kind": "speeding", "name": "Fast", "params": {"kmh": "fast"}}, "params.kmh"),
        ({"kind": "silent", "name": "Typo", "cooldown": 5}, "cooldown"),
        ({"kind": "help", "name": "Second help"}, "kind"),
        ({"kind": "zone_exit", "name": "Night", "params": {"from": "25:00", "to": "06:00"}}, "params.from"),
        ({"kind": "silent", "name": "Nobody", "team_ids": [0]}, "team_ids"),
    ):
        answer = client.post("/api/v1/alert-rules", json=body, headers=headers)
        assert answer.status_code == 400 and answer.mimetype == "application/problem+json", body
        assert answer.json["error"]["code"] == "invalid_rule" and answer.json["field"] == field, body
        assert answer.json["status"] == 400 and answer.json["detail"]
    broken = client.post("/api/v1/alert-rules", data="{", content_type="application/json", headers=headers)
    assert broken.status_code == 400 and broken.json["error"]["code"] == "invalid_body"


def test_rules_are_created_read_changed_and_removed(client, db):
    headers = _token(db, maker=_admin_id(db))
    north = _team_id(db, "North")
    body = {"kind": "silent", "name": "North silent 5 min", "params": {"minutes": 5}, "team_ids": [north]}
    created = client.post("/api/v1/alert-rules", json=body, headers=headers)
    assert created.status_code == 201, created.json
    rule = created.json
    assert created.headers["Location"] == f"/api/v1/alert-rules/{rule['id']}"
    assert (rule["severity"], rule["params"], rule["team_ids"], rule["cooldown_min"]) == (
        "warning",
        {"minutes": 5.0},
        [north],
        30,
    )
    assert rule["channels"] == ["inbox"] and rule["working_hours_only"] and not rule["builtin"]
    assert client.get(f"/api/v1/alert-rules/{rule['id']}", headers=headers).json == rule
    listed = client.get("/api/v1/alert-rules", query_string={"kind": "silent", "limit": 500}, headers=headers).json
    assert rule["id"] in [row["id"] for row in listed["data"]] and listed["next_cursor"] is None

    changed = client.patch(
        f"/api/v1/alert-rules/{rule['id']}", json={"params": {"minutes": 7}, "severity": "critical"}, headers=headers
    )
    assert changed.status_code == 200
    assert (changed.json["params"], changed.json["severity"], changed.json["name"]) == (
        {"minutes": 7.0},
        "critical",
        "North silent 5 min",
    )
    kind = client.patch(f"/api/v1/alert-rules/{rule['id']}", json={"kind": "idle"}, headers=headers)
    assert kind.status_code == 400 and kind.json["field"] == "kind"

    assert client.delete(f"/api/v1/alert-rules/{rule['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/alert-rules/{rule['id']}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/alert-rules/{rule['id']}", headers=headers).status_code == 404


def test_the_builtin_help_rule_changes_only_in_whom_and_how_it_tells_and_is_never_removed(client, db):
    headers = _token(db)
    help_rule = alerts.builtin_rule(db, "help")
    removed = client.delete(f"/api/v1/alert-rules/{help_rule['id']}", headers=headers)
    assert removed.status_code == 409 and removed.json["error"]["code"] == "builtin_rule"
    renamed = client.patch(f"/api/v1/alert-rules/{help_rule['id']}", json={"name": "Whatever"}, headers=headers)
    assert renamed.status_code == 400 and renamed.json["field"] == "name"
    same_name = {"name": help_rule["name"], "recipients": ["managers"], "channels": ["inbox", "email"]}
    changed = client.patch(f"/api/v1/alert-rules/{help_rule['id']}", json=same_name, headers=headers)
    assert changed.status_code == 200
    assert changed.json["recipients"] == ["managers"] and changed.json["channels"] == ["email", "inbox"]
    assert changed.json["kind"] == "help" and changed.json["severity"] == "critical" and changed.json["enabled"]
    assert alerts.builtin_rule(db, "help") is not None


def test_a_team_limited_token_makes_and_changes_rules_of_its_own_teams_only(client, db):
    north, east = _team_id(db, "North"), _team_id(db, "East")
    headers = _token(db, teams=[north])
    made = client.post("/api/v1/alert-rules", json={"kind": "idle", "name": "North idle"}, headers=headers)
    assert made.status_code == 201 and made.json["team_ids"] == [north]
    other = client.post(
        "/api/v1/alert-rules", json={"kind": "idle", "name": "East idle", "team_ids": [east]}, headers=headers
    )
    assert other.status_code == 403 and other.json["field"] == "team_ids"
    east_rule = _rule(db, name="East only", team_ids=[east])
    everyone = _rule(db, name="Everyone")
    assert client.get(f"/api/v1/alert-rules/{east_rule['id']}", headers=headers).status_code == 404
    listed = {row["id"] for row in client.get("/api/v1/alert-rules?limit=500", headers=headers).json["data"]}
    assert {made.json["id"], everyone["id"]} <= listed and east_rule["id"] not in listed
    answer = client.patch(f"/api/v1/alert-rules/{everyone['id']}", json={"name": "Mine now"}, headers=headers)
    assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"
    assert client.delete(f"/api/v1/alert-rules/{everyone['id']}", headers=headers).status_code == 403


def test_a_token_whose_maker_may_not_see_individuals_gets_no_alerts(client, db):
    executive = db.fetch_one("SELECT id FROM users WHERE role = 'executive' ORDER BY id LIMIT 1")["id"]
    org_settings.set_setting(db, "privacy.executive_sees_individuals", False, None)
    client.application.extensions["fieldops"].forget_org_settings()
    answer = client.get("/api/v1/alerts", headers=_token(db, maker=executive))
    assert answer.status_code == 403 and answer.json["error"]["code"] == "individuals_hidden"


def test_a_subscription_receives_alert_raised_and_alert_resolved(app, db, client):
    rt = app.server.extensions["fieldops"]
    org_settings.set_setting(db, "webhooks.allow_private_targets", True, None)
    rt.forget_org_settings()
    receiver = Receiver()
    subscription, _secret = subscribe(rt, receiver.url, ["alert.raised", "alert.resolved"], None)
    try:
        rule = _rule(db, name="Silent for webhooks", severity="critical")
        [person] = _people(db, "North", 1)
        alert_id = _raise(db, rule, person, minutes_ago=2)
        assert client.post(f"/api/v1/alerts/{alert_id}/resolve", headers=_token(db)).status_code == 200
        assert Deliverer(rt).deliver_due() == 2
        bodies = [orjson.loads(request["body"]) for request in receiver.received]
        assert [body["event"] for body in bodies] == ["alert.raised", "alert.resolved"]
        raised, resolved = (body["data"] for body in bodies)
        assert (raised["alert_id"], raised["rule_id"], raised["kind"], raised["severity"]) == (
            alert_id,
            rule["id"],
            "silent",
            "critical",
        )
        assert raised["employee_id"] == person and raised["lat"] == pytest.approx(60.17)
        assert datetime.fromisoformat(raised["at"]) == NOW - timedelta(minutes=2)
        assert (resolved["alert_id"], resolved["state"], resolved["resolution"]) == (alert_id, "resolved", "resolved")
    finally:
        db.execute("UPDATE webhook_subscriptions SET active = false WHERE id = %s", (subscription,))
        receiver.close()
