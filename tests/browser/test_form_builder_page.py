"""Visit forms and service reports in the browser (issue 21): an admin builds a form whose section is shown by a
yes/no, sees parse_definition's fault beside its field, saves it, edits a field and saves again (version 2, version
1 unchanged), and adds a part to the catalogue; a manager finds a done visit's service report on the customer's
page and downloads its PDF."""

from __future__ import annotations

from datetime import UTC, datetime

from dashboard.reports.service_reports import make_report
from data import forms
from tests.browser import screenshot_path
from tests.conftest import sign_in_browser
from tests.service_visits import done_visit


def _choose(page, dropdown_id: str, option: str) -> None:
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=option, exact=True).click()


def _add_field(page, kind: str, field_id: str, english: str, chinese: str = "", **extra: str) -> None:
    _choose(page, "forms-f-type", kind)
    page.fill("#forms-f-id", field_id)
    page.fill("#forms-f-en", english)
    page.fill("#forms-f-zh", chinese)
    if extra.get("unit"):
        page.fill("#forms-f-unit", extra["unit"])
    if extra.get("show_field"):
        _choose(page, "forms-f-show-field", extra["show_field"])
        page.fill("#forms-f-show-value", extra["show_value"])
    rows = page.locator("#forms-fields .ag-row").count()
    page.click("#forms-add")
    page.wait_for_function(
        "n => document.querySelectorAll('#forms-fields .ag-center-cols-container .ag-row').length > n", arg=rows
    )


def _cell(page, grid: str, row: str, column: str):
    return page.locator(f"#{grid} .ag-center-cols-container .ag-row[row-id='{row}'] .ag-cell[col-id='{column}']")


def test_admin_builds_a_form_with_a_conditional_section_and_saves_a_second_version(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/forms")
    page.wait_for_selector("#forms-status >> text=This kind has no form in use.")
    _choose(page, "forms-kind", "Repair")
    page.fill("#forms-title", "Boiler check")
    _add_field(page, "Yes / no", "replaced", "Filter replaced", "更换滤网")
    _add_field(
        page, "Section (a heading)", "swap", "Replacement", show_field="replaced · Filter replaced", show_value="yes"
    )
    _add_field(page, "Number", "reading", "Meter reading", "电表读数", unit="kWh")
    _add_field(page, "Text", "replaced", "Twice")  # the same id again: the fault is shown beside the field
    assert "Two fields have the id “replaced”." in _cell(page, "forms-fields", "4", "problem").inner_text()
    assert "Two fields have the id" in page.inner_text("#forms-problem")
    _cell(page, "forms-fields", "4", "label").click()
    page.click("#forms-remove")
    page.wait_for_selector("#forms-preview >> text=Meter reading")
    assert not page.inner_text("#forms-problem").strip()
    preview = page.inner_text("#forms-preview")
    assert "Shown when replaced = yes" in preview and "Meter reading" in preview and "kWh" in preview
    assert _cell(page, "forms-fields", "2", "condition").inner_text() == "replaced = yes"
    page.click("#forms-save")
    page.wait_for_selector("#forms-result >> text=Saved as version 1.")
    page.wait_for_selector("#forms-status >> text=In use: version 1.")

    _cell(page, "forms-fields", "3", "label").click()
    page.wait_for_function("() => document.querySelector('#forms-f-id').value === 'reading'")
    page.fill("#forms-f-en", "Meter reading at the end")
    page.click("#forms-replace")
    page.wait_for_selector("#forms-preview >> text=Meter reading at the end")
    page.click("#forms-save")
    page.wait_for_selector("#forms-result >> text=Saved as version 2.")
    page.wait_for_selector("#forms-status >> text=In use: version 2.")
    page.wait_for_selector("#forms-versions .ag-row[row-id='1']")
    assert _cell(page, "forms-versions", "2", "state").inner_text() == "in use"
    assert _cell(page, "forms-versions", "1", "state").inner_text() == "earlier"

    page.fill("#forms-part-code", "F-200")
    page.fill("#forms-part-name", "Pump seal")
    page.click("#forms-part-add")
    page.wait_for_selector("#forms-part-result >> text=Part F-200 added.")
    page.wait_for_selector("#forms-parts >> text=Pump seal")
    page.screenshot(path=screenshot_path("i21-form-builder"), full_page=True)

    rt = server.runtime
    [second, first] = forms.versions(rt.db, "repair")
    assert (second["version"], first["version"]) == (2, 1)
    assert first["fields"][2]["label"] == {"en": "Meter reading", "zh-CN": "电表读数"}  # version 1 as saved
    assert second["fields"][2]["label"]["en"] == "Meter reading at the end"
    assert second["fields"][1]["show_if"] == {"field": "replaced", "equals": True}
    assert second["fields"][2]["unit"] == "kWh" and "required" not in second["fields"][0]


def test_the_customer_page_lists_the_service_report_and_downloads_it(page, server):
    rt = server.runtime
    person = rt.db.fetch_one("SELECT id FROM employees WHERE code = 'E0001'")
    customer = rt.db.fetch_one(
        "SELECT id FROM customers WHERE owner_employee_id = %s ORDER BY id LIMIT 1", (person["id"],)
    )
    task = done_visit(rt, customer["id"], person["id"], datetime(2026, 11, 24, 13, 30, tzinfo=UTC))
    report = make_report(rt, task)
    sign_in_browser(page, server.url, "manager")
    page.goto(f"{server.url}/customers?customer={customer['id']}")
    link = page.wait_for_selector(f"#customers-service-report-{report}")
    assert link.inner_text() == f"Service report of task {task}"
    page.fill("#customers-contact-name", "Aino Virtanen")
    page.fill("#customers-contact-email", "aino@example.com")
    page.click("#customers-contact-save")
    page.wait_for_selector("#customers-contact-result >> text=Contact saved.")
    saved = rt.db.fetch_one("SELECT contact_name, contact_email FROM customers WHERE id = %s", (customer["id"],))
    assert saved == {"contact_name": "Aino Virtanen", "contact_email": "aino@example.com"}
    page.locator("#customers-service-reports-section").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("i21-customer-service-reports"), full_page=True)
    response = page.request.get(server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
