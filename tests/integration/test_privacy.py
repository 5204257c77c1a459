"""Tracking only in working hours, coarse presence, pauses and retention — enforced, not promised. The
working-hours rule itself is tested in tests/unit/test_privacy.py."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import pytest

from dashboard.demo.seed import device_token, employee_code
from dashboard.ingest.privacy import tracking_policy
from dashboard.writer.retention import purge_old_positions
from data import org_settings, working_hours
from data.positions import PositionRow, insert_positions
from tests.conftest import SECRET, make_app


@pytest.fixture
def client(seeded_settings):
    app = make_app(seeded_settings)
    yield app.server.test_client()
    app.server.extensions["fieldops"].close()


def _employee(rt, number=2):
    return rt.db.fetch_one("SELECT id, team_id FROM employees WHERE code = %s", (employee_code(number),))


def _send(client, number=2):
    headers = {"Authorization": f"Bearer {device_token(SECRET, employee_code(number))}"}
    return client.post(
        "/api/v1/positions",
        headers=headers,
        json={"positions": [{"ts": int(time.time()), "lat": 60.1701, "lon": 24.9402}]},
    )


def _hours_excluding_now(rt) -> list:
    """One hour on another weekday: whatever the time now, it is outside these hours."""
    other_day = (datetime.now(rt.settings.tz).weekday() + 3) % 7
    return [(other_day, clock(9), clock(10))]


def test_positions_outside_working_hours_are_not_stored(client):
    rt = client.application.extensions["fieldops"]
    person = _employee(rt)
    working_hours.replace_slots(rt.db, _hours_excluding_now(rt), employee_id=person["id"])
    tracking_policy(rt).refresh(force=True)
    answer = _send(client)
    assert answer.status_code == 200 and answer.get_json()["withheld"] == 1
    assert rt.feed.latest(person["id"]) is None
    assert rt.feed.stream_backlog() == 0


def test_outside_working_hours_only_a_coarse_cell_is_kept_when_the_organisation_chooses(client):
    rt = client.application.extensions["fieldops"]
    person = _employee(rt)
    working_hours.replace_slots(rt.db, _hours_excluding_now(rt), employee_id=person["id"])
    org_settings.set_setting(rt.db, "privacy.off_hours", "coarse", None)
    tracking_policy(rt).refresh(force=True)
    assert _send(client).get_json()["withheld"] == 1
    row = rt.db.fetch_one("SELECT cell, fixes FROM coarse_presence WHERE employee_id = %s", (person["id"],))
    import h3

    assert h3.get_resolution(h3.int_to_str(row["cell"])) == 7 and row["fixes"] == 1
    assert rt.feed.latest(person["id"]) is None


def test_an_employees_hours_beat_their_teams(client):
    rt = client.application.extensions["fieldops"]
    person = _employee(rt)
    working_hours.replace_slots(rt.db, [], team_id=person["team_id"])  # the team: never
    working_hours.replace_slots(rt.db, [(d, clock(0), clock(0)) for d in range(7)], employee_id=person["id"])
    tracking_policy(rt).refresh(force=True)
    assert _send(client).get_json()["withheld"] == 0
    assert rt.feed.latest(person["id"]) is not None


def test_retention_drops_old_days_and_keeps_visits(seeded_rt):
    rt = seeded_rt
    person = _employee(rt)["id"]
    old = datetime.now(UTC) - timedelta(days=100)
    recent = datetime.now(UTC) - timedelta(hours=1)
    insert_positions(
        rt.db, [PositionRow(person, ts, 60.17, 24.94, None, None, None, 0, "native") for ts in (old, recent)]
    )
    customer = rt.db.fetch_one("SELECT id FROM customers LIMIT 1")["id"]
    rt.db.execute(
        "INSERT INTO activities (employee_id, customer_id, kind, started_at, ended_at) "
        "VALUES (%s, %s, 'visit', %s, %s)",
        (person, customer, old, old + timedelta(minutes=20)),
    )
    dropped = purge_old_positions(rt.db, 90)
    assert f"positions_{old:%Y%m%d}" in dropped
    assert rt.db.fetch_one("SELECT count(*) AS n FROM positions")["n"] == 1
    assert rt.db.fetch_one("SELECT count(*) AS n FROM activities WHERE kind = 'visit'")["n"] == 1
    assert insert_positions(rt.db, [PositionRow(person, old, 60.17, 24.94, None, None, None, 0, "gpx")]) == 1
