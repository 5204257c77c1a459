"""ERP import: customers and orders from a CSV or JSON file, with a dry run first (issue 9). Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ERP_IMPORT_ROLES
from dashboard.web.components import field, import_report_grid, page_frame
from dashboard.web.maps import system_options
from dashboard.work.erp import COLUMNS, XLSX_TYPE

dash.register_page(
    __name__, path="/import/erp", name="ERP import", order=21, section="data", roles=ERP_IMPORT_ROLES, id_prefix="erp"
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("ERP import"),
        html.P(
            _(
                "Customers and orders are matched by the ERP's id: new ones are created, changed ones updated. "
                "A file with any bad row writes nothing; check it first."
            ),
            className="text-muted",
        ),
        field(
            _("What the file holds"),
            dcc.RadioItems(
                id="erp-entity",
                options=[{"label": _("Customers"), "value": "customers"}, {"label": _("Orders"), "value": "orders"}],
                value="customers",
                inline=True,
            ),
        ),
        html.Div(
            [html.Span(_("Columns: ")), html.Code(", ".join(COLUMNS["customers"]), id="erp-columns")],
            className="small my-2",
        ),
        field(
            _("Customers' coordinates are in"),
            dcc.Dropdown(
                id="erp-coords", clearable=False, value="wgs84", options=system_options(), style={"width": "28rem"}
            ),
        ),
        dcc.Upload(
            id="erp-upload",
            accept=".csv,.xlsx,.json,text/csv,application/json," + XLSX_TYPE,
            className="fo-upload",
            children=html.Div(_("Drop a CSV, XLSX or JSON file here, or click to choose it")),
        ),
        html.Div(id="erp-file", className="small text-muted"),
        html.Div(
            [
                html.Button(_("Check (dry run)"), id="erp-check", className="btn btn-outline-primary"),
                html.Button(_("Import"), id="erp-import", className="btn btn-primary"),
            ],
            className="d-flex gap-2 my-2",
        ),
        html.Div(id="erp-result"),
        import_report_grid("erp-report", _("External id")),
        page_id="erp-page",
    )
