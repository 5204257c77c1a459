"""Visit photos (issue 19) on real PostgreSQL: the server stamps a copy (read back by OCR), keeps the phone's
bytes and their SHA-256, flags the same picture sent again on another visit, and serves the original only to the
roles that check photos, in their scope. The phone and the customer page in a browser: tests/browser/
test_visit_photos.py; the stamp itself without a server: tests/unit/test_photos.py."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.work.phone import MobileError, PhoneFix, save_visit_note
from data import activities
from tests.conftest import make_app, sign_in, signed_in_client
from tests.pictures import band_text, encoded, scene, squeezed

START_MS = 1_790_000_000_000
NOW = datetime.fromtimestamp(START_MS / 1000, UTC)


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


@pytest.fixture
def rt(app):
    return app.server.extensions["fieldops"]


def _person(rt, code: str) -> dict:
    return rt.db.fetch_one("SELECT id, name FROM employees WHERE code = %s", (code,))


def _sites(rt, count: int) -> list[dict]:
    return rt.db.fetch_all(
        """SELECT z.customer_id, z.center_lat, z.center_lon, c.name FROM zones z
           JOIN customers c ON c.id = z.customer_id
           WHERE z.kind = 'customer_site' AND c.name ~ '^[A-Za-z ]+$' ORDER BY z.id LIMIT %s""",
        (count,),
    )


def _visit(rt, employee_id: int, site: dict, at: datetime, check: dict | None = None) -> int:
    visit = activities.open_visit(rt.db, employee_id, site["customer_id"], None, at, source="mobile")
    if check is not None:
        activities.record_presence(rt.db, employee_id, site["customer_id"], None, "check_in", at, check, visit["id"])
    return visit["id"]


def _photo(rt, note_id: int) -> dict:
    return rt.db.fetch_one("SELECT * FROM note_photos WHERE activity_id = %s", (note_id,))


def test_the_original_is_kept_byte_for_byte_and_the_stamp_reads_back(rt):
    me, [site] = _person(rt, "E0001"), _sites(rt, 1)
    visit = _visit(rt, me["id"], site, NOW, {"verified": True, "distance_m": 14.2, "accuracy_m": 9.0})
    original = encoded(scene("discs"))
    note = save_visit_note(rt, me["id"], visit, "Shelf photo", ("image/jpeg", original), NOW)
    row = _photo(rt, note)
    assert bytes(row["bytes"]) == original and row["content_type"] == "image/jpeg"
    assert row["sha256"] == hashlib.sha256(original).hexdigest()
    text = band_text(bytes(row["stamped"]), 900)
    local = NOW.astimezone(rt.settings.tz)
    for expected in (me["name"], site["name"], f"{local:%Y-%m-%d %H:%M}", "site: 14 m", "accuracy: 9 m"):
        assert squeezed(expected) in text, (expected, text)
    assert row["phash"] is not None and row["duplicate_of"] is None


def test_the_phones_fix_sent_with_the_note_gives_the_distance(rt):
    me, [site] = _person(rt, "E0001"), _sites(rt, 1)
    visit = _visit(rt, me["id"], site, NOW)  # a geofence's visit: no check-in measured anything
    fix = PhoneFix(site["center_lat"] + 0.0005, site["center_lon"], 6.0, START_MS)  # about 56 m north
    note = save_visit_note(rt, me["id"], visit, "From the gate", ("image/png", encoded(scene("bars"), "PNG")), NOW, fix)
    text = band_text(bytes(_photo(rt, note)["stamped"]), 900)
    assert "site:56m" in text and "accuracy:6m" in text, text
    plain = save_visit_note(rt, me["id"], None, "No visit", ("image/jpeg", encoded(scene("bars"))), NOW)
    assert "nocustomer" in band_text(bytes(_photo(rt, plain)["stamped"]), 900)


def test_the_same_picture_on_another_visit_is_flagged_and_another_picture_is_not(rt):
    me, colleague, elsewhere = _person(rt, "E0001"), _person(rt, "E0005"), _person(rt, "E0002")
    a, b, c = _sites(rt, 3)
    first_visit = _visit(rt, me["id"], a, NOW - timedelta(days=2))
    first = save_visit_note(rt, me["id"], first_visit, "Display", ("image/jpeg", encoded(scene("discs"))), NOW)
    again_same_visit = save_visit_note(
        rt, me["id"], first_visit, "Display again", ("image/jpeg", encoded(scene("discs"), quality=60)), NOW
    )
    assert _photo(rt, again_same_visit)["duplicate_of"] is None  # two notes of one visit may show one shelf
    resized = encoded(scene("discs").resize((640, 480)), quality=50)
    second = save_visit_note(
        rt, colleague["id"], _visit(rt, colleague["id"], b, NOW), "Display", ("image/jpeg", resized), NOW
    )
    flagged = _photo(rt, second)
    assert flagged["duplicate_of"] in (first, again_same_visit) and flagged["duplicate_bits"] <= 8
    different = save_visit_note(
        rt, elsewhere["id"], _visit(rt, elsewhere["id"], c, NOW), "Other", ("image/jpeg", encoded(scene("bars"))), NOW
    )
    assert _photo(rt, different)["duplicate_of"] is None


def test_a_photo_older_than_the_window_is_not_compared(rt):
    me, colleague = _person(rt, "E0001"), _person(rt, "E0005")
    a, b = _sites(rt, 2)
    long_ago = NOW - timedelta(days=45)
    old = _visit(rt, me["id"], a, long_ago)
    save_visit_note(rt, me["id"], old, "Old", ("image/jpeg", encoded(scene("discs"))), long_ago)
    activities.close_visit(rt.db, me["id"], long_ago + timedelta(minutes=5))
    note = save_visit_note(
        rt, colleague["id"], _visit(rt, colleague["id"], b, NOW), "New", ("image/jpeg", encoded(scene("discs"))), NOW
    )
    assert _photo(rt, note)["duplicate_of"] is None


def test_an_unreadable_photo_is_refused_and_no_note_is_kept(rt):
    me = _person(rt, "E0001")
    with pytest.raises(MobileError, match="could not be read"):
        save_visit_note(rt, me["id"], None, "Broken", ("image/jpeg", b"\xff\xd8\xff" + b"\x00" * 64), NOW)
    assert rt.db.fetch_one("SELECT count(*) AS n FROM activities WHERE kind = 'note'")["n"] == 0


def test_the_original_is_served_to_supervisors_in_scope_only(app, rt):
    me, outside = _person(rt, "E0001"), _person(rt, "E0002")  # North (the supervisor's team), East
    a, b = _sites(rt, 2)
    original = encoded(scene("discs"), "PNG")
    mine = save_visit_note(rt, me["id"], _visit(rt, me["id"], a, NOW), "Mine", ("image/png", original), NOW)
    theirs = save_visit_note(
        rt, outside["id"], _visit(rt, outside["id"], b, NOW), "Theirs", ("image/jpeg", encoded(scene("bars"))), NOW
    )
    supervisor = app.server.test_client()
    sign_in(supervisor, "supervisor")
    answer = supervisor.get(f"/photos/{mine}/original")
    assert answer.status_code == 200 and answer.data == original and answer.mimetype == "image/png"
    assert answer.headers["X-Content-SHA256"] == hashlib.sha256(original).hexdigest()
    for path, status in (
        (f"/photos/{theirs}/original", 404),  # another team's
        ("/photos/999999999/original", 404),
        (f"/photos/{2**64}/original", 404),
        ("/photos/x/original", 404),
        ("/photos/1", 404),
    ):
        refused = supervisor.get(path)
        assert refused.status_code == status, path
    field = app.server.test_client()
    sign_in(field, "field")
    assert field.get(f"/photos/{mine}/original").status_code == 403  # the phone's own view is the stamped copy
    assert app.server.test_client().get(f"/photos/{mine}/original").status_code in (401, 404)


def test_the_phones_api_stamps_with_the_fix_it_sends(app, rt):
    me, [site] = _person(rt, "E0001"), _sites(rt, 1)
    visit = _visit(rt, me["id"], site, NOW)
    client = signed_in_client(app, "field")
    photo = "data:image/jpeg;base64," + base64.b64encode(encoded(scene("discs"))).decode()
    fix = {"lat": site["center_lat"], "lon": site["center_lon"], "accuracy": 7, "ts": START_MS}
    saved = client.post("/api/v1/me/notes", json={"text": "Via API", "visit_id": visit, "photo": photo, "fix": fix})
    assert saved.status_code == 201, saved.get_json()
    text = band_text(bytes(_photo(rt, saved.get_json()["id"])["stamped"]), 900)
    assert "site:0m" in text and "accuracy:7m" in text, text
    broken = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40).decode()
    refused = client.post("/api/v1/me/notes", json={"text": "x", "visit_id": visit, "photo": broken})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "bad_photo"
