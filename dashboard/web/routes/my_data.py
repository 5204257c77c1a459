"""GET /me/export: a person's own data as JSON, logged like any other look at it."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, g

from dashboard.core.auditing import record_look
from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.runtime import runtime
from data import employees

blueprint = Blueprint("mydata", __name__)


@blueprint.get("/me/export")
def export() -> Response:
    employee_id = g.viewer.employee_id
    if employee_id is None:
        raise AppError(404, "not_linked", _("Your account is not linked to an employee."))
    record_look("export_own_data", [employee_id])
    body = orjson.dumps(employees.export_own_data(runtime().db, employee_id), default=str, option=orjson.OPT_INDENT_2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="fieldops-my-data.json"'},
    )
