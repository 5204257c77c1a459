"""The teams page's callbacks (issue 18), as a browser posts them: a team is renamed (not over a newer change), given
supervisors, merged (the question names how many people move) and deleted only when empty, with the reason shown;
all through dashboard/work/people.py, and only for administrators."""

from __future__ import annotations

import pytest

from dashboard.work import people
from data import teams, users
from data.scope import Scope
from tests.conftest import callback_body, server_callbacks, signed_in_client

EVERYONE = Scope.everything()
ADMIN = people.Actor(None, "admin-test", EVERYONE)
CHANGE_INPUTS = ("teams-rename", "teams-supervisors-save", "teams-merge", "teams-remove")


@pytest.fixture
def app(seeded_settings):
    from tests.conftest import make_app

    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


@pytest.fixture
def db(app):
    return app.server.extensions["fieldops"].db


class TeamsPage:
    def __init__(self, app) -> None:
        self.app = app
        self.clients = {role: signed_in_client(app, role) for role in ("admin", "manager")}

    def post(self, first_input: str, values: dict, fired: int | None = None, role: str = "admin", output_part=""):
        """Post the callback fired by `first_input` whose outputs name `output_part`."""
        output, spec = next(
            (o, s) for o, s in server_callbacks(self.app) if s["inputs"][0]["id"] == first_input and output_part in o
        )
        body = callback_body(output, spec, lambda item: values.get(f"{item['id']}.{item['property']}"), fired)
        return self.clients[role].post("/_dash-update-component", json=body)

    def response(self, first_input: str, values: dict, fired: int | None = None, output_part: str = "") -> dict:
        answer = self.post(first_input, values, fired, output_part=output_part)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        return answer.get_json()["response"]

    def change(self, action: str, team: dict, **values) -> tuple[str, dict]:
        """Press one of the change buttons for `team`; (the message shown, every output)."""
        state = {
            "teams-chosen.value": team["id"],
            "teams-version.data": team["version"],
            "teams-refresh.data": 1,
        } | values
        clicks = "submit_n_clicks" if action == "teams-merge" else "n_clicks"
        state[f"{action}.{clicks}"] = 1
        outputs = self.response("teams-rename", state, CHANGE_INPUTS.index(action))
        return _text(outputs["teams-change-result"]["children"]), outputs


def _text(component: dict) -> str:
    return component["props"]["children"]


@pytest.fixture
def page(app):
    return TeamsPage(app)


def _team(db, name: str) -> dict | None:
    return teams.team_by(db, EVERYONE, name=name)


def test_a_team_is_renamed_unless_it_changed_since_it_was_shown(page, db):
    west = _team(db, "West")
    message, _outputs = page.change("teams-rename", west, **{"teams-rename-name.value": "West side"})
    assert message == "Team West renamed to West side."
    assert _team(db, "West side")["id"] == west["id"]
    message, _outputs = page.change("teams-rename", west, **{"teams-rename-name.value": "Westmost"})  # old version
    assert message == "Someone changed this record since you read it: read it again."
    assert _team(db, "Westmost") is None
    message, _outputs = page.change("teams-rename", _team(db, "West side"), **{"teams-rename-name.value": "north"})
    assert message == "There is already a team named north."


def test_supervisors_are_set_from_supervisor_accounts_only(page, db):
    south = _team(db, "South")
    supervisor = users.user_by_name(db, "supervisor")["id"]
    manager = users.user_by_name(db, "manager")["id"]
    message, _outputs = page.change("teams-supervisors-save", south, **{"teams-supervisors.value": [supervisor]})
    assert message == "Supervisors of South saved."
    assert _team(db, "South")["supervisor_ids"] == [supervisor]
    message, _outputs = page.change("teams-supervisors-save", south, **{"teams-supervisors.value": [manager]})
    assert message == "A team's supervisors are enabled supervisors' accounts."
    assert _team(db, "South")["supervisor_ids"] == [supervisor]


def test_the_merge_question_names_how_many_move_and_the_merge_moves_them(page, db):
    east, north = _team(db, "East"), _team(db, "North")
    chosen = {"teams-chosen.value": east["id"], "teams-merge-into.value": north["id"]}
    question = page.response("teams-chosen", chosen, output_part="teams-merge.message")
    moving = east["members"] + east["former_members"]
    assert question["teams-merge-button"]["disabled"] is False
    assert question["teams-merge"]["message"] == (
        f"Merge East into North? {moving} people move to North and East is removed."
    )
    message, outputs = page.change("teams-merge", east, **{"teams-merge-into.value": north["id"]})
    assert message == "Team East merged into North."
    assert outputs["teams-chosen"]["value"] == north["id"]  # the page shows the team merged into
    assert _team(db, "East") is None
    assert _team(db, "North")["members"] + _team(db, "North")["former_members"] == (
        north["members"] + north["former_members"] + moving
    )
    message, _outputs = page.change("teams-merge", north, **{"teams-merge-into.value": None})
    assert message == "Choose the team to merge into first."


def test_only_an_empty_team_is_deleted_and_the_page_says_why(page, db):
    north = _team(db, "North")
    shown = page.response("teams-chosen", {"teams-chosen.value": north["id"]}, output_part="teams-remove")
    assert shown["teams-remove"]["disabled"] is True
    assert "still has people" in shown["teams-remove-why"]["children"]
    message, _outputs = page.change("teams-remove", north)
    assert "still has people" in message and _team(db, "North") is not None

    empty = people.add_team(page.app.server.extensions["fieldops"], ADMIN, {"name": "Empty"})
    shown = page.response("teams-chosen", {"teams-chosen.value": empty["id"]}, output_part="teams-remove")
    assert (shown["teams-remove"]["disabled"], shown["teams-remove-why"]["children"]) == (False, "")
    message, outputs = page.change("teams-remove", empty)
    assert message == "Team Empty deleted." and outputs["teams-chosen"]["value"] is None
    assert _team(db, "Empty") is None


def test_nothing_chosen_hides_the_changes(page):
    shown = page.response("teams-chosen", {"teams-chosen.value": None}, output_part="teams-remove")
    assert shown["teams-change"]["hidden"] is True


def test_a_manager_may_not_change_teams_on_this_page(page, db):
    west = _team(db, "West")
    values = {"teams-chosen.value": west["id"], "teams-rename-name.value": "Mine", "teams-rename.n_clicks": 1}
    assert page.post("teams-rename", values, 0, role="manager").status_code == 403
    assert _team(db, "West") is not None
