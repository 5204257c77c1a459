"""Issue 9's pages as people see them, in headless Chromium: the admin's API tokens and webhooks (with a
real receiver on 127.0.0.1), the ERP import, the exports, the API docs, and orders on the phone."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import requests

from dashboard.work.webhooks import Deliverer
from data import orders
from data.scope import Scope
from tests.browser import screenshot_path
from tests.conftest import sign_in_browser
from tests.integration.test_webhooks import Receiver


def test_admin_creates_a_scoped_token_and_a_webhook_that_is_delivered(page, server):
    receiver = Receiver()
    stop = threading.Event()
    threading.Thread(target=Deliverer(server.runtime).run, args=(stop,), daemon=True).start()
    try:
        sign_in_browser(page, server.url, "admin")
        page.goto(server.url + "/admin/integration")
        page.fill("#integration-token-name", "ERP nightly sync")
        page.check("#integration-token-scopes >> text=customers:read")
        page.click("#integration-token-create")
        token = page.inner_text("#integration-new-token")
        page.wait_for_selector("#integration-tokens .ag-row:has-text('ERP nightly sync')")
        answer = requests.get(
            f"{server.url}/api/v1/customers", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert answer.status_code == 200 and answer.json()["data"]
        refused = requests.get(
            f"{server.url}/api/v1/employees", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert refused.status_code == 403

        page.fill("#integration-hook-url", receiver.url)
        page.check("#integration-hook-events >> text=visit.completed")
        page.click("#integration-hook-create")
        page.wait_for_selector("#integration-hook-result >> text=private, loopback or link-local")
        page.check("#integration-private >> text=Allow webhook addresses")
        page.click("#integration-private-save")
        page.wait_for_selector("#integration-hook-result >> text=Private addresses are allowed.")
        page.click("#integration-hook-create")
        page.wait_for_selector("#integration-new-secret")
        page.click("#integration-hook-pick")
        page.get_by_role("option", name=f"#1 {receiver.url}").click()
        page.click("#integration-hook-test")
        page.wait_for_selector("#integration-log .ag-row:has-text('delivered')", timeout=20_000)
        assert "thanks" in page.inner_text("#integration-log .ag-row")
        page.screenshot(path=screenshot_path("admin_integration"), full_page=True)
        assert receiver.received and receiver.received[0]["headers"]["FieldOps-Event"] == "test"
    finally:
        stop.set()
        receiver.close()


def test_a_manager_checks_then_imports_customers_from_the_erp(page, server, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(
        "external_id,name,address,lat,lon,owner_code\n"
        "ERP-100,Leipomo Helmi,Fredrikinkatu 20,60.1650,24.9340,E0002\n"
        "ERP-101,Kukkakauppa Ruusu,Bulevardi 5,60.1660,24.9380,\n"
    )
    sign_in_browser(page, server.url, "manager")
    page.goto(server.url + "/import/erp")
    page.set_input_files("#erp-upload input[type=file]", str(path))
    page.wait_for_selector("#erp-file >> text=customers.csv")
    page.click("#erp-check")
    page.wait_for_selector("#erp-result >> text=Dry run, nothing written: 2 new, 0 changed")
    page.click("#erp-import")
    page.wait_for_selector("#erp-result >> text=Imported: 2 new")
    page.wait_for_selector("#erp-report .ag-row:has-text('ERP-101')")
    page.screenshot(path=screenshot_path("erp_import"), full_page=True)
    stored = server.runtime.db.fetch_all("SELECT name FROM customers WHERE external_id LIKE %s ORDER BY 1", ("ERP-%",))
    assert [row["name"] for row in stored] == ["Kukkakauppa Ruusu", "Leipomo Helmi"]


def test_a_supervisor_sees_the_weeks_attendance_and_download_links(page, server):
    db = server.runtime.db
    person = db.fetch_one(
        """SELECT e.id, e.name FROM employees e JOIN teams t ON t.id = e.team_id WHERE t.name = 'North'
           ORDER BY e.id LIMIT 1"""
    )
    customer = db.fetch_one("SELECT id FROM customers LIMIT 1")["id"]
    morning = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    for kind, at in (("check_in", morning), ("check_out", morning + timedelta(hours=6, minutes=15))):
        db.execute(
            """INSERT INTO activities (employee_id, customer_id, kind, started_at, source)
               VALUES (%s, %s, %s, %s, 'mobile')""",
            (person["id"], customer, kind, at),
        )
    sign_in_browser(page, server.url, "supervisor")
    page.goto(server.url + "/exports")
    page.wait_for_selector(f"#exports-attendance-grid .ag-row:has-text('{person['name']}')")
    assert "6.25" in page.inner_text(f"#exports-attendance-grid .ag-row:has-text('{person['name']}')")
    href = page.get_attribute("#exports-attendance", "href")
    assert href.startswith("/export/attendance.csv?from=")
    page.screenshot(path=screenshot_path("exports"), full_page=True)
    download = page.request.get(server.url + href)
    assert download.status == 200 and person["name"] in download.text()


def test_the_api_docs_render_offline_under_the_content_security_policy(page, server):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server.url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info >> text=FieldOps API")
    page.wait_for_selector(".opblock-summary-path[data-path='/api/v1/import/customers']")
    page.screenshot(path=screenshot_path("api_docs"))
    assert problems == [], problems


def test_the_phone_shows_the_customers_orders_before_the_visit(browser, day_server):
    rt = day_server.runtime
    task = rt.db.fetch_one(
        """SELECT t.id, t.customer_id FROM tasks t JOIN employees e ON e.id = t.employee_id
           WHERE e.code = 'E0001' ORDER BY t.planned_seq LIMIT 1"""
    )
    rt.db.execute(
        """INSERT INTO orders (external_id, customer_id, number, status, amount, currency, due_date, summary)
           VALUES ('SO-77', %s, 'SO-77', 'open', 349.00, 'EUR', '2026-12-15', '12 boxes of coffee')""",
        (task["customer_id"],),
    )
    assert orders.customer_orders(rt.db, Scope.everything(), task["customer_id"])
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in_browser(page, day_server.url, "field")
    page.goto(f"{day_server.url}/m")
    page.wait_for_selector(f"#mobile-orders-{task['id']} >> text=SO-77")
    assert "349.00 EUR" in page.inner_text(f"#mobile-orders-{task['id']}")
    page.screenshot(path=screenshot_path("mobile_orders"), full_page=True)
    context.close()


def test_the_customer_page_lists_the_orders_from_the_erp(page, server):
    customer = server.runtime.db.fetch_one("SELECT id, external_id FROM customers ORDER BY id LIMIT 1")
    from dashboard.work.erp import run_import

    rows = [
        {
            "external_id": "SO-900",
            "customer_external_id": customer["external_id"],
            "number": "SO-900",
            "amount": "1200",
            "currency": "EUR",
            "due_date": "2026-12-31",
            "summary": "Spring stock",
        },
    ]
    assert run_import(server.runtime, Scope.everything(), "orders", rows, dry_run=False).committed
    sign_in_browser(page, server.url, "manager")
    page.goto(f"{server.url}/customers?customer={customer['id']}")
    page.wait_for_selector("#customers-orders >> text=SO-900")
    assert "1200.00 EUR" in page.inner_text("#customers-orders")
    page.screenshot(path=screenshot_path("customer_orders"), full_page=True)
