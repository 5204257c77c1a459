"""The phone page as a field employee uses it: headless Chromium with a phone viewport and emulated
geolocation against the real app, with the writer running; the supervisor's live map in a second context."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser import screenshot_path
from tests.conftest import sign_in_browser, wait_until

PHONE = {"width": 390, "height": 844}
FAR_AWAY = {"latitude": 60.2055, "longitude": 24.6559, "accuracy": 10}  # Espoo: no customer of the demo there


@pytest.fixture
def server(day_server):
    return day_server


def _field(rt) -> dict:
    return rt.db.fetch_one("SELECT id, name FROM employees WHERE code = 'E0001'")


def _plan(rt, employee_id: int) -> list[dict]:
    return rt.db.fetch_all(
        """SELECT t.id, z.center_lat, z.center_lon FROM tasks t
           JOIN zones z ON z.customer_id = t.customer_id AND z.kind = 'customer_site'
           WHERE t.employee_id = %s ORDER BY t.planned_seq""",
        (employee_id,),
    )


def _phone(browser, server, where: dict):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, geolocation=where, permissions=["geolocation"]
    )
    page = context.new_page()
    sign_in_browser(page, server.url, "field")
    page.goto(f"{server.url}/m")
    page.wait_for_selector(".fo-m-task")
    return context, page


def test_check_in_is_verified_inside_the_site_and_not_outside(browser, server):
    rt = server.runtime
    me = _field(rt)
    first, second = _plan(rt, me["id"])[:2]
    context, page = _phone(
        browser, server, {"latitude": first["center_lat"], "longitude": first["center_lon"], "accuracy": 8}
    )
    page.click(f"#mobile-task-{first['id']} >> text=Accept")
    page.wait_for_selector(f"#mobile-task-{first['id']} .fo-m-card-result >> text=Task accepted.")
    page.click(f"#mobile-task-{first['id']} >> text=Check in")
    page.wait_for_selector(f"#mobile-task-{first['id']} .fo-m-card-result >> text=verified at the customer's site")
    page.wait_for_selector(f"#mobile-task-{first['id']} >> text=Check out")
    page.fill("#mobile-note", "Gate code changed; the new one is with the office.")
    page.click("#mobile-note-save")
    page.wait_for_selector("#mobile-note-result >> text=Note saved.")
    page.click(f"#mobile-task-{first['id']} >> text=Check out")
    page.wait_for_selector(f"#mobile-task-{first['id']} .fo-m-card-result >> text=Checked out: verified")

    context.set_geolocation(FAR_AWAY)
    page.click(f"#mobile-task-{second['id']} >> text=Check in")
    page.wait_for_selector(f"#mobile-task-{second['id']} .fo-m-card-result >> text=not verified")
    assert "outside the customer's site" in page.inner_text(f"#mobile-task-{second['id']} .fo-m-card-result")
    page.wait_for_selector("#mobile-summary-list >> text=1 / 2")
    page.screenshot(path=screenshot_path("mobile_check_in"), full_page=True)
    rows = rt.db.fetch_all(
        """SELECT task_id, kind, attributes FROM activities WHERE employee_id = %s AND source = 'mobile'
           AND kind IN ('check_in', 'check_out') ORDER BY id""",
        (me["id"],),
    )
    assert [(r["task_id"], r["kind"], r["attributes"]["verified"]) for r in rows] == [
        (first["id"], "check_in", True),
        (first["id"], "check_out", True),
        (second["id"], "check_in", False),
    ]
    assert rows[2]["attributes"]["reason"] == "outside" and rows[2]["attributes"]["distance_m"] > 1000
    assert rt.db.fetch_one("SELECT state FROM tasks WHERE id = %s", (first["id"],))["state"] == "done"
    assert rt.db.fetch_one("SELECT state FROM tasks WHERE id = %s", (second["id"],))["state"] == "on_site"
    context.close()


def test_the_note_box_names_the_open_visit_and_the_note_lands_on_it(browser, server):
    rt = server.runtime
    me = _field(rt)
    first, second = _plan(rt, me["id"])[:2]
    names = {  # as the task's card and the note box name it
        r["id"]: f"{r['planned_seq']}. {r['name']}"
        for r in rt.db.fetch_all(
            """SELECT t.id, t.planned_seq, c.name FROM tasks t JOIN customers c ON c.id = t.customer_id
               WHERE t.id = ANY(%s)""",
            ([first["id"], second["id"]],),
        )
    }
    context, page = _phone(
        browser, server, {"latitude": first["center_lat"], "longitude": first["center_lon"], "accuracy": 8}
    )
    page.wait_for_selector("#mobile-note-for >> text=Plain note")
    page.click(f"#mobile-task-{first['id']} >> text=Check in")
    page.wait_for_selector(f"#mobile-note-for >> text=Note for {names[first['id']]}")
    context.set_geolocation({"latitude": second["center_lat"], "longitude": second["center_lon"], "accuracy": 8})
    page.click(f"#mobile-task-{second['id']} >> text=Check in")  # the first one was never checked out
    page.wait_for_selector(f"#mobile-note-for >> text=Note for {names[second['id']]}")
    assert "visit since" in page.inner_text("#mobile-note-for")
    page.fill("#mobile-note", "Meter read; the next visit needs a ladder.")
    page.click("#mobile-note-save")
    page.wait_for_selector("#mobile-note-result >> text=Note saved.")
    page.screenshot(path=screenshot_path("mobile_note_for_visit"), full_page=True)
    note = rt.db.fetch_one(
        """SELECT n.task_id, n.visit_id, n.customer_id, v.task_id AS visit_task, v.ended_at FROM activities n
           JOIN activities v ON v.id = n.visit_id WHERE n.kind = 'note' AND n.employee_id = %s""",
        (me["id"],),
    )
    assert (note["task_id"], note["visit_task"], note["ended_at"]) == (second["id"], second["id"], None)
    states = rt.db.fetch_all(
        "SELECT id, state FROM tasks WHERE id = ANY(%s) ORDER BY id", ([first["id"], second["id"]],)
    )
    assert {r["id"]: r["state"] for r in states} == {first["id"]: "done", second["id"]: "on_site"}
    context.close()


def test_positions_taken_offline_are_sent_in_order_when_back_online(browser, server):
    rt = server.runtime
    me = _field(rt)
    start = {"latitude": 60.1699, "longitude": 24.9384, "accuracy": 10}
    context, page = _phone(browser, server, start)
    page.click("#mobile-share-toggle")
    page.wait_for_selector("#mobile-sharing-state[data-mode='on']")
    wait_until(lambda: rt.feed.latest(me["id"]) is not None, what="the first position in Redis")

    context.set_offline(True)
    offline_points = [(60.1700 + i * 0.0005, 24.9390 + i * 0.0005) for i in range(5)]
    for lat, lon in offline_points:
        context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 10})
        page.wait_for_timeout(300)
    page.wait_for_function("() => Number(document.getElementById('mobile-pending').dataset.count) >= 5")
    page.screenshot(path=screenshot_path("mobile_offline"), full_page=True)
    assert rt.feed.latest(me["id"]).lat < offline_points[0][0] + 1e-9  # nothing arrived while offline

    context.set_offline(False)
    pending_sent = "() => Number(document.getElementById('mobile-pending').dataset.count) === 0"
    page.wait_for_function(pending_sent, timeout=20_000)
    last = offline_points[-1]
    wait_until(lambda: abs(rt.feed.latest(me["id"]).lat - last[0]) < 1e-9, what="the last offline fix in Redis")

    def stored() -> list[tuple[float, float]]:
        rows = rt.db.fetch_all("SELECT lat, lon FROM positions WHERE employee_id = %s ORDER BY ts", (me["id"],))
        return [(round(r["lat"], 4), round(r["lon"], 4)) for r in rows]

    wait_until(lambda: len(stored()) >= 6, what="the writer to store every fix")
    expected = [(round(lat, 4), round(lon, 4)) for lat, lon in offline_points]
    kept = stored()
    assert kept[-5:] == expected  # every offline fix, in the order taken
    assert len(kept) == len(set(kept))  # and none twice
    page.screenshot(path=screenshot_path("mobile_back_online"), full_page=True)
    context.close()


def test_help_reaches_the_supervisors_live_map_at_once(browser, server):
    rt = server.runtime
    me = _field(rt)
    supervisor = browser.new_context(viewport={"width": 1280, "height": 800})
    board = supervisor.new_page()
    sign_in_browser(board, server.url, "supervisor")
    board.goto(f"{server.url}/")
    board.wait_for_selector("#livemap-map")

    context, page = _phone(browser, server, {"latitude": 60.1699, "longitude": 24.9384, "accuracy": 15})
    page.click("#mobile-help")
    page.wait_for_selector("#mobile-help-result >> text=Help is on its way")
    page.screenshot(path=screenshot_path("mobile_help"), full_page=True)
    raised = time.monotonic()
    board.wait_for_selector(f"#livemap-alerts >> text={me['name']}", timeout=10_000)
    assert time.monotonic() - raised < 10
    alert = rt.db.fetch_one("SELECT id, lat, lon FROM alerts WHERE employee_id = %s", (me["id"],))
    assert alert["lat"] == pytest.approx(60.1699) and alert["lon"] == pytest.approx(24.9384)
    # The critical's badge: on the person's marker, or where the phone was when it has sent no position.
    badge = board.wait_for_selector(f".fo-alert-badge[data-employee='{me['id']}']", timeout=5_000)
    assert badge.get_attribute("data-severity") == "critical"
    board.screenshot(path=screenshot_path("live_map_help_alert"))
    board.click("#livemap-alerts >> text=Resolve")
    board.wait_for_selector(f"#livemap-alert-{alert['id']}", state="detached")
    assert rt.db.fetch_one("SELECT resolved_at FROM alerts WHERE id = %s", (alert["id"],))["resolved_at"]
    context.close()
    supervisor.close()


def test_a_share_link_shows_the_position_and_stops_when_it_expires(browser, server):
    rt = server.runtime
    me = _field(rt)
    context, page = _phone(browser, server, {"latitude": 60.1699, "longitude": 24.9384, "accuracy": 10})
    page.click("#mobile-share-toggle")
    wait_until(lambda: rt.feed.latest(me["id"]) is not None, what="a position to share")
    page.click("#mobile-share-create")
    page.wait_for_selector("#mobile-share-result .fo-share-url")
    path = page.get_attribute("#mobile-share-result .fo-share-url", "href")

    visitor = browser.new_context(viewport=PHONE)
    shared = visitor.new_page()
    shared.goto(f"{server.url}{path}")
    shared.wait_for_selector("#share-position >> text=60.16990, 24.93840")
    assert shared.inner_text("#share-title") == me["name"]
    shared.screenshot(path=screenshot_path("share_link"))
    rt.db.execute(
        "UPDATE share_links SET expires_at = %s WHERE employee_id = %s",
        (datetime.now(UTC) - timedelta(seconds=1), me["id"]),
    )
    shared.wait_for_selector("body[data-expired='1']", timeout=15_000)
    assert "expired" in shared.inner_text("#share-position")
    shared.screenshot(path=screenshot_path("share_link_expired"))
    assert shared.goto(f"{server.url}{path}").status == 404
    views = rt.db.fetch_all(
        "SELECT action FROM audit_log WHERE action = 'view_shared_link' AND %s = ANY(subject_ids)", (me["id"],)
    )
    assert len(views) == 1
    visitor.close()
    context.close()


def test_a_new_assignment_appears_on_the_phone_within_seconds(browser, server):
    rt = server.runtime
    me = _field(rt)
    context, page = _phone(browser, server, {"latitude": 60.1699, "longitude": 24.9384, "accuracy": 10})
    customer = rt.db.fetch_one("SELECT id, name FROM customers ORDER BY id DESC LIMIT 1")
    now = datetime.now(UTC)
    task = rt.db.fetch_one(
        """INSERT INTO tasks (customer_id, employee_id, state, window_start, window_end, planned_seq)
           VALUES (%s, %s, 'assigned', %s, %s, 99) RETURNING id""",
        (customer["id"], me["id"], now, now + timedelta(hours=1)),
    )
    page.wait_for_selector(f"#mobile-task-{task['id']}", timeout=10_000)
    assert "Your tasks changed" in page.inner_text("#mobile-notice")
    page.screenshot(path=screenshot_path("mobile_new_task"), full_page=True)
    context.close()


def test_a_supervisor_sets_up_owntracks_for_a_team_member(browser, server):
    rt = server.runtime
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in_browser(page, server.url, "supervisor")
    page.goto(f"{server.url}/trackers")
    page.wait_for_function("() => document.querySelector('#trackers-page')?.innerText.includes('(E0')")
    page.click("#trackers-owntracks")
    page.wait_for_selector("#trackers-qr")
    settings = page.inner_text("#trackers-settings")
    assert "/ingest/owntracks" in settings and "HTTP" in settings
    assert rt.db.fetch_one("SELECT count(*) AS n FROM devices WHERE protocol = 'owntracks'")["n"] >= 1
    page.screenshot(path=screenshot_path("trackers_owntracks"), full_page=True)
    context.close()
