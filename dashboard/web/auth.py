"""Signing in and out: flask-login sessions, passwords (dashboard/core/passwords.py), CSRF, throttling, wall tokens."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Flask, Response, abort, redirect, render_template_string, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from dashboard.core.errors import POSTGRES_DOWN
from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import safe_next
from dashboard.core.passwords import rehashed, verify_password
from dashboard.core.permissions import Viewer, scope_for
from dashboard.core.runtime import runtime
from dashboard.web.filing import filing_footer
from dashboard.web.shell import landing_path
from dashboard.work import sso
from data import login_throttle, users, wall_tokens

LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
IP_FAILURES_PER_WINDOW = 30
IP_WINDOW_S = 15 * 60
REMEMBER_DAYS = 14
WALL_SESSION_DAYS = 90
CSRF_SESSION_KEY = "csrf"
CSRF_COOKIE = "_csrf_token"  # Dash's renderer reads this cookie and sends it as X-CSRFToken
CSRF_HEADER = "X-CSRFToken"
blueprint = Blueprint("auth", __name__)


@dataclass
class Principal(UserMixin):
    """A signed-in user, or a wall display signed in with its token."""

    viewer: Viewer
    session_id: str

    def get_id(self) -> str:
        return self.session_id


def _principal_from_user(row: dict) -> Principal:
    scope = scope_for(row["role"], row["employee_id"], row.get("team_ids") or [])
    viewer = Viewer(row["id"], row["username"], row["role"], row["employee_id"], scope)
    return Principal(viewer, f"u:{row['id']}:{row['session_version']}")


def _principal_from_wall(token: dict) -> Principal:
    viewer = Viewer(None, f"wall:{token['name']}", "wall", None, scope_for("wall", None, []))
    return Principal(viewer, f"w:{token['id']}")


def load_principal(session_id: str) -> Principal | None:
    """flask-login's loader: a session dies when the user is disabled, re-keyed, or the token revoked."""
    kind, _sep, rest = session_id.partition(":")
    db = runtime().db
    if kind == "u":
        user_id, _sep, version = rest.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        row = users.get_user(db, int(user_id))
        if row is None or row["disabled"] or row["session_version"] != int(version):
            return None
        return _principal_from_user(row)
    if kind == "w" and rest.isdigit():
        token = wall_tokens.active_token(db, int(rest), datetime.now(UTC))
        return _principal_from_wall(token) if token else None
    return None


def install_auth(server: Flask, secure_cookies: bool) -> None:
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_NAME="fieldops_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        REMEMBER_COOKIE_NAME="fieldops_remember",
        REMEMBER_COOKIE_DURATION=timedelta(days=REMEMBER_DAYS),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_REFRESH_EACH_REQUEST=False,
    )
    manager = LoginManager()
    manager.session_protection = "strong"
    manager.user_loader(load_principal)
    manager.init_app(server)
    server.register_blueprint(blueprint)
    server.after_request(_set_csrf_cookie)


def current_viewer() -> Viewer | None:
    return current_user.viewer if current_user.is_authenticated else None


# CSRF: a random token per session, sent back by forms (hidden field) and by Dash (header).


def csrf_token() -> str:
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def csrf_ok() -> bool:
    expected = session.get(CSRF_SESSION_KEY)
    sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token")
    return bool(expected and sent and hmac.compare_digest(expected, sent))


def _set_csrf_cookie(response: Response) -> Response:
    token = session.get(CSRF_SESSION_KEY)
    if token and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=False,
            samesite="Strict",
            secure=bool(request.is_secure or response.headers.get("Strict-Transport-Security")),
        )
    return response


# Throttling, counted in Redis: per address, and per user name whether or not an account has it, so that
# neither the answer nor the lock tells which names exist.


def _ip_blocked() -> bool:
    return login_throttle.failures(runtime().feed, "address", request.remote_addr or "") >= IP_FAILURES_PER_WINDOW


def _name_locked(username: str) -> bool:
    return login_throttle.failures(runtime().feed, "name", username.lower()) >= LOCK_AFTER_FAILURES


def _count_failure(username: str) -> None:
    feed = runtime().feed
    login_throttle.count_failure(feed, "address", request.remote_addr or "", IP_WINDOW_S)
    login_throttle.count_failure(feed, "name", username.lower(), LOCK_MINUTES * 60)


LOGIN_PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · FieldOps</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css"><link rel="stylesheet" href="/assets/fieldops.css">
</head><body class="fo-login-body">
<a class="fo-skip" href="#main-content">{{ skip }}</a>
<main class="fo-login card shadow-sm" id="main-content" tabindex="-1">
  <div class="card-body">
    <h1 class="h4 mb-3">FieldOps</h1>
    <h2 class="h6 text-muted mb-3">{{ title }}</h2>
    {% if error %}<div class="alert alert-danger" role="alert" id="login-error">{{ error }}</div>{% endif %}
    {% if sso_label %}<a class="btn btn-primary w-100 mb-3" id="login-sso"
       href="/login/sso?next={{ next|urlencode }}">{{ sso_label }}</a>
    {% if passwords_off %}<p class="small text-muted" id="login-passwords-off">{{ passwords_off }}</p>{% endif %}
    <p class="small text-muted text-center mb-2">{{ or_password }}</p>{% endif %}
    <form method="post" action="/login">
      <input type="hidden" name="csrf_token" value="{{ csrf }}">
      <input type="hidden" name="next" value="{{ next }}">
      <div class="mb-3"><label class="form-label" for="username">{{ username_label }}</label>
        <input class="form-control" id="username" name="username" autocomplete="username" required
               value="{{ username }}" autofocus></div>
      <div class="mb-3"><label class="form-label" for="password">{{ password_label }}</label>
        <input class="form-control" id="password" name="password" type="password"
               autocomplete="current-password" required></div>
      <div class="form-check mb-3"><input class="form-check-input" type="checkbox" id="remember" name="remember">
        <label class="form-check-label" for="remember">{{ remember_label }}</label></div>
      <button class="btn {{ 'btn-outline-secondary' if sso_label else 'btn-primary' }} w-100" type="submit"
              id="login-submit">{{ submit }}</button>
    </form>
    <p class="small text-muted mt-3 mb-0">
      <a href="/language/en?next=/login">English</a> · <a href="/language/zh-CN?next=/login">简体中文</a></p>
  </div>
</main>{{ filing }}</body></html>"""


def _sso_offer() -> sso.SsoConfig | None:
    """The provider the sign-in page offers; while PostgreSQL is down the page still shows (its outage in it)."""
    try:
        config = sso.load_config(runtime().db)
    except POSTGRES_DOWN:
        return None
    return config if config.active else None


def _login_page(error: str | None = None, username: str = "", status: int = 200) -> Response:
    offer = _sso_offer()
    html = render_template_string(
        LOGIN_PAGE,
        lang=current_language(),
        filing=filing_footer(),
        skip=_("Skip to main content"),
        title=_("Sign in"),
        error=error,
        csrf=csrf_token(),
        next=safe_next(request.values.get("next")),
        username=username,
        username_label=_("User name"),
        password_label=_("Password"),
        remember_label=_("Keep me signed in on this device"),
        submit=_("Sign in with a password") if offer else _("Sign in"),
        sso_label=_("Sign in with {provider}", provider=offer.display_name) if offer else None,
        or_password=_("or with a FieldOps password:"),
        passwords_off=_("Passwords are switched off: only the break-glass administrator signs in with one.")
        if offer and offer.passwords_off
        else None,
    )
    return Response(html, status=status, mimetype="text/html")


@blueprint.get("/login")
def login_form() -> Response:
    if current_user.is_authenticated:
        return redirect(destination(current_viewer(), request.args.get("next")))
    return _login_page()


def destination(viewer: Viewer, asked_for: str | None) -> str:
    """Where a sign-in leads: the page asked for when it is a deep link, else the role's home (field staff to the
    phone page, a wall to the wall, ...). "/" is no deep link: the guard sends every page-less visit there."""
    wanted = safe_next(asked_for)
    return wanted if wanted != "/" else landing_path(viewer) or "/"


@blueprint.post("/login")
def login_submit() -> Response:
    username = (request.form.get("username") or "").strip()[:100]
    password = request.form.get("password") or ""
    if _ip_blocked():
        return _login_page(_("Too many attempts from your address. Try again later."), username, 429)
    db = runtime().db
    row = users.user_by_name(db, username) if username else None
    # One argon2 verification on every path (a dummy hash for an unknown name): the time tells nothing.
    matches = verify_password(row["password_hash"] if row else None, password)
    if _name_locked(username):
        return _login_page(_("This account is locked for a while after repeated failures."), username, 429)
    config = sso.load_config(db)
    if not config.password_allowed(username):
        # Said whatever the password: the refusal tells nothing about it.
        message = _("Passwords are switched off: sign in with {provider}.", provider=config.display_name)
        return _login_page(message, username, 403)
    if row is None or row["disabled"] or row["role"] == "wall" or not matches:
        _count_failure(username)
        return _login_page(_("Wrong user name or password."), username, 401)
    login_throttle.forget(runtime().feed, "name", username.lower())
    users.record_success(db, row["id"])
    fresh_hash = rehashed(row["password_hash"], password)
    if fresh_hash is not None:
        users.set_password(db, row["id"], fresh_hash)
    return start_session(row["id"], bool(request.form.get("remember")), request.form.get("next"))


def start_session(user_id: int, remember: bool, asked_for: str | None) -> Response:
    """A signed-in session, the same for a password and a single sign-on, and the way to where it leads."""
    # A fresh session at sign-in: nothing from before it (a planted cookie) carries over.
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    login_user(_principal_from_user(users.get_user(runtime().db, user_id)), remember=remember)
    session.permanent = True
    csrf_token()
    return redirect(destination(current_viewer(), asked_for))


@blueprint.post("/logout")
def logout() -> Response:
    viewer = current_viewer()
    if viewer is not None and viewer.user_id is not None:
        # Sessions are signed cookies: a copy taken before sign-out dies only with the version.
        users.end_sessions(runtime().db, viewer.user_id)
    logout_user()
    session.clear()
    return redirect("/login")


@blueprint.get("/wall/login/<token>")
def wall_login(token: str) -> Response:
    """A wall display opens this address once; the token stays valid until it expires or is revoked."""
    row = wall_tokens.valid_token(runtime().db, token, datetime.now(UTC)) if len(token) <= 200 else None
    if row is None:
        abort(401)
    session.clear()
    login_user(_principal_from_wall(row), remember=True, duration=timedelta(days=WALL_SESSION_DAYS))
    csrf_token()
    return redirect(landing_path(current_viewer()) or "/wall")
