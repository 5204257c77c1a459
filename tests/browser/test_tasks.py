"""Tasks, dispatch, customers and surveys in the browser (issue 6): the "done when" flow end to end —
a supervisor creates an urgent task, sees candidates ranked by street travel time, assigns it; the
assignee's phone shows it; the writer turns the person's fixes into arrival and departure; the customer
answers the survey on their phone; the answer shows on the customer's page."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from dashboard.demo.simulator import DemoCustomers
from dashboard.ingest.accept import accept_fixes
from dashboard.work.surveys import survey_path_of_task
from data import audit, employees, zones
from data import tasks as task_rows
from data.scope import Scope
from tests.browser import screenshot_path
from tests.conftest import sign_in_browser, track_around_the_clock, wait_until

METRES_LAT = 1 / 111_320


def _choose(page, dropdown_id: str, option: str) -> None:
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=option, exact=True).click()


def _free_customer_of(rt, employee_id: int) -> dict:
    """A customer of the person with a site and no task, so an arrival there is for our task only.

    The day's plan is drawn by date: on some dates it covers every customer of the person, so the
    test clears the chosen customer's tasks rather than hoping one was left free."""
    row = rt.db.fetch_one(
        """SELECT c.id, c.name, z.center_lat, z.center_lon FROM customers c
           JOIN zones z ON z.customer_id = c.id AND z.kind = 'customer_site'
           WHERE c.owner_employee_id = %s ORDER BY c.id LIMIT 1""",
        (employee_id,),
    )
    assert row is not None and zones.site_of_customer(rt.db, row["id"]) is not None
    rt.db.execute("DELETE FROM tasks WHERE customer_id = %s", (row["id"],))
    return row


def _fix(ts_s: float, lat: float, lon: float) -> dict:
    return {"ts": int(ts_s * 1000), "lat": lat, "lon": lon, "accuracy": 5}


def test_done_when_urgent_task_dispatched_visited_and_rated(browser, day_server):
    rt = day_server.runtime
    field = employees.employee_by_code(rt.db, "E0001")["id"]
    customer = _free_customer_of(rt, field)
    lat, lon = customer["center_lat"], customer["center_lon"]
    start = time.time() - 250  # fixes from the recent past, so the visit below can follow them in time
    team = employees.get_employee(rt.db, Scope.everything(), field)["team_id"]
    others = [p["id"] for p in employees.roster(rt.db, Scope(team_ids=frozenset({team}))) if p["id"] != field][:2]
    for person in (field, *others):
        track_around_the_clock(rt.db, person)
    accept_fixes(rt, field, [_fix(start, lat + 150 * METRES_LAT, lon)], "native")
    for offset, person in enumerate(others, start=1):
        accept_fixes(rt, person, [_fix(start, lat - 700 * offset * METRES_LAT, lon)], "native")

    board = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="en-GB").new_page()
    sign_in_browser(board, day_server.url, "supervisor" if team == _north(rt) else "manager")
    board.goto(f"{day_server.url}/tasks")
    board.wait_for_selector("#tasks-column-assigned .fo-task-card")
    board.click("#tasks-new")
    board.wait_for_selector("#tasks-panel-title >> text=New task")
    _choose(board, "tasks-customer", customer["name"])
    _choose(board, "tasks-priority", "Urgent")
    board.fill("#tasks-notes", "Water leak in the back room")
    board.click("#tasks-create")
    board.wait_for_selector("#tasks-form-result >> text=created")
    task = int(board.inner_text("#tasks-form-result").split("#")[1].split()[0])
    board.wait_for_selector(f"#tasks-panel-title >> text=#{task}")
    board.wait_for_selector("#tasks-candidates li")
    ranked = board.locator("#tasks-candidates li").all_inner_texts()
    name = employees.get_employee(rt.db, Scope.everything(), field)["name"]
    assert ranked[0].startswith(name) and len(ranked) == 3  # nearest by street first; the others after
    day_start = datetime.now(rt.settings.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    busy = task_rows.open_of_day(rt.db, [field], day_start, day_start + timedelta(days=1)).get(field, 0)
    assert f"{busy} open today" in ranked[0]  # today's open tasks, not every open task ever
    board.screenshot(path=screenshot_path("tasks_dispatch"), full_page=True)

    board.locator("#tasks-candidates li").first.get_by_role("button", name="Assign").click()
    board.wait_for_selector(f"#tasks-action-result >> text=assigned to {name}")
    assert rt.db.fetch_one("SELECT state, employee_id FROM tasks WHERE id = %s", (task,)) == {
        "state": "assigned",
        "employee_id": field,
    }

    phone_context = browser.new_context(viewport={"width": 400, "height": 860}, locale="en-GB")
    phone = phone_context.new_page()
    sign_in_browser(phone, day_server.url, "field")
    phone.goto(f"{day_server.url}/m")
    phone.wait_for_selector(f"#mobile-task-{task} >> text={customer['name']}", timeout=15_000)
    phone.screenshot(path=screenshot_path("mobile_dispatched_task"), full_page=True)

    # The person drives there: two minutes inside the customer's site, then a minute and a half away.
    visit = [_fix(start + 10 + 10 * i, lat, lon) for i in range(12)]
    away = [_fix(start + 130 + 10 * i, lat + 400 * METRES_LAT, lon) for i in range(10)]
    accept_fixes(rt, field, visit + away, "native")
    wait_until(
        lambda: rt.db.fetch_one("SELECT state FROM tasks WHERE id = %s", (task,))["state"] == "done",
        what="the writer to record arrival and departure",
        timeout_s=30,
    )
    events = rt.db.fetch_all("SELECT to_state, user_id FROM task_events WHERE task_id = %s ORDER BY id", (task,))
    assert [e["to_state"] for e in events] == ["new", "assigned", "on_site", "done"]
    assert [e["user_id"] for e in events][2:] == [None, None]  # the writer is the system
    board.wait_for_selector(f"#tasks-column-done >> text={customer['name']}", timeout=15_000)
    board.screenshot(path=screenshot_path("tasks_board"), full_page=True)

    phone.wait_for_selector(f"#mobile-survey-{task}", timeout=15_000)
    path = survey_path_of_task(rt, task)
    customer_phone = browser.new_context(viewport={"width": 390, "height": 760}, locale="zh-CN")
    customer_phone.add_cookies([{"name": "fieldops_lang", "value": "zh-CN", "url": day_server.url}])
    survey = customer_phone.new_page()
    survey.goto(f"{day_server.url}{path}")
    assert "您对" in survey.inner_text("#survey-question")
    survey.click("label[for=survey-score-4]")
    survey.fill("#survey-comment", "来得很快，谢谢")
    survey.screenshot(path=screenshot_path("survey_form"), full_page=True)
    survey.click("#survey-submit")
    survey.wait_for_selector("#survey-page[data-state=thanks]")
    survey.screenshot(path=screenshot_path("survey_thanks"), full_page=True)
    survey.goto(f"{day_server.url}{path}")
    survey.wait_for_selector("#survey-page[data-state=answered]")  # single use

    board.goto(f"{day_server.url}/customers?customer={customer['id']}")
    board.wait_for_selector(f"#customers-answer-{task} >> text=来得很快，谢谢")
    board.wait_for_selector(f"#customers-visits >> text={name}")
    assert "★★★★☆" in board.inner_text(f"#customers-answer-{task}")
    assert "view_customer_visits" in [e["action"] for e in audit.looks_at(rt.db, field)]  # whereabouts: audited
    board.screenshot(path=screenshot_path("customer_page"), full_page=True)
    phone_context.close()
    customer_phone.close()


def _north(rt) -> int:
    return rt.db.fetch_one("SELECT id FROM teams WHERE name = 'North'")["id"]


def test_the_customer_list_opens_a_customers_page(browser, day_server):
    page = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB").new_page()
    sign_in_browser(page, day_server.url, "manager")
    page.goto(f"{day_server.url}/customers")
    page.wait_for_selector("#customers-grid .ag-row")
    page.wait_for_timeout(800)  # the map's markers
    page.screenshot(path=screenshot_path("customers_list"))
    first = page.locator("#customers-grid .ag-row").first
    name = first.locator("[col-id=name]").inner_text()
    first.locator("[col-id=name]").click()
    page.wait_for_selector(f"#customers-name >> text={name}")
    assert "customer=" in page.url


def test_optimising_routes_reports_the_travel_saved_and_draws_them(browser, day_server):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB").new_page()
    sign_in_browser(page, day_server.url, "supervisor")
    page.goto(f"{day_server.url}/tasks")
    page.wait_for_selector("#tasks-column-assigned .fo-task-card")
    page.click("#tasks-optimise")
    page.wait_for_selector("#tasks-routes-table tbody tr", timeout=60_000)
    assert "min saved" in page.inner_text("#tasks-routes-result")
    page.wait_for_selector("#tasks-map path.leaflet-interactive, #tasks-map canvas", timeout=10_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=screenshot_path("tasks_routes"), full_page=True)


def test_demo_customers_answer_surveys_through_the_public_link(day_server):
    rt = day_server.runtime
    row = rt.db.fetch_one("SELECT id FROM tasks WHERE state = 'assigned' ORDER BY id LIMIT 1")
    from dashboard.work import lifecycle

    for state in ("on_site", "done"):
        lifecycle.change_state(rt, row["id"], state, at=datetime.now(UTC))
    customers = DemoCustomers(rt.db, rt.settings.secret_key, day_server.url, share=1.0, delay_s=0)
    assert customers.tick() == 1 and customers.tick() == 0
    answer = rt.db.fetch_one("SELECT score, answered_at FROM feedback WHERE task_id = %s", (row["id"],))
    assert 1 <= answer["score"] <= 5 and answer["answered_at"] is not None


def test_a_csv_import_lists_every_bad_line_then_creates_the_good_file(browser, day_server):
    rt = day_server.runtime
    north = Scope(team_ids=frozenset({_north(rt)}))
    customer = rt.db.fetch_one(
        "SELECT c.id, c.name FROM customers c JOIN employees o ON o.id = c.owner_employee_id WHERE o.team_id = %s "
        "ORDER BY c.id LIMIT 1",
        (_north(rt),),
    )
    code = employees.roster(rt.db, north)[0]["code"]
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB").new_page()
    sign_in_browser(page, day_server.url, "supervisor")
    page.goto(f"{day_server.url}/tasks")
    page.wait_for_selector("#tasks-column-assigned .fo-task-card")
    page.click("#tasks-import-section summary")
    header = "customer,kind,priority,window_start,window_end,duration_min,notes,employee\n"
    bad = header + f"{customer['id']},repair,1,,,15,Gate,NOBODY\n999999,visit,2,,,20,,\n"
    page.set_input_files(
        "#tasks-import input[type=file]", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    page.wait_for_selector("#tasks-import-result >> text=Nothing was imported")
    errors = page.locator("#tasks-import-result li").all_inner_texts()
    assert [e.split(":")[0] for e in errors] == ["Line 2", "Line 3"]
    page.screenshot(path=screenshot_path("tasks_import_errors"), full_page=True)
    good = header + f"{customer['id']},repair,1,,,15,Broken gate,{code}\n{customer['id']},inspection,3,,,20,,\n"
    page.set_input_files(
        "#tasks-import input[type=file]", files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    page.wait_for_selector("#tasks-import-result >> text=2 tasks imported.")
    page.wait_for_selector(f"#tasks-column-new >> text={customer['name']}")
    page.wait_for_selector(f"#tasks-column-assigned >> text={customer['name']}")
