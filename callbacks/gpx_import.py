"""GPX import callbacks: the employees the viewer may import for, and the import with its report."""

from __future__ import annotations

import base64
import binascii

from dash import Dash, Input, Output, State, html
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import text, whole_number
from dashboard.core.runtime import runtime
from dashboard.geo.coords import SYSTEMS
from dashboard.ingest.protocols.gpx import import_file
from dashboard.web.components import person_options
from data import employees
from data.feed import StreamFull


def employee_options(_id: object) -> list[dict]:
    return person_options(employees.roster(runtime().db, g.viewer.scope), value="id")


def import_files(
    contents: list[str] | None, names: list[str] | None, employee_id: int | None, coords: object
) -> html.Div | str:
    contents = [c for c in contents if isinstance(c, str)] if isinstance(contents, list) else []
    names = [text(n, 200) for n in names] if isinstance(names, list) else []
    employee_id = whole_number(employee_id)
    if not contents:
        return ""
    rt = runtime()
    system = coords if coords in SYSTEMS else "wgs84"
    if employee_id is None or employees.get_employee(rt.db, g.viewer.scope, employee_id) is None:
        return html.Div(_("Choose an employee first, then the files."), className="alert alert-warning")
    reports = []
    for content, name in zip(contents, names or [], strict=False):
        try:
            data = base64.b64decode(content.split(",", 1)[1], validate=True)
        except (IndexError, binascii.Error):
            reports.append(
                {
                    "file": name,
                    "points": 0,
                    "accepted": 0,
                    "untimed": 0,
                    "rejected": [],
                    "error": _("The upload could not be read."),
                }
            )
            continue
        try:
            reports.append(import_file(rt, employee_id, name, data, system))
        except StreamFull:
            return html.Div(
                _("The server is busy storing earlier positions; try again in a minute."),
                className="alert alert-warning",
            )
    return _report_table(reports)


def _report_table(reports: list[dict]) -> html.Table:
    header = html.Tr(
        [
            html.Th(text)
            for text in (_("File"), _("Track points"), _("Accepted"), _("Without a time"), _("Refused"), _("Problem"))
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(report["file"]),
                html.Td(report["points"], className="fo-num"),
                html.Td(report["accepted"], className="fo-num"),
                html.Td(report["untimed"], className="fo-num"),
                html.Td([html.Div(f"{item['count']} × {item['reason']}") for item in report["rejected"]]),
                html.Td(report["error"] or ""),
            ],
            className="table-warning" if report["error"] or not report["accepted"] else "",
        )
        for report in reports
    ]
    return html.Table(
        [html.Thead(header), html.Tbody(rows)], id="gpx-report-table", className="table table-sm fo-report"
    )


def register(app: Dash) -> None:
    app.callback(Output("gpx-employee", "options"), Input("gpx-employee", "id"))(employee_options)
    app.callback(
        Output("gpx-report", "children"),
        Input("gpx-upload", "contents"),
        State("gpx-upload", "filename"),
        State("gpx-employee", "value"),
        State("gpx-coords", "value"),
        running=[
            (Output("gpx-progress", "style"), {"display": "flex"}, {"display": "none"}),
            (Output("gpx-upload", "disabled"), True, False),
        ],
        prevent_initial_call=True,
    )(import_files)
