"""Import people: employees from a CSV or XLSX file, by employee code, with a dry run first (issue 18). Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import PEOPLE_ADMIN_ROLES
from dashboard.web.components import import_report_grid, page_frame
from dashboard.work.erp import XLSX_TYPE
from dashboard.work.people import IMPORT_COLUMNS

dash.register_page(
    __name__,
    path="/admin/people/import",
    name="Import people",
    order=57,
    section="admin",
    roles=PEOPLE_ADMIN_ROLES,
    id_prefix="peopleimport",
)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Import people"),
        html.P(
            _(
                "People are matched by employee code: new codes are added, known ones updated; a column left empty "
                "clears that field, a column the file lacks leaves it as it is. Team and supervisor are given by "
                "name, skills separated by commas. A file with any bad row writes nothing: check it first."
            ),
            className="text-muted",
        ),
        html.Div(
            [
                html.Span(_("Columns: ")),
                html.Code(", ".join(IMPORT_COLUMNS)),
                html.Span(". " + _("Row 1 is the first row under the header.")),
            ],
            className="small my-2",
        ),
        html.Div(
            [
                html.Button(_("Template (CSV)"), id="peopleimport-template-csv", className="btn btn-sm btn-link"),
                html.Button(_("Template (XLSX)"), id="peopleimport-template-xlsx", className="btn btn-sm btn-link"),
                dcc.Download(id="peopleimport-template"),
            ],
            className="d-flex gap-2 mb-2",
        ),
        dcc.Upload(
            id="peopleimport-upload",
            accept=".csv,.xlsx,text/csv," + XLSX_TYPE,
            className="fo-upload",
            children=html.Div(_("Drop a CSV or XLSX file here, or click to choose it")),
        ),
        html.Div(id="peopleimport-file", className="small text-muted"),
        html.Div(
            [
                html.Button(_("Check (dry run)"), id="peopleimport-check", className="btn btn-outline-primary"),
                html.Button(_("Import"), id="peopleimport-import", className="btn btn-primary", disabled=True),
                html.Span(
                    _("Import is possible after a clean dry run of the same file."),
                    id="peopleimport-import-hint",
                    className="small text-muted align-self-center",
                ),
            ],
            className="d-flex gap-2 my-2",
        ),
        html.Div(id="peopleimport-result", role="status"),
        import_report_grid("peopleimport-report", _("Code")),
        dcc.Store(id="peopleimport-checked"),
        page_id="peopleimport-page",
    )
