"""The People page's callbacks (issue 18), as a browser posts them: a person is added and changed through
dashboard/work/people, a save over a newer change is refused with the reason, deactivation frees the person's open
tasks and says how many, a tracker is registered with its QR code shown once, and the page is for managers and
admins only (a manager sees everyone; a supervisor can neither open it nor run its callbacks)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.work import people
from dashboard.work.people import Actor
from data import customers, devices, employees, working_hours
from data import tasks as task_rows
from data.scope import Scope
from tests.conftest import callback_body, server_callbacks, signed_in_client

ADMIN = Actor(None, "admin-test", Scope.everything())
FORM = {
    "people-code.value": "P100",
    "people-name.value": "Paula Putkinen",
    "people-team.value": None,
    "people-supervisor.value": None,
    "people-phone.value": "+358 40 100 2000",
    "people-email.value": "paula@example.com",
    "people-skills.value": "boilers, heat pumps",
    "people-external-id.value": None,
    "people-home-lat.value": 60.17,
    "people-home-lon.value": 24.94,
}


@pytest.fixture(scope="module")
def app(seeded_module_app):
    return seeded_module_app


@pytest.fixture(scope="module")
def db(app):
    return app.server.extensions["fieldops"].db


class Page:
    """The page's callbacks as each demo account posts them."""

    def __init__(self, app) -> None:
        self.app = app
        self.rt = app.server.extensions["fieldops"]
        self.clients = {r: signed_in_client(app, r) for r in ("supervisor", "manager", "admin", "executive", "field")}

    def post(self, role: str, first_input: str, values: dict, output_part: str = ""):
        output, spec = next(
            (o, s) for o, s in server_callbacks(self.app) if s["inputs"][0]["id"] == first_input and output_part in o
        )
        body = callback_body(output, spec, lambda item: values.get(f"{item['id']}.{item['property']}"), 0)
        return self.clients[role].post("/_dash-update-component", json=body)

    def answer(self, role: str, first_input: str, values: dict, output_part: str = "") -> dict:
        response = self.post(role, first_input, values, output_part)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response.get_json()["response"]

    def save(self, role: str, values: dict, selected: int | None = None, version: str | None = None) -> dict:
        state = FORM | {
            "people-save.n_clicks": 1,
            "people-mode.data": "edit" if selected else "new",
            "people-selected.data": selected,
            "people-version.data": version,
            "people-refresh.data": 0,
        }
        return self.answer(role, "people-save", state | values)

    def panel(self, role: str, employee_id: int) -> dict:
        values = {"people-mode.data": "edit", "people-selected.data": employee_id}
        return self.answer(role, "people-mode", values, "people-panel.className")

    def grid(self, role: str, inactive: bool = False) -> list[dict]:
        values = {"people-refresh.data": 1, "people-show-inactive.value": ["on"] if inactive else []}
        return self.answer(role, "people-refresh", values, "people-grid.rowData")["people-grid"]["rowData"]


@pytest.fixture(scope="module")
def page(app):
    return Page(app)


def test_a_manager_adds_a_person_and_the_panel_shows_them(page, db):
    north = db.fetch_one("SELECT id FROM teams WHERE name = 'North'")["id"]
    response = page.save("manager", {"people-team.value": north})
    person = employees.person_by(db, Scope.everything(), code="P100")
    assert person is not None and person["team_id"] == north and person["skills"] == ["boilers", "heat pumps"]
    assert (person["home_lat"], person["home_lon"], person["email"]) == (60.17, 24.94, "paula@example.com")
    assert "Paula Putkinen added" in json.dumps(response["people-result"])
    assert response["people-selected"]["data"] == person["id"] and response["people-mode"]["data"] == "edit"
    assert employees.changes_of(db, person["id"])[0]["username"] == "manager"

    shown = page.panel("manager", person["id"])
    assert shown["people-code"]["value"] == "P100" and shown["people-skills"]["value"] == "boilers, heat pumps"
    assert shown["people-version"]["data"] == person["version"]
    assert shown["people-existing"]["hidden"] is False and shown["people-reactivate"]["hidden"] is True
    row = next(r for r in page.grid("manager") if r["code"] == "P100")
    assert (row["team"], row["state"], row["devices"]) == ("North", "Active", 0)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"people-code.value": " "}, "code", "required"),
        ({"people-code.value": "E0001"}, "code", "already"),
        ({"people-email.value": "nobody"}, "email", "name@example.com"),
        ({"people-home-lat.value": 91}, "home_lat", "-90"),
        ({"people-home-lon.value": None}, "home_lat", "both"),
        ({"people-team.value": 999_999}, "team_id", "no such team"),
        ({"people-supervisor.value": "someone"}, "supervisor_user_id", "whole number"),
        ({"people-skills.value": "a" * 41}, "skills", "40 characters"),
    ],
)
def test_a_refused_field_is_named_beside_it_and_nothing_is_saved(page, db, values, field, words):
    before = len(employees.people(db, Scope.everything()))
    response = page.save("manager", {"people-code.value": "P200"} | values)
    assert words.lower() in response[f"people-error-{field}"]["children"].lower()
    named = [k for k, v in response.items() if k.startswith("people-error-") and v["children"]]
    assert named == [f"people-error-{field}"]
    assert "Not saved" in json.dumps(response["people-result"])
    assert len(employees.people(db, Scope.everything())) == before


def test_a_save_over_a_newer_change_is_refused_with_the_reason(page, db):
    person = people.add_person(page.rt, ADMIN, {"code": "P300", "name": "Stale Reader"})
    read = page.panel("manager", person["id"])["people-version"]["data"]
    people.change_person(page.rt, ADMIN, person["id"], {"phone": "+358 9 1"})  # someone else, meanwhile
    response = page.save("manager", {"people-code.value": "P300", "people-phone.value": "+358 9 2"}, person["id"], read)
    assert "changed this record since you read it" in json.dumps(response["people-result"])
    assert employees.person(db, Scope.everything(), person["id"])["phone"] == "+358 9 1"
    # Read again, the same save goes through, and the history names both changes.
    fresh = page.panel("manager", person["id"])["people-version"]["data"]
    values = FORM | {"people-code.value": "P300", "people-name.value": "Stale Reader", "people-phone.value": "+358 9 2"}
    saved = page.save("manager", values, person["id"], fresh)
    assert "Saved" in json.dumps(saved["people-result"])
    assert employees.person(db, Scope.everything(), person["id"])["phone"] == "+358 9 2"
    history = page.answer("manager", "people-selected", {"people-selected.data": person["id"]}, "people-history")
    assert "Phone: +358 9 1 → +358 9 2" in json.dumps(history, ensure_ascii=False)


def test_moving_a_person_is_the_team_dropdown(page, db):
    north, south = (db.fetch_one("SELECT id FROM teams WHERE name = %s", (n,))["id"] for n in ("North", "South"))
    person = people.add_person(page.rt, ADMIN, {"code": "P400", "name": "Mover", "team_id": north})
    values = {"people-code.value": "P400", "people-name.value": "Mover", "people-team.value": south}
    page.save("admin", FORM | values, person["id"], person["version"])
    assert employees.person(db, Scope.everything(), person["id"])["team_id"] == south
    assert employees.changes_of(db, person["id"])[0]["action"] == "updated"


def test_deactivation_says_what_it_will_do_and_what_it_did(page, db):
    person = people.add_person(page.rt, ADMIN, {"code": "P500", "name": "Leaving Soon"})
    devices.add_device(db, "p500-phone", person["id"], "osmand", None)
    customer = customers.list_customers(db, Scope.everything())[0]
    start = datetime.now(UTC) + timedelta(hours=2)
    task = {
        "customer_id": customer["id"],
        "employee_id": person["id"],
        "kind": "visit",
        "priority": 2,
        "state": "assigned",
        "window_start": start,
        "window_end": start + timedelta(hours=1),
        "duration_min": 30,
        "notes": None,
    }
    task_ids = [task_rows.create_task(db, task, None) for _n in range(2)]
    warning = page.panel("manager", person["id"])["people-deactivate"]["message"]
    assert "1 trackers are refused" in warning and "2 open tasks go back to new" in warning

    values = {"people-deactivate.submit_n_clicks": 1, "people-selected.data": person["id"], "people-refresh.data": 0}
    done = json.dumps(page.answer("manager", "people-deactivate", values))
    assert "Leaving Soon deactivated: 2 open tasks freed" in done
    for task_id in task_ids:
        assert task_rows.get_task(db, Scope.everything(), task_id)["state"] == "new"
    assert not employees.person(db, Scope.everything(), person["id"])["active"]
    shown = page.panel("manager", person["id"])
    assert shown["people-reactivate"]["hidden"] is False and shown["people-deactivate-field"]["hidden"] is True
    assert "P500" not in [r["code"] for r in page.grid("manager")]
    row = next(r for r in page.grid("manager", inactive=True) if r["code"] == "P500")
    assert row["state"] == "Deactivated"
    refused = page.answer(
        "manager",
        "people-tracker-add",
        {"people-tracker-add.n_clicks": 1, "people-selected.data": person["id"], "people-tracker-kind.value": "osmand"},
    )
    assert "Reactivate this person" in json.dumps(refused)

    back = page.answer(
        "manager", "people-reactivate", {"people-reactivate.n_clicks": 1, "people-selected.data": person["id"]}
    )
    assert "active again" in json.dumps(back)
    assert employees.person(db, Scope.everything(), person["id"])["active"]


def test_a_tracker_is_registered_and_its_settings_shown_once(page, db):
    person = people.add_person(page.rt, ADMIN, {"code": "P600", "name": "Tracked"})
    values = {
        "people-tracker-add.n_clicks": 1,
        "people-selected.data": person["id"],
        "people-tracker-kind.value": "osmand",
    }
    shown = json.dumps(page.answer("manager", "people-tracker-add", values))
    (device,) = devices.devices_of(db, person["id"])
    assert device["protocol"] == "osmand" and device["identifier"].startswith("P600-")
    assert device["identifier"] in shown and "data:image/svg+xml;base64," in shown
    listed = page.answer("manager", "people-selected", {"people-selected.data": person["id"]}, "people-devices")
    assert device["identifier"] in json.dumps(listed)
    owntracks = page.answer("manager", "people-tracker-add", values | {"people-tracker-kind.value": "owntracks"})
    assert "Password (shown only now)" in json.dumps(owntracks)
    assert {d["identifier"] for d in devices.devices_of(db, person["id"])} == {device["identifier"], "p600/phone"}
    phone = json.dumps(page.answer("manager", "people-tracker-add", values | {"people-tracker-kind.value": "phone"}))
    assert "sign-in account" in phone and len(devices.devices_of(db, person["id"])) == 2


def test_a_persons_own_working_hours_are_saved_and_cleared(page, db):
    person = people.add_person(page.rt, ADMIN, {"code": "P700", "name": "Early Bird"})
    values = {"people-hours-save.n_clicks": 1, "people-selected.data": person["id"]}
    values |= {"people-start-0.value": "06:00", "people-end-0.value": "14:00"}
    assert "saved" in json.dumps(page.answer("manager", "people-hours-save", values))
    assert [
        (d, s.isoformat("minutes"), e.isoformat("minutes"))
        for d, s, e in working_hours.slots_for(db, employee_id=person["id"])
    ] == [(0, "06:00", "14:00")]
    bad = page.answer("manager", "people-hours-save", values | {"people-end-0.value": "05:00"})
    assert "ends after it starts" in json.dumps(bad)
    cleared = {"people-hours-save.n_clicks": 1, "people-selected.data": person["id"]}
    assert "team's apply" in json.dumps(page.answer("manager", "people-hours-save", cleared))
    assert working_hours.slots_for(db, employee_id=person["id"]) == []


def test_a_manager_sees_everyone_in_every_team(page, db):
    codes = {r["code"] for r in page.grid("manager")}
    active = {r["code"] for r in db.fetch_all("SELECT code FROM employees WHERE active")}
    assert codes == active
    teams_shown = {r["team"] for r in page.grid("manager")}
    assert {"North", "South", "East"} <= teams_shown


@pytest.mark.parametrize("role", ["supervisor", "executive", "field"])
def test_other_roles_can_neither_open_the_page_nor_run_its_callbacks(page, db, role):
    assert page.clients[role].get("/admin/people").status_code in (403, 404)
    assert (
        page.post(role, "people-save", FORM | {"people-save.n_clicks": 1, "people-mode.data": "new"}).status_code == 403
    )
    refresh = {"people-refresh.data": 1, "people-show-inactive.value": ["on"]}
    assert page.post(role, "people-refresh", refresh, "people-grid.rowData").status_code == 403
    someone = db.fetch_one("SELECT id FROM employees WHERE active ORDER BY id LIMIT 1")["id"]
    values = {"people-deactivate.submit_n_clicks": 1, "people-selected.data": someone}
    assert page.post(role, "people-deactivate", values).status_code == 403
    assert employees.person(db, Scope.everything(), someone)["active"]


def test_the_page_opens_for_managers_and_admins(page):
    for role in ("manager", "admin"):
        assert page.clients[role].get("/admin/people").status_code == 200


def test_a_person_outside_the_viewers_reach_opens_a_panel_that_says_so(page):
    shown = page.panel("manager", 999_999)
    assert shown["people-panel-title"]["children"] == "There is no such person among yours."
    assert shown["people-existing"]["hidden"] is True and shown["people-version"]["data"] is None


def test_a_click_on_the_map_sets_the_home_base(page):
    click = {"people-home-map.clickData": {"latlng": {"lat": 60.1712345678, "lng": 24.9412345678}}}
    answer = page.answer("manager", "people-home-map", click)
    assert (answer["people-home-lat"]["value"], answer["people-home-lon"]["value"]) == (60.171235, 24.941235)
    marker = page.answer("manager", "people-home-lat", {"people-home-lat.value": 60.17, "people-home-lon.value": 24.94})
    assert marker["people-home-marker"]["children"][0]["props"]["center"] == [60.17, 24.94]
    nothing = page.post("manager", "people-home-map", {"people-home-map.clickData": {"latlng": "x"}})
    assert nothing.status_code in (200, 204) and "people-home-lat" not in nothing.get_data(as_text=True)
