"""Visit photos in the browser (issue 19): on the phone (360 × 740) the photo input asks for the camera, a note is
saved with a photo, and the customer page shows the supervisor the server's stamped copy, the original's link and
SHA-256, and the flag that a colleague sent the same picture on another visit; the field worker sees the stamped
copy only. The stamp's text is read back in tests/integration/test_visit_photos.py."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.work.phone import save_visit_note
from data import activities
from tests.browser import screenshot_path
from tests.conftest import sign_in_browser
from tests.pictures import encoded, scene

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def server(day_server):
    return day_server


def test_a_photo_from_the_phone_is_stamped_and_a_colleagues_same_picture_is_flagged(browser, server, tmp_path):
    rt = server.runtime
    me = rt.db.fetch_one("SELECT id, name FROM employees WHERE code = 'E0001'")
    colleague = rt.db.fetch_one("SELECT id, name FROM employees WHERE code = 'E0005'")  # North too
    task = rt.db.fetch_one(
        """SELECT t.id, t.customer_id, z.center_lat, z.center_lon FROM tasks t
           JOIN zones z ON z.customer_id = t.customer_id AND z.kind = 'customer_site'
           WHERE t.employee_id = %s ORDER BY t.planned_seq LIMIT 1""",
        (me["id"],),
    )
    # The customer's page is the account owner's (and their supervisor's): make it the field worker's account.
    rt.db.execute("UPDATE customers SET owner_employee_id = %s WHERE id = %s", (me["id"], task["customer_id"]))
    elsewhere = rt.db.fetch_one("SELECT id FROM customers WHERE id <> %s ORDER BY id LIMIT 1", (task["customer_id"],))
    earlier = datetime.now(UTC) - timedelta(hours=3)
    visit = activities.open_visit(rt.db, colleague["id"], elsewhere["id"], None, earlier, source="mobile")
    save_visit_note(rt, colleague["id"], visit["id"], "Shelf", ("image/jpeg", encoded(scene("discs"))), earlier)
    activities.close_visit(rt.db, colleague["id"], earlier + timedelta(minutes=20))

    picture = tmp_path / "shelf.jpg"
    picture.write_bytes(encoded(scene("discs").resize((800, 600)), quality=70))
    where = {"latitude": task["center_lat"], "longitude": task["center_lon"], "accuracy": 8}
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, geolocation=where, permissions=["geolocation"]
    )
    page = phone.new_page()
    sign_in_browser(page, server.url, "field")
    page.goto(f"{server.url}/m")
    page.wait_for_selector(f"#mobile-task-{task['id']}")
    page.click(f"#mobile-task-{task['id']} >> text=Check in")
    page.wait_for_selector(f"#mobile-task-{task['id']} .fo-m-card-result >> text=verified at the customer's site")
    camera = page.locator("#mobile-photo input[type=file]")
    page.wait_for_function("document.querySelector('#mobile-photo input[type=file]').getAttribute('capture')")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    camera.set_input_files(str(picture))
    page.wait_for_selector("#mobile-photo-name >> text=shelf.jpg")
    page.fill("#mobile-note", "Display built as planned.")
    page.click("#mobile-note-save")
    page.wait_for_selector("#mobile-note-result >> text=Note saved.")
    page.screenshot(path=screenshot_path("mobile_photo_note"), full_page=True)
    kept = rt.db.fetch_one(
        """SELECT p.activity_id, p.bytes, p.sha256, p.duplicate_of, p.stamped IS NOT NULL AS stamped
           FROM note_photos p JOIN activities a ON a.id = p.activity_id WHERE a.employee_id = %s""",
        (me["id"],),
    )
    assert bytes(kept["bytes"]) == picture.read_bytes() and kept["stamped"] and kept["duplicate_of"] is not None
    assert kept["sha256"] == hashlib.sha256(picture.read_bytes()).hexdigest()

    page.goto(f"{server.url}/customers?customer={task['customer_id']}")  # the field worker's own view
    page.wait_for_selector("#customers-interactions .fo-note-photo")
    assert page.locator("#customers-interactions .fo-photo-proof").count() == 0
    assert page.locator("#customers-interactions .fo-photo-duplicate").count() == 0
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    board = desk.new_page()
    sign_in_browser(board, server.url, "supervisor")
    board.goto(f"{server.url}/customers?customer={task['customer_id']}")
    flag = board.wait_for_selector("#customers-interactions .fo-photo-duplicate")
    assert colleague["name"] in flag.inner_text() and "Possible duplicate" in flag.inner_text()
    photo = board.locator("#customers-interactions .fo-note-photo").first
    assert photo.evaluate("img => img.complete && img.naturalHeight > 600")  # the picture and the band below it
    assert board.inner_text("#customers-interactions .fo-photo-sha") == kept["sha256"]
    link = board.locator("#customers-interactions .fo-photo-proof a")
    assert link.get_attribute("href") == f"/photos/{kept['activity_id']}/original"
    flag.scroll_into_view_if_needed()
    board.screenshot(path=screenshot_path("customer_photo_duplicate"), full_page=True)
    original = board.request.get(f"{server.url}/photos/{kept['activity_id']}/original")
    assert original.status == 200 and original.body() == picture.read_bytes()
    desk.close()
