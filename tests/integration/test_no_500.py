"""No input of any kind gets a 500: random and hostile bodies, queries and headers on every
ingest path, answered with a 2xx or a 4xx (OsmAnd keeps its protocol's statuses)."""

import base64
import json
import random
import string
from collections import Counter

import pytest

from dashboard.demo.seed import device_token, employee_code
from data import devices
from tests.conftest import SECRET, make_app, signed_in_client

VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1e308,
    -1e308,
    2**64,
    float("nan"),
    float("inf"),
    "1",
    "60.1",
    "NaN",
    "Infinity",
    "",
    " ",
    "\x00",
    "é",
    "𝕏" * 3,
    [],
    {},
    [1, 2],
    {"a": 1},
    "2025-11-27T10:00:00Z",
    "2025-13-45T99:99:99Z",
    1_764_237_600,
    "1764237600",
    "9" * 40,
    "-0",
    "1e5",
    "0x10",
    "60,24",
]
KEYS = [
    "ts",
    "lat",
    "lon",
    "speed",
    "heading",
    "accuracy",
    "attributes",
    "_type",
    "tst",
    "vel",
    "cog",
    "acc",
    "id",
    "deviceid",
    "timestamp",
    "location",
    "bearing",
    "device_id",
    "coords",
    "event",
    "desc",
    "batt",
]


def _random_object(rng, depth=0):
    obj = {rng.choice(KEYS): rng.choice(VALUES) for _ in range(rng.randint(0, 8))}
    if depth < 2 and rng.random() < 0.3:
        obj[rng.choice(KEYS)] = _random_object(rng, depth + 1)
    return obj


def _random_bytes(rng):
    kind = rng.random()
    if kind < 0.2:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
    if kind < 0.4:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 200))).encode()
    body = _random_object(rng) if rng.random() < 0.5 else [_random_object(rng) for _ in range(rng.randint(0, 5))]
    if rng.random() < 0.3:
        body = {"positions": body if isinstance(body, list) else [body]}
    data = json.dumps(body)  # the standard library writes NaN, Infinity and 2**64 as trackers might
    return data.encode(rng.choice(["utf-8", "utf-16", "latin-1"]), errors="replace")


@pytest.fixture
def client(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    devices.add_device(rt.db, "fuzz-1", 1, "osmand", None)
    devices.add_device(rt.db, "fz/phone", 1, "owntracks", "pw")
    yield signed_in_client(app)
    rt.close()


def test_random_input_never_gets_a_500(client):
    rng = random.Random(20261127)
    native = {"Authorization": f"Bearer {device_token(SECRET, employee_code(1))}"}
    basic = {"Authorization": "Basic " + base64.b64encode(b"fz:pw").decode()}
    content_types = [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "",
    ]
    seen = Counter()
    for _ in range(600):
        path, headers = rng.choice(
            [
                ("/api/v1/positions", native),
                ("/ingest/osmand", {}),
                ("/ingest/owntracks?u=fz&d=phone", basic),
                ("/ingest/owntracks", {**basic, "X-Limit-U": "fz", "X-Limit-D": rng.choice(["phone", "x", ""])}),
                ("/api/v1/gpx", {}),
            ]
        )
        if rng.random() < 0.3 and path == "/ingest/osmand":
            query = {rng.choice(KEYS): str(rng.choice(VALUES)) for _ in range(rng.randint(0, 8))}
            query["id"] = rng.choice(["fuzz-1", "fuzz-1", "nobody", ""])
            answer = client.get(path, query_string=query)
        else:
            answer = client.post(path, data=_random_bytes(rng), headers=headers, content_type=rng.choice(content_types))
        assert answer.status_code < 500, (path, answer.status_code, answer.data[:200])
        seen[path.split("?")[0], answer.status_code] += 1
        if answer.status_code >= 400:
            assert answer.is_json and answer.get_json()["error"]["message"], (path, answer.data[:200])
    assert {path for path, _status in seen} == {
        "/api/v1/positions",
        "/ingest/osmand",
        "/ingest/owntracks",
        "/api/v1/gpx",
    }
