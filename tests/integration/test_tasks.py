"""The task lifecycle (issue 6): one state machine for every source, its permissions, CSV import, and the
satisfaction survey a finished visit creates (single use, expiry, tampering)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.core.permissions import Viewer, scope_for
from dashboard.work import lifecycle
from dashboard.work.surveys import SurveyError, answer_survey, open_survey, survey_path
from data import activities, customers, employees, feedback, users
from data import tasks as task_rows
from data.scope import Scope
from tests.conftest import csrf_headers, make_app


def viewer_of(rt, username: str) -> Viewer:
    row = users.get_user(rt.db, users.user_by_name(rt.db, username)["id"])
    return Viewer(
        row["id"],
        row["username"],
        row["role"],
        row["employee_id"],
        scope_for(row["role"], row["employee_id"], row.get("team_ids") or []),
    )


def new_task(rt, employee_code: str | None = "E0001", customer_id: int | None = None) -> int:
    person = employees.employee_by_code(rt.db, employee_code) if employee_code else None
    if customer_id is None:
        owner = person["id"] if person else employees.employee_by_code(rt.db, "E0001")["id"]
        customer_id = next(c["id"] for c in customers.list_customers(rt.db, Scope(employee_id=owner)))
    start = datetime.now(UTC) + timedelta(minutes=30)
    return task_rows.create_task(
        rt.db,
        {
            "customer_id": customer_id,
            "employee_id": person["id"] if person else None,
            "kind": "visit",
            "priority": 1,
            "window_start": start,
            "window_end": start + timedelta(hours=1),
            "duration_min": 20,
            "notes": None,
        },
        None,
    )


def history(rt, task_id: int) -> list[tuple[str | None, str]]:
    return [(e["from_state"], e["to_state"]) for e in task_rows.events(rt.db, Scope.everything(), task_id)]


def test_a_task_goes_through_its_lifecycle_and_every_change_is_an_event(seeded_rt):
    rt = seeded_rt
    field = viewer_of(rt, "field")
    task = new_task(rt)
    for state in ("accepted", "en_route", "on_site", "done"):
        lifecycle.change_state(rt, task, state, field)
    assert history(rt, task) == [
        (None, "assigned"),
        ("assigned", "accepted"),
        ("accepted", "en_route"),
        ("en_route", "on_site"),
        ("on_site", "done"),
    ]
    row = task_rows.get_task(rt.db, Scope.everything(), task)
    assert row["arrived_at"] is not None and row["departed_at"] >= row["arrived_at"]
    events = rt.db.fetch_all("SELECT user_id FROM task_events WHERE task_id = %s AND from_state IS NOT NULL", (task,))
    assert {e["user_id"] for e in events} == {field.user_id}


def test_an_illegal_transition_is_refused_with_a_clear_error_and_changes_nothing(seeded_rt):
    rt = seeded_rt
    manager = viewer_of(rt, "manager")
    task = new_task(rt)
    lifecycle.change_state(rt, task, "cancelled", manager)
    with pytest.raises(lifecycle.IllegalTransition, match="“cancelled” and cannot become “en route”"):
        lifecycle.change_state(rt, task, "en_route", manager)
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.change_state(rt, new_task(rt, None), "done", manager)
    assert task_rows.task_state(rt.db, task) == "cancelled"
    assert history(rt, task) == [(None, "assigned"), ("assigned", "cancelled")]


def test_field_staff_change_only_their_own_tasks_and_cannot_plan(seeded_rt):
    rt = seeded_rt
    field = viewer_of(rt, "field")
    someone_elses = new_task(rt, "E0002")
    with pytest.raises(lifecycle.TaskNotFound):
        lifecycle.change_state(rt, someone_elses, "accepted", field)
    own = new_task(rt)
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.change_state(rt, own, "cancelled", field)
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.change_state(rt, own, "assigned", field, assignee=field.employee_id)
    assert task_rows.task_state(rt.db, someone_elses) == "assigned"
    assert [
        t["id"]
        for t in task_rows.list_tasks(
            rt.db, field.scope, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
    ] == [own]


def test_declining_hands_the_task_back_unassigned(seeded_rt):
    rt = seeded_rt
    task = new_task(rt)
    lifecycle.change_state(rt, task, "new", viewer_of(rt, "field"), reason="decline")
    row = task_rows.get_task(rt.db, Scope.everything(), task)
    assert (row["state"], row["employee_id"]) == ("new", None)


def test_a_supervisor_assigns_only_within_their_teams_and_executives_change_nothing(seeded_rt):
    rt = seeded_rt
    supervisor = viewer_of(rt, "supervisor")
    mine = employees.roster(rt.db, supervisor.scope)[0]["id"]
    others = [
        p["id"] for p in employees.roster(rt.db, Scope.everything()) if p["team_id"] not in supervisor.scope.team_ids
    ]
    task = new_task(rt, None, customers.list_customers(rt.db, supervisor.scope)[0]["id"])
    with pytest.raises(lifecycle.NotAllowed, match="not in your teams"):
        lifecycle.change_state(rt, task, "assigned", supervisor, assignee=others[0])
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.change_state(rt, task, "assigned", viewer_of(rt, "executive"), assignee=mine)
    lifecycle.change_state(rt, task, "assigned", supervisor, assignee=mine)
    assert task_rows.get_task(rt.db, supervisor.scope, task)["employee_id"] == mine


def test_a_task_saved_as_its_form_shows_it_writes_nothing_and_a_new_assignee_moves_through_change_state(seeded_rt):
    rt = seeded_rt
    manager = viewer_of(rt, "manager")
    task = new_task(rt)
    row = task_rows.get_task(rt.db, Scope.everything(), task)

    def form(**changes):  # the panel's fields as it shows the task: times to the minute, in the organisation's zone
        shown = {"customer_id": row["customer_id"], "kind": row["kind"], "priority": row["priority"]}
        shown |= {"window_start": rt.local(row["window_start"]), "window_end": rt.local(row["window_end"])}
        shown |= {"duration_min": row["duration_min"], "notes": row["notes"], "employee_id": row["employee_id"]}
        return lifecycle.validate_task(rt, manager, **(shown | changes))

    assert lifecycle.edit_task(rt, manager, task, form()) == (False, False)
    assert task_rows.get_task(rt.db, Scope.everything(), task) == row  # its time of change too
    colleague = employees.employee_by_code(rt.db, "E0002")["id"]
    assert lifecycle.edit_task(rt, manager, task, form(employee_id=colleague)) == (False, True)
    assert history(rt, task) == [(None, "assigned"), ("assigned", "assigned")]
    assert lifecycle.edit_task(rt, manager, task, form(employee_id=None, notes="Back door")) == (True, True)
    after = task_rows.get_task(rt.db, Scope.everything(), task)
    assert (after["state"], after["employee_id"], after["notes"]) == ("new", None, "Back door")


def test_the_writers_arrival_and_departure_move_the_task_as_the_system_and_open_a_survey(seeded_rt):
    rt = seeded_rt
    task = new_task(rt)
    row = task_rows.get_task(rt.db, Scope.everything(), task)
    arrived = datetime.now(UTC) - timedelta(minutes=20)
    assert lifecycle.arrive(rt, row["employee_id"], row["customer_id"], arrived) == task
    lifecycle.depart(rt, task, arrived + timedelta(minutes=15))
    row = task_rows.get_task(rt.db, Scope.everything(), task)
    assert (row["state"], row["arrived_at"], row["departed_at"]) == ("done", arrived, arrived + timedelta(minutes=15))
    events = rt.db.fetch_all("SELECT user_id, reason, at FROM task_events WHERE task_id = %s ORDER BY id", (task,))
    assert [(e["user_id"], e["reason"]) for e in events[1:]] == [(None, "arrival"), (None, "departure")]
    assert events[1]["at"] == arrived
    survey = feedback.survey_of_task(rt.db, task)
    assert survey is not None and survey["answered_at"] is None


def test_an_arrival_at_a_customer_without_an_open_task_changes_nothing(seeded_rt):
    rt = seeded_rt
    person = employees.employee_by_code(rt.db, "E0003")["id"]
    customer = customers.list_customers(rt.db, Scope.everything())[0]["id"]
    assert lifecycle.arrive(rt, person, customer, datetime.now(UTC)) is None


def test_a_csv_import_creates_every_task_or_none_and_names_each_bad_line(seeded_rt):
    rt = seeded_rt
    manager = viewer_of(rt, "manager")
    customer = customers.list_customers(rt.db, Scope.everything())[0]["id"]
    good = (
        "customer,kind,priority,window_start,window_end,duration_min,notes,employee\n"
        f"{customer},repair,1,2026-05-04 09:00,2026-05-04 10:00,45,Broken gate,E0001\n"
        f"{customer},visit,,,,,,\n"
    ).encode()
    created, errors = lifecycle.import_csv(rt, manager, good)
    assert errors == [] and len(created) == 2
    assert [task_rows.get_task(rt.db, Scope.everything(), t)["state"] for t in created] == ["assigned", "new"]
    bad = (
        "customer,kind,priority,window_start,window_end,duration_min\n"
        f"{customer},visit,2,2026-05-04 09:00,2026-05-04 08:00,30\n"
        "999999,visit,2,,,30\n"
        f"{customer},visit,7,,,30\n"
    ).encode()
    created, errors = lifecycle.import_csv(rt, manager, bad)
    assert created == []
    assert [e.split(":")[0] for e in errors] == ["Line 2", "Line 3", "Line 4"]
    assert "end after it starts" in errors[0] and "customer" in errors[1] and "Priority" in errors[2]
    with pytest.raises(lifecycle.TaskError, match="name the columns"):
        lifecycle.import_csv(rt, manager, b"a,b\n1,2\n")


def _done_task_survey(rt) -> tuple[int, str]:
    task = new_task(rt)
    field = viewer_of(rt, "field")
    for state in ("on_site", "done"):
        lifecycle.change_state(rt, task, state, field)
    return task, survey_path(rt.settings.secret_key, feedback.survey_of_task(rt.db, task)["nonce"]).removeprefix(
        "/survey/"
    )


def test_a_survey_link_is_answered_once(seeded_rt):
    rt = seeded_rt
    task, token = _done_task_survey(rt)
    assert open_survey(rt, token)["task_id"] == task
    answer = answer_survey(rt, token, "5", "  Quick and friendly  ", "en")
    assert (answer["task_id"], answer["score"], answer["comment"]) == (task, 5, "Quick and friendly")
    stored = rt.db.fetch_one("SELECT score, comment, language, employee_id FROM feedback WHERE task_id = %s", (task,))
    assert (stored["score"], stored["comment"], stored["language"]) == (5, "Quick and friendly", "en")
    assert stored["employee_id"] == employees.employee_by_code(rt.db, "E0001")["id"]
    with pytest.raises(SurveyError) as again:
        answer_survey(rt, token, "1", "changed my mind", "en")
    assert again.value.kind == "answered"
    assert rt.db.fetch_one("SELECT score FROM feedback WHERE task_id = %s", (task,))["score"] == 5


def test_an_expired_or_tampered_survey_link_is_refused(seeded_rt):
    rt = seeded_rt
    task, token = _done_task_survey(rt)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(SurveyError) as bad:
        open_survey(rt, tampered)
    assert bad.value.kind == "tampered"
    expired = datetime.now(UTC) - timedelta(minutes=1)
    rt.db.execute("UPDATE feedback SET expires_at = %s WHERE task_id = %s", (expired, task))
    with pytest.raises(SurveyError) as late:
        answer_survey(rt, token, "4", None, "en")
    assert late.value.kind == "expired"
    with pytest.raises(SurveyError) as score:
        open_survey(rt, _done_task_survey(rt)[1]) and answer_survey(rt, _done_task_survey(rt)[1], "9", None, "en")
    assert score.value.kind == "score"


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def test_the_survey_page_works_without_login_in_chinese_and_needs_its_csrf_token(app):
    rt = app.server.extensions["fieldops"]
    _task, token = _done_task_survey(rt)
    client = app.server.test_client()
    client.set_cookie("fieldops_lang", "zh-CN")
    page = client.get(f"/survey/{token}")
    assert page.status_code == 200 and "您对" in page.get_data(as_text=True)
    assert client.post(f"/survey/{token}", data={"score": "4"}).status_code == 403
    answered = client.post(f"/survey/{token}", data={"score": "4", "comment": "好", **_form_csrf(client)})
    assert answered.status_code == 200 and 'data-state="thanks"' in answered.get_data(as_text=True)
    assert rt.db.fetch_one("SELECT language FROM feedback WHERE score = 4")["language"] == "zh-CN"
    assert client.get(f"/survey/{token}").status_code == 410
    assert client.get(f"/survey/{token}x").status_code == 404
    assert client.get("/survey/not-a-token").status_code == 404


def _form_csrf(client) -> dict:
    return {"csrf_token": csrf_headers(client)["X-CSRFToken"]}


def test_a_supervisor_sees_only_their_teams_tasks(seeded_rt):
    rt = seeded_rt
    supervisor = viewer_of(rt, "supervisor")
    own_customer = customers.list_customers(rt.db, supervisor.scope)[0]["id"]
    other_customer = next(
        c["id"]
        for c in customers.list_customers(rt.db, Scope.everything())
        if c["team_id"] not in supervisor.scope.team_ids
    )
    mine, theirs = new_task(rt, None, own_customer), new_task(rt, None, other_customer)
    always = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    visible = {t["id"] for t in task_rows.list_tasks(rt.db, supervisor.scope, *always)}
    assert mine in visible and theirs not in visible
    assert task_rows.get_task(rt.db, supervisor.scope, theirs) is None
    with pytest.raises(lifecycle.TaskNotFound):
        lifecycle.change_state(rt, theirs, "cancelled", supervisor)


def test_field_staff_see_only_their_own_customers_and_their_own_visits(seeded_rt):
    rt = seeded_rt
    field = viewer_of(rt, "field")
    own = customers.list_customers(rt.db, field.scope)
    assert own and {c["owner_employee_id"] for c in own} == {field.employee_id}
    colleague = employees.employee_by_code(rt.db, "E0002")["id"]
    customer = own[0]["id"]
    started = datetime.now(UTC) - timedelta(hours=1)
    for person in (field.employee_id, colleague):
        activities.open_visit(rt.db, person, customer, None, started)
        activities.close_visit(rt.db, person, started + timedelta(minutes=10))
    assert [v["employee_name"] for v in activities.customer_visits(rt.db, field.scope, customer)] == [
        employees.get_employee(rt.db, Scope.everything(), field.employee_id)["name"]
    ]
    assert len(activities.customer_visits(rt.db, Scope.everything(), customer)) == 2
    someone_elses = next(
        c for c in customers.list_customers(rt.db, Scope.everything()) if c["owner_employee_id"] != field.employee_id
    )
    assert customers.get_customer(rt.db, field.scope, someone_elses["id"]) is None


def _callback(client, app, output_ids: tuple[str, ...], values: dict[str, object]):
    """POST the callback whose outputs name these ids, its inputs and state as declared, values keyed "id.property"."""
    output = next(o for o in app.callback_map if all(f"{i}." in o for i in output_ids))
    spec = app.callback_map[output]

    def declared(items: list[dict]) -> list[dict]:
        key = "{id}.{property}"
        return [{"id": i["id"], "property": i["property"], "value": values.get(key.format(**i))} for i in items]

    parts = [p.rsplit(".", 1) for p in output.strip(".").split("...")]
    outputs = [{"id": component, "property": prop.split("@")[0]} for component, prop in parts]
    body = {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": declared(spec["inputs"]),
        "state": declared(spec["state"]),
        "changedPropIds": [],
    }
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.data[:300]
    return answer.get_json()["response"]


def test_executives_see_no_individual_on_the_tasks_page_unless_the_organisation_allows(app):
    import json
    import time

    from dashboard.ingest.accept import accept_fixes
    from data import alerts, org_settings, route_plans
    from tests.conftest import signed_in_client, track_around_the_clock

    rt = app.server.extensions["fieldops"]
    person, colleague, helper = (employees.employee_by_code(rt.db, f"E000{n}") for n in (1, 2, 3))
    customer = customers.list_customers(rt.db, Scope(employee_id=person["id"]))[0]
    task = task_rows.create_task(  # no window: urgent work belongs to every day while open
        rt.db,
        {"customer_id": customer["id"], "employee_id": person["id"], "kind": "visit", "priority": 1}
        | {"window_start": None, "window_end": None, "duration_min": 20, "notes": None},
        None,
    )
    now_ms = int(time.time() * 1000)
    for n, someone in enumerate((person, colleague, helper)):
        track_around_the_clock(rt.db, someone["id"])
        accept_fixes(rt, someone["id"], [{"ts": now_ms, "lat": 60.17 + n / 1000, "lon": 24.94}], "native")
    route_plans.save_plan(  # a planned route starts at the person's live fix
        rt.db,
        {"employee_id": person["id"], "day": datetime.now(rt.settings.tz).date(), "planned_by": None}
        | {"reason": "plan", "task_ids": [task], "entered_travel_s": 60, "planned_travel_s": 60, "late_tasks": 0}
        | {"path": [[60.17, 24.94], [customer["lat"], customer["lon"]]]},
    )
    alerts.raise_help(rt.db, colleague["id"], 60.171, 24.94, 5)
    names = [row["name"] for row in employees.roster(rt.db, Scope.everything())]
    executive = signed_in_client(app, "executive")

    def tasks_page() -> dict[str, object]:
        return {
            "board": _callback(executive, app, ("tasks-board", "tasks-routes"), {}),
            "help": _callback(executive, app, ("tasks-help",), {}),
            "details": _callback(executive, app, ("tasks-details",), {"tasks-selected.data": task}),
            "form": _callback(executive, app, ("tasks-customer", "tasks-assignee"), {}),
        }

    hidden = tasks_page()
    text = json.dumps(hidden, ensure_ascii=False)
    assert [name for name in names if name in text] == []
    assert hidden["board"]["tasks-routes"]["data"]["features"] == []
    assert hidden["help"]["tasks-help"]["children"] == []
    assert hidden["form"]["tasks-assignee"]["options"] == []
    assert f"#{task}" in json.dumps(hidden["board"]["tasks-board"])  # the work itself is still on the board

    org_settings.set_setting(rt.db, "privacy.executive_sees_individuals", True, None)
    rt.forget_org_settings()
    shown = tasks_page()
    routes = shown["board"]["tasks-routes"]["data"]["features"]
    assert [feature["properties"]["name"] for feature in routes] == [person["name"]]
    assert colleague["name"] in json.dumps(shown["help"], ensure_ascii=False)
    assert person["name"] in json.dumps(shown["details"], ensure_ascii=False)


def test_an_executive_who_sends_create_anyway_is_refused_and_nothing_is_created(app):
    """The page offers an executive no Create (issue 16); the callback behind it still refuses."""
    import json

    from tests.conftest import signed_in_client

    rt = app.server.extensions["fieldops"]
    customer = customers.list_customers(rt.db, Scope.everything())[0]["id"]
    count = rt.db.fetch_one("SELECT count(*) AS n FROM tasks")["n"]
    executive = signed_in_client(app, "executive")
    values = {"tasks-customer.value": customer, "tasks-kind.value": "visit", "tasks-priority.value": 2}
    answer = _callback(executive, app, ("tasks-form-result", "tasks-refresh"), values | {"tasks-duration.value": 30})
    assert "Your role cannot change tasks." in json.dumps(answer, ensure_ascii=False)
    assert rt.db.fetch_one("SELECT count(*) AS n FROM tasks")["n"] == count
