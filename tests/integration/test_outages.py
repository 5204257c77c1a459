"""Outages answered properly (issue 14): the real app on a PostgreSQL and a Redis of the test's own
(tests/conftest.py's own_postgres and own_redis), stopped and started here; the machine's are never touched.

While PostgreSQL is down, known devices go on sending with the last good privacy rules and device
register, and their fixes are stored once it is back; programs get 503 with Retry-After (problem+json
under /api/), people a page in their language that tries again by itself. While Redis is down, ingest
answers 503 with Retry-After, never 500."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from datetime import time as clock

import pytest
from dash import Dash

from dashboard.core.runtime import Runtime
from dashboard.ingest.privacy import REFRESH_S
from dashboard.ingest.trackers import CACHE_TTL_S
from dashboard.work.accounts import create_account
from dashboard.work.tokens import SCOPES, issue
from dashboard.writer.worker import Writer
from data import devices, employees, org_settings, positions, working_hours
from data.db import Database
from data.migrate import migrate
from tests.conftest import make_app, post_callback, sign_in, track_around_the_clock, wait_until

# Past every per-process copy's time to live: a request now must re-read, and PostgreSQL is not there.
OUTLIVE_COPIES_S = max(REFRESH_S, CACHE_TTL_S, Runtime.ORG_SETTINGS_TTL_S) + 1
PASSWORD = "outage-password-1"
OT_PASSWORD = "outage-owntracks-1"
NATIVE_TOKEN = "outage-native-token-1"
FLEET_CALLBACK = (
    "livemap-feed.data",
    {"livemap-tick.n_intervals": 1, "livemap-team.value": None},
    {"livemap-cursor.data": None},
)


@dataclass
class Stack:
    app: Dash
    rt: Runtime
    stop_writer: threading.Event
    sent: int = 0

    def send_each_protocol(self, expect: int = 200) -> list:
        """One fix by OsmAnd, one by the native batch, one by OwnTracks; each a second after the last."""
        client = self.app.server.test_client()
        start_s = int(time.time()) - 300
        answers = []
        for protocol in ("osmand", "native", "owntracks"):
            ts = start_s + self.sent
            if protocol == "osmand":
                answer = client.get(f"/ingest/osmand?id=pia-phone&lat=60.17&lon=24.94&timestamp={ts}")
            elif protocol == "native":
                body = {"positions": [{"ts": ts, "lat": 60.17, "lon": 24.94}]}
                answer = client.post(
                    "/api/v1/positions", json=body, headers={"Authorization": f"Bearer {NATIVE_TOKEN}"}
                )
            else:
                credentials = base64.b64encode(f"pia:{OT_PASSWORD}".encode()).decode()
                answer = client.post(
                    "/ingest/owntracks?u=pia&d=phone",
                    json={"_type": "location", "tst": ts, "lat": 60.17, "lon": 24.94},
                    headers={"Authorization": f"Basic {credentials}"},
                )
            assert answer.status_code == expect, (protocol, answer.status_code, answer.data[:300])
            if answer.status_code == 200:
                self.sent += 1
            answers.append(answer)
        return answers


def _start(settings) -> Stack:
    app = make_app(settings)
    rt = app.server.extensions["fieldops"]
    stop = threading.Event()
    writer = Writer(rt, "outage-writer", claim_idle_ms=500)
    threading.Thread(target=writer.run, args=(stop, 100), daemon=True).start()
    return Stack(app, rt, stop)


def _populate(db: Database, tz) -> str:
    """Pia, tracked around the clock, with a tracker of each protocol; Otto, never in working hours (his only
    hours are on a day three days away) while the organisation keeps coarse cells; a manager; an API token."""
    employee_id = employees.create_employee(db, "P1", "Pia Persistent", None)
    track_around_the_clock(db, employee_id)
    devices.add_device(db, "pia-phone", employee_id, "osmand", None)
    devices.add_device(db, "pia-native", employee_id, "native", NATIVE_TOKEN)
    devices.add_device(db, "pia/phone", employee_id, "owntracks", OT_PASSWORD)
    otto = employees.create_employee(db, "O1", "Otto Offhours", None)
    elsewhere = (datetime.now(tz).weekday() + 3) % 7
    working_hours.replace_slots(db, [(elsewhere, clock(9), clock(10))], employee_id=otto)
    devices.add_device(db, "otto-phone", otto, "osmand", None)
    org_settings.set_setting(db, "privacy.off_hours", "coarse", None)
    create_account(db, "boss", PASSWORD, "manager")
    return issue(db, "outage", SCOPES, None, 30, None)


@pytest.fixture
def pg_stack(settings, own_postgres) -> Iterator[tuple[Stack, object, str]]:
    """The app and a writer on a PostgreSQL of the test's own: (stack, its server, an API token)."""
    server, url = own_postgres
    db = Database(url)
    migrate(db)
    token = _populate(db, settings.tz)
    db.close()
    stack = _start(replace(settings, database_url=url))
    yield stack, server, token
    stack.stop_writer.set()
    server.start()  # a test that failed while it was stopped leaves it so
    stack.rt.close()


@pytest.fixture
def redis_stack(settings, own_redis) -> Iterator[tuple[Stack, object]]:
    """The app and a writer on a Redis of the test's own: (stack, its server)."""
    db = Database(settings.database_url)
    _populate(db, settings.tz)
    db.close()
    stack = _start(replace(settings, redis_url=own_redis.url))
    yield stack, own_redis
    stack.stop_writer.set()
    stack.rt.close()


def test_with_postgres_down_known_devices_go_on_sending_and_nothing_is_lost(pg_stack, caplog):
    stack, server, _token = pg_stack
    otto = stack.app.server.test_client()
    stack.send_each_protocol()  # the device register and the privacy rules are read while PostgreSQL is up
    assert _send_off_hours(otto, 0).status_code == 200  # Otto's coarse cell goes straight to PostgreSQL
    wait_until(lambda: positions.count(stack.rt.db) == 3, "the first fixes to be stored")
    server.stop()
    time.sleep(OUTLIVE_COPIES_S)
    stack.send_each_protocol()  # kept rules, kept devices: accepted into the stream
    stack.send_each_protocol()  # and again, past the first failed re-read (backoff, no error per request)
    assert stack.rt.feed.stream_backlog() == 6
    refused = _send_off_hours(otto, 1)  # no 200 for a coarse cell that cannot be stored: the tracker keeps it
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    outages = [r.getMessage().split(" failed")[0] for r in caplog.records if r.name == "dashboard.core.errors"]
    assert sorted(outages) == ["device register", "privacy rules"]  # once per outage, not once per request
    server.start()
    wait_until(lambda: stack.rt.feed.stream_backlog() == 0, "the backlog to drain after the outage", 60)
    row = stack.rt.db.fetch_one("SELECT count(*) AS n, count(DISTINCT ts) AS d FROM positions")
    assert row["n"] == row["d"] == stack.sent == 9
    stack.send_each_protocol()  # and the rules are read again
    assert _send_off_hours(otto, 1).status_code == 200
    assert stack.rt.db.fetch_one("SELECT sum(fixes) AS n FROM coarse_presence")["n"] == 2


def _send_off_hours(client, second: int):
    """A fix of Otto, outside his working hours, while the organisation keeps coarse cells then."""
    ts = int(time.time()) - 300 + second
    return client.get(f"/ingest/osmand?id=otto-phone&lat=60.2&lon=24.9&timestamp={ts}")


def test_with_postgres_down_programs_get_503_and_people_a_page_that_retries(pg_stack):
    stack, server, token = pg_stack
    person = stack.app.server.test_client()
    assert sign_in(person, "boss", PASSWORD).status_code == 302
    with person.session_transaction() as session:
        person.environ_base["HTTP_X_CSRFTOKEN"] = session["csrf"]
    assert person.get("/").status_code == 200
    server.stop()

    api = stack.app.server.test_client().get("/api/v1/teams", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.mimetype == "application/problem+json"
    problem = api.get_json()
    assert (problem["type"], problem["title"], problem["status"]) == ("about:blank", "Service Unavailable", 503)
    assert problem["error"]["code"] == "unavailable" and problem["dependency"] == "postgresql"
    assert problem["detail"] == problem["error"]["message"] and "PostgreSQL" in problem["detail"]

    page = person.get("/", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 503 and page.mimetype == "text/html" and page.headers["Retry-After"] == "30"
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "数据库" in html and 'http-equiv="refresh"' in html

    callback = post_callback(person, *FLEET_CALLBACK, changed="livemap-tick.n_intervals")
    assert callback.status_code == 503 and callback.mimetype == "application/json"
    assert callback.headers["Retry-After"] == "30" and callback.get_json()["error"]["code"] == "unavailable"

    stranger = stack.app.server.test_client()
    assert stranger.get("/login").status_code == 200  # the form needs no database
    refused = sign_in(stranger, "boss", PASSWORD)
    assert refused.status_code == 503 and 'id="login-error"' in refused.get_data(as_text=True)
    assert "PostgreSQL" in refused.get_data(as_text=True)

    unknown = stack.app.server.test_client().get("/ingest/osmand?id=never-seen&lat=60.1&lon=24.9")
    assert unknown.status_code == 503 and unknown.headers["Retry-After"] == "30"

    server.start()
    wait_until(lambda: person.get("/").status_code == 200, "pages to answer again once PostgreSQL is back")


def test_with_redis_down_ingest_answers_503_with_retry_after_never_500(redis_stack):
    stack, redis_server = redis_stack
    stack.send_each_protocol()
    person = stack.app.server.test_client()
    assert sign_in(person, "boss", PASSWORD).status_code == 302
    redis_server.stop()

    osmand, native, owntracks = stack.send_each_protocol(expect=503)
    for answer in (osmand, native, owntracks):
        assert answer.headers["Retry-After"] == "30"
        assert answer.get_json()["error"]["code"] == "unavailable" and answer.get_json()["dependency"] == "redis"
    assert native.mimetype == "application/problem+json"  # /api/v1/positions is under /api/
    assert osmand.mimetype == owntracks.mimetype == "application/json"

    with person.session_transaction() as session:
        person.environ_base["HTTP_X_CSRFTOKEN"] = session["csrf"]
    assert person.get("/").status_code == 200  # the page needs no Redis; its live feed does:
    callback = post_callback(person, *FLEET_CALLBACK, changed="livemap-tick.n_intervals")
    assert callback.status_code == 503 and callback.get_json()["dependency"] == "redis"

    redis_server.start()
    wait_until(lambda: _sends(stack), "ingest to answer 200 once Redis is back")


def _sends(stack: Stack) -> bool:
    try:
        stack.send_each_protocol()
    except AssertionError:
        return False
    return True
