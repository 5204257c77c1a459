"""The Import people page's callbacks (issue 18), as a browser posts them: a file is imported only after a clean dry
run of that same file, a broken file is explained, and the page is for managers and administrators."""

from __future__ import annotations

import base64

import pytest

from data import employees
from data.scope import Scope
from tests.conftest import callback_body, make_app, server_callbacks, signed_in_client

GOOD = b"code,name,team\nQ1,Quinn Uusi,North\n"
OTHER = b"code,name,team\nQ2,Quentin Uusi,South\n"


def upload(content: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(content).decode()


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def post(app, client, values: dict, fired: int):
    output, spec = next((o, s) for o, s in server_callbacks(app) if s["inputs"][0]["id"] == "peopleimport-check")
    body = callback_body(output, spec, lambda item: values.get(f"{item['id']}.{item['property']}"), fired)
    return client.post("/_dash-update-component", json=body)


def press(app, client, button: str, content: bytes | str, checked: object = None) -> dict:
    values = {
        f"peopleimport-{button}.n_clicks": 1,
        "peopleimport-upload.contents": upload(content) if isinstance(content, bytes) else content,
        "peopleimport-upload.filename": "people.csv",
        "peopleimport-checked.data": checked,
    }
    answer = post(app, client, values, 0 if button == "check" else 1)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    response = answer.get_json()["response"]
    return {
        "message": response["peopleimport-result"]["children"]["props"]["children"],
        "rows": response.get("peopleimport-report", {}).get("rowData"),
        "checked": response["peopleimport-checked"]["data"],
    }


def test_a_file_is_imported_only_after_a_clean_dry_run_of_that_same_file(app):
    client = signed_in_client(app, "manager")
    db = app.server.extensions["fieldops"].db
    refused = press(app, client, "import", GOOD)
    assert refused["message"] == "Import is possible after a clean dry run of the same file."
    checked = press(app, client, "check", GOOD)
    assert checked["message"].startswith("Dry run, nothing written: 1 new") and checked["checked"]
    other = press(app, client, "import", OTHER, checked["checked"])  # another file than the one checked
    assert other["message"] == "Import is possible after a clean dry run of the same file."
    assert employees.person_by(db, Scope.everything(), code="Q2") is None
    done = press(app, client, "import", GOOD, checked["checked"])
    assert done["message"].startswith("Imported: 1 new") and done["checked"] is None
    assert employees.person_by(db, Scope.everything(), code="Q1")["team_name"] == "North"


def test_a_dry_run_with_a_bad_row_names_it_and_opens_no_import(app):
    client = signed_in_client(app, "manager")
    checked = press(app, client, "check", b"code,name,team\nQ3,,North\n")
    assert checked["checked"] is None
    assert checked["rows"] == [
        {"row": 1, "external_id": "Q3", "outcome": "error", "column": "name", "reason": "name is required."}
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe broken", "The file is not UTF-8 text."),
        ("data:text/csv;base64,@@@", "The file could not be read."),
        (None, "Choose a file first."),
    ],
)
def test_a_broken_upload_is_explained(app, content, reason):
    client = signed_in_client(app, "manager")
    assert press(app, client, "check", content)["message"] == reason


def test_a_supervisor_may_not_import_people(app):
    client = signed_in_client(app, "supervisor")
    values = {"peopleimport-check.n_clicks": 1, "peopleimport-upload.contents": upload(GOOD)}
    assert post(app, client, values, 0).status_code == 403
