"""The ingest server (`fieldops ingest`, dashboard/ingest/server/) beside the web app: the same protocol cases give
the same answers and publish the same stream entries through both; bad input is a 4xx with a reason; a full
backlog a 503 with Retry-After; concurrent requests share Redis calls and are stored exactly once; a removed
device is refused within about a second."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
import requests
import uvicorn

from dashboard.cli.ingest import listening
from dashboard.core.config import Settings
from dashboard.core.runtime import Runtime
from dashboard.ingest import trackers
from dashboard.ingest.server.app import IngestApp
from data import devices
from data.feed import Fix
from tests.conftest import free_port, make_app, real_time, wait_until
from tests.replay import drain

EMPLOYEE = 1
OT_USER, OT_DEVICE, OT_PASSWORD = "anna", "phone", "s3cret-password"
TOKEN = "native-device-token-for-the-ingest-server"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def web(seeded_settings):
    app = make_app(replace(seeded_settings, max_fix_age_s=3600))
    rt = app.server.extensions["fieldops"]
    devices.add_device(rt.db, "902064", EMPLOYEE, "osmand", None)
    devices.add_device(rt.db, f"{OT_USER}/{OT_DEVICE}", EMPLOYEE, "owntracks", OT_PASSWORD)
    devices.add_device(rt.db, "native-1", EMPLOYEE, "native", TOKEN)
    yield app
    rt.close()


@pytest.fixture
def rt(web):
    return web.server.extensions["fieldops"]


class Served:
    """An IngestApp under uvicorn in a thread, on a free port and an OsmAnd port of its own."""

    def __init__(self, settings: Settings) -> None:
        self.runtime = Runtime.open(settings)
        self.port, self.osmand_port = free_port(), free_port()
        self.app = IngestApp(self.runtime, osmand_port=self.osmand_port).start()
        sockets = [listening("127.0.0.1", self.port), listening("127.0.0.1", self.osmand_port)]
        config = uvicorn.Config(self.app, loop="uvloop", http="httptools", lifespan="on", log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=sockets)), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the ingest server did not start"
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.close()
        self.runtime.close()


@pytest.fixture
def ingest(rt):
    served = Served(rt.settings)
    yield served
    served.stop()


def _basic(user=OT_USER, password=OT_PASSWORD):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _osmand(query: str) -> tuple[str, str, dict]:
    return "GET", "/ingest/osmand", {"query_string": query}


def _owntracks(body: object, *, raw: bytes | None = None, headers: dict | None = None, path: str = "") -> tuple:
    headers = {**_basic(), "X-Limit-D": OT_DEVICE} if headers is None else headers
    request = {"data": raw, "headers": headers} if raw is not None else {"json": body, "headers": headers}
    return "POST", f"/ingest/owntracks{path}", request


def _native(body: object, *, raw: bytes | None = None, token: str | None = TOKEN) -> tuple[str, str, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = {"data": raw, "headers": headers} if raw is not None else {"json": body, "headers": headers}
    return "POST", "/api/v1/positions", request


def _cases(now_s: int) -> list[tuple[str, str, str, dict]]:
    """(name, method, path, request) — a request is Flask test client keywords: query_string, data, json, headers."""
    ts = now_s - 60
    at = f"lat=60.17&lon=24.94&timestamp={ts}"
    location = {"timestamp": ts, "coords": {"latitude": 60.18, "longitude": 24.95, "speed": 3.5}}
    form = {"deviceid": "902064", "location": "60.2,24.9", "timestamp": str(ts * 1000)}
    broken = {"data": b"{not json", "headers": {"Content-Type": "application/json"}}
    owntracks_location = {"_type": "location", "tst": ts, "lat": 60.17, "lon": 24.94, "vel": 36, "batt": 80}
    two_messages = [{"_type": "location", "tst": ts + 1, "lat": 60.2, "lon": 24.9}, {"_type": "lwt"}]
    cases = {
        "osmand query": _osmand(f"id=902064&{at}"),
        "osmand attributes": _osmand(f"id=902064&{at}&batt=87&charge=true&hdop=1.5"),
        "osmand form": ("POST", "/ingest/osmand", {"data": form}),
        "osmand json": ("POST", "/ingest/osmand", {"json": {"device_id": "902064", "location": location}}),
        "osmand json, a bad location": (
            "POST",
            "/ingest/osmand",
            {"json": {"device_id": "902064", "location": [location, {"coords": 1}]}},
        ),
        "osmand json, unknown device": ("POST", "/ingest/osmand", {"json": {"device_id": "x", "location": location}}),
        "osmand json, broken": ("POST", "/ingest/osmand", broken),
        "osmand json, not an object": ("POST", "/ingest/osmand", {"json": [1, 2]}),
        "osmand without id": _osmand("lat=60&lon=24"),
        "osmand unknown device": _osmand("id=nobody&lat=60&lon=24"),
        "osmand NUL in id": _osmand("id=90%002064&lat=60&lon=24"),
        "osmand bad latitude": _osmand(f"id=902064&lat=north&lon=24&timestamp={ts}"),
        "osmand latitude out of range": _osmand(f"id=902064&lat=91&lon=24&timestamp={ts}"),
        "osmand in the future": _osmand(f"id=902064&lat=60&lon=24&timestamp={ts + 86400}"),
        "osmand bad timestamp": _osmand("id=902064&lat=60&lon=24&timestamp=yesterday"),
        "osmand no position": _osmand("id=902064"),
        "osmand PUT": ("PUT", "/ingest/osmand", {}),
        "owntracks location": _owntracks(owntracks_location),
        "owntracks device in the query": _owntracks(two_messages, headers=_basic(), path="?d=phone"),
        "owntracks no credentials": _owntracks({}, headers={"X-Limit-D": OT_DEVICE}),
        "owntracks wrong password": _owntracks({}, headers={**_basic(password="nope"), "X-Limit-D": OT_DEVICE}),
        "owntracks garbage credentials": _owntracks({}, headers={"Authorization": "Basic !!!", "X-Limit-D": "x"}),
        "owntracks no device": _owntracks({}, headers=_basic()),
        "owntracks empty body": _owntracks(None, raw=b""),
        "owntracks null": _owntracks(None, raw=b"null"),
        "owntracks broken": _owntracks(None, raw=b"[{"),
        "owntracks nothing accepted": _owntracks({"_type": "location", "lat": 1}),
        "native batch": _native({"positions": [{"ts": ts, "lat": 60.17, "lon": 24.94}, {"ts": "x"}]}),
        "native in gcj02": _native({"coord_system": "gcj02", "positions": [{"ts": ts, "lat": 31.2, "lon": 121.4}]}),
        "native bad coord_system": _native({"coord_system": "mars", "positions": []}),
        "native nothing accepted": _native({"positions": [{"lat": 1}]}),
        "native not json": _native(None, raw=b"positions"),
        "native not an object": _native([1]),
        "native too many": _native({"positions": [{}] * 1001}),
        "native no token": _native({"positions": []}, token=None),
        "native unknown token": _native({"positions": []}, token="nope"),
        "unknown address": ("GET", "/ingest/nothing-here", {}),
    }
    return [(name, *case) for name, case in cases.items()]


def _over_http(url: str, method: str, path: str, request: dict) -> requests.Response:
    """A Flask test-client request, sent over HTTP."""
    headers = dict(request.get("headers", {}))
    body = request.get("data")
    if "json" in request:
        body = orjson.dumps(request["json"])
        headers["Content-Type"] = "application/json"
    query = request.get("query_string")
    target = f"{url}{path}" + (f"?{query}" if query else "")
    return requests.request(method, target, data=body, headers=headers, timeout=10)


def _new_entries(rt, after: bytes) -> tuple[list[dict], bytes]:
    entries = sorted(
        (entry for key in rt.feed.stream_keys for entry in rt.feed.client.xrange(key, min=b"(" + after)),
        key=lambda entry: tuple(int(part) for part in entry[0].split(b"-")),
    )
    last = entries[-1][0] if entries else after
    return [fields for _id, fields in entries], last


def _answer(status: int, content_type: str, body: bytes, headers) -> tuple:
    kept = {name: headers.get(name) for name in ("Retry-After", "WWW-Authenticate") if headers.get(name)}
    kept["Allow"] = sorted(headers.get("Allow", "").split(", "))  # werkzeug's order is a set's
    parsed = orjson.loads(body) if body.strip() and "json" in content_type else body
    return status, content_type.split(";")[0], parsed, kept


def test_the_protocol_cases_answer_and_publish_the_same_through_both_servers(web, rt, ingest):
    client = web.server.test_client()
    last = b"0-0"
    for name, method, path, request in _cases(int(time.time())):
        flask_answer = client.open(path, method=method, **request)
        flask_entries, last = _new_entries(rt, last)
        asgi_answer = _over_http(ingest.url, method, path, request)
        asgi_entries, last = _new_entries(rt, last)
        expected = _answer(flask_answer.status_code, flask_answer.content_type, flask_answer.data, flask_answer.headers)
        asgi_type = asgi_answer.headers["Content-Type"]
        got = _answer(asgi_answer.status_code, asgi_type, asgi_answer.content, asgi_answer.headers)
        assert got == expected, name
        assert got[0] < 500, name
        assert asgi_entries == flask_entries, name
        if expected[0] >= 400:
            assert expected[2]["error"]["message"], name  # refused with a reason


def test_every_path_of_the_osmand_port_is_osmand(rt, ingest):
    query = f"id=902064&lat=60.17&lon=24.94&timestamp={int(time.time()) - 30}"
    answer = requests.get(f"http://127.0.0.1:{ingest.osmand_port}/any/path?{query}", timeout=5)
    assert (answer.status_code, answer.content) == (200, b"")
    assert [row["source"] for row in _stored(rt)] == ["osmand"]


def test_a_body_over_the_limit_is_refused_413_and_garbage_is_a_4xx(rt, ingest):
    big = b"x" * (rt.settings.max_body_bytes + 1)
    answer = requests.post(f"{ingest.url}/ingest/osmand", data=big, timeout=10)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"
    garbage = (
        "id=%ff%fe&lat=1&lon=1",
        "id=902064&lat=1e999&lon=1",
        "id=902064&lat=&lon=",
        "&&&=",
        "id=902064&location=1",
    )
    for query in garbage:
        answer = requests.get(f"{ingest.url}/ingest/osmand?{query}", timeout=5)
        assert 400 <= answer.status_code < 500, query
        assert answer.json()["error"]["message"], query


def test_a_full_backlog_is_503_with_retry_after_and_nothing_published(rt):
    ingest = Served(replace(rt.settings, max_backlog=50))  # FIELDOPS_MAX_BACKLOG, below what settings allow
    try:
        full = EMPLOYEE + rt.feed.shards  # another person of the device's shard: the limit applies per shard
        rt.feed.publish([Fix(full, 1_790_000_000_000 + i, 60.17, 24.94) for i in range(50)], "native")
        ts = int(time.time()) - 10
        answer = requests.get(f"{ingest.url}/ingest/osmand?id=902064&lat=60.17&lon=24.94&timestamp={ts}", timeout=5)
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "30"
        assert answer.json()["error"]["code"] == "unavailable"
        assert rt.feed.stream_backlog() == 50
        assert rt.feed.latest(EMPLOYEE) is None
    finally:
        ingest.stop()


@pytest.mark.parametrize("path", ["/ingest/owntracks", "/api/v1/positions"])
def test_owntracks_and_the_native_batch_are_post_only(ingest, path):
    # (The web app answers a GET there with the dashboard's page: Dash's catch-all route.)
    answer = requests.get(f"{ingest.url}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert answer.status_code == 405
    assert answer.json()["error"]["message"] == "use OPTIONS, POST"


def test_concurrent_requests_share_redis_calls_and_are_stored_exactly_once(rt, ingest):
    first_ms = (int(time.time()) - 600) * 1000

    def send(i: int) -> int:
        query = f"id=902064&lat=60.17&lon=24.94&timestamp={first_ms + i * 1000}"
        return requests.get(f"{ingest.url}/ingest/osmand?{query}", timeout=20).status_code

    with ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(send, range(200)))
    assert statuses == [200] * 200
    batcher = ingest.app.batcher
    assert batcher.requests == 200
    assert batcher.calls < batcher.requests  # micro-batched: requests rode shared calls
    rows = _stored(rt)
    assert len(rows) == 200
    assert len({row["ts"] for row in rows}) == 200


def test_a_removed_device_is_refused_within_about_a_second(rt, ingest):
    ts = int(time.time()) - 30
    url = f"{ingest.url}/ingest/osmand?id=902064&lat=60.17&lon=24.94&timestamp={ts}"
    assert requests.get(url, timeout=5).status_code == 200
    assert trackers.remove_device(rt, "902064")
    removed = time.monotonic()
    while (answer := requests.get(url, timeout=5)).status_code == 200:
        assert time.monotonic() - removed < 1.5, "the removed device was still accepted"
        time.sleep(0.05)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unknown_device"


def _stored(rt):
    drain(rt)
    return rt.db.fetch_all("SELECT ts, source FROM positions WHERE employee_id = %s ORDER BY ts", (EMPLOYEE,))


def test_fieldops_ingest_serves_its_port_and_the_osmand_port(rt):
    settings = rt.settings
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "FIELDOPS_REDIS_PREFIX": settings.redis_prefix,
        "SECRET_KEY": settings.secret_key,
        "FIELDOPS_INGEST_PORT": str(port := free_port()),
    }
    osmand_port = free_port()
    command = [sys.executable, "-m", "dashboard.cli", "ingest", "--osmand-port", str(osmand_port)]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts = int(real_time()) - 5  # the process reads the real clock, pinned instant or not
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/ingest/osmand"), "fieldops ingest to listen", 60)
        query = f"id=902064&lat=60.17&lon=24.94&timestamp={ts}"
        assert requests.get(f"http://127.0.0.1:{osmand_port}/?{query}", timeout=5).status_code == 200
        query = f"id=902064&lat=60.18&lon=24.94&timestamp={ts + 1}"
        assert requests.get(f"http://127.0.0.1:{port}/ingest/osmand?{query}", timeout=5).status_code == 200
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 404  # no dashboard here
    finally:
        server.terminate()
        server.wait(20)
    assert [row["source"] for row in _stored(rt)] == ["osmand", "osmand"]


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 400  # no device id: refused, so it is listening
    except requests.RequestException:
        return False
