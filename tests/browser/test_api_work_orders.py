"""Issue 18's "done when": the work orders an ERP sends through the API are on the Tasks page; and the admin's API
page offers the write scopes and the people and team webhook events. An ERP token creates
a customer and its work orders (one retried with its Idempotency-Key, one cancelled, one assigned); a manager sees
each once, in its column, with the ERP's customer on the card. The orders have no window ("as soon as possible"),
so they belong to whatever day the test runs on."""

from __future__ import annotations

import requests

from dashboard.work.tokens import issue
from data import employees
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser

CUSTOMER = "Harbour Cranes (ERP)"


def test_the_erps_work_orders_are_on_the_tasks_page(browser, server):
    rt = server.runtime
    token = issue(rt.db, "ERP", ["customers:write", "customers:read", "tasks:write", "tasks:read"], None, 30, None)
    client, headers = server.app.server.test_client(), {"Authorization": f"Bearer {token}"}
    customer = {"external_id": "CRM-77", "name": CUSTOMER, "lat": 60.16, "lon": 24.95, "address": "Satamakatu 3"}
    assert client.post("/api/v1/customers", json=customer, headers=headers).status_code == 201
    ids = []
    for number in range(4):
        order = {"external_id": f"SO-{number}", "customer_external_id": "CRM-77", "kind": "repair", "notes": "From SAP"}
        keyed = headers | {"Idempotency-Key": f"so-{number}"}
        answer = client.post("/api/v1/tasks", json=order, headers=keyed)
        assert answer.status_code == 201
        ids.append(answer.json["id"])
    assert client.post("/api/v1/tasks", json=order, headers=keyed).json["id"] == ids[-1]  # a retry: no fifth task
    assert client.patch(f"/api/v1/tasks/{ids[0]}", json={"state": "cancelled"}, headers=headers).status_code == 200
    person = employees.employee_by_code(rt.db, "E0001")["id"]
    assert client.patch(f"/api/v1/tasks/{ids[1]}", json={"employee_id": person}, headers=headers).status_code == 200

    page = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="en-GB").new_page()
    sign_in_browser(page, server.url, "manager")
    page.goto(f"{server.url}/tasks")
    settle(page)
    page.wait_for_selector(f"#tasks-column-new .fo-task-card >> text={CUSTOMER}")
    cards = {
        state: page.locator(f"#tasks-column-{state} .fo-task-card", has_text=CUSTOMER)
        for state in ("new", "assigned", "cancelled")
    }
    texts = cards["new"].all_inner_texts()
    assert len(texts) == 2 and all("unassigned · as soon as possible" in text for text in texts)
    assert sorted(int(text.split("#")[1].split()[0]) for text in texts) == ids[2:]
    assert cards["assigned"].count() == 1 and f"#{ids[1]}" in cards["assigned"].inner_text()
    assert cards["cancelled"].count() == 1 and f"#{ids[0]}" in cards["cancelled"].inner_text()
    page.locator("#tasks-column-new").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("api_work_orders_on_tasks_page"), full_page=True)
    page.context.close()


def test_the_admin_page_offers_the_write_scopes_and_the_people_events(page, server):
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/integration")
    settle(page)
    page.fill("#integration-token-name", "HR and work orders")
    for scope in ("people:write", "tasks:write", "employees:read"):
        page.check(f"#integration-token-scopes >> text={scope}")
    page.click("#integration-token-create")
    token = page.inner_text("#integration-new-token")
    page.wait_for_selector("#integration-tokens .ag-row:has-text('HR and work orders')")
    for event in ("employee.created", "employee.deactivated", "team.merged", "team.deleted"):
        assert page.locator(f"#integration-hook-events >> text={event}").is_visible()
    page.screenshot(path=screenshot_path("admin_integration_write_scopes"), full_page=True)

    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "hire-ville"}
    body = {"code": "HR-42", "name": "Ville Laine", "external_id": "SAP-42"}
    hired = requests.post(f"{server.url}/api/v1/employees", json=body, headers=headers, timeout=10)
    assert hired.status_code == 201 and hired.headers["Location"] == f"/api/v1/employees/{hired.json()['id']}"
    again = requests.post(f"{server.url}/api/v1/employees", json=body, headers=headers, timeout=10)
    assert again.json() == hired.json() and again.headers["Idempotent-Replayed"] == "true"
    refused = requests.post(f"{server.url}/api/v1/customers", json={}, headers=headers, timeout=10)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "insufficient_scope"
