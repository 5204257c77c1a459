"""Single sign-on with OpenID Connect (issue 18): the settings an admin gives, the provider's discovery, the
authorization code flow with PKCE (S256), state and nonce, the ID token's verification, and the account a
verified sign-in becomes (linked by issuer and subject, its role and teams from the mapped claims).

The web routes (dashboard/web/sso.py) keep the pending request in the session and start the session; everything
that decides whether a sign-in is good is here.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from dashboard.core.i18n import _
from dashboard.core.permissions import PEOPLE_ROLES
from data import sso, teams, users
from data.db import Database

log = logging.getLogger(__name__)

CALLBACK_PATH = "/login/sso/callback"
START_PATH = "/login/sso"
# When a claim carries several values that map to roles, the first of these wins.
ROLE_PRECEDENCE = ("admin", "manager", "executive", "supervisor", "field")
# The role of a first sign-in when no claim maps: never admin, which only an explicit mapping gives.
DEFAULT_ROLES = ("field", "supervisor", "manager", "executive")
HTTP_TIMEOUT_S = 10
LEEWAY_S = 60  # clock skew allowed between the provider and us on exp and iat
METADATA_TTL_S = 300
CLAIM_NAME = re.compile(r"^[A-Za-z0-9_.:/-]{1,100}$")
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,100}$")
USERNAME_CHARS = re.compile(r"[^A-Za-z0-9._@-]")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def _unavailable() -> str:
    return _("Your organisation's sign-in service does not answer. Try again later.")


class SsoConfigError(ValueError):
    """Settings that cannot be saved, with the reason."""


class SsoRefused(Exception):
    """A sign-in refused: `message` for the person (in their language), `reason` for the log."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class SsoConfig:
    enabled: bool = False
    display_name: str = ""
    issuer: str = ""
    client_id: str = ""
    client_secret: str | None = None
    scopes: str = "openid profile email"
    role_claim: str = ""
    role_map: dict[str, str] = field(default_factory=dict)
    teams_claim: str = ""
    default_role: str = "field"
    passwords_off: bool = False
    break_glass_username: str | None = None

    @property
    def active(self) -> bool:
        """Whether the sign-in page offers the provider."""
        return self.enabled and bool(self.issuer and self.client_id and self.client_secret)

    def password_allowed(self, username: str) -> bool:
        """Passwords are off only while single sign-on is active, and never for the break-glass admin."""
        if not (self.active and self.passwords_off):
            return True
        return bool(self.break_glass_username) and username.lower() == (self.break_glass_username or "").lower()


def load_config(db: Database) -> SsoConfig:
    row = sso.get_config(db)
    if row is None:
        return SsoConfig()
    return SsoConfig(**{key: value for key, value in row.items() if key != "updated_at"})


def redirect_uri(public_url: str) -> str:
    """The address to register at the provider: where it sends the browser back."""
    return public_url.rstrip("/") + CALLBACK_PATH


# The admin's settings.


def parse_role_map(text: str) -> dict[str, str]:
    """Lines "claim value = role" (role as field, supervisor, manager, executive or admin)."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        value, sep, role = line.rpartition("=")
        value, role = value.strip(), role.strip().lower()
        if not sep or not value or len(value) > 200 or role not in PEOPLE_ROLES:
            raise SsoConfigError(
                _(
                    "Line {n} of the role mapping: write one claim value = role per line, the role one of {roles}.",
                    n=number,
                    roles=", ".join(PEOPLE_ROLES),
                )
            )
        mapping[value] = role
    return mapping


def role_map_text(mapping: dict[str, str]) -> str:
    return "\n".join(f"{value} = {role}" for value, role in mapping.items())


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _check_issuer(issuer: str) -> None:
    parts = urlsplit(issuer)
    secure = parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname or ""))
    if not (secure and parts.hostname and not parts.query and not parts.fragment and len(issuer) <= 500):
        raise SsoConfigError(_("The issuer is an https:// address without ? or # (http:// only on this machine)."))


def validate(db: Database, form: dict, new_secret: str | None) -> tuple[dict, str | None]:
    """The settings to store from an admin's form, or SsoConfigError with the first thing to mend."""
    stored = load_config(db)
    values = {
        "enabled": bool(form.get("enabled")),
        "display_name": str(form.get("display_name") or "").strip(),
        "issuer": str(form.get("issuer") or "").strip(),
        "client_id": str(form.get("client_id") or "").strip(),
        "scopes": " ".join(str(form.get("scopes") or "").split()),
        "role_claim": str(form.get("role_claim") or "").strip(),
        "role_map": parse_role_map(str(form.get("role_map") or "")),
        "teams_claim": str(form.get("teams_claim") or "").strip(),
        "default_role": str(form.get("default_role") or ""),
        "passwords_off": bool(form.get("passwords_off")),
        "break_glass_username": str(form.get("break_glass_username") or "").strip() or None,
    }
    secret = (new_secret or "").strip() or None
    if len(values["display_name"]) > 60:
        raise SsoConfigError(_("The provider's name has at most 60 characters."))
    if values["issuer"]:
        _check_issuer(values["issuer"])
    if len(values["client_id"]) > 255 or (secret is not None and len(secret) > 500):
        raise SsoConfigError(_("The client id has at most 255 characters and the secret at most 500."))
    scopes = values["scopes"].split()
    if "openid" not in scopes or not all(SCOPE_TOKEN.match(scope) for scope in scopes) or len(scopes) > 20:
        raise SsoConfigError(_("The scopes are words separated by spaces, openid among them."))
    for claim in ("role_claim", "teams_claim"):
        if values[claim] and not CLAIM_NAME.match(values[claim]):
            raise SsoConfigError(_("A claim's name is letters, digits and _ . : / - (up to 100)."))
    if values["role_map"] and not values["role_claim"]:
        raise SsoConfigError(_("Name the claim that carries the role, or leave the role mapping empty."))
    if values["default_role"] not in DEFAULT_ROLES:
        raise SsoConfigError(_("Choose the role of a first sign-in that no claim maps."))
    if values["enabled"]:
        if not (values["display_name"] and values["issuer"] and values["client_id"]):
            raise SsoConfigError(_("To switch single sign-on on, give the provider's name, issuer and client id."))
        if secret is None and not stored.client_secret:
            raise SsoConfigError(_("Give the client secret."))
        provider_metadata(values["issuer"], refresh=True, as_config_error=True)
    if values["passwords_off"]:
        _check_break_glass(db, values["break_glass_username"])
    return values, secret


def _check_break_glass(db: Database, username: str | None) -> None:
    row = users.user_by_name(db, username) if username else None
    if row is None or row["role"] != "admin" or row["disabled"] or not row["password_hash"]:
        raise SsoConfigError(
            _("Before switching passwords off, name the break-glass account: an active admin with a password.")
        )


def save(db: Database, form: dict, new_secret: str | None, user_id: int | None) -> SsoConfig:
    values, secret = validate(db, form, new_secret)
    sso.save_config(db, values, secret, user_id)
    log.info("Single sign-on settings saved by user %s (enabled: %s)", user_id, values["enabled"])
    return load_config(db)


# The provider: discovery and keys, cached per process.

_metadata: dict[str, tuple[float, dict]] = {}


def provider_metadata(issuer: str, refresh: bool = False, as_config_error: bool = False) -> dict:
    """The provider's discovery document (with its JWKS as "jwks"), checked to name the configured issuer."""
    cached = _metadata.get(issuer)
    if cached is not None and not refresh and time.monotonic() - cached[0] < METADATA_TTL_S:
        return cached[1]
    try:
        metadata = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        missing = [key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri") if key not in metadata]
        if metadata.get("issuer") != issuer or missing:
            raise ValueError(f"discovery names issuer {metadata.get('issuer')!r}, lacks {missing}")
        metadata = {**metadata, "jwks": _get_json(metadata["jwks_uri"])}
    except (requests.RequestException, ValueError) as exc:
        log.warning("OpenID Provider %s: discovery failed: %s", issuer, exc)
        if as_config_error:
            raise SsoConfigError(
                _("The provider's discovery document could not be read: {reason}", reason=exc)
            ) from exc
        raise SsoRefused(502, _unavailable(), str(exc)) from exc
    _metadata[issuer] = (time.monotonic(), metadata)
    return metadata


def _get_json(url: str) -> dict:
    response = requests.get(url, timeout=HTTP_TIMEOUT_S, allow_redirects=False)
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return body


def _client(config: SsoConfig, callback_uri: str) -> OAuth2Session:
    return OAuth2Session(
        config.client_id,
        config.client_secret,
        scope=config.scopes,
        redirect_uri=callback_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method's name
    )


# The code flow.


def authorization_request(config: SsoConfig, callback_uri: str) -> tuple[str, dict]:
    """The provider's address to send the browser to, and what the session keeps until it comes back."""
    metadata = provider_metadata(config.issuer)
    verifier, nonce = generate_token(64), generate_token(32)
    with _client(config, callback_uri) as client:
        url, state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
    return url, {"state": state, "nonce": nonce, "verifier": verifier, "issuer": config.issuer}


def verified_claims(config: SsoConfig, callback_uri: str, pending: dict | None, args: dict[str, str]) -> dict:
    """The provider's answer checked: state, then the code exchanged (with the PKCE verifier), then the ID token
    verified (signature by the provider's JWKS, issuer, audience = our client id, exp and iat, nonce); claims
    from the userinfo endpoint added when the provider has one."""
    if pending is None or not args.get("state") or args.get("state") != pending.get("state"):
        raise SsoRefused(
            400, _("This sign-in was not started here or has expired. Start again."), "state missing or different"
        )
    if pending.get("issuer") != config.issuer:
        raise SsoRefused(400, _("The sign-in settings changed meanwhile. Start again."), "issuer changed")
    if args.get("error"):
        reason = f"{args.get('error')}: {args.get('error_description', '')}"[:300]
        raise SsoRefused(
            401, _("{provider} did not sign you in ({reason}).", provider=config.display_name, reason=reason), reason
        )
    if not args.get("code"):
        raise SsoRefused(400, _("The sign-in service sent no code. Start again."), "no code")
    metadata = provider_metadata(config.issuer)
    try:
        with _client(config, callback_uri) as client:
            token = client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=args["code"],
                code_verifier=pending["verifier"],
                timeout=HTTP_TIMEOUT_S,
            )
    except requests.RequestException as exc:
        raise SsoRefused(502, _unavailable(), f"token request: {exc}") from exc
    except (OAuthError, ValueError) as exc:
        raise SsoRefused(
            401, _("The sign-in service refused to complete this sign-in. Start again."), f"token request: {exc}"
        ) from exc
    if not token.get("id_token"):
        raise SsoRefused(401, _("The sign-in could not be verified."), "no ID token in the token response")
    claims = _verified_id_token(config, metadata, token, pending["nonce"])
    return {**_userinfo(metadata, token, claims["sub"]), **claims}


def _verified_id_token(config: SsoConfig, metadata: dict, token: dict, nonce: str) -> dict:
    algorithms = [alg for alg in metadata.get("id_token_signing_alg_values_supported", ["RS256"]) if alg != "none"]
    registry = JWSRegistry(algorithms=algorithms or ["RS256"], strict_check_header=False)
    try:
        try:
            decoded = jwt.decode(token["id_token"], KeySet.import_key_set(metadata["jwks"]), registry=registry)
        except InvalidKeyIdError:  # the provider rolled its keys since we read them
            metadata = provider_metadata(config.issuer, refresh=True)
            decoded = jwt.decode(token["id_token"], KeySet.import_key_set(metadata["jwks"]), registry=registry)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": config.issuer},
                "aud": {"essential": True, "value": config.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
                "iat": {"essential": True},
            },
            {"nonce": nonce, "client_id": config.client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=LEEWAY_S)
    except (JoseError, ValueError) as exc:
        raise SsoRefused(
            401, _("The sign-in could not be verified."), f"ID token refused: {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(claims["sub"], str) or not 1 <= len(claims["sub"]) <= 255:
        raise SsoRefused(401, _("The sign-in could not be verified."), "ID token's subject is not 1-255 characters")
    return dict(claims)


def _userinfo(metadata: dict, token: dict, subject: str) -> dict:
    """The userinfo endpoint's claims (some providers put the profile, groups or roles only there); its subject
    must be the ID token's."""
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint or not token.get("access_token"):
        return {}
    try:
        response = requests.get(
            endpoint,
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=HTTP_TIMEOUT_S,
            allow_redirects=False,
        )
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoRefused(502, _unavailable(), f"userinfo: {exc}") from exc
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise SsoRefused(401, _("The sign-in could not be verified."), "userinfo's subject differs from the ID token's")
    return info


# The account.


def _claim_values(claims: dict, name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def mapped_role(config: SsoConfig, claims: dict) -> str | None:
    """The role the role claim maps to (the first of ROLE_PRECEDENCE when several do), else None."""
    if not config.role_claim:
        return None
    roles = {config.role_map[value] for value in _claim_values(claims, config.role_claim) if value in config.role_map}
    return next((role for role in ROLE_PRECEDENCE if role in roles), None)


def mapped_team_ids(db: Database, config: SsoConfig, claims: dict) -> list[int] | None:
    """The teams the teams claim names (None when no claim is configured); names of no team are logged."""
    if not config.teams_claim:
        return None
    names = sorted(set(_claim_values(claims, config.teams_claim)))
    rows = teams.teams_by_name(db, names) if names else []
    unknown = set(names) - {row["name"] for row in rows}
    if unknown:
        log.warning("Single sign-on of %s: no team is named %s", claims.get("sub"), ", ".join(sorted(unknown)))
    return sorted(row["id"] for row in rows)


def _wanted_username(claims: dict) -> str:
    """A user name from preferred_username (else the e-mail) in the characters user names have."""
    wanted = next(
        (value for value in (claims.get("preferred_username"), claims.get("email")) if isinstance(value, str)), ""
    )
    base = USERNAME_CHARS.sub("", wanted)[:60]
    return base if len(base) >= 3 else "sso-" + hashlib.sha256(str(claims["sub"]).encode()).hexdigest()[:8]


def _email(claims: dict) -> str | None:
    email = claims.get("email")
    verified = claims.get("email_verified", True) is not False
    return email if isinstance(email, str) and verified and len(email) <= 320 and EMAIL.match(email) else None


def account_for(db: Database, config: SsoConfig, claims: dict) -> int:
    """The user a verified sign-in is: made at the first one (linked by issuer and subject, never by name), its
    role and teams from the mapped claims (else the default role, no teams); later sign-ins update role and teams
    from the claims that are configured. A disabled user is refused whatever the provider says."""
    role, team_ids = mapped_role(config, claims), mapped_team_ids(db, config, claims)
    user_id = sso.linked_user_id(db, config.issuer, claims["sub"])
    if user_id is None:
        first_role = role or config.default_role
        user_id, made = sso.create_linked_user(
            db, config.issuer, claims["sub"], _wanted_username(claims), first_role, team_ids or [], _email(claims)
        )
        if made:
            log.info("Single sign-on: user %s (%s) made for subject %s", user_id, first_role, claims["sub"])
            return user_id
    row = users.get_user(db, user_id)
    if row is None or row["disabled"]:
        raise SsoRefused(
            403,
            _("Your FieldOps account is disabled. Ask your administrator."),
            f"user {user_id} is disabled in FieldOps",
        )
    new_role = (role or config.default_role) if config.role_claim else row["role"]
    new_teams = sorted(row["team_ids"]) if team_ids is None else team_ids
    if new_role != row["role"] or new_teams != sorted(row["team_ids"]):
        users.set_role_and_teams(db, user_id, new_role, new_teams)
        log.info("Single sign-on: %s is now %s of teams %s (from claims)", row["username"], new_role, new_teams)
    return user_id
