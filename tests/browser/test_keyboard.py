"""The core flows with the keyboard alone (issue 22): Tab, Shift+Tab, Enter, Space, arrows and typing —
no clicks. The test reads where the focus is and what the page shows; it moves only by keys. Each flow
saves a screenshot of a focus state beside the others (tests/artifacts/keyboard_*.png)."""

from __future__ import annotations

from dashboard.work.lifecycle import TaskInput
from data import tasks
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import password_of

DESKTOP = {"width": 1600, "height": 1000}
PHONE = {"width": 360, "height": 740}
MAX_TABS = 200
ON_OPTION = """text => {
  const option = document.activeElement && document.activeElement.closest(".dash-options-list-option");
  return !!option && option.textContent.trim() === text;
}"""


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focus is on an element matching `selector`."""
    key = "Shift+Tab" if backwards else "Tab"
    for _press in range(MAX_TABS):
        if focused(page, selector):
            return
        page.keyboard.press(key)
    where = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{MAX_TABS} × {key} never reached {selector}; the focus is on {where}")


def assert_focus_visible(page) -> None:
    """The focused element draws the focus ring of assets/fieldops.css."""
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), f"no visible focus on {page.evaluate('() => document.activeElement.id')}"


def choose(page, dropdown: str, text: str) -> None:
    """Open a dcc.Dropdown from its button with the arrow key, type to search when it offers a search
    box, walk the options with the arrow key to `text` and take it with Enter."""
    tab_to(page, f"#{dropdown}")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => !!document.activeElement.closest('.dash-dropdown-content')")  # the next frame
    if focused(page, ".dash-dropdown-search"):
        page.keyboard.type(text)
    for _press in range(60):
        page.keyboard.press("ArrowDown")
        if page.evaluate(ON_OPTION, text):
            break
    else:
        raise AssertionError(f"no option {text} in {dropdown}")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{dropdown} >> text={text}")


def phone_button(task_id: int, action: str) -> str:
    """A task card's button on the phone page, by its Dash id (keys sorted, as Dash writes them)."""
    return f"""button[id='{{"action":"{action}","task":{task_id},"type":"mobile-act"}}']"""


def sign_in_by_keyboard(page, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    tab_to(page, "#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert focused(page, "#password")
    page.keyboard.type(password_of(username))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda address: "/login" not in address)
    settle(page)


def test_sign_in_and_the_skip_link_by_keyboard(browser, a11y_server):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(f"{a11y_server.url}/login")
    assert focused(page, "#username")  # the form takes the focus at once
    page.keyboard.press("Shift+Tab")
    assert focused(page, ".fo-skip")  # and the page starts with its skip link, like every page
    sign_in_by_keyboard(page, a11y_server.url, "manager")
    page.keyboard.press("Tab")
    assert focused(page, "#skip-link")  # the first stop on every page
    assert_focus_visible(page)
    page.screenshot(path=screenshot_path("keyboard_skip_link"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main-content'")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.activeElement.closest('nav')")  # past the menu, into the page
    context.close()


def test_switching_the_language_changes_the_pages_language(browser, a11y_server):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    sign_in_by_keyboard(page, a11y_server.url, "manager")
    assert page.get_attribute("html", "lang") == "en"
    tab_to(page, ".fo-lang a[lang=zh-CN]")
    page.keyboard.press("Enter")
    page.wait_for_selector("html[lang=zh-CN]")
    settle(page)
    assert page.get_attribute(".fo-lang a[lang=zh-CN]", "aria-current") == "true"
    assert "跳到主要内容" in page.inner_text("#skip-link")
    context.close()


def test_find_a_person_on_the_live_map_and_open_their_details(browser, a11y_server, axe):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    sign_in_by_keyboard(page, a11y_server.url, "manager")
    rows = "#livemap-people .ag-center-cols-container .ag-row"
    page.wait_for_selector(rows)
    # The search box: type a code, Enter opens the first match (issue 16).
    code = page.inner_text(f"{rows}[row-index='0'] .fo-person-name small")
    tab_to(page, "#livemap-search")
    assert_focus_visible(page)
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#livemap-details >> text={code}")
    page.fill("#livemap-search", "")
    # The list beside the map: the grid's keys walk its cells; Enter on a row opens that person.
    tab_to(page, "#livemap-people .ag-cell")
    page.keyboard.press("ArrowDown")
    row = "document.activeElement.closest('.ag-row')"
    assert page.evaluate(f"() => {row}.getAttribute('row-index')") == "1"
    name = page.evaluate(f"() => {row}.querySelector('.fo-person-name span').textContent")
    state = page.evaluate(f"() => {row}.querySelector('.fo-person-state').textContent")
    assert state in ("Moving", "On a visit", "Idle", "Offline")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#livemap-details-name >> text={name}")
    page.wait_for_selector(f"#livemap-announce >> text=Details of {name}")
    assert "Last report" in page.inner_text("#livemap-details")
    page.wait_for_selector(f"{rows}.fo-row-chosen")
    page.wait_for_timeout(2500)  # a refresh or two of the list
    assert focused(page, "#livemap-people .ag-cell")  # the rows were updated in place; the focus stayed
    page.screenshot(path=screenshot_path("keyboard_live_map_person"))
    axe(page, "the live map with a person's details")
    context.close()


def test_create_and_assign_a_task_by_keyboard(browser, a11y_server, axe):
    rt = a11y_server.runtime
    customer = rt.db.fetch_one("SELECT name FROM customers ORDER BY id LIMIT 1")["name"]
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    sign_in_by_keyboard(page, a11y_server.url, "manager")
    page.goto(f"{a11y_server.url}/tasks")
    settle(page)
    tab_to(page, "#tasks-new")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tasks-panel-title >> text=New task")
    page.wait_for_function("() => document.activeElement.id === 'tasks-panel-title'")  # the panel has the focus
    choose(page, "tasks-customer", customer)
    choose(page, "tasks-priority", "Urgent")
    tab_to(page, "#tasks-notes")
    page.keyboard.type("Entered with the keyboard only")
    tab_to(page, "#tasks-create")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_selector("#tasks-form-result >> text=created")
    task = int(page.inner_text("#tasks-form-result").split("#")[1].split()[0])
    page.wait_for_selector(f"#tasks-panel-title >> text=#{task}")
    page.wait_for_selector("#tasks-candidates li button")
    page.wait_for_function("() => document.activeElement.id === 'tasks-panel-title'")  # Create went; the title
    tab_to(page, "#tasks-candidates li button")  # who can go, below the task's fields
    chosen = page.evaluate("() => document.activeElement.closest('li').querySelector('b').textContent")
    page.screenshot(path=screenshot_path("keyboard_task_assign"), full_page=True)
    page.keyboard.press("Space")
    page.wait_for_selector(f"#tasks-action-result >> text=assigned to {chosen}")
    assert rt.db.fetch_one("SELECT state FROM tasks WHERE id = %s", (task,))["state"] == "assigned"
    axe(page, "the tasks page with a task's details and candidates")
    page.keyboard.press("Escape")  # the panel closes and the focus goes back to where it was before it opened
    page.wait_for_function("() => !document.getElementById('tasks-panel').classList.contains('show')")
    page.wait_for_function("() => document.activeElement.id === 'tasks-new'")
    context.close()


def test_open_a_heatmap_hexagons_details_by_keyboard(browser, a11y_server, axe):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    sign_in_by_keyboard(page, a11y_server.url, "manager")
    page.goto(f"{a11y_server.url}/analytics/heatmap")
    settle(page)
    page.wait_for_selector("#heatmap-table button")
    tab_to(page, "#heatmap-table button")
    assert_focus_visible(page)
    page.screenshot(path=screenshot_path("keyboard_heatmap_table"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'heatmap-details-title'")
    page.wait_for_selector("#heatmap-details li")
    page.keyboard.press("Tab")
    assert focused(page, "#heatmap-details a")  # on to the first person's day
    page.screenshot(path=screenshot_path("keyboard_heatmap_details"))
    axe(page, "the heatmap with a hexagon's details")
    context.close()


def test_build_a_report_by_keyboard(browser, a11y_server):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    sign_in_by_keyboard(page, a11y_server.url, "manager")
    page.goto(f"{a11y_server.url}/reports")
    settle(page)
    tab_to(page, "#reports-kind input[value=month]")
    page.keyboard.press("ArrowRight")  # radios: the arrows choose
    page.wait_for_selector("#reports-week-box", state="visible")
    page.keyboard.press("ArrowLeft")
    page.wait_for_selector("#reports-month-box", state="visible")
    for fmt in ("pdf", "xlsx", "csv"):  # CSV only: Space toggles each checkbox
        tab_to(page, f"#reports-formats input[value={fmt}]")
        page.keyboard.press("Space")
    assert page.evaluate(
        "() => [...document.querySelectorAll('#reports-formats input:checked')].map(i => i.value)"
    ) == ["csv"]
    tab_to(page, "#reports-build")
    assert_focus_visible(page)
    page.screenshot(path=screenshot_path("keyboard_report_build"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('reports-progress').textContent === 'Done'", timeout=60_000)
    page.wait_for_selector("#reports-list a")
    context.close()


def test_accept_check_in_and_save_a_note_on_the_phone_by_keyboard(browser, a11y_server, axe):
    rt = a11y_server.runtime
    # Urgent work without a time window is on the phone whatever the hour (a planned visit may be tomorrow's).
    site = rt.db.fetch_one(
        """SELECT c.id, c.owner_employee_id, z.center_lat, z.center_lon FROM customers c
           JOIN employees e ON e.id = c.owner_employee_id AND e.code = 'E0001'
           JOIN zones z ON z.customer_id = c.id AND z.kind = 'customer_site' ORDER BY c.id LIMIT 1"""
    )
    task_id = tasks.create_task(
        rt.db, TaskInput(site["id"], "visit", 1, None, None, 30, None, site["owner_employee_id"]).row(), None
    )
    here = {"latitude": site["center_lat"], "longitude": site["center_lon"], "accuracy": 8}
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, geolocation=here, permissions=["geolocation"], locale="en-GB"
    )
    page = context.new_page()
    sign_in_by_keyboard(page, a11y_server.url, "field")
    page.goto(f"{a11y_server.url}/m")
    settle(page)
    card = f"#mobile-task-{task_id}"
    page.wait_for_selector(card)
    tab_to(page, phone_button(task_id, "accept"))
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{card} .fo-m-card-result >> text=Task accepted.")  # on the card itself
    page.wait_for_selector(phone_button(task_id, "check_in"))
    page.wait_for_function(f"() => document.activeElement.id === '{card[1:]}'")  # the redrawn card, not a button
    tab_to(page, phone_button(task_id, "check_in"))
    assert_focus_visible(page)
    page.screenshot(path=screenshot_path("keyboard_phone_check_in"))
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{card} .fo-m-card-result >> text=verified at the customer's site")
    tab_to(page, "#mobile-note")
    page.keyboard.type("Gate code changed; typed without a pointer.")
    tab_to(page, "#mobile-note-save")
    page.keyboard.press("Enter")
    page.wait_for_selector("#mobile-note-result >> text=Note saved.")
    page.screenshot(path=screenshot_path("keyboard_phone_note"), full_page=True)
    axe(page, "the phone page on site, with a note saved")
    context.close()
