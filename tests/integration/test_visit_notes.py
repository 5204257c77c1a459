"""A visit note, check-in or check-out always names its visit (issue 15): a person has at most one open visit,
whether the phone or the writer's geofence opened it, and a note goes on the visit the phone showed or
nowhere. Browser behaviour is in tests/browser/test_mobile.py."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dashboard.core.permissions import Viewer, scope_for
from dashboard.work.phone import VisitNotOpen, record_presence, save_visit_note
from dashboard.writer.visits import ARRIVAL_DWELL_S
from dashboard.writer.worker import Writer
from data import activities, users
from data.feed import Fix
from tests.conftest import make_app, signed_in_client

START_MS = 1_790_000_000_000  # the pinned instant every test works at
NOW = datetime.fromtimestamp(START_MS / 1000, UTC)


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


@pytest.fixture
def rt(app):
    return app.server.extensions["fieldops"]


@pytest.fixture
def field(rt) -> Viewer:
    user = users.get_user(rt.db, users.user_by_name(rt.db, "field")["id"])
    return Viewer(user["id"], "field", "field", user["employee_id"], scope_for("field", user["employee_id"], []))


def _sites(rt, count: int) -> list[dict]:
    return rt.db.fetch_all(
        """SELECT z.customer_id, z.center_lat, z.center_lon FROM zones z
           WHERE z.kind = 'customer_site' ORDER BY z.id LIMIT %s""",
        (count,),
    )


def _task(rt, employee_id: int, customer_id: int) -> int:
    return rt.db.fetch_one(
        "INSERT INTO tasks (customer_id, employee_id, state) VALUES (%s, %s, 'assigned') RETURNING id",
        (customer_id, employee_id),
    )["id"]


def _open_visits(rt, employee_id: int) -> list[dict]:
    return rt.db.fetch_all(
        """SELECT id, customer_id, task_id, source FROM activities
           WHERE employee_id = %s AND kind = 'visit' AND ended_at IS NULL""",
        (employee_id,),
    )


def _states(rt, *task_ids: int) -> list[str]:
    rows = rt.db.fetch_all("SELECT id, state FROM tasks WHERE id = ANY(%s)", (list(task_ids),))
    return [next(r["state"] for r in rows if r["id"] == task_id) for task_id in task_ids]


def _check_in(rt, viewer: Viewer, task_id: int, kind: str = "check_in") -> None:
    with time_machine.travel(NOW, tick=True):
        record_presence(rt, viewer, task_id, kind, None)


def test_a_check_in_elsewhere_checks_out_the_earlier_visit(rt, field):
    a, b = _sites(rt, 2)
    task_a, task_b = _task(rt, field.employee_id, a["customer_id"]), _task(rt, field.employee_id, b["customer_id"])
    _check_in(rt, field, task_a)
    [visit_a] = _open_visits(rt, field.employee_id)
    _check_in(rt, field, task_b)
    [visit_b] = _open_visits(rt, field.employee_id)
    assert (visit_b["customer_id"], visit_b["task_id"], visit_b["source"]) == (b["customer_id"], task_b, "mobile")
    assert _states(rt, task_a, task_b) == ["done", "on_site"]
    marks = rt.db.fetch_all(
        """SELECT kind, task_id, visit_id, attributes->>'reason' AS reason FROM activities
           WHERE employee_id = %s AND kind IN ('check_in', 'check_out') ORDER BY id""",
        (field.employee_id,),
    )
    assert [(m["kind"], m["task_id"], m["visit_id"]) for m in marks] == [
        ("check_in", task_a, visit_a["id"]),
        ("check_out", task_a, visit_a["id"]),
        ("check_in", task_b, visit_b["id"]),
    ]
    assert marks[1]["reason"] == "checked_in_elsewhere"
    _check_in(rt, field, task_b, "check_out")
    assert _open_visits(rt, field.employee_id) == []
    last = rt.db.fetch_one("SELECT visit_id FROM activities WHERE kind = 'check_out' ORDER BY id DESC LIMIT 1")
    assert last["visit_id"] == visit_b["id"]


def test_a_note_on_a_visit_that_has_ended_is_refused_and_nothing_is_stored(app, rt, field):
    a, b = _sites(rt, 2)
    task_a, task_b = _task(rt, field.employee_id, a["customer_id"]), _task(rt, field.employee_id, b["customer_id"])
    _check_in(rt, field, task_a)
    [shown] = _open_visits(rt, field.employee_id)  # what the phone displayed before the check-in at B
    _check_in(rt, field, task_b)
    with pytest.raises(VisitNotOpen):
        save_visit_note(rt, field.employee_id, shown["id"], "for A", None, NOW)
    client = signed_in_client(app, "field")
    refused = client.post("/api/v1/me/notes", json={"text": "for A", "visit_id": shown["id"]})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "visit_not_open"
    assert refused.get_json()["error"]["message"]
    assert rt.db.fetch_one("SELECT count(*) AS n FROM activities WHERE kind = 'note'")["n"] == 0
    [current] = _open_visits(rt, field.employee_id)
    saved = client.post("/api/v1/me/notes", json={"text": "for B", "visit_id": current["id"]})
    assert saved.status_code == 201
    note = rt.db.fetch_one("SELECT customer_id, task_id, visit_id, notes FROM activities WHERE kind = 'note'")
    assert note == {"customer_id": b["customer_id"], "task_id": task_b, "visit_id": current["id"], "notes": "for B"}
    day = rt.db.fetch_one("SELECT started_at FROM activities WHERE kind = 'note'")["started_at"]
    day = day.astimezone(rt.settings.tz).date()
    export = signed_in_client(app, "manager").get(f"/export/activities.csv?from={day}&to={day}")
    rows = csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")))
    [row] = [r for r in rows if r["kind"] == "note"]
    assert (row["task_id"], row["visit_id"], row["notes"]) == (str(task_b), str(current["id"]), "for B")


def test_a_note_for_another_persons_visit_is_refused(app, rt, field):
    [site] = _sites(rt, 1)
    other = rt.db.fetch_one("SELECT id FROM employees WHERE id <> %s ORDER BY id LIMIT 1", (field.employee_id,))
    visit = activities.open_visit(rt.db, other["id"], site["customer_id"], None, NOW)
    answer = signed_in_client(app, "field").post("/api/v1/me/notes", json={"text": "x", "visit_id": visit["id"]})
    assert answer.status_code == 409
    assert rt.db.fetch_one("SELECT count(*) AS n FROM activities WHERE kind = 'note'")["n"] == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "  "}, "no_text"),
        ({"text": "x", "visit_id": "7"}, "bad_visit"),
        ({"text": "x", "photo": "x"}, "bad_photo"),
    ],
)
def test_a_bad_note_from_the_phone_is_refused_with_a_reason(app, body, code):
    answer = signed_in_client(app, "field").post("/api/v1/me/notes", json=body)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == code


def test_with_no_open_visit_a_note_goes_on_no_customer(app, rt, field):
    answer = signed_in_client(app, "field").post("/api/v1/me/notes", json={"text": "Road closed", "visit_id": None})
    assert answer.status_code == 201
    note = rt.db.fetch_one("SELECT customer_id, task_id, visit_id FROM activities WHERE kind = 'note'")
    assert note == {"customer_id": None, "task_id": None, "visit_id": None}


def test_arrivals_at_the_same_moment_leave_one_open_visit(rt, field):
    sites = _sites(rt, 2)

    def arrive(i: int) -> dict:
        site = sites[i % 2]
        source = "mobile" if i % 2 else "geofence"
        return activities.open_visit(rt.db, field.employee_id, site["customer_id"], None, NOW, source=source)

    with ThreadPoolExecutor(max_workers=4) as pool:
        opened = list(pool.map(arrive, range(40)))
    assert len(opened) == 40
    assert len(_open_visits(rt, field.employee_id)) == 1


def _drive(rt, writer, employee_id, points, start_ms):
    fixes = [Fix(employee_id, start_ms + i * 10_000, lat, lon, 0.0) for i, (lat, lon) in enumerate(points)]
    rt.feed.publish(fixes, "native")
    return writer.process(rt.feed.read_stream("test", 1000, 100))


def test_the_geofence_arrival_keeps_the_visit_the_phone_opened(rt, field):
    [site] = _sites(rt, 1)
    task = _task(rt, field.employee_id, site["customer_id"])
    _check_in(rt, field, task)
    writer = Writer(rt, "test")
    writer.start()
    at_site, away = (site["center_lat"], site["center_lon"]), (site["center_lat"] + 0.01, site["center_lon"])
    _drive(rt, writer, field.employee_id, [at_site] * (ARRIVAL_DWELL_S // 10 + 3), START_MS + 1_000)
    [visit] = _open_visits(rt, field.employee_id)
    assert (visit["source"], visit["task_id"]) == ("mobile", task)
    _drive(rt, writer, field.employee_id, [away] * 10, START_MS + 200_000)
    visits = rt.db.fetch_all(
        "SELECT ended_at FROM activities WHERE kind = 'visit' AND employee_id = %s", (field.employee_id,)
    )
    assert len(visits) == 1 and visits[0]["ended_at"] is not None
    assert rt.db.fetch_one("SELECT state FROM tasks WHERE id = %s", (task,))["state"] == "done"


def test_a_phone_check_in_elsewhere_survives_the_writers_departure_from_the_first_site(rt, field):
    a, b = _sites(rt, 2)
    task_a, task_b = _task(rt, field.employee_id, a["customer_id"]), _task(rt, field.employee_id, b["customer_id"])
    writer = Writer(rt, "test")
    writer.start()
    at_a, away = (a["center_lat"], a["center_lon"]), (a["center_lat"] + 0.02, a["center_lon"])
    _drive(rt, writer, field.employee_id, [at_a] * (ARRIVAL_DWELL_S // 10 + 3), START_MS - 600_000)
    [geofence] = _open_visits(rt, field.employee_id)
    assert (geofence["customer_id"], geofence["task_id"], geofence["source"]) == (a["customer_id"], task_a, "geofence")
    _check_in(rt, field, task_b)
    _drive(rt, writer, field.employee_id, [away] * 10, START_MS + 10_000)
    [open_now] = _open_visits(rt, field.employee_id)
    assert (open_now["customer_id"], open_now["task_id"]) == (b["customer_id"], task_b)
    assert _states(rt, task_a, task_b) == ["done", "on_site"]


def test_older_rows_keep_an_unknown_visit(rt, field):
    [site] = _sites(rt, 1)
    rt.db.execute(
        "INSERT INTO activities (employee_id, customer_id, kind, started_at, notes) VALUES (%s, %s, 'note', %s, 'old')",
        (field.employee_id, site["customer_id"], NOW - timedelta(days=40)),
    )
    assert rt.db.fetch_one("SELECT visit_id FROM activities WHERE notes = 'old'")["visit_id"] is None
