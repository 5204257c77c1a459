"""My data: what FieldOps stores about me, who looked at it, my export, my pause. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import PEOPLE_ROLES
from dashboard.web.components import field, grid, page_frame

dash.register_page(__name__, path="/me", name="My data", order=90, roles=PEOPLE_ROLES, id_prefix="me")


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("My data"),
        html.Div(id="me-summary"),
        html.H3(_("Location sharing"), className="h5 mt-4"),
        html.Div(id="me-sharing"),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Reason for a pause"), dcc.Input(id="me-reason", maxLength=200, className="form-control")),
                html.Button(_("Pause sharing"), id="me-pause", className="btn btn-outline-danger"),
                html.Button(_("Resume sharing"), id="me-resume", className="btn btn-outline-success"),
            ],
        ),
        html.Div(id="me-sharing-result"),
        html.H3(_("Who looked at my location"), className="h5 mt-4"),
        grid(
            "me-looks",
            [("at", _("When")), ("username", _("Who")), ("role", _("Role")), ("action", _("What"))],
            height="300px",
        ),
        html.A(
            _("Download all my data (JSON)"),
            href="/me/export",
            className="btn btn-outline-primary mt-3",
            id="me-export",
        ),
        dcc.Store(id="me-refresh", data=0),
        page_id="me-page",
    )
