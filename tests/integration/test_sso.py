"""Single sign-on with OpenID Connect (issue 18) against a real OpenID Provider running in this process
(tests/oidc_provider.py: pyop, RSA key, JWKS): the code flow with PKCE end to end through the app's own routes,
and every refusal a person can meet: another client's ID token, an expired one, a disabled account, a forged
state, the provider's own refusal, and passwords switched off for all but the break-glass admin."""

from __future__ import annotations

import io
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine

from dashboard.cli.main import main
from dashboard.work import accounts, sso
from data import users
from tests.conftest import make_app, password_of, sign_in
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, LocalProvider

INSTANT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def op(seeded_settings, tmp_path, monkeypatch):
    provider = LocalProvider(sso.redirect_uri(seeded_settings.public_url), tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(provider.ca_file))  # we trust the provider's certificate
    yield provider
    provider.stop()


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def configure(app, op, **changes) -> None:
    form = {
        "enabled": True,
        "display_name": "Example ID",
        "issuer": op.issuer,
        "client_id": CLIENT_ID,
        "scopes": "openid profile email",
        "role_claim": "groups",
        "role_map": "fieldops-supervisors = supervisor\nfieldops-managers = manager",
        "teams_claim": "teams",
        "default_role": "field",
        **changes,
    }
    sso.save(app.server.extensions["fieldops"].db, form, CLIENT_SECRET, None)


def sso_sign_in(client, next_path: str = "/"):
    """Press "Sign in with ...", let the provider answer, and bring its answer back: the browser's part."""
    start = client.get(f"/login/sso?next={next_path}")
    assert start.status_code == 302, start.get_data(as_text=True)
    at_provider = requests.get(start.location, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 303, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    return start.location, client.get(f"{back.path}?{back.query}")


def signed_in_as(client) -> str | None:
    page = client.get("/login")
    return None if page.status_code == 200 else page.location


def test_code_flow_with_pkce_makes_a_linked_supervisor_of_the_claimed_team_and_signs_in(app, op):
    configure(app, op)
    client = app.server.test_client()
    assert "Sign in with Example ID" in client.get("/login").get_data(as_text=True)
    asked, answer = sso_sign_in(client, "/tasks")
    sent = parse_qs(urlsplit(asked).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["code_challenge"][0]
    assert sent["nonce"][0] and sent["state"][0] and sent["scope"] == ["openid profile email"]
    assert "code_verifier" in op.token_requests[-1]  # the provider checked it against the challenge
    assert answer.status_code == 302 and answer.location == "/tasks"  # the deep link asked for survives
    db = app.server.extensions["fieldops"].db
    anna = users.user_by_name(db, "anna.virtanen")
    assert anna["role"] == "supervisor" and anna["password_hash"] is None and anna["last_login_at"] is not None
    east = db.fetch_one("SELECT id FROM teams WHERE name = 'East'")["id"]
    assert users.get_user(db, anna["id"])["team_ids"] == [east]
    assert client.get("/tasks").status_code == 200  # the same session a password gives
    # Signing out ends it as it ends a password's.
    assert client.post("/logout", headers={"X-CSRFToken": client.get_cookie("_csrf_token").value}).status_code == 302
    assert client.get("/tasks").status_code == 302

    # The provider moves her to the managers: the next sign-in follows, on the same account.
    op.claims["anna"] = {"groups": ["fieldops-managers"], "teams": []}
    _asked, again = sso_sign_in(client)
    assert again.status_code == 302
    assert users.user_by_name(db, "anna.virtanen")["role"] == "manager"
    assert db.fetch_one("SELECT count(*) AS n FROM users WHERE username LIKE %s", ("anna%",))["n"] == 1


def test_a_matching_user_name_alone_links_nothing(app, op):
    configure(app, op)
    db = app.server.extensions["fieldops"].db
    local = accounts.create_account(db, "mikko.ops", "a-long-local-password", "manager")
    op.signed_in = "mikko"
    _asked, answer = sso_sign_in(client := app.server.test_client())
    assert answer.status_code == 302
    made = users.user_by_name(db, "mikko.ops-2")
    assert made is not None and made["id"] != local and made["role"] == "field"  # no group maps: the default
    assert users.get_user(db, local)["role"] == "manager"
    assert signed_in_as(client) is not None


def test_an_id_token_for_another_client_is_refused(app, op, caplog):
    configure(app, op)
    op.audience = OTHER_CLIENT_ID
    client = app.server.test_client()
    with caplog.at_level(logging.WARNING, logger="dashboard.web.sso"):
        _asked, answer = sso_sign_in(client)
    assert answer.status_code == 401
    assert "The sign-in could not be verified." in answer.get_data(as_text=True)
    assert "aud" in caplog.text
    assert users.user_by_name(app.server.extensions["fieldops"].db, "anna.virtanen") is None
    assert signed_in_as(client) is None


def test_an_expired_id_token_is_refused(app, op, caplog):
    configure(app, op)
    op.clock_behind_s = 2 * 3600  # it signs a token of one hour, two hours ago by our clock
    client = app.server.test_client()
    with time_machine.travel(INSTANT, tick=False), caplog.at_level(logging.WARNING, logger="dashboard.web.sso"):
        _asked, answer = sso_sign_in(client)
    assert answer.status_code == 401
    assert "ExpiredTokenError" in caplog.text
    assert signed_in_as(client) is None


def test_an_id_token_just_issued_at_the_pinned_instant_is_accepted(app, op):
    configure(app, op)
    with time_machine.travel(INSTANT, tick=False):
        _asked, answer = sso_sign_in(app.server.test_client())
    assert answer.status_code == 302


def test_a_user_disabled_in_fieldops_is_refused_though_the_provider_says_yes(app, op):
    configure(app, op)
    db = app.server.extensions["fieldops"].db
    assert sso_sign_in(app.server.test_client())[1].status_code == 302
    accounts.set_disabled(db, "anna.virtanen", True)
    client = app.server.test_client()
    _asked, answer = sso_sign_in(client)
    assert answer.status_code == 403
    assert "Your FieldOps account is disabled" in answer.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_a_forged_state_and_the_providers_refusal_show_a_page_not_a_500(app, op):
    configure(app, op)
    client = app.server.test_client()
    client.get("/login/sso")
    forged = client.get("/login/sso/callback?code=abc&state=not-the-one")
    assert forged.status_code == 400 and "not started here" in forged.get_data(as_text=True)
    assert client.get("/login/sso/callback").status_code == 400  # nothing pending at all
    op.deny = True
    _asked, refused = sso_sign_in(client)
    assert refused.status_code == 401
    assert "Example ID did not sign you in (access_denied" in refused.get_data(as_text=True)


def test_the_refusal_page_is_in_the_viewers_language(app, op):
    configure(app, op)
    client = app.server.test_client()
    client.get("/language/zh-CN?next=/login")
    page = client.get("/login/sso/callback?state=x&code=y")
    assert page.status_code == 400 and '<html lang="zh-CN">' in page.get_data(as_text=True)
    assert "This sign-in was not started here" not in page.get_data(as_text=True)


def test_passwords_off_refuse_everyone_but_the_break_glass_admin(app, op):
    configure(app, op, passwords_off=True, break_glass_username="admin")
    db = app.server.extensions["fieldops"].db
    client = app.server.test_client()
    form = client.get("/login").get_data(as_text=True)
    assert "Passwords are switched off" in form
    refused = sign_in(client, "manager")
    assert refused.status_code == 403
    assert "Passwords are switched off: sign in with Example ID." in refused.get_data(as_text=True)
    with pytest.raises(accounts.AccountError, match="Passwords are switched off"):
        accounts.change_password(db, "manager", "another-long-password")
    assert sign_in(client, "admin").status_code == 302
    # Switching single sign-on off gives everyone their password back.
    configure(app, op, enabled=False, passwords_off=True, break_glass_username="admin")
    assert sign_in(app.server.test_client(), "manager", password_of("manager")).status_code == 302


def test_passwords_cannot_be_switched_off_without_a_break_glass_admin(app, op):
    db = app.server.extensions["fieldops"].db
    for name in (None, "manager", "nobody"):
        with pytest.raises(sso.SsoConfigError, match="break-glass"):
            configure(app, op, passwords_off=True, break_glass_username=name)
    with pytest.raises(sso.SsoConfigError, match="Line 2"):
        configure(app, op, role_map="a = manager\nb = owner")
    with pytest.raises(sso.SsoConfigError, match="discovery"):
        configure(app, op, issuer=op.issuer + "/elsewhere")
    assert sso.load_config(db).enabled is False


def test_the_client_secret_is_kept_when_the_form_leaves_it_empty(app, op):
    configure(app, op)
    db = app.server.extensions["fieldops"].db
    sso.save(db, {**_form_of(sso.load_config(db)), "display_name": "Renamed"}, None, None)
    config = sso.load_config(db)
    assert config.display_name == "Renamed" and config.client_secret == CLIENT_SECRET


def _form_of(config: sso.SsoConfig) -> dict:
    return {
        "enabled": config.enabled,
        "display_name": config.display_name,
        "issuer": config.issuer,
        "client_id": config.client_id,
        "scopes": config.scopes,
        "role_claim": config.role_claim,
        "role_map": sso.role_map_text(config.role_map),
        "teams_claim": config.teams_claim,
        "default_role": config.default_role,
    }


def test_the_cli_sets_and_shows_single_sign_on_and_gives_passwords_back(seeded_settings, op, monkeypatch, capsys):
    for name, value in (
        ("DATABASE_URL", seeded_settings.database_url),
        ("REDIS_URL", seeded_settings.redis_url),
        ("FIELDOPS_REDIS_PREFIX", seeded_settings.redis_prefix),
        ("SECRET_KEY", seeded_settings.secret_key),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", io.StringIO(CLIENT_SECRET + "\n"))
    argv = ["sso", "set", "--enable", "--name", "Example ID", "--issuer", op.issuer, "--client-id", CLIENT_ID]
    argv += ["--client-secret-stdin", "--role-claim", "groups", "--map", "fieldops-supervisors=supervisor"]
    assert main([*argv, "--passwords-off", "--break-glass", "admin"]) == 0
    shown = capsys.readouterr().out
    assert "client secret: set" in shown and CLIENT_SECRET not in shown
    assert "passwords:     off, but for admin" in shown and "fieldops-supervisors = supervisor" in shown
    assert main(["sso", "set", "--break-glass", "manager"]) == 2
    assert "break-glass" in capsys.readouterr().err
    assert main(["sso", "set", "--passwords-on"]) == 0  # the way back in when the provider is lost
    assert "passwords:     on" in capsys.readouterr().out


def test_two_first_sign_ins_at_the_same_moment_make_one_account(app, op):
    configure(app, op)
    db = app.server.extensions["fieldops"].db
    config = sso.load_config(db)
    claims = {"sub": "one-person", "preferred_username": "twin"}
    with ThreadPoolExecutor(4) as pool:
        made = set(pool.map(lambda _n: sso.account_for(db, config, claims), range(4)))
    assert len(made) == 1
    assert db.fetch_one("SELECT count(*) AS n FROM users WHERE username LIKE %s", ("twin%",))["n"] == 1


def test_a_provider_that_stops_answering_mid_sign_in_gives_a_page_not_a_500(app, op):
    configure(app, op)
    client = app.server.test_client()
    start = client.get("/login/sso")
    back = urlsplit(requests.get(start.location, allow_redirects=False, timeout=10).headers["Location"])
    op.stop()
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 502
    assert "sign-in service does not answer" in answer.get_data(as_text=True)
