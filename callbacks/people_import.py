"""Import people page: a template to fill in, the uploaded file checked (a dry run) and, once a dry run of that same
file is clean, imported all or nothing through dashboard/work/people.import_people."""

from __future__ import annotations

import hashlib

from dash import Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate
from flask import g

from dashboard.core.i18n import _
from dashboard.core.inputs import text
from dashboard.core.runtime import runtime
from dashboard.web.components import import_report, result
from dashboard.work import erp, people


def file_name(name: object) -> str:
    return text(name, 200)


def _digest(contents: object) -> str | None:
    """Which file a dry run checked: the upload's content, hashed."""
    return hashlib.sha256(contents.encode()).hexdigest() if isinstance(contents, str) else None


def may_import(contents: object, checked: object) -> tuple[bool, bool]:
    """The Import button is disabled (and says why) unless the file chosen now is the one whose dry run was clean."""
    ready = _digest(contents) is not None and checked == _digest(contents)
    return not ready, ready


def run(_check: int, _import: int, contents: object, name: object, checked: object) -> tuple:
    """Check (dry run) or import the chosen file; a clean dry run remembers the file it checked."""
    importing = ctx.triggered_id == "peopleimport-import"
    digest = _digest(contents)
    if importing and (digest is None or checked != digest):
        message = _("Import is possible after a clean dry run of the same file.")
        return result(message, ok=False), no_update, None
    try:
        rows = erp.read_upload(contents, name)
    except erp.ImportFileError as exc:
        return result(str(exc), ok=False), [], None
    report = people.import_people(runtime(), people.Actor.of(g.viewer), rows, dry_run=not importing)
    message, table = import_report(report.as_dict())
    clean = not importing and not report.errors
    return message, table, digest if clean else None


def template(_csv: int, _xlsx: int) -> dict:
    kind = "xlsx" if ctx.triggered_id == "peopleimport-template-xlsx" else "csv"
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    return dcc.send_bytes(erp.template_file(people.IMPORT_COLUMNS, kind), f"people.{kind}")


def register(app: Dash) -> None:
    app.callback(Output("peopleimport-file", "children"), Input("peopleimport-upload", "filename"))(file_name)
    app.callback(
        Output("peopleimport-import", "disabled"),
        Output("peopleimport-import-hint", "hidden"),
        Input("peopleimport-upload", "contents"),
        Input("peopleimport-checked", "data"),
    )(may_import)
    app.callback(
        Output("peopleimport-result", "children"),
        Output("peopleimport-report", "rowData"),
        Output("peopleimport-checked", "data"),
        Input("peopleimport-check", "n_clicks"),
        Input("peopleimport-import", "n_clicks"),
        State("peopleimport-upload", "contents"),
        State("peopleimport-upload", "filename"),
        State("peopleimport-checked", "data"),
        prevent_initial_call=True,
    )(run)
    app.callback(
        Output("peopleimport-template", "data"),
        Input("peopleimport-template-csv", "n_clicks"),
        Input("peopleimport-template-xlsx", "n_clicks"),
        prevent_initial_call=True,
    )(template)
