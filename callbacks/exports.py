"""Exports page: the period's download links and a preview of its attendance."""

from __future__ import annotations

from datetime import datetime, timedelta

from dash import Dash, Input, Output
from flask import g

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import calendar_day
from dashboard.core.permissions import may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.web.routes.exports import individuals_hidden_message
from dashboard.work.attendance import attendance_rows

PREVIEW_DAYS = 7


def defaults(_path: object) -> tuple[str, str]:
    today = datetime.now(runtime().settings.tz).date()
    return str(today - timedelta(days=PREVIEW_DAYS - 1)), str(today)


def period(first_value: object, last_value: object) -> tuple:
    first, last = calendar_day(first_value), calendar_day(last_value)
    if first is None or last is None:
        return "", "", "", "", result(_("Choose the first and the last day."), ok=False), []
    if not may_see_individuals(g.viewer, runtime().org_settings()):
        return "", "", "", "", result(individuals_hidden_message(), ok=False), []
    query = f"?from={first}&to={last}"
    links = (
        *(f"/export/{name}.csv{query}" for name in ("attendance", "visits", "activities")),
        f"/export/form-answers.xlsx{query}",
    )
    try:
        rows = attendance_rows(first, last)
    except AppError:
        return "", "", "", "", result(_("The last day comes after the first, at most 62 days later."), ok=False), []
    rt = runtime()
    preview = [
        {
            "day": str(row["day"]),
            "employee": f"{row['employee_name']} ({row['employee_code']})",
            "first": rt.local(row["first_check_in"], "%H:%M"),
            "last": rt.local(row["last_check_out"], "%H:%M"),
            "hours": row["hours_in_field"],
            "visits": row["visits"],
        }
        for row in rows
    ]
    return *links, "", preview


def register(app: Dash) -> None:
    app.callback(Output("exports-from", "date"), Output("exports-to", "date"), Input("exports-page", "id"))(defaults)
    app.callback(
        Output("exports-attendance", "href"),
        Output("exports-visits", "href"),
        Output("exports-activities", "href"),
        Output("exports-form-answers", "href"),
        Output("exports-result", "children"),
        Output("exports-attendance-grid", "rowData"),
        Input("exports-from", "date"),
        Input("exports-to", "date"),
    )(period)
