"""GET /reports/file/<report>/<name>: a stored report's file, for a viewer whose scope covers the report.

The guard admits only REPORT_ROLES here (VIEWER_PREFIXES); data/reports.report_file checks the
scope in SQL. Reports hold individuals' figures, so each download is audited as an export.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, g

from dashboard.core.auditing import record_look
from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.permissions import may_read_report
from dashboard.core.runtime import runtime
from data import reports
from data.scope import Scope

blueprint = Blueprint("reports", __name__)


@blueprint.get("/reports/file/<int:report_id>/<name>")
def download(report_id: int, name: str) -> Response:
    rt = runtime()
    file = reports.report_file(rt.db, g.viewer.scope, report_id, name) if len(name) <= 200 else None
    if file is None:
        raise AppError(404, "not_found", _("No such report file in your view."))
    if not may_read_report(g.viewer, file["names_individuals"], rt.org_settings()):
        message = _("This report lists individuals, which the organisation's privacy setting hides from you.")
        raise AppError(403, "individuals_hidden", message)
    scope_teams = file["scope_team_ids"]
    subjects = reports.employee_ids(rt.db, Scope(None if scope_teams is None else frozenset(scope_teams)))
    record_look("export", subjects, {"report": report_id, "file": name})
    return Response(
        bytes(file["content"]),
        mimetype=file["media_type"],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(file['name'])}"},
    )
