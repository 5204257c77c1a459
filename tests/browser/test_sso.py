"""Single sign-on as people meet it (issue 18), in headless Chromium against a real OpenID Provider in this process
(tests/oidc_provider.py): an admin sets it up on /admin/sso, then a person presses "Sign in with ..." and lands on
their home page; with passwords switched off the form says so."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dashboard.work import sso
from tests.browser import screenshot_path
from tests.browser.conftest import settle
from tests.conftest import LiveServer, free_port, sign_in_browser
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider


@pytest.fixture
def sso_server(seeded_settings, tmp_path, monkeypatch):
    """The app on a port fixed before it starts, so that its public URL (and the redirect URI the provider
    knows) is where the browser reaches it; and the provider, whose certificate the app trusts."""
    port = free_port()
    server = LiveServer(replace(seeded_settings, public_url=f"http://127.0.0.1:{port}"), port)
    provider = LocalProvider(sso.redirect_uri(server.url), tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(provider.ca_file))
    yield server, provider
    provider.stop()
    server.stop()


@pytest.fixture
def op_page(browser):
    """A page that accepts the provider's certificate, made for 127.0.0.1 by the test (the app is plain http)."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="en-GB", ignore_https_errors=True)
    yield context.new_page()
    context.close()


def _configure(server: LiveServer, provider: LocalProvider, **changes) -> None:
    form = {
        "enabled": True,
        "display_name": "Example ID",
        "issuer": provider.issuer,
        "client_id": CLIENT_ID,
        "scopes": "openid profile email",
        "role_claim": "groups",
        "role_map": "fieldops-supervisors = supervisor",
        "teams_claim": "teams",
        "default_role": "field",
        **changes,
    }
    sso.save(server.runtime.db, form, CLIENT_SECRET, None)


def test_a_person_signs_in_with_the_organisations_account_and_lands_on_their_home_page(op_page, sso_server, axe):
    server, provider = sso_server
    _configure(server, provider)
    page = op_page
    page.goto(server.url + "/login")
    button = page.locator("#login-sso")
    assert button.inner_text() == "Sign in with Example ID"
    axe(page, "the sign-in page offering single sign-on")
    page.screenshot(path=screenshot_path("sso_login"))
    button.click()
    page.wait_for_url(f"{server.url}/")  # a supervisor's home: the live map of her team
    page.wait_for_selector("#livemap-count-total")
    settle(page)
    nav = page.inner_text("nav")
    assert "Live map" in nav and "anna.virtanen" in nav
    page.screenshot(path=screenshot_path("sso_signed_in_home"))


def test_an_admin_sets_up_single_sign_on_and_the_secret_is_never_shown_again(op_page, sso_server, axe):
    server, provider = sso_server
    page = op_page
    sign_in_browser(page, server.url, "admin")
    page.goto(server.url + "/admin/sso")
    settle(page)
    assert page.inner_text("#sso-redirect-uri") == f"{server.url}/login/sso/callback"
    page.check("#sso-enabled input")
    page.fill("#sso-display-name", "Example ID")
    page.fill("#sso-issuer", provider.issuer)
    page.fill("#sso-client-id", CLIENT_ID)
    page.fill("#sso-client-secret", CLIENT_SECRET)
    page.fill("#sso-role-claim", "groups")
    page.fill("#sso-role-map", "fieldops-supervisors = supervisor\nfieldops-admins = admin")
    page.fill("#sso-teams-claim", "teams")
    page.check("#sso-passwords-off input")
    page.click("#sso-break-glass")
    page.get_by_role("option", name="admin", exact=True).click()
    page.click("#sso-save")
    page.wait_for_selector("text=Single sign-on saved.")
    assert page.input_value("#sso-client-secret") == ""
    page.wait_for_function(
        "() => document.getElementById('sso-client-secret').placeholder === 'set: leave empty to keep it'"
    )
    assert CLIENT_SECRET not in page.content()
    axe(page, "/admin/sso")
    page.screenshot(path=screenshot_path("sso_admin"), full_page=True)
    config = sso.load_config(server.runtime.db)
    assert config.active and config.passwords_off and config.break_glass_username == "admin"
    assert config.role_map == {"fieldops-supervisors": "supervisor", "fieldops-admins": "admin"}

    # To someone not signed in, the sign-in page offers the provider and says passwords are off.
    fresh = page.context.browser.new_context(locale="en-GB").new_page()
    fresh.goto(server.url + "/login")
    assert "only the break-glass administrator" in fresh.inner_text("#login-passwords-off")
    fresh.fill("#username", "manager")
    fresh.fill("#password", "whatever-it-is")
    fresh.click("#login-submit")
    assert "Passwords are switched off: sign in with Example ID." in fresh.inner_text("#login-error")
    axe(fresh, "the sign-in page with passwords off")
    fresh.screenshot(path=screenshot_path("sso_passwords_off"))
    fresh.context.close()
