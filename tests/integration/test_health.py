"""Issue 14, defect 10 and "health that tells the truth": /healthz (liveness) and /readyz (readiness)
name each dependency, the writers' heartbeats, the backlog against its limit; degraded states answer
/readyz 503 with the reason. /metrics gives Prometheus the same figures and the ingest and HTTP counters,
added up over every gunicorn worker."""

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from dashboard.writer.worker import Writer
from data import devices, employees, working_hours
from data.feed import Fix
from tests.conftest import free_port, make_app, real_time, track_around_the_clock, wait_until

ROOT = Path(__file__).resolve().parents[2]
NOW_MS = 1_790_000_000_000  # a pinned instant for fixes that go straight to the feed


@pytest.fixture
def app(settings):
    app = make_app(settings)
    yield app
    app.server.extensions["fieldops"].close()


def _tracked_device(db, identifier: str, around_the_clock: bool = True) -> int:
    employee_id = employees.create_employee(db, identifier.upper(), f"Person {identifier}", None)
    if around_the_clock:
        track_around_the_clock(db, employee_id)
    devices.add_device(db, identifier, employee_id, "osmand", None)
    return employee_id


def test_waiting_positions_with_no_writer_are_not_ready_and_liveness_still_answers(app):
    rt = app.server.extensions["fieldops"]
    rt.feed.publish([Fix(1, NOW_MS + i, 60.17, 24.94) for i in range(5)], "native")
    client = app.server.test_client()
    alive, ready = client.get("/healthz"), client.get("/readyz")
    assert (alive.status_code, ready.status_code) == (200, 503)
    for body in (alive.get_json(), ready.get_json()):
        assert body["status"] == "degraded" and not body["ready"]
        assert body["reasons"] == ["writer: no heartbeat ever while 5 positions wait"]
        assert body["writer"]["backlog"] == 5 and body["writer"]["heartbeat_age_s"] is None


def test_a_running_writer_makes_it_ready_and_is_named_with_its_heartbeat(app):
    rt = app.server.extensions["fieldops"]
    rt.feed.publish([Fix(1, NOW_MS + i, 60.17, 24.94) for i in range(5)], "native")
    stop = threading.Event()
    thread = threading.Thread(target=Writer(rt, "health-writer").run, args=(stop, 100), daemon=True)
    thread.start()
    try:
        wait_until(lambda: rt.feed.stream_backlog() == 0, "the writer to store the backlog")
        answer = app.server.test_client().get("/readyz")
        assert answer.status_code == 200
        body = answer.get_json()
        assert (body["status"], body["reasons"]) == ("ok", [])
        (writer,) = body["writer"]["writers"]
        assert writer["name"] == "health-writer" and writer["stored"] == 5
        assert 0 <= writer["heartbeat_age_s"] < 30 and body["writer"]["heartbeat_age_s"] < 30
    finally:
        stop.set()
        thread.join(10)


def test_a_backlog_near_its_limit_is_not_ready(settings):
    app = make_app(replace(settings, max_backlog=1000))
    rt = app.server.extensions["fieldops"]
    rt.feed.beat("busy-writer", NOW_MS, None, 0, now_ms=int(time.time() * 1000))  # a writer that just beat
    rt.feed.publish([Fix(1, NOW_MS + i, 60.17, 24.94) for i in range(900)], "native")
    try:
        answer = app.server.test_client().get("/readyz")
        assert answer.status_code == 503
        assert "backlog: 900 of 1,000 (ingest refuses at the limit)" in answer.get_json()["reasons"]
    finally:
        rt.close()


def _samples(text: str) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict[tuple, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_ingest_by_protocol_and_outcome_and_time_each_route(settings):
    app = make_app(replace(settings, max_backlog=1000))
    rt = app.server.extensions["fieldops"]
    _tracked_device(rt.db, "tracked")
    _tracked_device(rt.db, "off-hours", around_the_clock=False)  # no working hours: nothing is tracked
    working_hours.replace_slots(rt.db, [])  # not even the organisation's Mon-Fri 08-18, whatever the hour
    client = app.server.test_client()
    before = _samples(client.get("/metrics").get_data(as_text=True))
    now_s = int(time.time())
    assert client.get(f"/ingest/osmand?id=tracked&lat=60.17&lon=24.94&timestamp={now_s - 5}").status_code == 200
    assert client.get(f"/ingest/osmand?id=off-hours&lat=60.17&lon=24.94&timestamp={now_s - 5}").status_code == 200
    assert client.get(f"/ingest/osmand?id=tracked&lat=91&lon=24.94&timestamp={now_s - 4}").status_code == 400
    rt.feed.publish([Fix(1, NOW_MS + i, 60.17, 24.94) for i in range(1000)], "native")  # the backlog is full
    assert client.get(f"/ingest/osmand?id=tracked&lat=60.17&lon=24.94&timestamp={now_s - 3}").status_code == 503
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    after = _samples(answer.get_data(as_text=True))
    counted = {
        outcome: _value(after, "fieldops_ingest_positions_total", protocol="osmand", outcome=outcome)
        - _value(before, "fieldops_ingest_positions_total", protocol="osmand", outcome=outcome)
        for outcome in ("accepted", "withheld", "rejected", "refused")
    }
    assert counted == {"accepted": 1, "withheld": 1, "rejected": 1, "refused": 1}
    responses = {
        status: _value(after, "fieldops_http_responses_total", route="ingest", status=status)
        - _value(before, "fieldops_http_responses_total", route="ingest", status=status)
        for status in ("200", "400", "503")
    }
    assert responses == {"200": 2, "400": 1, "503": 1}
    timed = _value(after, "fieldops_http_request_duration_seconds_count", route="ingest") - _value(
        before, "fieldops_http_request_duration_seconds_count", route="ingest"
    )
    assert timed == 4
    assert _value(after, "fieldops_writer_backlog") == 1001  # the accepted fix and the 1,000 published
    assert _value(after, "fieldops_writer_backlog_limit") == 1000
    assert _value(after, "fieldops_ready") == 0  # no writer beats while positions wait
    assert _value(after, "fieldops_dependency_up", dependency="postgres") == 1
    rt.close()


def test_metrics_want_the_token_when_one_is_set(settings):
    app = make_app(replace(settings, metrics_token="scrape-secret"))
    client = app.server.test_client()
    try:
        refused = client.get("/metrics")
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert refused.get_json()["error"]["code"]  # a program asked: JSON, not a page
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        allowed = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert allowed.status_code == 200 and b"fieldops_ready" in allowed.data
    finally:
        app.server.extensions["fieldops"].close()


def test_metrics_add_up_every_gunicorn_worker(settings, tmp_path):
    rt_app = make_app(settings)
    rt = rt_app.server.extensions["fieldops"]
    _tracked_device(rt.db, "counted")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "FIELDOPS_REDIS_PREFIX": settings.redis_prefix,
        "SECRET_KEY": settings.secret_key,
        "FIELDOPS_DATA_DIR": str(tmp_path),
        "FIELDOPS_OSMAND_PORT": "off",
        "FIELDOPS_INGEST_PORT": "off",
        "FIELDOPS_TILE_URL": "none",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def serving() -> bool:
            try:
                return requests.get(f"{base}/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        def accepted() -> float:
            samples = _samples(requests.get(f"{base}/metrics", timeout=10).text)
            return _value(samples, "fieldops_ingest_positions_total", protocol="osmand", outcome="accepted")

        def send(first: int, count: int) -> None:
            for i in range(first, first + count):
                url = f"{base}/ingest/osmand?id=counted&lat=60.17&lon=24.94&timestamp={now_s - 60 + i}"
                assert requests.get(url, timeout=10).status_code == 200

        wait_until(serving, "fieldops serve to answer", timeout_s=90)
        now_s = int(real_time())
        send(0, 30)
        assert accepted() == 30
        workers = psutil.Process(server.pid).children()
        for worker in workers:  # gunicorn starts new workers: the dead ones' counts must still be counted
            worker.kill()
        psutil.wait_procs(workers, timeout=10)
        wait_until(serving, "new gunicorn workers to answer", timeout_s=90)
        send(30, 10)
        assert [accepted() for _scrape in range(3)] == [40, 40, 40]  # whichever worker answers, it adds up all
        assert {path.name.split("_")[0] for path in (tmp_path / "prometheus" / str(server.pid)).iterdir()} >= {
            "counter",
            "histogram",
        }
    finally:
        server.terminate()
        server.wait(20)
        rt.close()
    assert not (tmp_path / "prometheus" / str(server.pid)).exists()  # removed when serve stops
