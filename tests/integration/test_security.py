"""Sessions, CSRF, injection, lockout, wall tokens: the attacks a dashboard of locations must resist."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from data import wall_tokens
from tests.conftest import csrf_headers, make_app, password_of, post_callback, sign_in, sign_in_wall


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def _session_cookie(client) -> str | None:
    cookie = client.get_cookie("fieldops_session")
    return cookie.value if cookie else None


def test_a_session_planted_before_sign_in_does_not_become_signed_in(app):
    attacker = app.server.test_client()
    attacker.get("/login")
    planted = _session_cookie(attacker)
    victim = app.server.test_client()
    victim.set_cookie("fieldops_session", planted)
    assert sign_in(victim, "manager").status_code == 302
    assert _session_cookie(victim) != planted
    assert attacker.get("/").status_code == 302  # the attacker's cookie is still anonymous


def test_sign_out_ends_the_session(app):
    client = app.server.test_client()
    sign_in(client, "manager")
    stolen = _session_cookie(client)
    assert client.post("/logout", headers=csrf_headers(client)).status_code == 302
    assert client.get("/").status_code == 302
    replay = app.server.test_client()
    replay.set_cookie("fieldops_session", stolen)  # a copy of the cookie taken before sign-out
    assert replay.get("/").status_code == 302


def test_state_changing_requests_need_the_csrf_token(app):
    client = app.server.test_client()
    client.get("/login")
    answer = client.post("/login", data={"username": "manager", "password": password_of("manager")})
    assert answer.status_code == 403
    sign_in(client, "manager")
    body = {
        "output": "livemap-feed.data",
        "outputs": {"id": "livemap-feed", "property": "data"},
        "inputs": [],
        "state": [],
        "changedPropIds": [],
    }
    answer = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 403
    answer = client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": "forged"},
    )
    assert answer.status_code == 403
    assert client.post("/logout").status_code == 403


def test_the_csrf_cookie_is_readable_by_dash_and_matches_the_session(app):
    client = app.server.test_client()
    sign_in(client, "manager")
    client.get("/")
    assert client.get_cookie("_csrf_token").value == csrf_headers(client)["X-CSRFToken"]
    session_cookie = client.get_cookie("fieldops_session")
    assert session_cookie.http_only and session_cookie.same_site == "Lax"


def test_remember_me_cookie_is_hardened_and_bounded(app):
    client = app.server.test_client()
    answer = sign_in(client, "manager", remember=True)
    header = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("fieldops_remember="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Expires=" in header


@pytest.mark.parametrize("username", ["' OR '1'='1", "admin'--", 'manager"; DROP TABLE users; --', "%", "_"])
def test_sql_in_the_user_name_is_just_a_wrong_name(app, username):
    client = app.server.test_client()
    answer = sign_in(client, username, password="' OR '1'='1")
    assert answer.status_code == 401
    assert app.server.extensions["fieldops"].db.fetch_one("SELECT count(*) AS n FROM users")["n"] >= 5


@pytest.mark.parametrize("team", ["1 OR 1=1", "1; DROP TABLE positions", [1, 2], {"$ne": 1}, 1.5, True])
def test_sql_or_junk_in_a_callback_input_is_ignored(app, team):
    client = app.server.test_client()
    sign_in(client, "supervisor")
    answer = post_callback(
        client,
        "livemap-feed.data",
        {"livemap-tick.n_intervals": 1, "livemap-team.value": team},
        {"livemap-cursor.data": {"v": "1 OR 1=1", "team": team}},
    )
    assert answer.status_code == 200
    north = {
        r["id"]
        for r in app.server.extensions["fieldops"].db.fetch_all(
            "SELECT e.id FROM employees e JOIN teams t ON t.id = e.team_id WHERE t.name = 'North'"
        )
    }
    assert set(answer.get_json()["response"]["livemap-feed"]["data"]["id"]) <= north


def test_a_clientside_callback_cannot_be_posted_to_the_server(app):
    client = app.server.test_client()
    sign_in(client, "manager")
    output = next(o for o, spec in app.callback_map.items() if "callback" not in spec)
    body = {"output": output, "outputs": [], "inputs": [], "state": [], "changedPropIds": []}
    answer = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_headers(client)
    )
    assert answer.status_code == 403


def test_repeated_failures_lock_the_account(app):
    client = app.server.test_client()
    for _ in range(5):
        assert sign_in(client, "supervisor", password="wrong-password").status_code == 401
    locked = sign_in(client, "supervisor")
    assert locked.status_code == 429
    assert "locked" in locked.get_data(as_text=True)
    assert sign_in(app.server.test_client(), "manager").status_code == 302  # others are not affected


def _answer(response, username: str) -> tuple[int, str]:
    """A sign-in answer with what differs by request alone (the echoed name, the CSRF token) taken out."""
    page = response.get_data(as_text=True).replace(f'value="{username}"', 'value=""')
    return response.status_code, re.sub(r'name="csrf_token" value="[^"]*"', "", page)


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(app):
    known = sign_in(app.server.test_client(), "supervisor", password="wrong-password")
    unknown = sign_in(app.server.test_client(), "no-such-user", password="wrong-password")
    assert _answer(known, "supervisor") == _answer(unknown, "no-such-user")
    assert known.status_code == 401 and "Wrong user name or password" in known.get_data(as_text=True)


def test_an_unknown_name_is_locked_after_as_many_failures_as_an_account(app):
    answers = {}
    for username in ("supervisor", "no-such-user"):
        client = app.server.test_client()
        for _ in range(5):
            assert sign_in(client, username, password="wrong-password").status_code == 401
        answers[username] = _answer(sign_in(client, username, password="wrong-password"), username)
    assert answers["supervisor"] == answers["no-such-user"]
    assert answers["no-such-user"][0] == 429 and "locked" in answers["no-such-user"][1]


def test_an_unknown_name_costs_a_full_password_check(app, monkeypatch):
    from argon2 import PasswordHasher, extract_parameters

    from dashboard.core import passwords

    class CountingHasher(PasswordHasher):
        """argon2's own hasher, counting what it verifies."""

        def __init__(self) -> None:
            super().__init__()
            self.verified: list[str] = []

        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            self.verified.append(hash if isinstance(hash, str) else hash.decode())
            return super().verify(hash, password)

    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    stored = app.server.extensions["fieldops"].db.fetch_one(
        "SELECT password_hash FROM users WHERE username = 'supervisor'"
    )["password_hash"]
    assert sign_in(app.server.test_client(), "no-such-user", password="wrong-password").status_code == 401
    assert sign_in(app.server.test_client(), "supervisor", password="wrong-password").status_code == 401
    assert len(hasher.verified) == 2  # one argon2 verification each, known name or not
    assert extract_parameters(hasher.verified[0]) == extract_parameters(stored)  # at the same cost


def test_many_failures_from_one_address_are_throttled(app):
    client = app.server.test_client()
    for attempt in range(30):
        assert sign_in(client, f"nobody{attempt}", password="x" * 12).status_code == 401
    assert sign_in(client, "manager").status_code == 429


def test_a_revoked_wall_token_signs_the_display_out(app):
    rt = app.server.extensions["fieldops"]
    wall = app.server.test_client()
    assert sign_in_wall(wall).status_code == 302
    assert wall.get("/").status_code == 200
    token_id = rt.db.fetch_one("SELECT id FROM wall_tokens LIMIT 1")["id"]
    wall_tokens.revoke(rt.db, token_id)
    assert wall.get("/").status_code == 302
    assert sign_in_wall(app.server.test_client()).status_code == 401


def test_an_expired_wall_token_is_refused(app):
    rt = app.server.extensions["fieldops"]
    rt.db.execute("UPDATE wall_tokens SET expires_at = %s", (datetime.now(UTC) - timedelta(seconds=1),))
    assert sign_in_wall(app.server.test_client()).status_code == 401


def test_the_wall_cannot_drill_down_into_a_person(app):
    client = app.server.test_client()
    sign_in_wall(client)
    details = {"livemap-selected.data": 1, "livemap-details-tick.n_intervals": 1}
    assert post_callback(client, "livemap-details.children", details).status_code == 403


def test_disabling_a_user_ends_their_sessions(app):
    client = app.server.test_client()
    sign_in(client, "field")
    assert client.get("/me").status_code == 200
    app.server.extensions["fieldops"].db.execute(
        "UPDATE users SET disabled = true, session_version = session_version + 1 WHERE username = 'field'"
    )
    assert client.get("/me").status_code == 302
    assert sign_in(app.server.test_client(), "field").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"])
def test_sign_in_never_redirects_off_site(app, target):
    client = app.server.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    answer = client.post(
        "/login", data={"username": "manager", "password": password_of("manager"), "csrf_token": token, "next": target}
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_the_login_page_escapes_what_it_echoes(app):
    client = app.server.test_client()
    answer = sign_in(client, '<script>alert("x")</script>', password="x" * 12)
    page = answer.get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


NASTY = ["'; DROP TABLE users; --", "<script>window.__xss=1</script>", "1 OR 1=1", "%00", "\u202e", "9" * 40, "-1"]
OWNER_OF_PAGE = {
    "livemap": "manager",
    "me": "field",
    "mobile": "field",
    "trackers": "supervisor",
    "reports": "supervisor",  # issue 8
    "wall": "wall",  # issue 8
    "heatmap": "supervisor",
    "perf": "manager",
    "day": "supervisor",
    "tasks": "manager",
    "customers": "manager",
    "erp": "manager",  # issue 9
    "exports": "manager",
    "alerts": "supervisor",  # issue 17: the inbox, and the shell's bell
    "shell": "supervisor",
    "coverage": "manager",  # issue 21
}  # every other page is an admin page


@pytest.mark.parametrize("nasty", NASTY)
def test_no_callback_fails_on_hostile_input(app, nasty):
    """Every text a browser can send to every server callback: an answer, never a 500, nothing dropped."""
    clients = {}
    failures = []
    for output, spec in list(app.callback_map.items()):
        if "callback" not in spec or output.strip(".").startswith("_pages"):
            continue
        prefix = output.strip(".").split("-", 1)[0]
        username = OWNER_OF_PAGE.get(prefix, "admin")
        if username not in clients:
            clients[username] = app.server.test_client()
            if username == "wall":
                sign_in_wall(clients[username])
            else:
                sign_in(clients[username], username)
        client = clients[username]
        values = [{"id": i["id"], "property": i["property"], "value": nasty} for i in spec["inputs"]]
        states = [{"id": i["id"], "property": i["property"], "value": nasty} for i in spec["state"]]
        outputs = [
            {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]} for o in output.strip(".").split("...")
        ]
        body = {
            "output": output,
            "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": values,
            "state": states,
            "changedPropIds": [f"{values[0]['id']}.{values[0]['property']}"],
        }
        answer = client.post(
            "/_dash-update-component",
            data=json.dumps(body),
            content_type="application/json",
            headers=csrf_headers(client),
        )
        if answer.status_code not in (200, 204):
            failures.append((output, answer.status_code))
    assert failures == [], failures
    rt = app.server.extensions["fieldops"]
    assert rt.db.fetch_one("SELECT count(*) AS n FROM users")["n"] >= 5
    assert rt.db.fetch_one("SELECT count(*) AS n FROM teams WHERE name IN ('North', 'East', 'South', 'West')")["n"] == 4
