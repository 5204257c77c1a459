"""The task panel (issue 16) as a supervisor sees it: a card opens its task in a side panel in view, titled
"Edit task #… customer", with that task's values; New task opens an empty one (nobody, the next two hours from
the next quarter hour, the organisation's default minutes, today's date in the placeholders); after Assign the
panel shows the new assignee and saving it unchanged changes nothing; an executive is offered nothing they may
not do; /tasks?employee= is that person's board with a chip that takes the filter away."""

from __future__ import annotations

import json
import time
from datetime import datetime

from dashboard.ingest.accept import accept_fixes
from dashboard.work.taskboard import new_task_window
from data import employees, org_settings
from data import tasks as task_rows
from data.scope import Scope
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import sign_in_browser, track_around_the_clock

DESKTOP = {"width": 1600, "height": 1000}
METRES_LAT = 1 / 111_320
# The panel has slid in: all of it inside the window, and the page behind it still there.
PANEL_IN_VIEW = """() => {
  const panel = document.getElementById("tasks-panel");
  if (!panel || !panel.classList.contains("show")) return false;
  const r = panel.getBoundingClientRect();
  return getComputedStyle(panel).visibility === "visible" && r.left >= 0 && r.top >= 0
    && r.right <= window.innerWidth + 0.5 && r.bottom <= window.innerHeight + 0.5 && r.width >= 320;
}"""
TEXTS = {
    "en": {"edit": "Edit task", "new": "New task", "nobody": "Nobody yet", "customer": "Choose a customer"},
    "zh-CN": {"edit": "编辑任务", "new": "新建任务", "nobody": "暂不分派", "customer": "选择客户"},
}


def _desktop(browser, url: str, username: str, lang: str = "en"):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    if lang != "en":
        context.add_cookies([{"name": "fieldops_lang", "value": lang, "url": url}])
    page = context.new_page()
    sign_in_browser(page, url, username)
    return context, page


def _card(task_id: int) -> str:
    """A task's card on the board, by its Dash id (keys sorted, as Dash writes them)."""
    return f"""button[id='{{"task":{task_id},"type":"tasks-card"}}']"""


def _card_task(page, locator) -> int:
    return json.loads(locator.get_attribute("id"))["task"]


def _north(rt) -> int:
    return rt.db.fetch_one("SELECT id FROM teams WHERE name = 'North'")["id"]


def _open_panel(page) -> None:
    page.wait_for_function(PANEL_IN_VIEW)


def test_a_card_opens_its_task_beside_the_board_and_new_task_starts_empty(browser, day_server, axe):
    rt = day_server.runtime
    org_settings.set_setting(rt.db, "tasks.default_duration_min", 45, None)
    rt.forget_org_settings()
    today = datetime.now(rt.settings.tz).date().isoformat()
    for lang, words in TEXTS.items():
        context, page = _desktop(browser, day_server.url, "supervisor", lang)
        page.goto(f"{day_server.url}/tasks")
        settle(page)
        page.wait_for_selector("#tasks-column-assigned .fo-task-card")
        assert not page.locator("#tasks-panel").is_visible()  # closed until a task is chosen
        page.screenshot(path=screenshot_path(f"i16-tasks-board-{lang}"))

        card = page.locator("#tasks-column-assigned .fo-task-card").nth(2)
        task = task_rows.get_task(rt.db, Scope.everything(), _card_task(page, card))
        card.click()
        _open_panel(page)
        title = page.inner_text("#tasks-panel-title")
        assert title == f"{words['edit']} #{task['id']} {task['customer_name']}"
        assert page.evaluate("() => document.activeElement.id") == "tasks-panel-title"  # the reading point moved
        page.wait_for_selector(f"#tasks-customer >> text={task['customer_name']}")
        person = employees.get_employee(rt.db, Scope.everything(), task["employee_id"])
        assert page.inner_text("#tasks-assignee").strip() == f"{person['name']} ({person['code']})"
        assert page.input_value("#tasks-window-start") == rt.local(task["window_start"])
        assert page.input_value("#tasks-window-end") == rt.local(task["window_end"])
        assert page.input_value("#tasks-duration") == str(task["duration_min"])
        assert page.is_visible("#tasks-save") and not page.is_visible("#tasks-create")
        assert page.get_attribute("#tasks-window-start", "placeholder") == f"{today} 09:00"  # today, org's zone
        assert page.get_attribute("#tasks-window-end", "placeholder") == f"{today} 11:00"
        box = page.locator("#tasks-save").bounding_box()
        assert box and box["y"] + box["height"] <= DESKTOP["height"]  # Save is on the first screen of the panel
        page.screenshot(path=screenshot_path(f"i16-tasks-edit-{lang}"))
        axe(page, f"the task panel editing a task ({lang})")

        windows = {rt.local(new_task_window(rt)[0])}
        page.click("#tasks-new")
        page.wait_for_selector(f"#tasks-panel-title >> text={words['new']}")
        windows.add(rt.local(new_task_window(rt)[0]))  # the quarter hour may turn while the panel opens
        _open_panel(page)
        assert page.inner_text("#tasks-panel-title") == words["new"]
        page.wait_for_function("() => document.getElementById('tasks-duration').value === '45'")
        assert page.inner_text("#tasks-assignee").strip() == words["nobody"]  # not the last task's assignee
        assert page.inner_text("#tasks-customer").strip() == words["customer"]  # the placeholder: none chosen
        assert page.input_value("#tasks-window-start") in windows
        start = datetime.fromisoformat(page.input_value("#tasks-window-start"))
        end = datetime.fromisoformat(page.input_value("#tasks-window-end"))
        assert start.minute % 15 == 0 and (end - start).total_seconds() == 2 * 3600
        assert page.input_value("#tasks-notes") == ""
        assert page.is_visible("#tasks-create") and not page.is_visible("#tasks-save")
        page.screenshot(path=screenshot_path(f"i16-tasks-new-{lang}"))
        axe(page, f"the task panel with a new task ({lang})")
        page.click("#tasks-panel-close")
        page.wait_for_function("() => !document.getElementById('tasks-panel').classList.contains('show')")
        context.close()


def test_a_new_task_is_created_unassigned_and_the_panel_then_shows_it(browser, day_server):
    rt = day_server.runtime
    north = Scope(team_ids=frozenset({_north(rt)}))
    customer = rt.db.fetch_one(
        "SELECT c.id, c.name FROM customers c JOIN employees o ON o.id = c.owner_employee_id WHERE o.team_id = %s "
        "ORDER BY c.id LIMIT 1",
        (_north(rt),),
    )
    context, page = _desktop(browser, day_server.url, "supervisor")
    page.goto(f"{day_server.url}/tasks")
    settle(page)
    page.wait_for_selector("#tasks-column-assigned .fo-task-card")
    page.locator("#tasks-column-assigned .fo-task-card").first.click()  # a task with someone on it first
    _open_panel(page)
    page.click("#tasks-new")
    page.wait_for_selector("#tasks-panel-title >> text=New task")
    page.wait_for_function("() => document.getElementById('tasks-window-start').value !== ''")
    page.click("#tasks-customer")
    page.get_by_role("option", name=customer["name"], exact=True).click()
    page.fill("#tasks-notes", "Gate sticks")
    page.click("#tasks-create")
    page.wait_for_selector("#tasks-form-result >> text=created")
    task = int(page.inner_text("#tasks-form-result").split("#")[1].split()[0])
    row = rt.db.fetch_one("SELECT employee_id, duration_min, state, notes FROM tasks WHERE id = %s", (task,))
    assert row == {"employee_id": None, "duration_min": 30, "state": "new", "notes": "Gate sticks"}
    page.wait_for_selector(f"#tasks-panel-title >> text=Edit task #{task} {customer['name']}")
    page.wait_for_selector(f"#tasks-column-new >> {_card(task)}")
    assert task_rows.get_task(rt.db, north, task) is not None
    context.close()


def test_after_assign_the_panel_shows_the_new_assignee_and_saving_it_unchanged_changes_nothing(browser, day_server):
    rt = day_server.runtime
    people = employees.roster(rt.db, Scope(team_ids=frozenset({_north(rt)})))
    owner, nearest = people[0], people[1]
    task = rt.db.fetch_one(
        "SELECT t.id, c.lat, c.lon FROM tasks t JOIN customers c ON c.id = t.customer_id "
        "WHERE t.employee_id = %s AND t.state = 'assigned' ORDER BY t.window_start LIMIT 1",
        (owner["id"],),
    )
    track_around_the_clock(rt.db, nearest["id"])
    fix = {"ts": int(time.time() * 1000), "lat": task["lat"] + 150 * METRES_LAT, "lon": task["lon"], "accuracy": 5}
    accept_fixes(rt, nearest["id"], [fix], "native")

    context, page = _desktop(browser, day_server.url, "supervisor")
    page.goto(f"{day_server.url}/tasks?employee={owner['id']}")
    settle(page)
    page.click(_card(task["id"]))
    _open_panel(page)
    page.wait_for_selector(f"#tasks-assignee >> text={owner['name']} ({owner['code']})")
    page.wait_for_selector("#tasks-candidates li")
    first = page.locator("#tasks-candidates li").first
    assert first.locator("b").inner_text() == nearest["name"]
    assert f"({nearest['code']})" in first.inner_text()  # two people may share a name: the code tells them apart
    first.get_by_role("button", name="Assign").click()
    page.wait_for_selector(f"#tasks-action-result >> text=assigned to {nearest['name']}")
    # The form is the task as it is now: the new assignee, not the one shown before the click.
    page.wait_for_selector(f"#tasks-assignee >> text={nearest['name']} ({nearest['code']})")
    before = rt.db.fetch_one("SELECT employee_id, state, updated_at FROM tasks WHERE id = %s", (task["id"],))
    assert (before["employee_id"], before["state"]) == (nearest["id"], "assigned")
    events = rt.db.fetch_one("SELECT count(*) AS n FROM task_events WHERE task_id = %s", (task["id"],))["n"]

    page.click("#tasks-save")
    page.wait_for_selector("#tasks-form-result >> text=Nothing to save")
    after = rt.db.fetch_one("SELECT employee_id, state, updated_at FROM tasks WHERE id = %s", (task["id"],))
    assert after == before  # not even its time of change moved
    assert rt.db.fetch_one("SELECT count(*) AS n FROM task_events WHERE task_id = %s", (task["id"],))["n"] == events
    page.screenshot(path=screenshot_path("i16-tasks-assigned-en"))

    page.fill("#tasks-notes", "Ring twice")
    page.click("#tasks-save")
    page.wait_for_selector(f"#tasks-form-result >> text=Task #{task['id']} saved.")
    saved = rt.db.fetch_one("SELECT employee_id, notes FROM tasks WHERE id = %s", (task["id"],))
    assert saved == {"employee_id": nearest["id"], "notes": "Ring twice"}
    context.close()


def test_an_executive_is_offered_nothing_their_role_cannot_do(browser, day_server):
    context, page = _desktop(browser, day_server.url, "executive")
    page.goto(f"{day_server.url}/tasks")
    settle(page)
    page.wait_for_selector("#tasks-column-assigned .fo-task-card")
    page.wait_for_timeout(500)  # every callback of the page has answered
    for hidden in ("#tasks-new", "#tasks-import-section", "#tasks-routes-section", "#tasks-optimise"):
        assert not page.is_visible(hidden), hidden
    assert "Optimise" not in page.inner_text("#tasks-page") and "Import" not in page.inner_text("#tasks-page")
    card = page.locator("#tasks-column-assigned .fo-task-card").first
    task = _card_task(page, card)
    card.click()
    _open_panel(page)
    assert page.inner_text("#tasks-panel-title").startswith(f"Task #{task} ")  # not "Edit task"
    page.wait_for_selector("#tasks-details dl")
    for hidden in ("#tasks-form", "#tasks-save", "#tasks-create", "#tasks-candidates"):
        assert not page.is_visible(hidden), hidden
    page.screenshot(path=screenshot_path("i16-tasks-executive-en"))
    context.close()


def test_the_address_employee_shows_that_persons_board_with_a_chip_that_removes_the_filter(browser, day_server):
    rt = day_server.runtime
    person = employees.roster(rt.db, Scope(team_ids=frozenset({_north(rt)})))[0]
    start = datetime.now(rt.settings.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    theirs = rt.db.fetch_one(
        "SELECT count(*) AS n FROM tasks WHERE employee_id = %s AND window_start >= %s", (person["id"], start)
    )["n"]
    assert theirs > 0
    for lang, label in (("en", "Tasks of"), ("zh-CN", "的任务")):
        context, page = _desktop(browser, day_server.url, "supervisor", lang)
        page.goto(f"{day_server.url}/tasks?employee={person['id']}")
        settle(page)
        chip = page.locator("#tasks-filter-chip")
        chip.wait_for()
        assert label in chip.inner_text() and f"{person['name']} ({person['code']})" in chip.inner_text()
        page.wait_for_selector("#tasks-board .fo-task-card")
        cards = page.locator("#tasks-board .fo-task-card").all_inner_texts()
        assert len(cards) == theirs and all(person["name"] in card for card in cards)
        box = chip.bounding_box()
        assert box and box["x"] + box["width"] <= DESKTOP["width"] and box["height"] < 40  # one line, in view
        page.screenshot(path=screenshot_path(f"i16-tasks-employee-{lang}"))
        context.close()
    context, page = _desktop(browser, day_server.url, "supervisor")
    page.goto(f"{day_server.url}/tasks?employee={person['id']}")
    settle(page)
    page.locator("#tasks-filter-chip a").click()
    page.wait_for_url(f"{day_server.url}/tasks")
    page.wait_for_function("() => !document.getElementById('tasks-filter-chip')")
    page.wait_for_function(f"() => document.querySelectorAll('#tasks-board .fo-task-card').length > {theirs}")
    context.close()
