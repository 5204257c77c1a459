"""Exports: attendance, visits and activities of a period as CSV (issue 9), visit forms' answers as XLSX (issue
21). Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import EXPORT_ROLES
from dashboard.web.components import field, grid, page_frame

dash.register_page(
    __name__, path="/exports", name="Exports", order=22, section="data", roles=EXPORT_ROLES, id_prefix="exports"
)


def _day_picker(picker_id: str) -> dcc.DatePickerSingle:
    """A day written 2026-11-23, as in the files: a native date input shows the browser's own format (11/23/2026)."""
    return dcc.DatePickerSingle(id=picker_id, display_format="YYYY-MM-DD", first_day_of_week=1)


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Exports"),
        html.P(
            _(
                "Days in the organisation's time zone. Hours in the field run from the first check-in (or visit) "
                "to the last check-out (or visit end)."
            ),
            className="text-muted",
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("From"), _day_picker("exports-from")),
                field(_("To"), _day_picker("exports-to")),
            ],
        ),
        html.Div(
            [
                html.A(_("Attendance (CSV)"), id="exports-attendance", className="btn btn-outline-primary"),
                html.A(_("Visits (CSV)"), id="exports-visits", className="btn btn-outline-primary"),
                html.A(_("All activities (CSV)"), id="exports-activities", className="btn btn-outline-primary"),
                html.A(_("Form answers (XLSX)"), id="exports-form-answers", className="btn btn-outline-primary"),
            ],
            className="d-flex gap-2 my-3",
        ),
        html.Div(id="exports-result"),
        grid(
            "exports-attendance-grid",
            [
                ("day", _("Day")),
                ("employee", _("Employee")),
                ("first", _("First check-in")),
                ("last", _("Last check-out")),
                ("hours", _("Hours in the field")),
                ("visits", _("Visits")),
            ],
        ),
        page_id="exports-page",
    )
