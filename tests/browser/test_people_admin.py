"""People and teams as an administrator meets them (issue 18), in headless Chromium: a people file checked, its bad
row named, fixed, checked clean and imported; teams renamed, given supervisors and merged."""

from __future__ import annotations

import io

import openpyxl

from dashboard.work import people
from data import employees, teams
from data.scope import Scope
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser

EVERYONE = Scope.everything()
HEADER = "code,name,team,email,skills,home_lat,home_lon\n"
GOOD_ROW = 'P100,Pia Putki,North,pia@example.com,"plumbing, boilers",60.1699,24.9384\n'


def test_a_manager_checks_fixes_and_imports_a_people_file(page, server, tmp_path):
    db = server.runtime.db
    path = tmp_path / "people.csv"
    path.write_text(HEADER + GOOD_ROW + "P101,Paavo Putki,Atlantis,paavo@example.com,,,\n")
    sign_in_browser(page, server.url, "manager")
    page.goto(server.url + "/admin/people/import")
    settle(page)
    assert page.is_disabled("#peopleimport-import")  # nothing checked yet
    with page.expect_download() as template:
        page.click("#peopleimport-template-xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(template.value.path().read_bytes())).active
    header = next(sheet.iter_rows(values_only=True))
    assert header == people.IMPORT_COLUMNS

    page.set_input_files("#peopleimport-upload input[type=file]", str(path))
    page.wait_for_selector("#peopleimport-file >> text=people.csv")
    page.click("#peopleimport-check")
    page.wait_for_selector("#peopleimport-result >> text=1 rows with errors")
    bad = page.locator("#peopleimport-report .ag-row:has-text('P101')")
    assert "team" in bad.inner_text() and "There is no such team among yours." in bad.inner_text()
    assert "new" in page.inner_text("#peopleimport-report .ag-row:has-text('P100')")
    assert page.is_disabled("#peopleimport-import")  # a dry run with an error does not open the import
    page.screenshot(path=screenshot_path("people_import_error"), full_page=True)

    fixed = tmp_path / "people-fixed.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(["P100", "Pia Putki", "North", "pia@example.com", "plumbing, boilers", 60.1699, 24.9384])
    book.active.append(["P101", "Paavo Putki", "South", "paavo@example.com", None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    fixed.write_bytes(buffer.getvalue())
    page.set_input_files("#peopleimport-upload input[type=file]", str(fixed))
    page.wait_for_selector("#peopleimport-file >> text=people-fixed.xlsx")
    page.click("#peopleimport-check")
    page.wait_for_selector("#peopleimport-result >> text=Dry run, nothing written: 2 new, 0 changed")
    page.wait_for_function("() => !document.querySelector('#peopleimport-import').disabled")
    assert employees.person_by(db, EVERYONE, code="P100") is None  # the dry run wrote nothing

    page.click("#peopleimport-import")
    page.wait_for_selector("#peopleimport-result >> text=Imported: 2 new")
    page.wait_for_selector("#peopleimport-report .ag-row:has-text('P101')")
    page.screenshot(path=screenshot_path("people_import_done"), full_page=True)
    pia, paavo = (employees.person_by(db, EVERYONE, code=code) for code in ("P100", "P101"))
    assert (pia["team_name"], pia["skills"], pia["home_lat"]) == ("North", ["plumbing", "boilers"], 60.1699)
    assert (paavo["team_name"], paavo["email"]) == ("South", "paavo@example.com")
    assert page.is_disabled("#peopleimport-import")  # imported: a second press needs a new check


def _choose(page, dropdown_id: str, option: str) -> None:
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=option, exact=True).click()


def test_an_admin_renames_merges_and_assigns_supervisors_to_teams(page, server):
    db = server.runtime.db
    east = teams.team_by(db, EVERYONE, name="East")
    moving = east["members"] + east["former_members"]
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/teams")
    settle(page)
    page.wait_for_selector("#teams-grid .ag-row:has-text('West')")

    _choose(page, "teams-chosen", "West")
    page.wait_for_selector("#teams-remove-why >> text=people")  # West has people: delete refused, and why
    assert page.is_disabled("#teams-remove")
    page.fill("#teams-rename-name", "West side")
    page.click("#teams-rename")
    page.wait_for_selector("#teams-change-result >> text=Team West renamed to West side.")
    page.wait_for_selector("#teams-grid .ag-row:has-text('West side')")

    _choose(page, "teams-supervisors", "supervisor")
    page.click("#teams-supervisors-save")
    page.wait_for_selector("#teams-change-result >> text=Supervisors of West side saved.")
    page.wait_for_selector("#teams-grid .ag-row:has-text('West side'):has-text('supervisor')")

    _choose(page, "teams-chosen", "East")
    _choose(page, "teams-merge-into", "West side")
    confirmations = []

    def confirm(dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    page.wait_for_function("() => !document.querySelector('#teams-merge-button').disabled")  # the question is asked
    page.click("#teams-merge-button")
    page.wait_for_selector("#teams-change-result >> text=Team East merged into West side.")
    assert confirmations == [f"Merge East into West side? {moving} people move to West side and East is removed."]
    page.wait_for_function(
        "() => ![...document.querySelectorAll('#teams-grid .ag-row')].some(r => r.innerText.includes('East'))"
    )
    page.screenshot(path=screenshot_path("admin_teams_manage"), full_page=True)
    west = teams.team_by(db, EVERYONE, name="West side")
    supervisor = db.fetch_one("SELECT id FROM users WHERE username = 'supervisor'")["id"]
    assert teams.team_by(db, EVERYONE, name="East") is None
    assert supervisor in west["supervisor_ids"]
    assert west["members"] + west["former_members"] >= moving
