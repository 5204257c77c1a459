"""Single sign-on's rules with no server (dashboard/work/sso.py): how claims become a role, how an admin writes the
role mapping, which issuers are accepted, and who may still use a password when passwords are off."""

from __future__ import annotations

import pytest

from dashboard.work.sso import SsoConfig, SsoConfigError, _check_issuer, mapped_role, parse_role_map

MAPPING = {"ops-admins": "admin", "ops-managers": "manager", "staff": "field", "bosses": "executive"}
CONFIG = SsoConfig(
    enabled=True,
    issuer="https://id.example.org",
    client_id="c",
    client_secret="s",
    role_claim="groups",
    role_map=MAPPING,
)


def test_the_highest_mapped_role_wins_whatever_the_claims_order():
    assert mapped_role(CONFIG, {"groups": ["staff", "ops-managers", "unrelated"]}) == "manager"
    assert mapped_role(CONFIG, {"groups": ["bosses", "ops-admins"]}) == "admin"
    assert mapped_role(CONFIG, {"groups": "staff"}) == "field"  # a single value as a string


def test_a_claim_that_maps_nothing_or_is_not_text_gives_no_role():
    assert mapped_role(CONFIG, {"groups": ["visitors"]}) is None
    assert mapped_role(CONFIG, {"groups": [{"name": "ops-admins"}, 7]}) is None
    assert mapped_role(CONFIG, {}) is None
    assert mapped_role(SsoConfig(role_map=MAPPING), {"groups": ["ops-admins"]}) is None  # no claim configured


def test_the_role_mapping_is_read_line_by_line_and_a_bad_line_is_named():
    assert parse_role_map("a = manager\n\n  b=c = Supervisor \n") == {"a": "manager", "b=c": "supervisor"}
    with pytest.raises(SsoConfigError, match="Line 2"):
        parse_role_map("a = manager\nb = wall")
    with pytest.raises(SsoConfigError, match="Line 1"):
        parse_role_map("just-a-value")


@pytest.mark.parametrize(
    "issuer",
    ["http://id.example.org", "https://id.example.org/?tenant=1", "https://id.example.org#x", "ftp://x", "id.example"],
)
def test_an_issuer_must_be_https_without_query_or_fragment(issuer):
    with pytest.raises(SsoConfigError):
        _check_issuer(issuer)


@pytest.mark.parametrize(
    "issuer", ["https://id.example.org", "https://login.example.org/tenant/v2.0", "http://127.0.0.1:9000"]
)
def test_https_issuers_and_a_local_http_one_are_accepted(issuer):
    _check_issuer(issuer)


def test_with_passwords_off_only_the_break_glass_admin_uses_one_and_only_while_sso_is_on():
    off = SsoConfig(**{**CONFIG.__dict__, "passwords_off": True, "break_glass_username": "Root.Admin"})
    assert off.password_allowed("root.admin") and not off.password_allowed("manager")
    assert SsoConfig(**{**off.__dict__, "enabled": False}).password_allowed("manager")
    assert CONFIG.password_allowed("manager")
