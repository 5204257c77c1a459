"""Single sign-on's two routes (issue 18): /login/sso sends the browser to the organisation's OpenID Provider,
/login/sso/callback takes its answer. Both are open routes of the guard; what makes a sign-in good is decided
in dashboard/work/sso.py, and the session is the one a password sign-in gets (auth.start_session)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, redirect, request, session

from dashboard.core.i18n import _
from dashboard.core.inputs import safe_next
from dashboard.core.runtime import runtime
from dashboard.web.auth import _login_page, start_session
from dashboard.work import sso
from data import users

log = logging.getLogger(__name__)

blueprint = Blueprint("sso", __name__)
PENDING_KEY = "sso_pending"


def _refused(exc: sso.SsoRefused) -> Response:
    log.warning("Single sign-on refused (%s) from %s: %s", exc.status, request.remote_addr, exc.reason)
    return _login_page(exc.message, status=exc.status)


@blueprint.get(sso.START_PATH)
def start() -> Response:
    rt = runtime()
    config = sso.load_config(rt.db)
    if not config.active:
        return _login_page(_("Single sign-on is not set up. Sign in with your password."), status=404)
    try:
        url, pending = sso.authorization_request(config, sso.redirect_uri(rt.settings.public_url))
    except sso.SsoRefused as exc:
        return _refused(exc)
    session[PENDING_KEY] = {**pending, "next": safe_next(request.args.get("next"))}
    return redirect(url)


@blueprint.get(sso.CALLBACK_PATH)
def callback() -> Response:
    rt = runtime()
    pending = session.pop(PENDING_KEY, None)  # one answer per request: a replayed callback finds nothing
    config = sso.load_config(rt.db)
    if not config.active:
        return _login_page(_("Single sign-on is not set up. Sign in with your password."), status=404)
    args = {key: value[:2000] for key, value in request.args.items()}
    try:
        claims = sso.verified_claims(config, sso.redirect_uri(rt.settings.public_url), pending, args)
        user_id = sso.account_for(rt.db, config, claims)
    except sso.SsoRefused as exc:
        return _refused(exc)
    users.record_success(rt.db, user_id)
    log.info(
        "Single sign-on of user %s (subject %s at %s) from %s",
        user_id,
        claims["sub"],
        config.issuer,
        request.remote_addr,
    )
    return start_session(user_id, remember=False, asked_for=pending["next"])
