"""Admin: single sign-on with the organisation's OpenID Provider (issue 18). Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, page_frame

dash.register_page(
    __name__, path="/admin/sso", name="Single sign-on", order=58, section="admin", roles=ADMIN_ROLES, id_prefix="sso"
)


def _text(element_id: str, max_length: int, **extra) -> dcc.Input:
    return dcc.Input(id=element_id, className="form-control", maxLength=max_length, **extra)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Single sign-on"),
        html.P(
            [_("Register this address at your provider as the redirect URI: "), html.Code(id="sso-redirect-uri")],
            className="text-muted",
        ),
        dcc.Checklist(
            id="sso-enabled",
            options=[{"label": _("Offer sign-in with the organisation's account"), "value": "yes"}],
        ),
        html.H3(_("Provider"), className="h5 mt-3"),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Name on the sign-in button"), _text("sso-display-name", 60)),
                field(_("Issuer URL"), _text("sso-issuer", 500, type="url")),
                field(_("Client id"), _text("sso-client-id", 255)),
                field(_("Client secret"), _text("sso-client-secret", 500, type="password", autoComplete="off")),
                field(_("Scopes"), _text("sso-scopes", 500)),
            ],
        ),
        html.H3(_("Roles and teams from claims"), className="h5 mt-3"),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Claim with the role"), _text("sso-role-claim", 100)),
                field(
                    _("Claim values and their roles (one per line: value = role)"),
                    dcc.Textarea(id="sso-role-map", className="form-control", rows=4, maxLength=5000),
                ),
                field(_("Claim with team names"), _text("sso-teams-claim", 100)),
                field(
                    _("Role at first sign-in when no claim maps"),
                    dcc.Dropdown(id="sso-default-role", clearable=False),
                ),
            ],
        ),
        html.H3(_("Passwords"), className="h5 mt-3"),
        html.Div(
            className="fo-form-row",
            children=[
                dcc.Checklist(
                    id="sso-passwords-off",
                    options=[
                        {"label": _("Switch passwords off for everyone but the break-glass admin"), "value": "yes"}
                    ],
                ),
                field(_("Break-glass admin"), dcc.Dropdown(id="sso-break-glass")),
            ],
        ),
        html.Button(_("Save single sign-on"), id="sso-save", className="btn btn-primary mt-2"),
        html.Div(id="sso-result"),
        dcc.Store(id="sso-refresh", data=0),
        page_id="sso-page",
    )
