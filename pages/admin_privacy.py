"""Admin: privacy settings and wall display tokens. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, grid, page_frame

dash.register_page(
    __name__, path="/admin/privacy", name="Privacy", order=53, section="admin", roles=ADMIN_ROLES, id_prefix="privacy"
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Privacy settings"),
        html.Div(
            className="fo-form-row",
            children=[
                field(
                    _("Outside working hours"),
                    dcc.RadioItems(
                        id="privacy-off-hours",
                        options=[
                            {"label": _("store nothing"), "value": "drop"},
                            {"label": _("store only a coarse area per hour (about 5 km²)"), "value": "coarse"},
                        ],
                    ),
                ),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(
                    _("Keep positions for (days)"),
                    dcc.Input(id="privacy-retention", type="number", min=1, max=3650, className="form-control"),
                ),
                dcc.Checklist(
                    id="privacy-executive",
                    options=[{"label": _("Executives may see individuals' live positions"), "value": "yes"}],
                ),
            ],
        ),
        html.Div(
            [
                html.Button(_("Save settings"), id="privacy-save", className="btn btn-primary"),
                html.Button(_("Delete expired positions now"), id="privacy-purge", className="btn btn-outline-danger"),
            ],
            className="d-flex gap-2",
        ),
        html.Div(id="privacy-result"),
        # Issue 19: check-in trust scores, switched off where a works council says so (docs/CHINA.md).
        html.H3(_("Check-in trust scores"), className="h5 mt-4"),
        html.P(
            _(
                "Each check-in is scored 0-100 with its reasons (repeated coordinates, an impossible jump, constant "
                "accuracy, a wrong clock, a new phone) for supervisors. A score never blocks or penalises anyone."
            ),
            className="small text-muted",
        ),
        html.Div(
            className="fo-form-row",
            children=[
                dcc.Checklist(id="privacy-trust", options=[{"label": _("Score check-ins for trust"), "value": "on"}]),
                html.Button(_("Save trust setting"), id="privacy-trust-save", className="btn btn-outline-primary"),
            ],
        ),
        html.Div(id="privacy-trust-result"),
        html.H3(_("Wall displays"), className="h5 mt-4"),
        grid(
            "privacy-walls",
            [("id", "#"), ("name", _("Name")), ("state", _("State")), ("last_used", _("Last used"))],
            height="200px",
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(_("Display name"), dcc.Input(id="privacy-wall-name", className="form-control", maxLength=100)),
                field(
                    _("Valid for (days)"),
                    dcc.Input(
                        id="privacy-wall-days", type="number", value=365, min=1, max=3650, className="form-control"
                    ),
                ),
                html.Button(_("Create token"), id="privacy-wall-create", className="btn btn-outline-primary"),
                field(_("Token"), dcc.Dropdown(id="privacy-wall-pick")),
                html.Button(_("Revoke"), id="privacy-wall-revoke", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(id="privacy-wall-result"),
        # Issue 8: how long each wall display panel shows.
        html.Div(
            className="fo-form-row mt-2",
            children=[
                field(
                    _("Seconds per wall panel (the map and today's figures show twice as long)"),
                    dcc.Input(id="privacy-wall-cycle", type="number", min=5, max=600, className="form-control"),
                ),
                html.Button(_("Save rotation"), id="privacy-wall-cycle-save", className="btn btn-outline-primary"),
            ],
        ),
        html.Div(id="privacy-wall-cycle-result"),
        dcc.Store(id="privacy-refresh", data=0),
        page_id="privacy-page",
    )
