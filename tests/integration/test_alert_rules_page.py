"""The alert rules page's callbacks (issue 17), as a browser posts them: a refused field is named beside it, a
supervisor's rules stay within their teams, the built-in help rule stays, each user mutes a rule for themselves,
and the page is for supervisors, managers and admins only."""

from __future__ import annotations

import json

import pytest

from dashboard.core.errors import AppError
from dashboard.core.permissions import Viewer, scope_for
from dashboard.work import alert_rules
from data import alerts, users
from tests.conftest import callback_body, server_callbacks, signed_in_client

FORM = {
    "alert-rule-kind.value": "silent",
    "alert-rule-name.value": "Silent 5 min",
    "alert-rule-severity.value": "warning",
    "alert-rule-param-minutes.value": 5,
    "alert-rule-hours.value": ["on"],
    "alert-rule-enabled.value": ["on"],
    "alert-rule-cooldown.value": 30,
    "alert-rule-recipients.value": ["supervisors"],
    "alert-rule-channels.value": ["inbox"],
}


PREVIEW = "alert-rule-preview.children"


@pytest.fixture(scope="module")
def app(seeded_module_app):
    return seeded_module_app


@pytest.fixture(scope="module")
def db(app):
    return app.server.extensions["fieldops"].db


def team_id(db, name: str) -> int:
    return db.fetch_one("SELECT id FROM teams WHERE name = %s", (name,))["id"]


def viewer(db, username: str) -> Viewer:
    user = users.user_by_name(db, username)
    team_ids = [r["team_id"] for r in db.fetch_all("SELECT team_id FROM user_teams WHERE user_id = %s", (user["id"],))]
    return Viewer(user["id"], username, user["role"], None, scope_for(user["role"], None, team_ids))


class Page:
    """The page's callbacks as each demo account posts them."""

    def __init__(self, app) -> None:
        self.app = app
        self.rt = app.server.extensions["fieldops"]
        self.clients = {r: signed_in_client(app, r) for r in ("supervisor", "manager", "admin", "executive", "field")}

    def post(self, role: str, first_input: str, values: dict, output_part: str = ""):
        """Post the callback fired by `first_input` (whose outputs name `output_part`); inputs and states from
        `values` ("id.property")."""
        output, spec = next(
            (o, s) for o, s in server_callbacks(self.app) if s["inputs"][0]["id"] == first_input and output_part in o
        )
        body = callback_body(output, spec, lambda item: values.get(f"{item['id']}.{item['property']}"), 0)
        return self.clients[role].post("/_dash-update-component", json=body)

    def save(self, role: str, values: dict, selected: int | None = None) -> dict:
        mode = "edit" if selected else "new"
        state = FORM | {
            "alert-rule-save.n_clicks": 1,
            "alert-rule-mode.data": mode,
            "alert-rule-selected.data": selected,
        }
        answer = self.post(role, "alert-rule-save", state | values)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        return answer.get_json()["response"]

    def panel(self, role: str, rule_id: int) -> dict:
        values = {"alert-rule-mode.data": "edit", "alert-rule-selected.data": rule_id}
        return self.post(role, "alert-rule-mode", values, "alert-rule-panel.className").get_json()["response"]

    def grid(self, role: str) -> list[dict]:
        answer = self.post(role, "alert-rules-refresh", {"alert-rules-refresh.data": 1}, "alert-rules-grid.rowData")
        return answer.get_json()["response"]["alert-rules-grid"]["rowData"]


@pytest.fixture(scope="module")
def page(app):
    return Page(app)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"alert-rule-name.value": "  "}, "name", "name"),
        ({"alert-rule-name.value": "x" * 121}, "name", "120"),
        ({"alert-rule-kind.value": "help"}, "kind", "kind"),
        ({"alert-rule-kind.value": "nonsense"}, "kind", "kind"),
        ({"alert-rule-severity.value": "loud"}, "severity", "Severity"),
        ({"alert-rule-param-minutes.value": 0}, "minutes", "between 1 and 1440"),
        ({"alert-rule-param-minutes.value": None}, "minutes", "number"),
        ({"alert-rule-kind.value": "low_battery", "alert-rule-param-percent.value": 100}, "percent", "between 1"),
        ({"alert-rule-kind.value": "speeding", "alert-rule-param-kmh.value": 5}, "kmh", "between 10"),
        (
            {
                "alert-rule-kind.value": "speeding",
                "alert-rule-param-kmh.value": 90,
                "alert-rule-param-seconds.value": -1,
            },
            "seconds",
            "between 0",
        ),
        ({"alert-rule-kind.value": "low_survey", "alert-rule-param-stars.value": 5}, "stars", "between 1 and 4"),
        (
            {"alert-rule-kind.value": "zone_exit", "alert-rule-from.value": "25:00", "alert-rule-to.value": "26:00"},
            "from",
            "HH:MM",
        ),
        ({"alert-rule-cooldown.value": -5}, "cooldown_min", "cooldown"),
        ({"alert-rule-cooldown.value": 2.5}, "cooldown_min", "cooldown"),
        ({"alert-rule-recipients.value": ["everyone"]}, "recipients", "Recipients"),
        ({"alert-rule-channels.value": ["inbox", "pigeon"]}, "channels", "Channels"),
        ({"alert-rule-people.value": ["x"]}, "employee_ids", "ids"),
    ],
)
def test_a_refused_field_is_named_beside_it_and_nothing_is_saved(page, db, values, field, words):
    before = len(alerts.rules(db))
    response = page.save("manager", values)
    message = response[f"alert-rule-error-{field}"]["children"]
    assert words.lower() in message.lower()
    others = [
        k
        for k, v in response.items()
        if k.startswith("alert-rule-error-") and v["children"] and k != f"alert-rule-error-{field}"
    ]
    assert others == []
    assert "not saved" in json.dumps(response["alert-rule-result"])
    assert len(alerts.rules(db)) == before


def test_a_supervisor_makes_a_rule_for_their_own_team_only(page, db):
    north, east = team_id(db, "North"), team_id(db, "East")
    refused = page.save("supervisor", {"alert-rule-teams.value": [east], "alert-rule-name.value": "East silent"})
    assert "own teams" in refused["alert-rule-error-team_ids"]["children"]
    assert not [r for r in alerts.rules(db) if r["name"] == "East silent"]
    saved = page.save("supervisor", {"alert-rule-teams.value": [north], "alert-rule-name.value": "North silent"})
    rule = next(r for r in alerts.rules(db) if r["name"] == "North silent")
    assert saved["alert-rule-selected"]["data"] == rule["id"] and saved["alert-rule-mode"]["data"] == "edit"
    assert rule["team_ids"] == [north] and rule["params"] == {"minutes": 5.0} and rule["kind"] == "silent"
    # No team chosen: the supervisor's own.
    page.save("supervisor", {"alert-rule-teams.value": [], "alert-rule-name.value": "Mine silent"})
    assert next(r for r in alerts.rules(db) if r["name"] == "Mine silent")["team_ids"] == [north]


def test_a_supervisor_cannot_change_a_rule_for_every_team(page, db):
    rule_id = alert_rules.save_rule(
        page.rt, viewer(db, "manager"),
        {"kind": "idle", "name": "Idle everywhere"},
    )  # fmt: skip
    response = page.save("supervisor", {"alert-rule-kind.value": "idle", "alert-rule-name.value": "Mine now"}, rule_id)
    assert "not change" in json.dumps(response["alert-rule-result"])
    assert alerts.rule(db, rule_id)["name"] == "Idle everywhere"
    # The panel shows it read-only, with no Save and no Delete.
    shown = page.panel("supervisor", rule_id)
    assert shown["alert-rule-save"]["hidden"] is True and shown["alert-rule-delete-field"]["hidden"] is True
    assert shown["alert-rule-name"]["value"] == "Idle everywhere" and shown["alert-rule-mute-field"]["hidden"] is False


def test_a_supervisor_sees_no_rule_of_another_team(page, db):
    rt = page.rt
    east = team_id(db, "East")
    rule_id = alert_rules.save_rule(
        rt, viewer(db, "manager"), {"kind": "speeding", "name": "East speed", "team_ids": [east]}
    )
    names = [row["name"] for row in page.grid("supervisor")]
    assert "East speed" not in names and "Help requested" in names
    with pytest.raises(AppError) as refused:
        alert_rules.set_muted(rt, viewer(db, "supervisor"), rule_id, True)
    assert refused.value.status == 404
    row = next(r for r in page.grid("manager") if r["name"] == "East speed")
    assert row["scope"] == "East" and row["condition"] == "over 90 km/h for 30 s" and row["calendar"] == "Working hours"


def test_the_builtin_help_rule_cannot_be_deleted(page, db):
    help_rule = alerts.builtin_rule(db, "help")
    answer = page.post(
        "manager",
        "alert-rule-delete",
        {"alert-rule-delete.submit_n_clicks": 1, "alert-rule-selected.data": help_rule["id"]},
    )
    assert "cannot be deleted" in answer.get_data(as_text=True)
    assert alerts.rule(db, help_rule["id"]) is not None
    # Its recipients and channels change; its kind, name and calendar do not.
    page.save(
        "manager",
        {
            "alert-rule-kind.value": "help",
            "alert-rule-name.value": "Renamed",
            "alert-rule-channels.value": ["inbox", "email"],
        },
        help_rule["id"],
    )
    after = alerts.rule(db, help_rule["id"])
    assert after["name"] == "Help requested" and after["channels"] == ["email", "inbox"] and after["enabled"]
    assert page.panel("manager", help_rule["id"])["alert-rule-delete-field"]["hidden"] is True


def test_a_manager_deletes_a_rule(page, db):
    rt = page.rt
    rule_id = alert_rules.save_rule(rt, viewer(db, "manager"), {"kind": "low_battery", "name": "Battery"})
    answer = page.post(
        "manager", "alert-rule-delete", {"alert-rule-delete.submit_n_clicks": 1, "alert-rule-selected.data": rule_id}
    )
    assert "Rule deleted" in answer.get_data(as_text=True)
    assert alerts.rule(db, rule_id) is None


def test_each_user_mutes_a_rule_for_themselves(page, db):
    help_rule = alerts.builtin_rule(db, "help")
    supervisor = users.user_by_name(db, "supervisor")["id"]
    manager = users.user_by_name(db, "manager")["id"]
    state = {"alert-rule-selected.data": help_rule["id"], "alert-rules-refresh.data": 0}
    muted = page.post("supervisor", "alert-rule-mute", state | {"alert-rule-mute.value": ["on"]})
    assert "Muted for you" in muted.get_data(as_text=True)
    assert help_rule["id"] in alerts.mutes(db, supervisor) and help_rule["id"] not in alerts.mutes(db, manager)
    again = page.post("supervisor", "alert-rule-mute", state | {"alert-rule-mute.value": ["on"]})
    assert again.status_code in (200, 204) and "Muted" not in again.get_data(as_text=True)  # already: nothing to say
    assert help_rule["id"] in alerts.mutes(db, supervisor)
    page.post("supervisor", "alert-rule-mute", state | {"alert-rule-mute.value": []})
    assert help_rule["id"] not in alerts.mutes(db, supervisor)


def test_the_preview_answers_for_the_rule_as_filled_in(page):
    values = {"alert-rule-mode.data": "new", **FORM}
    answer = page.post("supervisor", "alert-rule-mode", values, PREVIEW)
    assert answer.status_code == 200 and "would have fired" in answer.get_data(as_text=True)
    bad = page.post("supervisor", "alert-rule-mode", values | {"alert-rule-param-minutes.value": 0}, PREVIEW)
    assert "Complete the rule" in bad.get_data(as_text=True)
    at_risk = page.post("supervisor", "alert-rule-mode", values | {"alert-rule-kind.value": "task_at_risk"}, PREVIEW)
    assert "no preview" in at_risk.get_data(as_text=True)


@pytest.mark.parametrize("role", ["executive", "field"])
def test_other_roles_can_neither_open_the_page_nor_run_its_callbacks(page, role):
    assert page.clients[role].get("/alerts/rules").status_code in (403, 404)
    values = FORM | {"alert-rule-save.n_clicks": 1, "alert-rule-mode.data": "new"}
    assert page.post(role, "alert-rule-save", values).status_code == 403


def test_the_page_opens_for_its_roles(page):
    for role in ("supervisor", "manager", "admin"):
        assert page.clients[role].get("/alerts/rules").status_code == 200


def test_the_kind_shows_its_own_parameters_with_units_and_bounds(page):
    def shown(kind: str) -> dict:
        answer = page.post("supervisor", "alert-rule-kind", {"alert-rule-kind.value": kind}, "alert-rule-zones-field")
        return answer.get_json()["response"]

    speeding = shown("speeding")
    assert speeding["alert-rule-param-kmh-field"]["hidden"] is False
    assert speeding["alert-rule-param-kmh"] == {"min": 10, "max": 300}
    assert speeding["alert-rule-param-seconds-label"]["children"] == "For at least, seconds"
    assert speeding["alert-rule-param-minutes-field"]["hidden"] is True
    assert speeding["alert-rule-zones-field"]["hidden"] is True
    zone = shown("zone_exit")
    assert zone["alert-rule-zones-field"]["hidden"] is False and zone["alert-rule-window-field"]["hidden"] is False
    assert all(zone[f"alert-rule-param-{key}-field"]["hidden"] for key in ("minutes", "percent", "kmh", "seconds"))
    assert shown("silent")["alert-rule-param-minutes-hint"]["children"] == "1 to 1440 min"
