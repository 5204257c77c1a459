"""Webhooks against a real HTTP receiver on 127.0.0.1: signed deliveries of events written in the
event's own transaction, retries with backoff, giving up, the delivery log, the test event, and the
refusal of private targets unless an admin allows them."""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest

from dashboard.work.webhooks import MAX_ATTEMPTS, Deliverer, WebhookError, retry_delay_s, send_test, subscribe
from data import activities, alerts, org_settings, webhooks


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with the next planned status."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status < 300 else b"receiver is down")

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def allowed(seeded_rt):
    """The tests' receiver is on 127.0.0.1: the explicit admin allowance for private targets."""
    org_settings.set_setting(seeded_rt.db, "webhooks.allow_private_targets", True, None)
    seeded_rt.forget_org_settings()
    return seeded_rt


def _person_and_customer(db) -> tuple[int, int]:
    row = db.fetch_one(
        "SELECT owner_employee_id AS e, id AS c FROM customers WHERE owner_employee_id IS NOT NULL LIMIT 1"
    )
    return row["e"], row["c"]


def _verify(secret: str, request: dict) -> bool:
    parts = dict(part.split("=", 1) for part in request["headers"]["FieldOps-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_a_completed_visit_reaches_the_receiver_signed(allowed, receiver):
    rt = allowed
    _id, secret = subscribe(rt, receiver.url, ["visit.completed"], None)
    person, customer = _person_and_customer(rt.db)
    start = datetime.now(UTC) - timedelta(minutes=20)
    visit_id = activities.open_visit(rt.db, person, customer, None, start)["id"]
    activities.close_visit(rt.db, person, start + timedelta(minutes=15))
    assert Deliverer(rt).deliver_due() == 1
    [request] = receiver.received
    assert _verify(secret, request)
    assert not _verify("whsec_someone-else", request)
    assert request["headers"]["FieldOps-Event"] == "visit.completed"
    body = orjson.loads(request["body"])
    assert body["event"] == "visit.completed" and body["data"]["visit_id"] == visit_id
    assert body["data"]["customer_id"] == customer and body["id"] == int(request["headers"]["FieldOps-Delivery"])
    [logged] = webhooks.delivery_log(rt.db)
    assert logged["delivered_at"] is not None and logged["last_status"] == 200 and logged["last_response"] == "thanks"


def test_a_failing_receiver_is_retried_with_backoff_then_succeeds(allowed, receiver):
    rt = allowed
    subscribe(rt, receiver.url, ["help.requested"], None)
    person, _customer = _person_and_customer(rt.db)
    alerts.raise_help(rt.db, person, 60.17, 24.94, 12.0)
    receiver.statuses = [500, 503]
    deliverer = Deliverer(rt)
    for attempt in (1, 2):
        before = datetime.now(UTC)
        assert deliverer.deliver_due() == 1
        [row] = webhooks.delivery_log(rt.db)
        assert row["attempts"] == attempt and row["delivered_at"] is None and row["last_status"] in (500, 503)
        assert row["last_response"] == "receiver is down"
        assert row["next_attempt_at"] >= before + timedelta(seconds=retry_delay_s(attempt))
        assert deliverer.deliver_due() == 0  # not due yet
        rt.db.execute("UPDATE webhook_deliveries SET next_attempt_at = %s", (datetime.now(UTC),))  # backoff passed
    assert deliverer.deliver_due() == 1
    [row] = webhooks.delivery_log(rt.db)
    assert row["attempts"] == 3 and row["delivered_at"] is not None
    assert len(receiver.received) == 3 and len({r["body"] for r in receiver.received}) == 1  # the same event each time


def test_backoff_doubles_up_to_an_hour_and_stops_after_max_attempts(allowed, receiver):
    assert [retry_delay_s(n) for n in (1, 2, 3, 4, 7, 8)] == [30, 60, 120, 240, 1920, 3600]
    rt = allowed
    sub_id, _secret = subscribe(rt, receiver.url, ["geofence.enter"], None)
    send_test(rt, sub_id, "admin")
    receiver.statuses = [500] * MAX_ATTEMPTS
    deliverer = Deliverer(rt)
    for _attempt in range(MAX_ATTEMPTS):
        assert deliverer.deliver_due() == 1
        rt.db.execute("UPDATE webhook_deliveries SET next_attempt_at = %s", (datetime.now(UTC),))
    [row] = webhooks.delivery_log(rt.db)
    assert row["attempts"] == MAX_ATTEMPTS and row["given_up_at"] is not None and row["delivered_at"] is None
    assert deliverer.deliver_due() == 0


def test_events_are_queued_only_for_their_subscribers(allowed, receiver):
    rt = allowed
    subscribe(rt, receiver.url, ["geofence.enter", "geofence.exit"], None)
    person, _customer = _person_and_customer(rt.db)
    now = datetime.now(UTC)
    activities.record_event(rt.db, person, "geofence_enter", now, "geofence", {"zone_id": 1, "zone": "North area"})
    activities.record_event(rt.db, person, "stay", now, "geofence", {"lat": 60.1, "lon": 24.9})
    alerts.raise_help(rt.db, person, None, None, None)
    assert [row["event"] for row in webhooks.delivery_log(rt.db)] == ["geofence.enter"]
    Deliverer(rt).deliver_due()
    assert orjson.loads(receiver.received[0]["body"])["data"]["zone"] == "North area"


def test_private_targets_are_refused_unless_an_admin_allows_them(seeded_rt, receiver):
    with pytest.raises(WebhookError):
        subscribe(seeded_rt, receiver.url, ["visit.completed"], None)
    with pytest.raises(WebhookError):
        subscribe(seeded_rt, "http://169.254.169.254/latest/meta-data", ["visit.completed"], None)
    org_settings.set_setting(seeded_rt.db, "webhooks.allow_private_targets", True, None)
    seeded_rt.forget_org_settings()
    sub_id, _secret = subscribe(seeded_rt, receiver.url, ["visit.completed"], None)
    org_settings.set_setting(seeded_rt.db, "webhooks.allow_private_targets", False, None)
    seeded_rt.forget_org_settings()
    send_test(seeded_rt, sub_id, "admin")
    Deliverer(seeded_rt).deliver_due()
    [row] = webhooks.delivery_log(seeded_rt.db)
    assert receiver.received == [] and row["last_status"] is None and "private" in row["last_error"]


def test_the_deliverer_loop_sends_a_test_event(allowed, receiver):
    sub_id, secret = subscribe(allowed, receiver.url, ["survey.answered"], None)
    send_test(allowed, sub_id, "admin")
    stop = threading.Event()
    thread = threading.Thread(target=Deliverer(allowed).run, args=(stop,), daemon=True)
    thread.start()
    for _ in range(100):
        if receiver.received:
            break
        stop.wait(0.1)
    stop.set()
    thread.join(5)
    assert receiver.received and _verify(secret, receiver.received[0])
    assert orjson.loads(receiver.received[0]["body"])["event"] == "test"


def test_task_state_changes_and_survey_answers_are_announced(allowed, receiver):
    from dashboard.work.lifecycle import change_state
    from dashboard.work.surveys import create_survey
    from data import feedback

    rt = allowed
    subscribe(rt, receiver.url, ["task.state_changed", "survey.answered"], None)
    person, customer = _person_and_customer(rt.db)
    task_id = rt.db.fetch_one(
        "INSERT INTO tasks (customer_id, employee_id, state) VALUES (%s, %s, 'assigned') RETURNING id",
        (customer, person),
    )["id"]
    change_state(rt, task_id, "accepted")
    survey = create_survey(rt, task_id)
    assert feedback.answer(rt.db, survey["nonce"], 5, "Quick and friendly", "en", datetime.now(UTC))
    Deliverer(rt).deliver_due()
    bodies = [orjson.loads(r["body"]) for r in receiver.received]
    assert [b["event"] for b in bodies] == ["task.state_changed", "survey.answered"]
    assert (bodies[0]["data"]["from_state"], bodies[0]["data"]["to_state"]) == ("assigned", "accepted")
    assert (bodies[1]["data"]["task_id"], bodies[1]["data"]["score"]) == (task_id, 5)
