"""Alert notifications against real local servers: e-mail to an SMTP server (aiosmtpd), the WeCom, DingTalk and
Feishu robots' payloads and signatures posted to an HTTP receiver, Web Push decrypted with the browser's own keys
and its VAPID token verified, the digest over a robot's rate limit, retries on a 500, nothing for a muted rule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import http_ece
import orjson
import pytest
import time_machine
from aiosmtpd.controller import Controller
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from dashboard.work.notify import robots
from dashboard.work.notify.deliverer import MAX_ATTEMPTS, Deliverer
from dashboard.work.notify.vapid import application_server_key, key_path
from dashboard.work.webhooks import retry_delay_s
from data import alerts, notifications, org_settings
from tests.conftest import free_port

# A Tuesday morning in Helsinki, inside working hours.
MORNING = datetime.fromisoformat("2026-11-24T10:00:00+02:00")


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(MORNING, tick=True):
        yield


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers as the vendor behind its path would."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if self.path.startswith("/push/"):
                    status = 201 if status == 200 else status
                    answer = b""
                elif self.path.startswith("/feishu"):
                    answer = orjson.dumps({"code": 0, "msg": "success", "data": {}})
                else:
                    answer = orjson.dumps({"errcode": 0, "errmsg": "ok"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer if status < 300 else b"receiver is down")

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def nrt(seeded_rt, tmp_path):
    """The seeded city; the receiver on 127.0.0.1 allowed explicitly; VAPID keys in this test's data dir."""
    org_settings.set_setting(seeded_rt.db, "webhooks.allow_private_targets", True, None)
    seeded_rt.forget_org_settings()
    seeded_rt.settings = replace(seeded_rt.settings, data_dir=tmp_path, public_url="https://fieldops.example.com")
    return seeded_rt


def north_person(rt) -> dict:
    return rt.db.fetch_one(
        """SELECT e.id, e.name FROM employees e JOIN teams t ON t.id = e.team_id
           WHERE t.name = 'North' ORDER BY e.id LIMIT 1"""
    )


def user_id(rt, username: str) -> int:
    return rt.db.fetch_one("SELECT id FROM users WHERE username = %s", (username,))["id"]


def make_rule(rt, channels: list[str], robot_ids: list[int] | None = None, severity: str = "warning") -> dict:
    rule_id = alerts.create_rule(
        rt.db,
        {
            "kind": "silent",
            "name": "Silent 5 min",
            "severity": severity,
            "params": {"minutes": 5},
            "team_ids": None,
            "cooldown_min": 0,
            "recipients": ["supervisors"],
            "channels": ["inbox", *channels],
            "robot_ids": robot_ids or [],
        },
        None,
    )
    return alerts.rule(rt.db, rule_id)


def raise_for(rt, rule: dict, employee_id: int, subject: str = "") -> int:
    alert_id = alerts.raise_alert(rt.db, rule, employee_id, datetime.now(MORNING.tzinfo), subject=subject)
    assert alert_id is not None
    return alert_id


def outbox(rt, alert_id: int) -> list[dict]:
    return rt.db.fetch_all("SELECT * FROM alert_notifications WHERE alert_id = %s ORDER BY id", (alert_id,))


# ---- e-mail ---------------------------------------------------------------------------------------------------


def test_email_reaches_a_real_smtp_server_in_the_recipients_language(nrt):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        nrt.settings = replace(nrt.settings, smtp_url=f"smtp://127.0.0.1:{port}", smtp_from="alerts@example.com")
        supervisor = user_id(nrt, "supervisor")
        nrt.db.execute("UPDATE users SET email = 'sv@example.com', language = 'zh-CN' WHERE id = %s", (supervisor,))
        person = north_person(nrt)
        alert_id = raise_for(nrt, make_rule(nrt, ["email"]), person["id"])
        assert Deliverer(nrt).deliver_due() == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["sv@example.com"]
    parsed = message_from_bytes(envelope.content, policy=default)
    assert parsed["From"] == "alerts@example.com"
    assert "警告" in parsed["Subject"] and person["name"] in parsed["Subject"]
    body = parsed.get_content()
    assert f"https://fieldops.example.com/alerts?alert={alert_id}" in body
    assert f"https://fieldops.example.com/analytics/day?employee={person['id']}&date=2026-11-24" in body
    assert "打开告警" in body
    (row,) = outbox(nrt, alert_id)
    assert row["delivered_at"] is not None and row["attempts"] == 1


def test_an_account_takes_its_own_address_or_else_its_employees(nrt):
    from dashboard.work.accounts import AccountError, set_email

    with pytest.raises(AccountError):
        set_email(nrt.db, "field", "not an address")
    field_user = user_id(nrt, "field")
    assert notifications.contact(nrt.db, field_user)["email"] is None
    nrt.db.execute(
        "UPDATE employees SET email = 'e0001@example.com' WHERE id = (SELECT employee_id FROM users WHERE id = %s)",
        (field_user,),
    )
    assert notifications.contact(nrt.db, field_user)["email"] == "e0001@example.com"
    set_email(nrt.db, "field", " own@example.com ")
    assert notifications.contact(nrt.db, field_user)["email"] == "own@example.com"
    set_email(nrt.db, "field", "")
    assert notifications.contact(nrt.db, field_user)["email"] == "e0001@example.com"


def test_email_without_an_address_is_given_up_with_the_reason(nrt):
    nrt.settings = replace(nrt.settings, smtp_url="smtp://127.0.0.1:9")
    alert_id = raise_for(nrt, make_rule(nrt, ["email"]), north_person(nrt)["id"])
    Deliverer(nrt).deliver_due()
    (row,) = outbox(nrt, alert_id)
    assert row["delivered_at"] is None and row["given_up_at"] is not None
    assert row["last_error"] == "the user has no e-mail address"


# ---- chat robots ------------------------------------------------------------------------------------------------


def test_each_robot_gets_its_vendors_format_and_signature(nrt, receiver):
    ids = {
        "wecom": alerts.create_robot(nrt.db, "wecom", "WeCom", f"{receiver.base}/wecom?key=abc", None, None),
        "dingtalk": alerts.create_robot(
            nrt.db, "dingtalk", "DingTalk", f"{receiver.base}/dingtalk?access_token=tok", "SECdingtalk", None
        ),
        "feishu": alerts.create_robot(
            nrt.db, "feishu", "Feishu", f"{receiver.base}/feishu/hook", "feishu-secret", None
        ),
    }
    person = north_person(nrt)
    alert_id = raise_for(nrt, make_rule(nrt, ["robot"], list(ids.values()), severity="critical"), person["id"])
    assert Deliverer(nrt).deliver_due() == 3
    by_path = {urlsplit(r["path"]).path.strip("/").split("/")[0]: r for r in receiver.received}
    inbox_link = f"https://fieldops.example.com/alerts?alert={alert_id}"

    wecom = orjson.loads(by_path["wecom"]["body"])
    assert wecom["msgtype"] == "markdown" and set(wecom) == {"msgtype", "markdown"}
    assert person["name"] in wecom["markdown"]["content"] and f"({inbox_link})" in wecom["markdown"]["content"]
    assert '<font color="warning">' in wecom["markdown"]["content"]
    assert len(wecom["markdown"]["content"].encode()) <= robots.WECOM_MAX_BYTES
    assert parse_qs(urlsplit(by_path["wecom"]["path"]).query) == {"key": ["abc"]}

    ding = by_path["dingtalk"]
    query = parse_qs(urlsplit(ding["path"]).query)
    assert query["access_token"] == ["tok"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SECdingtalk", f"{timestamp}\nSECdingtalk".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs url-decodes the sign, as DingTalk does
    assert unquote(urlsplit(ding["path"]).query.split("sign=")[1]) == expected
    assert abs(int(timestamp) - int(datetime.now().timestamp() * 1000)) < 60_000  # milliseconds, within DingTalk's hour
    body = orjson.loads(ding["body"])
    assert body["msgtype"] == "markdown" and person["name"] in body["markdown"]["title"]
    assert f"({inbox_link})" in body["markdown"]["text"]

    feishu = orjson.loads(by_path["feishu"]["body"])
    timestamp = int(feishu["timestamp"])
    assert abs(timestamp - int(datetime.now().timestamp())) < 60  # seconds
    key = f"{feishu['timestamp']}\nfeishu-secret".encode()
    assert feishu["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu["msg_type"] == "post"
    post = feishu["content"]["post"]["en_us"]
    assert person["name"] in post["title"]
    assert {"tag": "a", "text": "Open the alert", "href": inbox_link} in post["content"][-1]
    rows = outbox(nrt, alert_id)
    assert len(rows) == 3 and all(r["delivered_at"] and r["digest_of"] == 1 for r in rows)


def test_over_a_robots_rate_limit_one_digest_names_them_all(nrt, receiver):
    robot_id = alerts.create_robot(nrt.db, "wecom", "WeCom", f"{receiver.base}/wecom?key=abc", None, None)
    rule = make_rule(nrt, ["robot"], [robot_id])
    people = nrt.db.fetch_all("SELECT id, name FROM employees ORDER BY id LIMIT 8")
    now_ms = int(datetime.now().timestamp() * 1000)
    for n in range(15):  # 15 messages already this minute: room for 5 more
        notifications.record_robot_send(nrt.feed.client, nrt.feed.prefix, robot_id, now_ms - 1000 * n, f"x{n}", 120)
    alert_ids = [raise_for(nrt, rule, p["id"]) for p in people]
    assert Deliverer(nrt).deliver_due() == 8
    assert len(receiver.received) == 1
    content = orjson.loads(receiver.received[0]["body"])["markdown"]["content"]
    assert "8 alerts" in content
    assert all(p["name"] in content for p in people)
    rows = [row for a in alert_ids for row in outbox(nrt, a)]
    assert len(rows) == 8 and all(r["delivered_at"] and r["digest_of"] == 8 for r in rows)


def test_a_robot_with_a_full_minute_waits_and_then_sends(nrt, receiver):
    robot_id = alerts.create_robot(
        nrt.db, "dingtalk", "DingTalk", f"{receiver.base}/dingtalk?access_token=t", None, None
    )
    now_ms = int(datetime.now().timestamp() * 1000)
    for n in range(20):
        notifications.record_robot_send(nrt.feed.client, nrt.feed.prefix, robot_id, now_ms - 500 * n, f"x{n}", 120)
    alert_id = raise_for(nrt, make_rule(nrt, ["robot"], [robot_id]), north_person(nrt)["id"])
    Deliverer(nrt).deliver_due()
    assert receiver.received == []
    (row,) = outbox(nrt, alert_id)
    assert row["attempts"] == 0 and row["delivered_at"] is None and row["given_up_at"] is None
    assert row["next_attempt_at"] > datetime.now(MORNING.tzinfo)  # when the oldest of the 20 leaves the minute
    Deliverer(nrt).deliver_due(now=row["next_attempt_at"] + timedelta(seconds=1))
    assert len(receiver.received) == 1
    assert outbox(nrt, alert_id)[0]["delivered_at"] is not None


def test_a_500_is_retried_with_backoff_and_given_up_after_the_last_attempt(nrt, receiver):
    robot_id = alerts.create_robot(nrt.db, "wecom", "WeCom", f"{receiver.base}/wecom?key=abc", None, None)
    rule = make_rule(nrt, ["robot"], [robot_id])
    alert_id = raise_for(nrt, rule, north_person(nrt)["id"])
    receiver.statuses = [500]
    before = datetime.now(MORNING.tzinfo)
    Deliverer(nrt).deliver_due()
    (row,) = outbox(nrt, alert_id)
    assert row["delivered_at"] is None and row["given_up_at"] is None and row["attempts"] == 1
    assert "HTTP 500" in row["last_error"]
    assert row["next_attempt_at"] >= before + timedelta(seconds=retry_delay_s(1))
    assert Deliverer(nrt).deliver_due() == 0  # not before its time
    Deliverer(nrt).deliver_due(now=row["next_attempt_at"] + timedelta(seconds=1))
    (row,) = outbox(nrt, alert_id)
    assert row["delivered_at"] is not None and row["attempts"] == 2 and len(receiver.received) == 2

    second = raise_for(nrt, rule, north_person(nrt)["id"], subject="again")
    nrt.db.execute("UPDATE alert_notifications SET attempts = %s WHERE alert_id = %s", (MAX_ATTEMPTS - 1, second))
    receiver.statuses = [500]
    Deliverer(nrt).deliver_due()
    (row,) = outbox(nrt, second)
    assert row["given_up_at"] is not None and row["attempts"] == MAX_ATTEMPTS and "HTTP 500" in row["last_error"]


def test_a_vendor_refusal_in_a_200_is_not_delivered(nrt, receiver):
    robot_id = alerts.create_robot(nrt.db, "feishu", "Feishu", f"{receiver.base}/other", "s", None)
    alert_id = raise_for(nrt, make_rule(nrt, ["robot"], [robot_id]), north_person(nrt)["id"])
    receiver.statuses = [200]
    original = receiver.server.RequestHandlerClass.do_POST

    def refuse(handler) -> None:
        handler.rfile.read(int(handler.headers["Content-Length"]))
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(orjson.dumps({"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}))

    receiver.server.RequestHandlerClass.do_POST = refuse
    try:
        Deliverer(nrt).deliver_due()
    finally:
        receiver.server.RequestHandlerClass.do_POST = original
    (row,) = outbox(nrt, alert_id)
    assert row["delivered_at"] is None and row["last_error"].startswith("19021: sign match fail")


def test_a_private_robot_address_is_refused_unless_allowed(nrt, receiver):
    org_settings.set_setting(nrt.db, "webhooks.allow_private_targets", False, None)
    nrt.forget_org_settings()
    robot_id = alerts.create_robot(nrt.db, "wecom", "WeCom", f"{receiver.base}/wecom?key=abc", None, None)
    alert_id = raise_for(nrt, make_rule(nrt, ["robot"], [robot_id]), north_person(nrt)["id"])
    Deliverer(nrt).deliver_due()
    assert receiver.received == []
    assert "private" in outbox(nrt, alert_id)[0]["last_error"]


# ---- Web Push ---------------------------------------------------------------------------------------------------


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_web_push_is_encrypted_for_the_browser_and_signed_with_vapid(nrt, receiver):
    browser_key = ec.generate_private_key(ec.SECP256R1())
    p256dh = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = os.urandom(16)
    supervisor = user_id(nrt, "supervisor")
    endpoint = f"{receiver.base}/push/abc123"
    alerts.save_push_subscription(nrt.db, supervisor, endpoint, _b64url(p256dh), _b64url(auth))
    person = north_person(nrt)
    alert_id = raise_for(nrt, make_rule(nrt, ["webpush"], severity="critical"), person["id"])
    assert Deliverer(nrt).deliver_due() == 1

    (request,) = receiver.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["path"] == "/push/abc123"
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) > 0 and headers["urgency"] == "high"
    payload = http_ece.decrypt(request["body"], private_key=browser_key, auth_secret=auth, version="aes128gcm")
    message = orjson.loads(payload)
    assert set(message) == {"title", "body", "url"}
    assert person["name"] in message["title"] and message["url"].endswith(f"/alerts?alert={alert_id}")

    scheme, params = headers["authorization"].split(" ", 1)
    assert scheme == "vapid"
    parts = dict(p.split("=", 1) for p in params.split(","))
    assert parts["k"] == application_server_key(nrt.settings)
    signing_input, signature = parts["t"].rsplit(".", 1)
    header, claims = (orjson.loads(_unb64url(s)) for s in signing_input.split("."))
    assert header == {"typ": "JWT", "alg": "ES256"}
    assert claims["aud"] == receiver.base and claims["sub"] == "https://fieldops.example.com"
    assert 0 < claims["exp"] - datetime.now().timestamp() <= 24 * 3600  # RFC 8292: at most 24 hours ahead
    server_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64url(parts["k"]))
    raw = _unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    server_key.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        server_key.verify(der, signing_input.encode() + b"x", ec.ECDSA(hashes.SHA256()))
    assert oct(key_path(nrt.settings).stat().st_mode & 0o777) == "0o600"
    assert outbox(nrt, alert_id)[0]["delivered_at"] is not None


def test_a_push_subscription_the_service_dropped_is_deleted(nrt, receiver):
    browser_key = ec.generate_private_key(ec.SECP256R1())
    p256dh = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    supervisor = user_id(nrt, "supervisor")
    alerts.save_push_subscription(nrt.db, supervisor, f"{receiver.base}/push/old", _b64url(p256dh), _b64url(b"0" * 16))
    alert_id = raise_for(nrt, make_rule(nrt, ["webpush"]), north_person(nrt)["id"])
    receiver.statuses = [410]
    Deliverer(nrt).deliver_due()
    assert alerts.push_subscriptions(nrt.db, supervisor) == []
    (row,) = outbox(nrt, alert_id)
    assert row["given_up_at"] is not None and "gone (410)" in row["last_error"]


# ---- who is notified ------------------------------------------------------------------------------------------------


def test_nothing_is_sent_for_a_muted_rule(nrt, receiver):
    supervisor = user_id(nrt, "supervisor")
    rule = make_rule(nrt, ["email", "webpush"])
    alerts.set_muted(nrt.db, supervisor, rule["id"], True)
    alert_id = raise_for(nrt, rule, north_person(nrt)["id"])
    assert outbox(nrt, alert_id) == []  # no row at all: nothing to send, nothing to retry
    assert Deliverer(nrt).deliver_due() == 0
    alerts.set_muted(nrt.db, supervisor, rule["id"], False)
    second = raise_for(nrt, rule, north_person(nrt)["id"], subject="other")
    assert {(r["channel"], r["user_id"]) for r in outbox(nrt, second)} == {
        ("email", supervisor),
        ("webpush", supervisor),
    }


# ---- the browser's routes ---------------------------------------------------------------------------------------


def test_a_signed_in_user_subscribes_a_browser_and_only_they_can_end_it(seeded_settings, tmp_path):
    from tests.conftest import csrf_headers, make_app, sign_in, signed_in_client

    app = make_app(replace(seeded_settings, data_dir=tmp_path))
    rt = app.server.extensions["fieldops"]
    try:
        org_settings.set_setting(rt.db, "webhooks.allow_private_targets", True, None)
        rt.forget_org_settings()
        anonymous = app.server.test_client()
        assert anonymous.get("/push/key").status_code == 401
        worker = anonymous.get("/push-sw.js")
        assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/"
        assert b"showNotification" in worker.data and worker.mimetype == "text/javascript"

        client = app.server.test_client()
        assert sign_in(client, "supervisor").status_code == 302
        key = client.get("/push/key").get_json()
        assert key["public_key"] == application_server_key(rt.settings) and len(_unb64url(key["public_key"])) == 65
        assert set(key["labels"]) == {"on", "off", "unsupported", "denied"}
        browser_key = ec.generate_private_key(ec.SECP256R1()).public_key()
        p256dh = _b64url(
            browser_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        )
        subscription = {
            "endpoint": "http://127.0.0.1:9/push/one",
            "keys": {"p256dh": p256dh, "auth": _b64url(b"a" * 16)},
        }
        assert client.post("/push/subscription", json=subscription).status_code == 403  # no CSRF token
        headers = csrf_headers(client)
        for bad in (
            [],
            {"endpoint": "ftp://x"},
            {"endpoint": subscription["endpoint"], "keys": {"p256dh": "AAAA", "auth": "AAAA"}},
            {"endpoint": subscription["endpoint"], "keys": {"p256dh": p256dh, "auth": 5}},
        ):
            answer = client.post("/push/subscription", json=bad, headers=headers)
            assert answer.status_code == 400  # a browser route's error: the page in the viewer's language
        assert client.post("/push/subscription", data=b"{nope", headers=headers).status_code == 400
        assert client.post("/push/subscription", json=subscription, headers=headers).status_code == 201
        supervisor = user_id(rt, "supervisor")
        assert [s["endpoint"] for s in alerts.push_subscriptions(rt.db, supervisor)] == [subscription["endpoint"]]

        other = signed_in_client(app, "manager")
        answer = other.delete(
            "/push/subscription", json={"endpoint": subscription["endpoint"]}, headers=csrf_headers(other)
        )
        assert answer.status_code == 200 and answer.get_json() == {"removed": False}
        answer = client.delete("/push/subscription", json={"endpoint": subscription["endpoint"]}, headers=headers)
        assert answer.get_json() == {"removed": True} and alerts.push_subscriptions(rt.db, supervisor) == []
        assert client.delete("/push/subscription", json={}, headers=headers).status_code == 400

        org_settings.set_setting(rt.db, "webhooks.allow_private_targets", False, None)
        rt.forget_org_settings()
        answer = client.post("/push/subscription", json=subscription, headers=headers)
        assert answer.status_code == 400 and "private" in answer.get_data(as_text=True)
    finally:
        rt.close()


# ---- the admin's chat robots --------------------------------------------------------------------------------------


def test_the_admin_adds_tests_and_deletes_a_chat_robot(seeded_settings, receiver):
    from tests.conftest import callback_body, make_app, server_callbacks, signed_in_client

    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    try:
        admin = signed_in_client(app, "admin")
        output, spec = next((o, s) for o, s in server_callbacks(app) if "integration-robot-result" in o)
        names = [f"{item['id']}.{item['property']}" for item in spec["inputs"] + spec["state"]]

        def act(button: str, **values: object) -> str:
            chosen = {f"integration-robot-{k}.value": v for k, v in values.items()} | {"integration-refresh.data": 1}
            body = callback_body(
                output, spec, lambda item: chosen.get(f"{item['id']}.{item['property']}", 1), names.index(button)
            )
            answer = admin.post("/_dash-update-component", json=body)
            assert answer.status_code in (200, 204), answer.data
            return answer.get_data(as_text=True)

        url = f"{receiver.base}/feishu/hook"
        refused = act("integration-robot-create.n_clicks", kind="feishu", name="Ops group", url=url, secret="s3")
        assert "private" in refused and alerts.robots(rt.db) == []
        assert "kind" in act("integration-robot-create.n_clicks", kind="telegram", name="x", url=url, secret="")
        org_settings.set_setting(rt.db, "webhooks.allow_private_targets", True, None)
        rt.forget_org_settings()
        assert "Robot #" in act(
            "integration-robot-create.n_clicks", kind="feishu", name="Ops group", url=url, secret="s3"
        )
        (robot,) = alerts.robots(rt.db)
        assert (robot["kind"], robot["name"], robot["secret"]) == ("feishu", "Ops group", "s3")

        assert "Test message sent." in act("integration-robot-test.n_clicks", pick=robot["id"])
        sent = orjson.loads(receiver.received[-1]["body"])
        assert sent["msg_type"] == "post" and "FieldOps test message" in sent["content"]["post"]["en_us"]["title"]
        assert (
            sent["sign"]
            == base64.b64encode(hmac.new(f"{sent['timestamp']}\ns3".encode(), b"", hashlib.sha256).digest()).decode()
        )
        assert "Choose a robot first." in act("integration-robot-delete.n_clicks", pick=robot["id"] + 99)
        assert "Robot deleted" in act("integration-robot-delete.n_clicks", pick=robot["id"])
        assert alerts.robots(rt.db) == []
        assert signed_in_client(app, "manager").get("/admin/integration").status_code == 403
    finally:
        rt.close()
