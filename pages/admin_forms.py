"""Admin: visit forms (issue 21) — pick a task kind, see its versions, build its form field by field with a preview,
save it as the kind's next version or retire it; and the parts catalogue a "parts used" field picks from.
Layout only; callbacks/admin_forms.py fills it."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, grid, page_frame, row_id
from dashboard.work.form_builder import type_label
from dashboard.work.form_defs import TYPES
from dashboard.work.lifecycle import KINDS, kind_label

dash.register_page(
    __name__, path="/admin/forms", name="Visit forms", order=58, section="admin", roles=ADMIN_ROLES, id_prefix="forms"
)


def _section(title: str, *children, section_id: str) -> html.Section:
    return html.Section([html.H3(title, className="h5 mt-3"), *children], className="fo-section", id=section_id)


def _grid(grid_id: str, columns: list[tuple[str, str]], key: str, height: str):
    table = grid(grid_id, columns, height=height)
    table.getRowId = row_id(key)
    table.dashGridOptions = {
        **(table.dashGridOptions or {}),
        "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
    }
    return table


def _field_editor() -> html.Div:
    return html.Div(
        className="fo-form-editor border rounded p-2 mt-2",
        children=[
            html.Div(
                className="fo-form-row",
                children=[
                    field(
                        _("Type"),
                        dcc.Dropdown(
                            id="forms-f-type",
                            options=[{"label": type_label(t), "value": t} for t in TYPES],
                            value="text",
                            clearable=False,
                            style={"minWidth": "14rem"},
                        ),
                    ),
                    field(_("Field id"), dcc.Input(id="forms-f-id", maxLength=40, className="form-control")),
                    field(_("Label (English)"), dcc.Input(id="forms-f-en", maxLength=200, className="form-control")),
                    field(_("Label (Chinese)"), dcc.Input(id="forms-f-zh", maxLength=200, className="form-control")),
                    dcc.Checklist(
                        id="forms-f-required",
                        options=[{"label": " " + _("Required"), "value": "yes"}],
                        value=[],
                        className="mt-4",
                    ),
                ],
            ),
            html.Div(
                className="fo-form-row",
                children=[
                    field(_("Unit"), dcc.Input(id="forms-f-unit", maxLength=20, className="form-control")),
                    field(_("Minimum"), dcc.Input(id="forms-f-min", type="number", className="form-control")),
                    field(_("Maximum"), dcc.Input(id="forms-f-max", type="number", className="form-control")),
                    field(
                        _("Show only when"),
                        dcc.Dropdown(id="forms-f-show-field", placeholder=_("always"), style={"minWidth": "12rem"}),
                    ),
                    field(_("equals"), dcc.Input(id="forms-f-show-value", maxLength=100, className="form-control")),
                ],
            ),
            field(
                _("Options, one a line: value = English = Chinese"),
                dcc.Textarea(id="forms-f-options", className="form-control", style={"height": "5rem"}),
            ),
            html.Div(
                className="fo-form-row mt-2",
                children=[
                    html.Button(_("Add field"), id="forms-add", className="btn btn-primary"),
                    html.Button(_("Change the chosen field"), id="forms-replace", className="btn btn-outline-primary"),
                    html.Button(_("Move up"), id="forms-up", className="btn btn-outline-secondary"),
                    html.Button(_("Move down"), id="forms-down", className="btn btn-outline-secondary"),
                    html.Button(_("Remove"), id="forms-remove", className="btn btn-outline-danger"),
                ],
            ),
        ],
    )


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Visit forms"),
        html.P(
            _(
                "A task kind's form is filled on the phone at the visit. Saving always makes a new version: "
                "answers already given keep the version they were given to."
            ),
            className="text-muted small",
        ),
        _section(
            _("Forms"),
            html.Div(
                className="fo-form-row",
                children=[
                    field(
                        _("Task kind"),
                        dcc.Dropdown(
                            id="forms-kind",
                            options=[{"label": kind_label(k), "value": k} for k in KINDS],
                            value=KINDS[0],
                            clearable=False,
                            style={"minWidth": "12rem"},
                        ),
                    ),
                    html.Button(_("Retire this kind's form"), id="forms-retire", className="btn btn-outline-danger"),
                ],
            ),
            html.Div(id="forms-status", role="status", className="my-2"),
            _grid(
                "forms-versions",
                [
                    ("version", _("Version")),
                    ("title", _("Title")),
                    ("fields", _("Fields")),
                    ("answered", _("Tasks answered")),
                    ("created", _("Saved")),
                    ("state", _("State")),
                ],
                "version",
                "160px",
            ),
            html.P(_("Click a version to start the draft from it."), className="small text-muted"),
            html.Div(
                className="fo-form-row",
                children=[
                    field(_("Title"), dcc.Input(id="forms-title", maxLength=200, className="form-control")),
                    dcc.Checklist(
                        id="forms-required",
                        options=[
                            {"label": " " + _("A task cannot be done until its form is complete"), "value": "yes"}
                        ],
                        value=["yes"],
                        className="mt-4",
                    ),
                ],
            ),
            _grid(
                "forms-fields",
                [
                    ("pos", "#"),
                    ("id", _("Field id")),
                    ("type", _("Type")),
                    ("label", _("Label")),
                    ("required", _("Required")),
                    ("condition", _("Shown when")),
                    ("problem", _("Problem")),
                ],
                "pos",
                "260px",
            ),
            html.Div(id="forms-problem", role="alert"),
            _field_editor(),
            html.Div(
                className="fo-form-row mt-3",
                children=[html.Button(_("Save as a new version"), id="forms-save", className="btn btn-success")],
            ),
            html.Div(id="forms-result", role="status"),
            html.H4(_("Preview"), className="h6 mt-3"),
            html.Div(id="forms-preview", className="fo-form-preview border rounded p-2"),
            section_id="forms-forms-section",
        ),
        _section(
            _("Parts catalogue"),
            _grid(
                "forms-parts",
                [("code", _("Code")), ("name", _("Name")), ("unit", _("Unit")), ("active", _("Active"))],
                "id",
                "220px",
            ),
            html.Div(
                className="fo-form-row mt-2",
                children=[
                    field(_("Code"), dcc.Input(id="forms-part-code", maxLength=64, className="form-control")),
                    field(_("Name"), dcc.Input(id="forms-part-name", maxLength=200, className="form-control")),
                    field(
                        _("Unit"), dcc.Input(id="forms-part-unit", maxLength=20, value="pcs", className="form-control")
                    ),
                    html.Button(_("Add part"), id="forms-part-add", className="btn btn-primary"),
                    html.Button(
                        _("Switch the chosen part on or off"),
                        id="forms-part-toggle",
                        className="btn btn-outline-secondary",
                    ),
                ],
            ),
            html.Div(id="forms-part-result", role="status"),
            section_id="forms-parts-section",
        ),
        dcc.Store(id="forms-draft", data=[]),
        dcc.Store(id="forms-refresh", data=0),
        dcc.Store(id="forms-parts-refresh", data=0),
        page_id="forms-page",
    )
