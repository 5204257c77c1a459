"""GPX import: an employee's past track from GPX files, with a per-file report. Layout only; no data."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import HISTORY_IMPORT_ROLES
from dashboard.web.maps import system_options

dash.register_page(
    __name__,
    path="/import/gpx",
    name="GPX import",
    title="FieldOps · GPX import",
    order=20,
    section="data",
    roles=HISTORY_IMPORT_ROLES,
    id_prefix="gpx",
)


def layout(**_query: str) -> html.Div:
    return html.Div(
        className="fo-page",
        children=[
            html.H1(_("Import past tracks"), className="h4"),
            html.P(_("Points without a time, or with an impossible time, are not stored."), className="text-muted"),
            html.Label(_("Employee"), htmlFor="gpx-employee", className="fo-label"),
            dcc.Dropdown(id="gpx-employee", placeholder=_("Choose an employee"), className="fo-gpx-employee"),
            html.Label(_("The files' coordinates are in"), htmlFor="gpx-coords", className="fo-label"),
            dcc.Dropdown(
                id="gpx-coords", clearable=False, value="wgs84", options=system_options(), className="fo-gpx-employee"
            ),
            dcc.Upload(
                id="gpx-upload",
                multiple=True,
                accept=".gpx,application/gpx+xml,application/xml,text/xml",
                className="fo-upload",
                children=html.Div([_("Drop GPX files here, or click to choose them")]),
            ),
            html.Div(
                id="gpx-progress",
                className="progress fo-progress",
                style={"display": "none"},
                children=html.Div(
                    _("Importing…"),
                    className="progress-bar progress-bar-striped progress-bar-animated",
                    style={"width": "100%"},
                    role="progressbar",
                ),
            ),
            html.Div(id="gpx-report"),
        ],
    )
