"""The read-write API (issue 18): an ERP creates 100 work orders with external ids and retries half of them with the
same Idempotency-Keys (100 tasks, not 150), reschedules one with a stale ETag (412) and cancels one; employees and
teams created, changed, moved and deactivated through the people core; customers through the ERP import's checks;
team limits on every write; problem+json naming the field; an Idempotency-Key reused with another body; a concurrent
retry; 404 outside the token's teams; the keys' 24 hours."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from jsonschema import Draft4Validator

from dashboard.web.api import preconditions
from dashboard.web.api.openapi import SPEC
from dashboard.web.api.routes import _draft4
from dashboard.work import lifecycle
from dashboard.work.tokens import SCOPES, issue
from dashboard.writer.upkeep import Upkeep
from data import idempotency

# A Tuesday morning in Helsinki; the work orders are for the next day.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
TOMORROW_9 = NOW.replace(hour=9) + timedelta(days=1)


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


def _token(db, scopes=SCOPES, teams=None, name="ERP") -> dict:
    return {"Authorization": f"Bearer {issue(db, name, scopes, teams, 30, None)}"}


def _team_id(db, name: str) -> int:
    return db.fetch_one("SELECT id FROM teams WHERE name = %s", (name,))["id"]


def _person_of(db, team: str) -> int:
    return db.fetch_one(
        "SELECT e.id FROM employees e JOIN teams t ON t.id = e.team_id WHERE t.name = %s AND e.active ORDER BY e.id",
        (team,),
    )["id"]


def _as_documented(answer, schema: str):
    """The answer's body as the OpenAPI document publishes the record."""
    Draft4Validator(_draft4(SPEC["components"]["schemas"][schema])).validate(answer.json)
    return answer


def _customer(client, headers, external_id: str, **values) -> dict:
    body = {"external_id": external_id, "name": f"Customer {external_id}", "lat": 60.17, "lon": 24.94} | values
    answer = client.post("/api/v1/customers", json=body, headers=headers)
    assert answer.status_code == 201, answer.json
    return _as_documented(answer, "Customer").json


def _order(number: int, customer: str) -> dict:
    start = TOMORROW_9 + timedelta(minutes=5 * number)
    return {
        "external_id": f"WO-{number:03d}",
        "customer_external_id": customer,
        "kind": "repair",
        "priority": 2,
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(hours=2)).isoformat(),
        "duration_min": 45,
        "notes": f"ERP work order {number}",
    }


def test_an_erp_creates_100_work_orders_retries_half_reschedules_one_stale_and_cancels_one(db, client):
    headers = _token(db, ["tasks:read", "tasks:write", "customers:read", "customers:write"])
    for customer in ("ERP-C1", "ERP-C2"):
        _customer(client, headers, customer, address="Mannerheimintie 1")
    bodies = [_order(n, "ERP-C1" if n % 2 else "ERP-C2") for n in range(100)]
    first = {}
    for number, body in enumerate(bodies):
        answer = client.post("/api/v1/tasks", json=body, headers=headers | {"Idempotency-Key": f"key-{number}"})
        assert _as_documented(answer, "Task").status_code == 201, answer.json
        assert answer.headers["Location"] == f"/api/v1/tasks/{answer.json['id']}" and answer.headers["ETag"]
        first[number] = answer
    for number in range(0, 100, 2):  # the ERP did not hear the answers: it sends half of them again
        again = client.post(
            "/api/v1/tasks", json=bodies[number], headers=headers | {"Idempotency-Key": f"key-{number}"}
        )
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json == first[number].json and again.headers["ETag"] == first[number].headers["ETag"]
    stored = db.fetch_all("SELECT id, state, kind, employee_id FROM tasks WHERE external_id LIKE %s", ("WO-0%",))
    assert len(stored) == 100 and {(t["state"], t["kind"], t["employee_id"]) for t in stored} == {
        ("new", "repair", None)
    }

    found = client.get("/api/v1/tasks/by-external-id/WO-007", headers=headers)
    assert found.status_code == 200 and found.json["notes"] == "ERP work order 7"
    task_id, read_tag = found.json["id"], found.headers["ETag"]
    later = TOMORROW_9.replace(hour=14)
    window = {"window_start": later.isoformat(), "window_end": (later + timedelta(hours=1)).isoformat()}
    moved = client.patch(f"/api/v1/tasks/{task_id}", json=window, headers=headers | {"If-Match": read_tag})
    assert moved.status_code == 200 and moved.headers["ETag"] != read_tag
    assert datetime.fromisoformat(moved.json["window_start"]) == later
    stale = {"window_start": TOMORROW_9.isoformat(), "window_end": (TOMORROW_9 + timedelta(hours=1)).isoformat()}
    refused = client.patch(f"/api/v1/tasks/{task_id}", json=stale, headers=headers | {"If-Match": read_tag})
    assert refused.status_code == 412 and refused.mimetype == "application/problem+json"
    assert refused.json["error"]["code"] == "precondition_failed"
    assert db.fetch_one("SELECT window_start FROM tasks WHERE id = %s", (task_id,))["window_start"] == later

    cancelled_id = first[3].json["id"]
    cancelled = client.patch(f"/api/v1/tasks/{cancelled_id}", json={"state": "cancelled"}, headers=headers)
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    event = db.fetch_one(
        "SELECT from_state, to_state, reason FROM task_events WHERE task_id = %s ORDER BY id DESC", (cancelled_id,)
    )
    assert event == {"from_state": "new", "to_state": "cancelled", "reason": "token:ERP"}
    again = client.patch(f"/api/v1/tasks/{cancelled_id}", json={"state": "cancelled"}, headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "illegal_transition"


def test_a_work_order_is_reassigned_through_the_lifecycle_and_handed_back(db, client):
    headers = _token(db)
    _customer(client, headers, "ERP-C3")
    person = _person_of(db, "North")
    created = client.post("/api/v1/tasks", json=_order(200, "ERP-C3") | {"employee_id": person}, headers=headers)
    assert created.status_code == 201 and created.json["state"] == "assigned" and created.json["employee_id"] == person
    other = _person_of(db, "East")
    task = created.json["id"]
    moved = client.patch(f"/api/v1/tasks/{task}", json={"employee_id": other}, headers=headers)
    assert moved.json["employee_id"] == other and moved.json["state"] == "assigned"
    back = client.patch(f"/api/v1/tasks/{task}", json={"employee_id": None}, headers=headers)
    assert back.json["employee_id"] is None and back.json["state"] == "new"
    moves = db.fetch_all("SELECT to_state, employee_id FROM task_events WHERE task_id = %s ORDER BY id", (task,))
    assert [(m["to_state"], m["employee_id"]) for m in moves] == [
        ("assigned", person),
        ("assigned", other),
        ("new", None),
    ]


def test_the_same_idempotency_key_with_another_body_is_refused_and_creates_nothing(db, client):
    headers = _token(db) | {"Idempotency-Key": "reused-key"}
    _customer(client, _token(db), "ERP-C4")
    assert client.post("/api/v1/tasks", json=_order(300, "ERP-C4"), headers=headers).status_code == 201
    other = client.post("/api/v1/tasks", json=_order(301, "ERP-C4"), headers=headers)
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert other.json["error"]["code"] == "idempotency_key_reused"
    assert db.fetch_one("SELECT count(*) AS n FROM tasks WHERE external_id = 'WO-301'")["n"] == 0
    # Another token's key of the same name is its own.
    assert (
        client.post(
            "/api/v1/tasks", json=_order(301, "ERP-C4"), headers=_token(db) | {"Idempotency-Key": "reused-key"}
        ).status_code
        == 201
    )


def test_a_refused_post_keeps_nothing_and_may_be_mended_under_the_same_key(db, client):
    headers = _token(db) | {"Idempotency-Key": "mend-me"}
    _customer(client, _token(db), "ERP-C5")
    wrong = _order(400, "ERP-C5") | {"window_end": TOMORROW_9.isoformat()}  # ends before it starts
    refused = client.post("/api/v1/tasks", json=wrong, headers=headers)
    assert refused.status_code == 400 and refused.json["field"] == "window_end"
    assert client.post("/api/v1/tasks", json=_order(400, "ERP-C5"), headers=headers).status_code == 201


def test_a_retry_while_the_first_is_being_answered_is_409_with_retry_after(db, client, app, monkeypatch):
    headers = _token(db) | {"Idempotency-Key": "slow-one"}
    _customer(client, _token(db), "ERP-C6")
    inside, release = threading.Event(), threading.Event()
    create = lifecycle.create_task

    def slow_create(*args, **kwargs):
        inside.set()
        assert release.wait(10)
        return create(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "create_task", slow_create)
    answers = {}
    first = threading.Thread(
        target=lambda: answers.update(
            first=app.server.test_client().post("/api/v1/tasks", json=_order(500, "ERP-C6"), headers=headers)
        )
    )
    first.start()
    assert inside.wait(10)
    retry = client.post("/api/v1/tasks", json=_order(500, "ERP-C6"), headers=headers)
    release.set()
    first.join(10)
    assert retry.status_code == 409 and retry.json["error"]["code"] == "idempotency_key_in_progress"
    assert retry.headers["Retry-After"] == "1"
    assert answers["first"].status_code == 201
    replay = client.post("/api/v1/tasks", json=_order(500, "ERP-C6"), headers=headers)
    assert replay.status_code == 201 and replay.json["id"] == answers["first"].json["id"]
    assert db.fetch_one("SELECT count(*) AS n FROM tasks WHERE external_id = 'WO-500'")["n"] == 1


def test_keys_are_kept_24_hours_then_the_upkeep_removes_them(db, client, app):
    headers = _token(db) | {"Idempotency-Key": "day-old"}
    _customer(client, _token(db), "ERP-C7", category="shop")
    token_id = db.fetch_one("SELECT max(id) AS id FROM api_tokens")["id"]
    assert client.post("/api/v1/tasks", json=_order(600, "ERP-C7"), headers=headers).status_code == 201
    kept = db.fetch_one("SELECT token_id FROM api_idempotency WHERE key = 'day-old'")
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        Upkeep(app.server.extensions["fieldops"]).run_if_due()
    assert idempotency.stored(db, kept["token_id"], "day-old") is not None
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        Upkeep(app.server.extensions["fieldops"]).run_if_due()
    assert idempotency.stored(db, kept["token_id"], "day-old") is None
    assert token_id >= kept["token_id"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/tasks", {"customer_external_id": "a\x00b", "kind": "visit"}, "customer_external_id"),
        ("/api/v1/employees", {"code": "N1", "name": "x", "skills": ["ok", "b\x00d"]}, "skills"),
        ("/api/v1/teams", {"name": "T\x00"}, "name"),
    ],
)
def test_a_nul_in_any_text_of_a_body_is_a_400_naming_its_field(db, client, path, body, field):
    """PostgreSQL's text cannot hold a NUL: every write refuses it before it reaches a query (a work order's customer
    external id was a 500)."""
    answer = client.post(path, json=body, headers=_token(db))
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert answer.json["field"] == field


def test_problems_name_the_field_at_fault(db, client):
    headers = _token(db)
    answer = client.post("/api/v1/tasks", json={"customer_id": 1, "priority": 7}, headers=headers)
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert answer.json["field"] == "priority" and answer.json["status"] == 400
    assert answer.json["error"]["code"] == "invalid_body" and answer.json["detail"] == answer.json["error"]["message"]
    answer = client.post("/api/v1/employees", json={"code": "X1"}, headers=headers)
    assert answer.status_code == 400 and answer.json["field"] == "name"
    answer = client.post(
        "/api/v1/customers", json={"external_id": "bad", "name": "B", "lat": 91, "lon": 0}, headers=headers
    )
    assert answer.status_code == 400 and answer.json["field"] == "lat"
    answer = client.post(
        "/api/v1/employees", json={"code": "X2", "name": "X", "email": "not-an-address"}, headers=headers
    )
    assert answer.status_code == 400 and answer.json["field"] == "email"
    answer = client.patch("/api/v1/employees/1", json={"team_id": 1}, headers=headers | {"If-Match": "no quotes"})
    assert answer.status_code == 400 and answer.json["header"] == "If-Match"


def test_employees_are_added_moved_and_deactivated_through_the_people_core(db, client):
    headers = _token(db, ["people:write", "employees:read", "tasks:write", "tasks:read", "customers:write"])
    north, east = _team_id(db, "North"), _team_id(db, "East")
    body = {"code": "ERP-E1", "name": "Aino Virtanen", "team_id": north, "external_id": "HR-1", "skills": ["gas"]}
    created = client.post("/api/v1/employees", json=body, headers=headers | {"Idempotency-Key": "hire-1"})
    assert (
        _as_documented(created, "Employee").status_code == 201
        and created.json["skills"] == ["gas"]
        and created.json["active"] is True
    )
    person, tag = created.json["id"], created.headers["ETag"]
    assert (
        client.post("/api/v1/employees", json=body, headers=headers | {"Idempotency-Key": "hire-1"}).json["id"]
        == person
    )
    taken = client.post("/api/v1/employees", json=body | {"external_id": "HR-2"}, headers=headers)
    assert taken.status_code == 409 and taken.json["field"] == "code"
    assert client.get("/api/v1/employees/by-external-id/HR-1", headers=headers).json["id"] == person

    moved = client.patch(f"/api/v1/employees/{person}", json={"team_id": east}, headers=headers | {"If-Match": tag})
    assert moved.status_code == 200 and moved.json["team_id"] == east
    stale = client.patch(f"/api/v1/employees/{person}", json={"team_id": north}, headers=headers | {"If-Match": tag})
    assert stale.status_code == 412 and stale.json["error"]["code"] == "precondition_failed"
    assert db.fetch_one("SELECT team_id FROM employees WHERE id = %s", (person,))["team_id"] == east
    assert [
        c["action"]
        for c in db.fetch_all("SELECT action FROM people_changes WHERE employee_id = %s ORDER BY id", (person,))
    ] == ["created", "moved"]

    _customer(client, headers, "ERP-C8")
    task = client.post("/api/v1/tasks", json=_order(700, "ERP-C8") | {"employee_id": person}, headers=headers).json
    gone = client.patch(f"/api/v1/employees/{person}", json={"active": False}, headers=headers)
    assert gone.status_code == 200 and gone.json["active"] is False and gone.json["deactivated_at"]
    freed = client.get(f"/api/v1/tasks/{task['id']}", headers=headers).json
    assert freed["state"] == "new" and freed["employee_id"] is None
    back = client.patch(f"/api/v1/employees/{person}", json={"active": True}, headers=headers)
    assert back.json["active"] is True and back.json["deactivated_at"] is None


def test_teams_are_made_renamed_and_found_by_external_id(db, client):
    headers = _token(db, ["people:write", "teams:read"])
    made = client.post("/api/v1/teams", json={"name": "Harbour", "external_id": "DEPT-S"}, headers=headers)
    assert (
        _as_documented(made, "Team").status_code == 201
        and made.json["members"] == 0
        and made.json["color"].startswith("#")
    )
    team, tag = made.json["id"], made.headers["ETag"]
    renamed = client.patch(f"/api/v1/teams/{team}", json={"name": "Harbour-West"}, headers=headers | {"If-Match": tag})
    assert renamed.status_code == 200 and renamed.json["name"] == "Harbour-West"
    assert (
        client.patch(f"/api/v1/teams/{team}", json={"name": "S"}, headers=headers | {"If-Match": tag}).status_code
        == 412
    )
    assert client.get("/api/v1/teams/by-external-id/DEPT-S", headers=headers).json["name"] == "Harbour-West"
    same = client.post("/api/v1/teams", json={"name": "harbour-west"}, headers=headers)
    assert same.status_code == 409 and same.json["field"] == "name"


def test_a_team_limited_token_writes_within_its_teams_only(db, client):
    north, east = _team_id(db, "North"), _team_id(db, "East")
    headers = _token(db, teams=[north])
    outsider, insider = _person_of(db, "East"), _person_of(db, "North")
    assert client.get(f"/api/v1/employees/{outsider}", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/employees/{outsider}", headers=headers).json
        == client.get("/api/v1/employees/2147483647", headers=headers).json
    )
    refused = client.patch(f"/api/v1/employees/{outsider}", json={"phone": "+358 1"}, headers=headers)
    assert refused.status_code == 404
    moving_out = client.patch(f"/api/v1/employees/{insider}", json={"team_id": east}, headers=headers)
    assert moving_out.status_code == 400 and moving_out.json["field"] == "team_id"
    hiring = client.post(
        "/api/v1/employees", json={"code": "ERP-E9", "name": "Outside", "team_id": east}, headers=headers
    )
    assert hiring.status_code == 400 and hiring.json["field"] == "team_id"
    assert client.post("/api/v1/teams", json={"name": "Mine"}, headers=headers).status_code == 403

    _customer(
        client,
        _token(db),
        "ERP-C9",
        owner_code=db.fetch_one("SELECT code FROM employees WHERE id = %s", (insider,))["code"],
    )
    assigning = client.post("/api/v1/tasks", json=_order(800, "ERP-C9") | {"employee_id": outsider}, headers=headers)
    assert assigning.status_code == 400 and assigning.json["field"] == "employee_id"
    mine = client.post("/api/v1/tasks", json=_order(801, "ERP-C9"), headers=headers)
    assert mine.status_code == 201  # an unassigned task of its teams' customer, visible to it as on the Tasks page
    assert client.get(f"/api/v1/tasks/{mine.json['id']}", headers=headers).status_code == 200
    _customer(client, _token(db), "ERP-C10")  # no owner: outside every team limit
    elsewhere = client.get("/api/v1/customers/by-external-id/ERP-C10", headers=headers)
    assert elsewhere.status_code == 404 and elsewhere.json["error"]["code"] == "not_found"
    assert (
        client.post("/api/v1/tasks", json=_order(802, "ERP-C10"), headers=headers).json["field"]
        == "customer_external_id"
    )
    without_scope = client.post("/api/v1/tasks", json=_order(803, "ERP-C9"), headers=_token(db, ["tasks:read"]))
    assert without_scope.status_code == 403 and without_scope.json["error"]["code"] == "insufficient_scope"


def test_customers_are_created_and_changed_through_the_import_checks(db, client):
    headers = _token(db, ["customers:read", "customers:write"])
    created = _customer(client, headers, "ERP-C11", category="shop")
    again = client.post(
        "/api/v1/customers", json={"external_id": "ERP-C11", "name": "X", "lat": 1, "lon": 1}, headers=headers
    )
    assert again.status_code == 409 and again.json["field"] == "external_id"
    one = client.get(f"/api/v1/customers/{created['id']}", headers=headers)
    code = db.fetch_one("SELECT code FROM employees WHERE active ORDER BY id LIMIT 1")["code"]
    changed = client.patch(
        f"/api/v1/customers/{created['id']}",
        json={"name": "Renamed", "owner_code": code},
        headers=headers | {"If-Match": one.headers["ETag"]},
    )
    assert changed.status_code == 200 and changed.json["name"] == "Renamed" and changed.json["category"] == "shop"
    assert changed.json["owner_employee_id"] is not None
    stale = client.patch(
        f"/api/v1/customers/{created['id']}", json={"name": "Old"}, headers=headers | {"If-Match": one.headers["ETag"]}
    )
    assert stale.status_code == 412
    unknown = client.patch(f"/api/v1/customers/{created['id']}", json={"owner_code": "NOBODY"}, headers=headers)
    assert unknown.status_code == 400 and unknown.json["field"] == "owner_code"
    plain = db.fetch_one("INSERT INTO customers (name, lat, lon) VALUES ('Made on the page', 60, 25) RETURNING id")[
        "id"
    ]
    assert (
        client.patch(f"/api/v1/customers/{plain}", json={"name": "Y"}, headers=headers).json["error"]["code"]
        == "no_external_id"
    )


def test_every_resource_has_its_single_record_and_404_outside_scope(db, client):
    headers = _token(db)
    for resource in (
        "employees",
        "teams",
        "devices",
        "customers",
        "orders",
        "tasks",
        "activities",
        "feedback",
        "reports",
    ):
        listed = client.get(f"/api/v1/{resource}?limit=1", headers=headers).json["data"]
        if not listed:
            continue
        one = client.get(f"/api/v1/{resource}/{listed[0]['id']}", headers=headers)
        assert one.status_code == 200 and one.json == listed[0], resource
        assert ("ETag" in one.headers) == (resource in ("employees", "teams", "customers", "orders", "tasks"))
        assert client.get(f"/api/v1/{resource}/2147483647", headers=headers).status_code == 404
    north_only = _token(db, teams=[_team_id(db, "North")])
    east_device = db.fetch_one(
        """SELECT d.id FROM devices d JOIN employees e ON e.id = d.employee_id JOIN teams t ON t.id = e.team_id
           WHERE t.name = 'East' LIMIT 1"""
    )["id"]
    assert client.get(f"/api/v1/devices/{east_device}", headers=north_only).status_code == 404


def test_no_work_order_goes_to_a_deactivated_person(db, client):
    headers = _token(db)
    _customer(client, headers, "ERP-C12")
    hired = client.post("/api/v1/employees", json={"code": "ERP-E12", "name": "Leaving Soon"}, headers=headers).json
    assert client.patch(f"/api/v1/employees/{hired['id']}", json={"active": False}, headers=headers).status_code == 200
    refused = client.post("/api/v1/tasks", json=_order(900, "ERP-C12") | {"employee_id": hired["id"]}, headers=headers)
    assert refused.status_code == 400 and refused.json["field"] == "employee_id"
    assert "deactivated" in refused.json["detail"]


def test_a_change_that_lands_between_the_check_and_the_write_is_still_refused(db, client, monkeypatch):
    """The lifecycle itself compares the version in its UPDATE: a race past the API's first look is 412 too."""
    headers = _token(db)
    _customer(client, headers, "ERP-C13")
    person = _person_of(db, "North")
    created = client.post("/api/v1/tasks", json=_order(950, "ERP-C13"), headers=headers)
    task, tag = created.json["id"], created.headers["ETag"]
    assert client.patch(f"/api/v1/tasks/{task}", json={"priority": 1}, headers=headers).status_code == 200
    monkeypatch.setattr(preconditions, "check_version", lambda current: preconditions.wanted_version())
    for change in ({"notes": "late"}, {"employee_id": person}, {"state": "cancelled"}):
        refused = client.patch(f"/api/v1/tasks/{task}", json=change, headers=headers | {"If-Match": tag})
        assert refused.status_code == 412 and refused.json["error"]["code"] == "precondition_failed", change
    stored = db.fetch_one("SELECT state, employee_id, notes, priority FROM tasks WHERE id = %s", (task,))
    assert stored == {"state": "new", "employee_id": None, "notes": "ERP work order 950", "priority": 1}
