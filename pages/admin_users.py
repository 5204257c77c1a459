"""Admin: sign-in accounts, their roles and teams. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, grid, page_frame

dash.register_page(
    __name__, path="/admin/users", name="Users", order=50, section="admin", roles=ADMIN_ROLES, id_prefix="users"
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Users"),
        grid(
            "users-grid",
            [
                ("username", _("User name")),
                ("role", _("Role")),
                ("teams", _("Teams")),
                ("employee", _("Employee")),
                ("state", _("State")),
                ("last_login", _("Last sign-in")),
            ],
        ),
        html.H3(_("New account"), className="h5 mt-4"),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("User name"), dcc.Input(id="users-new-username", className="form-control", maxLength=64)),
                field(_("Password"), dcc.Input(id="users-new-password", type="password", className="form-control")),
                field(_("Role"), dcc.Dropdown(id="users-new-role", clearable=False, value="field")),
                field(_("Employee"), dcc.Dropdown(id="users-new-employee")),
                field(_("Teams"), dcc.Dropdown(id="users-new-teams", multi=True)),
                html.Button(_("Create"), id="users-create", className="btn btn-primary"),
            ],
        ),
        html.Div(id="users-create-result"),
        html.H3(_("Change an account"), className="h5 mt-4"),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Account"), dcc.Dropdown(id="users-pick")),
                field(_("Role"), dcc.Dropdown(id="users-role", clearable=False)),
                field(_("Teams"), dcc.Dropdown(id="users-teams", multi=True)),
                html.Button(_("Save role and teams"), id="users-save", className="btn btn-outline-primary"),
                html.Button(_("Disable"), id="users-disable", className="btn btn-outline-danger"),
                html.Button(_("Enable"), id="users-enable", className="btn btn-outline-secondary"),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("New password"), dcc.Input(id="users-password", type="password", className="form-control")),
                html.Button(_("Reset password"), id="users-reset", className="btn btn-outline-primary"),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(
                    _("E-mail for alerts"),
                    dcc.Input(id="users-email", type="email", className="form-control", maxLength=320),
                ),
                html.Button(_("Save e-mail"), id="users-save-email", className="btn btn-outline-primary"),
            ],
        ),
        html.Div(id="users-change-result"),
        dcc.Store(id="users-refresh", data=0),
        page_id="users-page",
    )
