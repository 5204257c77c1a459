"""Issue 21's phone test: on the phone (360 × 740) a repair on site is filled in its visit form offline (a photo from
the camera input, a barcode typed in, two parts from the catalogue, and every other field type), sent when the phone
is back online; the task cannot be done while the form lacks the drawn signature (the card names it), and is done
once it is drawn; the API gives the same answers back, and its service report PDF, read back as an image, shows
the answers and holds the signature. The rules are in tests/integration/test_form_answers.py."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytesseract
import pytest
from PIL import Image

from dashboard.reports.service_reports import make_report
from dashboard.work.tokens import issue
from data import forms
from tests.browser import screenshot_path
from tests.conftest import sign_in_browser
from tests.pictures import encoded, scene, squeezed

PHONE = {"width": 360, "height": 740}
FIELDS = [
    {"id": "meter", "type": "photo", "label": "Photo of the meter", "required": True},
    {"id": "serial", "type": "barcode", "label": "Serial number", "required": True},
    {"id": "reading", "type": "number", "label": "Reading", "unit": "kWh", "min": 0, "max": 100000},
    {"id": "replaced", "type": "yesno", "label": "Parts replaced", "required": True},
    {"id": "parts_section", "type": "section", "label": "Parts", "show_if": {"field": "replaced", "equals": True}},
    {"id": "used", "type": "parts", "label": "Parts used", "required": True},
    {"id": "signature", "type": "signature", "label": "Customer signature", "required": True},
    {"id": "condition", "type": "choice", "label": "Condition", "options": ["good", "worn", "broken"]},
    {"id": "checks", "type": "multi", "label": "Checked", "options": ["seal", "wiring", "display"]},
    {"id": "next_visit", "type": "date", "label": "Next visit"},
    {"id": "remarks", "type": "text", "label": "Remarks"},
]


@pytest.fixture
def server(day_server):
    return day_server


def _status(page) -> str:
    return page.get_attribute("#fo-form-status", "data-state") or ""


def test_a_form_filled_offline_is_sent_online_and_the_task_is_done_only_when_complete(browser, server, tmp_path, axe):
    rt = server.runtime
    me = rt.db.fetch_one("SELECT id FROM employees WHERE code = 'E0001'")
    task = rt.db.fetch_one(
        """SELECT t.id, z.center_lat, z.center_lon FROM tasks t
           JOIN zones z ON z.customer_id = t.customer_id AND z.kind = 'customer_site'
           WHERE t.employee_id = %s ORDER BY t.planned_seq LIMIT 1""",
        (me["id"],),
    )
    rt.db.execute(
        "UPDATE tasks SET kind = 'repair', state = 'on_site', arrived_at = %s WHERE id = %s",
        (datetime.now(UTC), task["id"]),
    )
    forms.create_version(rt.db, "repair", "Meter repair", FIELDS, True, None, datetime.now(UTC))
    fuse, cable = forms.add_part(rt.db, "F-10", "Fuse 10 A", "pcs"), forms.add_part(rt.db, "C-2", "Cable", "m")
    picture = tmp_path / "meter.jpg"
    picture.write_bytes(encoded(scene("discs").resize((800, 600)), quality=70))

    where = {"latitude": task["center_lat"], "longitude": task["center_lon"], "accuracy": 8}
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, geolocation=where, permissions=["geolocation"]
    )
    page = phone.new_page()
    sign_in_browser(page, server.url, "field")
    page.goto(f"{server.url}/m")
    card = f"#mobile-task-{task['id']}"
    page.click(f"#mobile-form-{task['id']}")
    page.wait_for_selector("#fo-form-panel #fo-form-title >> text=Meter repair")
    assert page.is_hidden("[data-field='used']")  # its section shows only when parts were replaced
    axe(page, "the visit form on the phone")

    phone.set_offline(True)
    camera = page.locator("#fo-form-meter")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    camera.set_input_files(str(picture))
    page.wait_for_selector("[data-field='meter'] .fo-form-photos >> text=✓ 1 photo(s)")
    page.fill("#fo-form-serial", "SN-4711-0042")
    page.locator("#fo-form-serial").blur()
    page.check("#fo-form-replaced-true")
    page.wait_for_selector("[data-field='used']", state="visible")
    for part, qty in ((fuse, "2"), (cable, "3.5")):
        page.select_option("#fo-form-used", str(part["id"]))
        page.fill("[data-field='used'] .fo-form-qty", qty)
        page.click("[data-field='used'] >> text=Add the part")
    page.wait_for_selector("[data-field='used'] li >> nth=1")
    page.select_option("#fo-form-condition", "worn")
    page.check("#fo-form-checks-0")
    page.check("#fo-form-checks-2")
    for box, value in (("reading", "1234.5"), ("next_visit", "2027-01-15"), ("remarks", "Seal renewed.")):
        page.fill(f"#fo-form-{box}", value)
        page.locator(f"#fo-form-{box}").blur()
    assert _status(page) == "local" and "Saved on the phone" in page.inner_text("#fo-form-status")
    assert "Customer signature" in page.inner_text("#fo-form-missing")
    page.screenshot(path=screenshot_path("visit_form_offline"))
    assert rt.db.fetch_one("SELECT count(*) AS n FROM form_answers WHERE task_id = %s", (task["id"],))["n"] == 0

    phone.set_offline(False)
    page.wait_for_selector("#fo-form-status[data-state='sent']", timeout=20_000)
    stored = rt.db.fetch_one("SELECT answers, complete FROM form_answers WHERE task_id = %s", (task["id"],))
    assert stored["answers"]["serial"] == "SN-4711-0042" and not stored["complete"]
    assert stored["answers"]["used"] == [{"part": fuse["id"], "qty": 2}, {"part": cable["id"], "qty": 3.5}]
    assert {key: stored["answers"][key] for key in ("reading", "condition", "checks", "next_visit", "remarks")} == {
        "reading": 1234.5,
        "condition": "worn",
        "checks": ["seal", "display"],
        "next_visit": "2027-01-15",
        "remarks": "Seal renewed.",
    }
    [photo_id] = stored["answers"]["meter"]
    kept = rt.db.fetch_one(
        "SELECT content_type, octet_length(bytes) AS size FROM form_files WHERE id = %s", (photo_id,)
    )
    assert kept["content_type"] == "image/jpeg" and kept["size"] > 1000

    page.click("#fo-form-close")
    page.click(f"{card} >> text=Check out")
    refusal = page.wait_for_selector(f"{card} .fo-m-card-result >> text=The form is not complete")
    assert "Customer signature" in refusal.inner_text()
    assert rt.db.fetch_one("SELECT state FROM tasks WHERE id = %s", (task["id"],))["state"] == "on_site"
    page.screenshot(path=screenshot_path("visit_form_refused"), full_page=True)

    page.click(f"#mobile-form-{task['id']}")
    canvas = page.locator("[data-field='signature'] canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 20 + step * 11, box["y"] + box["height"] * (0.7 - 0.4 * ((step % 6) / 6)))
    page.mouse.up()
    page.wait_for_selector("#fo-form-missing[data-complete='yes']")
    page.wait_for_selector("#fo-form-status[data-state='sent']", timeout=20_000)
    page.wait_for_selector("[data-field='signature'] .fo-form-signed >> text=✓ Signed")
    page.screenshot(path=screenshot_path("visit_form_complete"))
    page.click("#fo-form-close")
    page.click(f"{card} >> text=Check out")
    page.wait_for_selector(f"{card} .fo-m-card-result >> text=Checked out")
    assert rt.db.fetch_one("SELECT state FROM tasks WHERE id = %s", (task["id"],))["state"] == "done"
    page.screenshot(path=screenshot_path("visit_form_done"), full_page=True)
    phone.close()

    answers = rt.db.fetch_one("SELECT answers, complete FROM form_answers WHERE task_id = %s", (task["id"],))
    assert answers["complete"] and isinstance(answers["answers"]["signature"], int)
    signature = rt.db.fetch_one("SELECT content_type FROM form_files WHERE id = %s", (answers["answers"]["signature"],))
    assert signature["content_type"] == "image/png"
    token = issue(rt.db, "forms sync", ["forms:read"], None, 30, None)
    api = browser.new_context()
    listed = api.request.get(
        f"{server.url}/api/v1/form-answers?task_id={task['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert listed.status == 200, listed.text()
    [record] = listed.json()["data"]
    assert record["complete"] and record["form_version"] == 1
    given = {f["id"]: f["value"] for f in record["fields"]}
    assert given == {key: answers["answers"].get(key) for key in given}
    assert {f["label"] for f in record["fields"]} >= {"Photo of the meter", "Serial number", "Customer signature"}
    api.close()

    # The visit's service report, made as the worker makes it, read back as an image: the answers typed on the
    # phone, the parts by name, and the drawn signature among its pictures (with the photo).
    report_id = make_report(rt, task["id"])
    pdf = bytes(rt.db.fetch_one("SELECT pdf FROM service_reports WHERE id = %s", (report_id,))["pdf"])
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    shutil.copy(pages[0], screenshot_path("visit_form_service_report"))
    text = squeezed("".join(pytesseract.image_to_string(Image.open(page)) for page in pages))
    for shown in ("Serial number", "SN-4711-0042", "Fuse 10 A", "Cable", "Customer signature"):
        assert squeezed(shown) in text, f"{shown!r} not in the report"
    listing = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "report.pdf")], check=True, capture_output=True, text=True
    ).stdout
    pictures = [line.split() for line in listing.splitlines()[2:] if line.split()[2:3] == ["image"]]
    assert len(pictures) >= 2, "the meter's photo and the signature are in the report"
