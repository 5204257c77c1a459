"""No input of any kind gets a 500: random and hostile bodies, queries and headers on every
ingest path, answered with a 2xx or a 4xx (OsmAnd keeps its protocol's statuses)."""

import base64
import json
import random
import string
import time
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.demo.seed import device_token, employee_code
from data import devices
from tests.conftest import SECRET, make_app, signed_in_client, track_around_the_clock
from tests.hostile import EDGE_DATES, LIMIT_NUMBERS, NUMBER_TEXTS, ODD_TEXTS, fuzz, hostile, nested, texts
from tests.replay import drain

EXTREMES = [*LIMIT_NUMBERS, *NUMBER_TEXTS, *EDGE_DATES, *ODD_TEXTS, None, True, [], {}, [1], {"a": 1}, nested(900)]

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


@pytest.fixture(scope="module")
def app(servers, templates):
    """One app for the module: every test here only sends, and none needs the others' rows absent."""
    from tests.conftest import _make_settings

    gen = _make_settings(servers, templates, "seeded")
    app = make_app(next(gen))
    rt = app.server.extensions["fieldops"]
    devices.add_device(rt.db, "fuzz-1", 1, "osmand", None)
    devices.add_device(rt.db, "fz/phone", 1, "owntracks", "pw")
    track_around_the_clock(rt.db, 1)  # what the fuzz gets accepted is published whatever the hour (see the last test)
    yield app
    rt.close()
    next(gen, None)


@pytest.fixture(scope="module")
def client(app):
    return signed_in_client(app)


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


# Issue 14, defect 7: hostile numbers and nesting, one by one on every JSON door.

HUGE = int("9" * 400)  # a 400-digit integer: math.isfinite overflows on it, so does int * 1000 into a float
DEEP = b"[" * 100_000 + b"]" * 100_000


def _positions(client, body: bytes | dict):
    headers = {"Authorization": f"Bearer {device_token(SECRET, employee_code(1))}"}
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return client.post("/api/v1/positions", data=body, headers=headers, content_type="application/json")


def _osmand_json(client, body: bytes | dict):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return client.post("/ingest/osmand", data=body, content_type="application/json")


def _owntracks(client, body: bytes | dict):
    basic = {"Authorization": "Basic " + base64.b64encode(b"fz:pw").decode()}
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return client.post("/ingest/owntracks?u=fz&d=phone", data=body, headers=basic, content_type="application/json")


def _refused_with_a_reason(answer, status=400):
    assert answer.status_code == status, (answer.status_code, answer.data[:300])
    assert answer.get_json()["error"]["message"]
    return answer.get_json()


@pytest.mark.parametrize("ts", [-1e308, 1e308])
def test_a_native_timestamp_beyond_any_date_is_refused_with_its_reason(client, ts):
    body = _refused_with_a_reason(_positions(client, {"positions": [{"ts": ts, "lat": 60, "lon": 24}]}))
    assert ("before 2000" if ts < 0 else "in the future") in body["rejected"][0]["error"]


@pytest.mark.parametrize("key", ["ts", "lat", "lon", "speed", "heading", "accuracy"])
@pytest.mark.parametrize("value", [HUGE, -HUGE])
def test_a_native_400_digit_number_is_refused_with_its_reason(client, key, value):
    fix = {"ts": "2025-11-27T10:00:00Z", "lat": 60, "lon": 24, key: value}
    body = _refused_with_a_reason(_positions(client, {"positions": [fix]}))
    assert "number is infinity when parsed as double" in body["error"]["message"]  # no tracker's JSON number


@pytest.mark.parametrize("value", ["-1e308", "1e308", "9" * 400, "-" + "9" * 400])
@pytest.mark.parametrize("key", ["timestamp", "lat", "speed", "bearing", "accuracy"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_osmand_query_and_form_numbers_beyond_any_range_are_refused(client, method, key, value):
    params = {"id": "fuzz-1", "lat": "60.1", "lon": "24.9", key: value}
    if method == "GET":
        answer = client.get("/ingest/osmand", query_string=params)
    else:
        answer = client.post("/ingest/osmand", data=params)
    if key in ("speed", "bearing", "accuracy") and value.startswith("-"):
        assert answer.status_code in (200, 400)  # negative: "unknown"; minus infinity: not a number
    else:
        _refused_with_a_reason(answer)


@pytest.mark.parametrize(
    "location",
    [
        {"timestamp": -(10**20), "coords": {"latitude": 60.1, "longitude": 24.9}},
        {"timestamp": HUGE, "coords": {"latitude": 60.1, "longitude": 24.9}},
        {"timestamp": "2025-11-27T10:00:00Z", "coords": {"latitude": -1e308, "longitude": 24.9}},
        {"timestamp": "2025-11-27T10:00:00Z", "coords": {"latitude": HUGE, "longitude": 24.9}},
        {"timestamp": "2025-11-27T10:00:00Z", "coords": {"latitude": 60.1, "longitude": 24.9, "speed": HUGE}},
        {
            "timestamp": "2025-11-27T10:00:00Z",
            "coords": {"latitude": 60.1, "longitude": 24.9},
            "battery": {"level": HUGE},
        },
    ],
)
def test_osmand_json_numbers_beyond_any_range_are_refused(client, location):
    _refused_with_a_reason(_osmand_json(client, {"device_id": "fuzz-1", "location": location}))


@pytest.mark.parametrize(
    "message",
    [
        {"tst": -1e308, "lat": 60.1, "lon": 24.9},
        {"tst": HUGE, "lat": 60.1, "lon": 24.9},
        {"tst": 1_764_237_600, "lat": HUGE, "lon": 24.9},
        {"tst": 1_764_237_600, "lat": 60.1, "lon": 24.9, "vel": HUGE},
        {"tst": 1_764_237_600, "lat": 60.1, "lon": 24.9, "vel": -1e308},
    ],
)
def test_owntracks_numbers_beyond_any_range_are_refused(client, message):
    _refused_with_a_reason(_owntracks(client, {"_type": "location", **message}))


def test_an_owntracks_transition_at_a_time_beyond_any_date_is_refused(client):
    transition = {"_type": "transition", "event": "enter", "desc": "Office", "tst": HUGE, "lat": HUGE}
    _refused_with_a_reason(_owntracks(client, transition))


@pytest.mark.parametrize("send", [_positions, _osmand_json, _owntracks])
def test_json_nested_100000_deep_is_refused_with_a_reason(client, send):
    body = _refused_with_a_reason(send(client, DEEP))
    assert "depth" in body["error"]["message"]


def test_json_nested_100000_deep_is_refused_by_the_gpx_import_the_phone_and_the_callbacks(app, client):
    _refused_with_a_reason(client.post("/api/v1/gpx", data=DEEP, content_type="application/json"))
    phone = signed_in_client(app, "field")
    _refused_with_a_reason(phone.post("/api/v1/me/positions", data=DEEP, content_type="application/json"))
    answer = client.post("/_dash-update-component", data=DEEP, content_type="application/json")
    assert 400 <= answer.status_code < 500 and answer.get_json()["error"]["message"]


# Fuzz (hypothesis, tests/hostile.py): every field of every protocol with every listed extreme, then random
# messages. Each answer is a 2xx, or a 4xx with a JSON reason.

FIX = {"ts": "2025-11-27T10:00:00Z", "lat": 60.17, "lon": 24.94, "speed": 3, "heading": 90, "accuracy": 8}
OSMAND = {"id": "fuzz-1", "lat": "60.17", "lon": "24.94", "timestamp": "1764237600", "speed": "3", "bearing": "90"}
OSMAND_LOCATION = {
    "timestamp": "2025-11-27T10:00:00Z",
    "coords": {"latitude": 60.17, "longitude": 24.94, "speed": 3, "heading": 90, "accuracy": 8, "altitude": 5},
    "battery": {"level": 0.5, "is_charging": True},
    "is_moving": True,
    "activity": {"type": "walking"},
    "extras": {"shift": "B"},
}
OWNTRACKS = {"_type": "location", "tst": 1_764_237_600, "lat": 60.17, "lon": 24.94, "acc": 8, "vel": 10, "cog": 90}
TRANSITION = {"_type": "transition", "event": "enter", "desc": "Office", "tst": 1_764_237_600, "lat": 60.1, "rid": "r"}
GPX = '<trkpt lat="60.17" lon="24.94"><time>2025-11-27T10:00:00Z</time><ele>5</ele></trkpt>'


def _no_5xx(answer, what) -> None:
    assert answer.status_code < 500, (what, answer.status_code, answer.data[:300])
    if answer.status_code >= 400:
        assert answer.is_json and answer.get_json()["error"]["message"], (what, answer.data[:300])


def _gpx(points: str) -> str:
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{points}</trkseg></trk></gpx>"
    )


def _senders(app, client):
    """(name, send(change)) for every ingest door: `change` replaces fields of a valid message."""
    phone = signed_in_client(app, "field")

    def osmand_form(change):
        return client.post("/ingest/osmand", data={k: str(v) for k, v in {**OSMAND, **change}.items()})

    def osmand_json(change):
        coords = {k: v for k, v in change.items() if k in OSMAND_LOCATION["coords"]}
        location = {**OSMAND_LOCATION, **{k: v for k, v in change.items() if k not in coords}}
        location["coords"] = {**OSMAND_LOCATION["coords"], **coords}
        return _osmand_json(client, {"device_id": "fuzz-1", "location": location})

    return [
        ("native", lambda change: _positions(client, {"positions": [{**FIX, **change}]})),
        ("phone", lambda change: phone.post("/api/v1/me/positions", json={"positions": [{**FIX, **change}]})),
        ("osmand query", lambda change: client.get("/ingest/osmand", query_string={**OSMAND, **change})),
        ("osmand form", osmand_form),
        ("osmand json", osmand_json),
        ("owntracks", lambda change: _owntracks(client, {**OWNTRACKS, **change})),
        ("owntracks transition", lambda change: _owntracks(client, {**TRANSITION, **change})),
        (
            "gpx",
            lambda change: client.post("/api/v1/gpx", json={"employee_id": 1, "files": [{"gpx": _gpx(GPX)}], **change}),
        ),
    ]


FIELDS = {
    "native": [*FIX, "attributes"],
    "phone": list(FIX),
    "osmand query": [*OSMAND, "location", "accuracy", "heading", "deviceid", "batt"],
    "osmand form": [*OSMAND, "location", "accuracy"],
    "osmand json": ["timestamp", "battery", "activity", "extras", "is_moving", "odometer", *OSMAND_LOCATION["coords"]],
    "owntracks": [*OWNTRACKS, "batt", "inregions"],
    "owntracks transition": [*TRANSITION, "wtst", "acc", "t"],
    "gpx": ["employee_id", "files"],
}


def test_every_field_of_every_protocol_with_every_extreme_gets_no_500(app, client):
    sent = 0
    for name, send in _senders(app, client):
        for key in FIELDS[name]:
            for value in EXTREMES:
                _no_5xx(send({key: value}), (name, key, repr(value)[:60]))
                sent += 1
    assert sent > 2000


@pytest.mark.parametrize("door", list(FIELDS))
def test_random_hostile_messages_get_no_500(app, client, door):
    send = dict(_senders(app, client))[door]

    @fuzz(60)
    @given(
        change=st.dictionaries(st.sampled_from(FIELDS[door]) | st.text(max_size=6), hostile(FIELDS[door]), max_size=4)
    )
    def send_one(change):
        _no_5xx(send(change), (door, repr(change)[:300]))

    send_one()


@fuzz(60)
@given(
    points=st.lists(
        st.builds(
            lambda lat, time: f'<trkpt lat="{lat}" lon="24.9"><time>{time}</time></trkpt>',
            texts,
            texts | st.sampled_from(EDGE_DATES),
        ),
        max_size=4,
    )
)
def test_gpx_files_with_hostile_points_get_no_500(client, points):
    _no_5xx(client.post("/api/v1/gpx", json={"employee_id": 1, "files": [{"gpx": _gpx("".join(points))}]}), points)


# Found by the fuzz above, each pinned here.


def test_an_unknown_device_named_with_a_nul_is_refused_as_unknown(client):
    answer = client.get("/ingest/osmand", query_string={"id": "fuzz\x001", "lat": "60.1", "lon": "24.9"})
    assert _refused_with_a_reason(answer)["error"]["code"] == "unknown_device"


def test_an_owntracks_transition_whose_event_is_no_text_is_refused_with_a_reason(client):
    answer = _owntracks(client, {**TRANSITION, "event": ["enter"]})
    assert "enter" in _refused_with_a_reason(answer)["rejected"][0]["error"]


def test_a_nul_in_an_attribute_is_refused_at_the_door_and_the_writer_stores_the_rest(app, client):
    """PostgreSQL's jsonb cannot hold \\u0000: accepted, such a fix failed the writer's whole batch, so a
    fix answered 200 beside it was never stored."""
    rt = app.server.extensions["fieldops"]
    track_around_the_clock(rt.db, 2)
    devices.add_device(rt.db, "nul-2", 2, "osmand", None)
    now_s = int(time.time())
    fix = {"id": "nul-2", "lat": "60.1", "lon": "24.9"}
    refused = client.get("/ingest/osmand", query_string={**fix, "timestamp": str(now_s - 2), "note": "a\x00b"})
    assert "NUL" in _refused_with_a_reason(refused)["error"]["message"]
    assert client.get("/ingest/osmand", query_string={**fix, "timestamp": str(now_s - 1)}).status_code == 200
    drain(rt)
    stored = rt.db.fetch_all("SELECT ts FROM positions WHERE employee_id = 2")
    assert [row["ts"].timestamp() for row in stored] == [now_s - 1]


def test_every_fix_the_fuzz_got_accepted_is_stored_by_the_writer(app):
    """Runs last: an accepted fix that PostgreSQL refuses fails the writer's whole batch, so everything answered
    200 above must store."""
    rt = app.server.extensions["fieldops"]
    drain(rt)
    assert rt.feed.stream_backlog() == 0
    assert rt.db.fetch_one("SELECT count(*) AS n FROM positions WHERE employee_id = 1")["n"] > 0
