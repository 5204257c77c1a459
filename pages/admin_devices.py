"""Admin: trackers and the employee each belongs to. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, grid, page_frame
from dashboard.web.maps import system_options

dash.register_page(
    __name__, path="/admin/devices", name="Devices", order=55, section="admin", roles=ADMIN_ROLES, id_prefix="devices"
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Devices"),
        grid(
            "devices-grid",
            [
                ("protocol", _("Protocol")),
                ("identifier", _("Identifier")),
                ("employee", _("Employee")),
                ("secret", _("Secret")),
                ("coords", _("Coordinates sent")),
            ],
        ),
        html.H3(_("Register a tracker"), className="h5 mt-4"),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Employee"), dcc.Dropdown(id="devices-employee")),
                field(
                    _("Protocol"),
                    dcc.Dropdown(
                        id="devices-protocol",
                        clearable=False,
                        value="osmand",
                        options=[
                            {"label": "Traccar Client (OsmAnd)", "value": "osmand"},
                            {"label": "OwnTracks", "value": "owntracks"},
                            {"label": _("FieldOps mobile page"), "value": "native"},
                        ],
                    ),
                ),
                field(_("Identifier"), dcc.Input(id="devices-identifier", maxLength=128, className="form-control")),
                field(
                    _("Coordinates sent"),
                    dcc.Dropdown(id="devices-coords", clearable=False, value="wgs84", options=system_options()),
                ),
                html.Button(_("Register"), id="devices-add", className="btn btn-primary"),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Device"), dcc.Dropdown(id="devices-pick")),
                html.Button(_("Remove"), id="devices-remove", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(id="devices-result"),
        dcc.Store(id="devices-refresh", data=0),
        page_id="devices-page",
    )
