"""The guard, health, language and page routes, through Flask's test client."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from tests.conftest import csrf_headers, make_app, post_callback, sign_in


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def test_health_names_both_services(app):
    answer = app.server.test_client().get("/healthz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["status"], body["ready"], body["postgres"], body["redis"]) == ("ok", True, "ok", "ok")
    writer = {key: body["writer"][key] for key in ("backlog", "lag_s", "backlog_limit", "heartbeat_age_s", "writers")}
    assert writer == {"backlog": 0, "lag_s": 0.0, "backlog_limit": 2_000_000, "heartbeat_age_s": None, "writers": []}
    assert app.server.test_client().get("/readyz").status_code == 200


def test_with_redis_down_liveness_answers_and_readiness_is_503(seeded_settings):
    app = make_app(replace(seeded_settings, redis_url="redis://127.0.0.1:1/0"))
    client = app.server.test_client()
    alive, ready = client.get("/healthz"), client.get("/readyz")
    assert alive.status_code == 200 and ready.status_code == 503
    for answer in (alive, ready):
        body = answer.get_json()
        assert body["status"] == "degraded" and body["redis"].startswith("down")
        assert body["postgres"] == "ok"
        assert body["reasons"] == [f"redis: {body['redis']}"]
    app.server.extensions["fieldops"].close()


def test_the_live_map_page_is_served(app):
    client = app.server.test_client()
    sign_in(client, "manager")
    answer = client.get("/")
    assert answer.status_code == 200
    assert b"FieldOps" in answer.data
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_paths_are_404(app):
    client = app.server.test_client()
    sign_in(client, "manager")
    assert client.get("/no/such/page").status_code == 404


def test_an_unknown_page_is_a_small_page_with_a_way_home(app):
    client = app.server.test_client()
    sign_in(client, "field")
    answer = client.get("/no/such/page")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert "This page does not exist." in page and 'href="/m"' in page


def test_a_page_the_role_may_not_open_is_refused_in_the_viewers_language(app):
    client = app.server.test_client()
    sign_in(client, "field")
    answer = client.get("/admin/users", headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 403 and answer.mimetype == "text/html"
    assert "您无权访问此页面。" in answer.get_data(as_text=True)


def test_errors_on_the_api_are_json_in_one_shape(app):
    client = app.server.test_client()
    answer = client.get("/api/v1/no/such/path")
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == 'Bearer realm="fieldops-api"'
    assert answer.get_json()["error"]["code"] == "token_required"
    answer = client.put("/ingest/osmand")
    assert answer.status_code == 405 and "POST" in answer.headers["Allow"]
    assert answer.get_json() == {"error": {"code": "method_not_allowed", "message": "use GET, HEAD, OPTIONS, POST"}}


def test_a_callback_that_the_app_does_not_have_is_refused(app):
    body = {
        "output": "anything.children",
        "outputs": {"id": "anything", "property": "children"},
        "inputs": [],
        "changedPropIds": [],
    }
    client = app.server.test_client()
    sign_in(client, "manager")
    answer = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_headers(client)
    )
    assert answer.status_code == 403


def test_the_fleet_callback_answers_through_the_guard(app):
    client = app.server.test_client()
    sign_in(client, "manager")
    answer = post_callback(
        client,
        "livemap-feed.data",
        {"livemap-tick.n_intervals": 1, "livemap-team.value": None},
        {"livemap-cursor.data": None},
        changed="livemap-tick.n_intervals",
    )
    assert answer.status_code == 200
    payload = answer.get_json()["response"]["livemap-feed"]["data"]
    assert payload["full"] is True and "offline_after_ms" in payload


def test_the_chosen_language_is_remembered(app):
    client = app.server.test_client()
    answer = client.get("/language/zh-CN")
    assert answer.status_code == 302
    cookie = answer.headers["Set-Cookie"]
    assert "fieldops_lang=zh-CN" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/language/xx").status_code == 400


def test_the_supervisor_sees_a_persons_check_ins_and_latest_note(app):
    from datetime import UTC, datetime

    from data import activities

    rt = app.server.extensions["fieldops"]
    person = rt.db.fetch_one("SELECT employee_id FROM users WHERE username = 'field'")["employee_id"]
    task = rt.db.fetch_one(
        "INSERT INTO tasks (customer_id, employee_id, state) SELECT id, %s, 'on_site' FROM customers LIMIT 1 "
        "RETURNING id, customer_id",
        (person,),
    )
    now = datetime.now(UTC)
    visit = activities.open_visit(rt.db, person, task["customer_id"], task["id"], now, source="mobile")
    check = {"verified": True}
    activities.record_presence(rt.db, person, task["customer_id"], task["id"], "check_in", now, check, visit["id"])
    activities.add_note(rt.db, person, visit["id"], now, "Boiler fixed; <b>ok</b>", None)
    client = app.server.test_client()
    sign_in(client, "supervisor")
    answer = post_callback(
        client,
        "livemap-details.children",
        {"livemap-selected.data": person, "livemap-details-tick.n_intervals": 1},
        changed="livemap-selected.data",
    )
    assert answer.status_code == 200
    text = json.dumps(answer.get_json(), ensure_ascii=False)
    assert "1 of 1 verified" in text and "Boiler fixed; <b>ok</b>" in text  # a text child, escaped by React


def test_first_requests_at_once_are_all_answered(seeded_settings):
    # Dash's first-request setup raced when two requests came at once (a tracker's POST beside a browser's GET).
    fresh = make_app(seeded_settings)
    start = threading.Barrier(8)

    def first_request(_n: int) -> int:
        client = fresh.server.test_client()
        start.wait()
        return client.get("/login").status_code

    try:
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(first_request, range(8))) == [200] * 8
    finally:
        fresh.server.extensions["fieldops"].close()
