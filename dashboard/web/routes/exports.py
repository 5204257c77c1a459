"""CSV downloads of a period (issue 9): attendance, visits, all activities — the viewer's scope only,
each download written to the audit log as an export.

Every row is one person's day or one person's activity, so a viewer who may not see individuals (issue 15:
an executive while the organisation hides them) is refused with 403 and a reason, not sent team sums: team
figures are defined once, in the reports, whose team table such a viewer gets."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, Response, g, request

from dashboard.core.auditing import record_look
from dashboard.core.errors import AppError
from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import FIRST_DAY, LAST_DAY, calendar_day
from dashboard.core.permissions import may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.core.spreadsheets import as_text_cell
from dashboard.reports.render.xlsx import render_form_answers
from dashboard.work import form_answers
from dashboard.work.attendance import attendance_rows, check_period, local_bounds
from data import attendance

blueprint = Blueprint("exports", __name__)
ATTENDANCE_COLUMNS = (
    "day",
    "employee_code",
    "employee_name",
    "first_check_in",
    "last_check_out",
    "hours_in_field",
    "visits",
)
ACTIVITY_COLUMNS = (
    "id",
    "kind",
    "employee_code",
    "employee_name",
    "customer_external_id",
    "customer_name",
    "task_id",
    "visit_id",
    "started_at",
    "ended_at",
    "source",
    "notes",
)


def individuals_hidden_message() -> str:
    return _(
        "These exports list individuals, which the organisation's privacy setting hides from you. "
        "The reports give the same figures per team."
    )


def _period() -> tuple[date, date]:
    if not may_see_individuals(g.viewer, runtime().org_settings()):
        raise AppError(403, "individuals_hidden", individuals_hidden_message())
    first, last = calendar_day(request.args.get("from")), calendar_day(request.args.get("to"))
    if first is None or last is None:
        raise AppError(400, "invalid_parameter", f"from and to are dates YYYY-MM-DD, {FIRST_DAY} to {LAST_DAY}")
    check_period(first, last)
    return first, last


def _csv(rows: list[dict], columns: tuple[str, ...], name: str, first: date, last: date) -> Response:
    """Times in the organisation's zone, as people read them; a cell that starts like a formula is quoted."""
    rt = runtime()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if hasattr(value, "astimezone"):
                value = rt.local(value, "%Y-%m-%d %H:%M:%S")
            cells.append(as_text_cell("" if value is None else str(value)))
        writer.writerow(cells)
    filename = f"fieldops-{name}-{first}-{last}.csv"
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@blueprint.get("/export/attendance.csv")
def attendance_csv() -> Response:
    first, last = _period()
    rows = attendance_rows(first, last)
    return _csv(rows, ATTENDANCE_COLUMNS, "attendance", first, last)


def _activities(kinds: tuple[str, ...] | None, name: str) -> Response:
    first, last = _period()
    start, end = local_bounds(first, last)
    rows = attendance.activities_in_period(runtime().db, g.viewer.scope, start, end, kinds)
    record_look("export", sorted({row["employee_id"] for row in rows}), {"what": name, "from": str(first)})
    return _csv(rows, ACTIVITY_COLUMNS, name, first, last)


@blueprint.get("/export/visits.csv")
def visits_csv() -> Response:
    return _activities(("visit",), "visits")


@blueprint.get("/export/activities.csv")
def activities_csv() -> Response:
    return _activities(None, "activities")


@blueprint.get("/export/form-answers.xlsx")
def form_answers_xlsx() -> Response:
    """Visit forms' answers changed in the period (issue 21): one sheet per form version, a column per question."""
    first, last = _period()
    start, end = local_bounds(first, last)
    rt = runtime()
    sheets, people = form_answers.export_sheets(rt, g.viewer, start, end, current_language())
    record_look("export", people, {"what": "form_answers", "from": str(first)})
    filename = f"fieldops-form-answers-{first}-{last}.xlsx"
    return Response(
        render_form_answers(sheets, current_language()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
