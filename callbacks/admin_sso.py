"""Admin single sign-on page: the provider's settings (the client secret is never sent back), the claims that give
roles and teams, passwords switched off but for the break-glass admin (dashboard/work/sso.py decides)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import counter, text
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.web.shell import role_label
from dashboard.work import sso
from data import users


def load(_refresh: int) -> tuple:
    rt = runtime()
    config = sso.load_config(rt.db)
    admins = [
        {"label": u["username"], "value": u["username"]}
        for u in users.list_users(rt.db)
        if u["role"] == "admin" and not u["disabled"]
    ]
    secret_hint = _("set: leave empty to keep it") if config.client_secret else _("not set")
    return (
        sso.redirect_uri(rt.settings.public_url),
        ["yes"] if config.enabled else [],
        config.display_name,
        config.issuer,
        config.client_id,
        secret_hint,
        config.scopes,
        config.role_claim,
        sso.role_map_text(config.role_map),
        config.teams_claim,
        [{"label": role_label(role), "value": role} for role in sso.DEFAULT_ROLES],
        config.default_role,
        ["yes"] if config.passwords_off else [],
        admins,
        config.break_glass_username,
    )


def save(
    _clicks: int,
    enabled: list | None,
    display_name: str | None,
    issuer: str | None,
    client_id: str | None,
    client_secret: str | None,
    scopes: str | None,
    role_claim: str | None,
    role_map: str | None,
    teams_claim: str | None,
    default_role: str | None,
    passwords_off: list | None,
    break_glass: str | None,
    refresh: int,
) -> tuple:
    form = {
        "enabled": isinstance(enabled, list) and "yes" in enabled,
        "display_name": text(display_name, 60),
        "issuer": text(issuer, 500),
        "client_id": text(client_id, 255),
        "scopes": text(scopes, 500),
        "role_claim": text(role_claim, 100),
        "role_map": text(role_map, 5000),
        "teams_claim": text(teams_claim, 100),
        "default_role": text(default_role),
        "passwords_off": isinstance(passwords_off, list) and "yes" in passwords_off,
        "break_glass_username": text(break_glass, 64),
    }
    try:
        sso.save(runtime().db, form, text(client_secret, 500) or None, g.viewer.user_id)
    except sso.SsoConfigError as exc:
        return result(str(exc), ok=False), no_update, no_update
    return result(_("Single sign-on saved."), ok=True), counter(refresh) + 1, ""


def register(app: Dash) -> None:
    app.callback(
        Output("sso-redirect-uri", "children"),
        Output("sso-enabled", "value"),
        Output("sso-display-name", "value"),
        Output("sso-issuer", "value"),
        Output("sso-client-id", "value"),
        Output("sso-client-secret", "placeholder"),
        Output("sso-scopes", "value"),
        Output("sso-role-claim", "value"),
        Output("sso-role-map", "value"),
        Output("sso-teams-claim", "value"),
        Output("sso-default-role", "options"),
        Output("sso-default-role", "value"),
        Output("sso-passwords-off", "value"),
        Output("sso-break-glass", "options"),
        Output("sso-break-glass", "value"),
        Input("sso-refresh", "data"),
    )(load)
    app.callback(
        Output("sso-result", "children"),
        Output("sso-refresh", "data", allow_duplicate=True),
        Output("sso-client-secret", "value"),
        Input("sso-save", "n_clicks"),
        State("sso-enabled", "value"),
        State("sso-display-name", "value"),
        State("sso-issuer", "value"),
        State("sso-client-id", "value"),
        State("sso-client-secret", "value"),
        State("sso-scopes", "value"),
        State("sso-role-claim", "value"),
        State("sso-role-map", "value"),
        State("sso-teams-claim", "value"),
        State("sso-default-role", "value"),
        State("sso-passwords-off", "value"),
        State("sso-break-glass", "value"),
        State("sso-refresh", "data"),
        prevent_initial_call=True,
    )(save)
