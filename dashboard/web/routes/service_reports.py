"""GET /service-reports/<id>.pdf: a visit's service report (issue 21), for the roles that open the customers page
(CUSTOMER_ROLES, admitted by the guard's VIEWER_PREFIXES) and only when their scope sees the customer
(data/service_reports.report_pdf checks it in SQL). The customer's page lists the links."""

from __future__ import annotations

from flask import Blueprint, Response, g

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import whole_number_in_text
from dashboard.core.runtime import runtime
from dashboard.reports.service_reports import pdf_name
from data import service_reports

blueprint = Blueprint("service_reports", __name__)
PREFIX = "/service-reports/"
REPORT_IDS = range(1, 2**63)  # service_reports.id is a bigserial


def report_path(report_id: int) -> str:
    return f"{PREFIX}{report_id}.pdf"


@blueprint.get("/service-reports/<path:name>")
def download(name: str) -> Response:
    report_id = whole_number_in_text(name.removesuffix(".pdf"), REPORT_IDS) if name.endswith(".pdf") else None
    row = service_reports.report_pdf(runtime().db, g.viewer.scope, report_id) if report_id else None
    if row is None:
        raise AppError(404, "not_found", _("No such service report in your view."))
    return Response(
        bytes(row["pdf"]),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{pdf_name(row["task_id"])}"',
            "Cache-Control": "private, no-store",
        },
    )
