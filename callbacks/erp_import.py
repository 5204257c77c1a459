"""ERP import page: read the uploaded file, check or import it, and show each row's outcome."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import text
from dashboard.core.runtime import runtime
from dashboard.geo.coords import SYSTEMS
from dashboard.web.components import import_report, result
from dashboard.work.erp import COLUMNS, ENTITIES, ImportFileError, read_upload, run_import


def columns_of(entity: object) -> str:
    return ", ".join(COLUMNS.get(text(entity, 20), COLUMNS["customers"]))


def file_name(name: object) -> str:
    return text(name, 200)


def run(_check: int, _import: int, entity: object, contents: object, name: object, coords: object) -> tuple:
    entity = text(entity, 20)
    if entity not in ENTITIES:
        return result(_("Choose what the file holds."), ok=False), []
    try:
        rows = read_upload(contents, name)
    except ImportFileError as exc:
        return result(str(exc), ok=False), []
    dry_run = ctx.triggered_id != "erp-import"
    system = text(coords, 8) if text(coords, 8) in SYSTEMS else "wgs84"
    return import_report(run_import(runtime(), g.viewer.scope, entity, rows, dry_run, system).as_dict())


def register(app: Dash) -> None:
    app.callback(Output("erp-columns", "children"), Input("erp-entity", "value"))(columns_of)
    app.callback(Output("erp-file", "children"), Input("erp-upload", "filename"))(file_name)
    app.callback(
        Output("erp-result", "children"),
        Output("erp-report", "rowData"),
        Input("erp-check", "n_clicks"),
        Input("erp-import", "n_clicks"),
        State("erp-entity", "value"),
        State("erp-upload", "contents"),
        State("erp-upload", "filename"),
        State("erp-coords", "value"),
        prevent_initial_call=True,
    )(run)
