"""ERP import page: read the uploaded file, check or import it, and show each row's outcome."""

from __future__ import annotations

import base64
import binascii

from dash import Dash, Input, Output, State, ctx
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import text
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.work.erp import COLUMNS, ENTITIES, ImportFileError, read_rows, run_import


def columns_of(entity: object) -> str:
    return ", ".join(COLUMNS.get(text(entity, 20), COLUMNS["customers"]))


def file_name(name: object) -> str:
    return text(name, 200)


def run(_check: int, _import: int, entity: object, contents: object, name: object) -> tuple:
    entity = text(entity, 20)
    if entity not in ENTITIES:
        return result(_("Choose what the file holds."), ok=False), []
    if not isinstance(contents, str) or "," not in contents:
        return result(_("Choose a file first."), ok=False), []
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=True)
        rows = read_rows(data, "json" if text(name, 200).lower().endswith(".json") else "csv")
    except (binascii.Error, ValueError) as exc:
        message = str(exc) if isinstance(exc, ImportFileError) else _("The file could not be read.")
        return result(message, ok=False), []
    dry_run = ctx.triggered_id != "erp-import"
    report = run_import(runtime(), g.viewer.scope, entity, rows, dry_run).as_dict()
    labels = {"created": _("new"), "updated": _("changed"), "unchanged": _("unchanged")}
    table = [
        {
            "row": e["row"],
            "external_id": e["external_id"] or "",
            "outcome": _("error"),
            "detail": f"{e['field'] or ''}: {e['message']}".lstrip(": "),
        }
        for e in report["errors"]
    ] + [
        {"row": r["row"], "external_id": r["external_id"], "outcome": labels[r["action"]], "detail": ""}
        for r in report["rows"]
    ]
    counts = _(
        "{created} new, {updated} changed, {unchanged} unchanged, {errors} rows with errors.",
        created=report["created"],
        updated=report["updated"],
        unchanged=report["unchanged"],
        errors=report["error_rows"],
    )
    if report["committed"]:
        return result(_("Imported: {counts}", counts=counts), ok=True), table
    if dry_run:
        return result(_("Dry run, nothing written: {counts}", counts=counts), ok=not report["errors"]), table
    return result(_("Nothing written, fix the rows in error first: {counts}", counts=counts), ok=False), table


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
        prevent_initial_call=True,
    )(run)
