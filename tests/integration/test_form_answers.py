"""A task's answers to its visit form (issue 21): the phone's changes are applied once each and in its order, checked
against the form (a 400 names the fields), files kept once; the state machine refuses `done` while a required form is
incomplete, from every source; the first complete save enqueues `form.submitted`; the API and the export give the
answers back. The phone's own screens are in tests/browser/test_visit_forms.py."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from dashboard.core.permissions import Viewer, scope_for
from dashboard.work import form_answers as service
from dashboard.work.lifecycle import FormIncomplete, change_state
from dashboard.work.tokens import issue
from data import forms, users, webhooks
from tests.conftest import make_app, signed_in_client
from tests.pictures import encoded, scene

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FIELDS = [
    {
        "id": "reading",
        "type": "number",
        "label": {"en": "Meter reading", "zh-CN": "读数"},
        "unit": "kWh",
        "min": 0,
        "max": 1000,
        "required": True,
    },
    {"id": "replaced", "type": "yesno", "label": "Part replaced", "required": True},
    {"id": "parts_sec", "type": "section", "label": "Parts", "show_if": {"field": "replaced", "equals": True}},
    {"id": "used", "type": "parts", "label": "Parts used", "required": True},
    {"id": "photo", "type": "photo", "label": "Photo of the meter", "required": False},
]


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=True):
        yield


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


@pytest.fixture
def task_id(rt, field) -> int:
    forms.create_version(rt.db, "repair", "Meter repair", FIELDS, True, None, NOW)
    customer = rt.db.fetch_one("SELECT id FROM customers ORDER BY id LIMIT 1")["id"]
    return rt.db.fetch_one(
        "INSERT INTO tasks (customer_id, employee_id, kind, state) VALUES (%s, %s, 'repair', 'on_site') RETURNING id",
        (customer, field.employee_id),
    )["id"]


def _op(seq: int, **answers: object) -> dict:
    return {"op_id": str(uuid.uuid4()), "seq": seq, "answers": answers}


def test_a_change_sent_twice_is_applied_once_and_changes_apply_in_the_phones_order(rt, field, task_id):
    first, second = _op(2, reading=12), _op(1, reading=5, replaced=False)
    saved = service.save_changes(rt, field, task_id, [first, second])  # seq 1 first, then seq 2 overwrites it
    assert saved["complete"] and saved["applied"] == [second["op_id"], first["op_id"]]
    again = service.save_changes(rt, field, task_id, [first])
    assert again["applied"] == [] and again["complete"]
    row = rt.db.fetch_one("SELECT answers, submitted_at FROM form_answers WHERE task_id = %s", (task_id,))
    assert row["answers"] == {"reading": 12, "replaced": False} and row["submitted_at"] is not None
    assert rt.db.fetch_one("SELECT count(*) AS n FROM form_answer_ops WHERE task_id = %s", (task_id,))["n"] == 2


def test_an_answer_of_the_wrong_kind_is_refused_naming_the_field_and_nothing_is_written(rt, field, task_id):
    with pytest.raises(service.AnswerError) as refused:
        service.save_changes(rt, field, task_id, [_op(1, reading=5), _op(2, reading=5000, nonsense=1)])
    assert refused.value.problems.keys() == {"reading", "nonsense"} and "Meter reading" in str(refused.value)
    assert rt.db.fetch_one("SELECT count(*) AS n FROM form_answers WHERE task_id = %s", (task_id,))["n"] == 0
    with pytest.raises(service.AnswerError):
        service.save_changes(rt, field, task_id, [_op(1, used=[{"part": 1, "qty": 1, "note": "a\x00b"}])])


def test_done_is_refused_while_the_required_form_is_incomplete_naming_what_is_missing(rt, field, task_id):
    service.save_changes(rt, field, task_id, [_op(1, replaced=True)])
    with pytest.raises(FormIncomplete) as refused:
        change_state(rt, task_id, "done", field)
    assert "Meter reading" in str(refused.value) and "Parts used" in str(refused.value)
    with pytest.raises(FormIncomplete):
        change_state(rt, task_id, "done")  # the system (a departure) too
    part = forms.add_part(rt.db, "F-1", "Fuse", "pcs")
    service.save_changes(rt, field, task_id, [_op(2, reading=7, used=[{"part": part["id"], "qty": 2}])])
    assert change_state(rt, task_id, "done", field)["state"] == "done"


def test_a_kind_without_a_form_is_done_as_before(rt, field):
    customer = rt.db.fetch_one("SELECT id FROM customers ORDER BY id LIMIT 1")["id"]
    plain = rt.db.fetch_one(
        "INSERT INTO tasks (customer_id, employee_id, kind, state) VALUES (%s, %s, 'delivery', 'on_site') RETURNING id",
        (customer, field.employee_id),
    )["id"]
    assert change_state(rt, plain, "done", field)["state"] == "done"


def test_the_first_complete_save_announces_form_submitted_once(rt, field, task_id):
    webhooks.create_subscription(rt.db, "https://example.com/hook", ["form.submitted"], "s" * 32, None)
    service.save_changes(rt, field, task_id, [_op(1, reading=3, replaced=False)])
    service.save_changes(rt, field, task_id, [_op(2, reading=4)])
    sent = rt.db.fetch_all("SELECT payload FROM webhook_deliveries WHERE event = 'form.submitted'")
    assert len(sent) == 1
    payload = sent[0]["payload"]
    assert payload["task_id"] == task_id and payload["complete"] and payload["form_version"] == 1
    assert {"id": "reading", "type": "number", "label": "Meter reading", "value": 3} in payload["fields"]


def test_the_phones_routes_keep_a_file_once_and_answer_from_the_api(app, rt, field, task_id):
    client = signed_in_client(app, "field")
    shown = client.get(f"/api/v1/me/forms/{task_id}")
    assert shown.status_code == 200 and [f["id"] for f in shown.get_json()["fields"]][:2] == ["reading", "replaced"]
    photo = "data:image/jpeg;base64," + base64.b64encode(encoded(scene("discs"))).decode()
    first = client.post(f"/api/v1/me/forms/{task_id}/files", json={"field": "photo", "data": photo})
    again = client.post(f"/api/v1/me/forms/{task_id}/files", json={"field": "photo", "data": photo})
    assert first.status_code == 201 and first.get_json() == again.get_json()
    file_id = first.get_json()["id"]
    bad = client.post(f"/api/v1/me/forms/{task_id}/answers", json={"ops": [_op(1, photo=[file_id + 99])]})
    assert bad.status_code == 400 and bad.get_json()["problems"].keys() == {"photo"}
    ops = {"ops": [_op(1, reading=9, replaced=False, photo=[file_id])]}
    assert client.post(f"/api/v1/me/forms/{task_id}/answers", json=ops).get_json()["complete"]
    assert client.post(f"/api/v1/me/forms/{task_id}/answers", json=ops).get_json()["applied"] == []
    broken = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40).decode()
    refused = client.post(f"/api/v1/me/forms/{task_id}/files", json={"field": "photo", "data": broken})
    assert refused.status_code == 400
    assert client.get("/api/v1/me/forms/999999").status_code == 404

    token = issue(rt.db, "sync", ["forms:read"], None, 30, None)
    listed = app.server.test_client().get("/api/v1/form-answers", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200, listed.get_json()
    [record] = listed.get_json()["data"]
    values = {f["id"]: f["value"] for f in record["fields"]}
    assert values == {"reading": 9, "replaced": False, "used": None, "photo": [file_id]} and record["complete"]
    later = (NOW + timedelta(hours=1)).isoformat()
    newer = app.server.test_client().get(
        "/api/v1/form-answers", query_string={"updated_since": later}, headers={"Authorization": f"Bearer {token}"}
    )
    assert newer.get_json()["data"] == []
    other = issue(rt.db, "tasks only", ["tasks:read"], None, 30, None)
    no_scope = app.server.test_client().get("/api/v1/form-answers", headers={"Authorization": f"Bearer {other}"})
    assert no_scope.status_code == 403


def test_the_export_has_a_sheet_per_form_version_with_a_column_per_question(app, rt, field, task_id):
    service.save_changes(rt, field, task_id, [_op(1, reading=9, replaced=False)])
    today = NOW.astimezone(rt.settings.tz).date()
    answer = signed_in_client(app, "supervisor").get(f"/export/form-answers.xlsx?from={today}&to={today}")
    assert answer.status_code == 200, answer.data[:300]
    book = load_workbook(io.BytesIO(answer.data))
    sheet = book["repair v1"]
    header = [c.value for c in sheet[1]]
    assert header[-4:] == ["Meter reading", "Part replaced", "Parts used", "Photo of the meter"]
    row = [c.value for c in sheet[2]]
    assert row[0] == task_id and row[header.index("Meter reading")] == 9 and row[header.index("Part replaced")] == "No"


def test_the_api_pages_by_cursor_and_keeps_to_the_tokens_teams(app, rt, field, task_id):
    customer = rt.db.fetch_one("SELECT customer_id FROM tasks WHERE id = %s", (task_id,))["customer_id"]
    more = [
        rt.db.fetch_one(
            "INSERT INTO tasks (customer_id, employee_id, kind, state) VALUES (%s, %s, 'repair', 'on_site') "
            "RETURNING id",
            (customer, field.employee_id),
        )["id"]
        for _ in range(2)
    ]
    for number, task in enumerate([task_id, *more], start=1):
        service.save_changes(rt, field, task, [_op(number, reading=number)])
    token = issue(rt.db, "sync", ["forms:read"], None, 30, None)
    client, headers = app.server.test_client(), {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/form-answers?limit=2", headers=headers).get_json()
    second = client.get(f"/api/v1/form-answers?limit=2&cursor={first['next_cursor']}", headers=headers).get_json()
    assert [r["task_id"] for r in first["data"] + second["data"]] == [task_id, *more]
    assert second["next_cursor"] is None
    team = rt.db.fetch_one("SELECT team_id FROM employees WHERE id = %s", (field.employee_id,))["team_id"]
    other_team = rt.db.fetch_one("SELECT id FROM teams WHERE id <> %s ORDER BY id LIMIT 1", (team,))["id"]
    elsewhere = issue(rt.db, "other team", ["forms:read"], [other_team], 30, None)
    listed = client.get("/api/v1/form-answers", headers={"Authorization": f"Bearer {elsewhere}"}).get_json()
    assert listed["data"] == []


def test_the_refusal_names_the_missing_fields_in_the_viewers_language(app, rt, field, task_id):
    with app.server.test_request_context(headers={"Cookie": "fieldops_lang=zh-CN"}):
        with pytest.raises(FormIncomplete) as refused:
            change_state(rt, task_id, "done", field)
        view = service.phone_view(rt, field, task_id, "zh-CN")
    assert str(refused.value) == "表单尚未填完：读数；Part replaced。"  # a label without a Chinese text: as given
    assert view["fields"][0]["label"] == "读数" and view["texts"]["sent"] == "已发送"
