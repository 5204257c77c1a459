"""Visit forms page callbacks (issue 21): a kind's versions, the draft built field by field (kept in the browser
until saved), its preview and the first fault parse_definition finds beside its field, saving a new version,
retiring; the parts catalogue. Every change goes through dashboard/work/form_builder (admins only)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import orjson
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import g

from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import counter, mapping, text, whole_number, whole_number_in_text
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.work import form_builder
from dashboard.work.form_builder import boxes_of, field_from_boxes, type_label
from dashboard.work.form_defs import FormError, label_in, parse_definition
from dashboard.work.lifecycle import KINDS
from data import forms

BOXES = ("type", "id", "label_en", "label_zh", "required", "unit", "min", "max", "show_field", "show_value", "options")
EMPTY_BOXES = (no_update, "", "", "", [], "", None, None, None, "", "")


def _draft(value: object) -> list[dict]:
    """The draft the browser holds: its fields (objects), or nothing when it is not JSON the app would write."""
    if not isinstance(value, list):
        return []
    try:
        orjson.dumps(value)  # refuses nesting past 254 levels, which Dash's own answer could not write back
    except orjson.JSONEncodeError:
        return []
    return [f for f in value if isinstance(f, dict)]


def _boxes(values: tuple) -> dict[str, Any]:
    """The editor's boxes as field_from_boxes takes them: texts, numbers, the checked box."""
    boxes = dict(zip(BOXES, values, strict=True))
    numbers = {
        key: boxes[key]
        if isinstance(boxes[key], int | float) and not isinstance(boxes[key], bool) and math.isfinite(boxes[key])
        else None
        for key in ("min", "max")
    }
    texts = {key: text(boxes[key], 2000) for key in ("id", "label_en", "label_zh", "unit", "show_value", "options")}
    return (
        texts
        | numbers
        | {
            "type": boxes["type"] if isinstance(boxes["type"], str) else None,
            "required": isinstance(boxes["required"], list) and "yes" in boxes["required"],
            "show_field": text(boxes["show_field"], 40) or None,
        }
    )


def load(kind: object, _refresh: object, clicked: object) -> tuple:
    """The kind's versions; the draft from the clicked version, else from the one in use (empty for none)."""
    rt = runtime()
    if kind not in KINDS:
        return [], "", no_update, no_update, no_update
    rows = forms.versions(rt.db, str(kind))
    in_use = next((r for r in rows if r["retired_at"] is None), None)
    versions = [
        {
            "version": r["version"],
            "title": r["title"],
            "fields": len(r["fields"]),
            "answered": r["answered"],
            "created": rt.local(r["created_at"]),
            "state": _("in use")
            if in_use is not None and r["id"] == in_use["id"]
            else (_("retired") if r["retired_at"] is not None else _("earlier")),
        }
        for r in rows
    ]
    status = (
        _("In use: version {version}.", version=in_use["version"]) if in_use else _("This kind has no form in use.")
    )
    chosen = in_use or (rows[0] if rows else None)
    if ctx.triggered_id == "forms-versions":
        version = whole_number_in_text(mapping(clicked).get("rowId"))
        chosen = next((r for r in rows if r["version"] == version), chosen)
    if chosen is None:
        return versions, status, [], "", ["yes"]
    return versions, status, chosen["fields"], chosen["title"], ["yes"] if chosen["required"] else []


def edit(
    _add: object,
    _replace: object,
    _up: object,
    _down: object,
    _remove: object,
    draft: object,
    chosen: object,
    *boxes: object,
) -> tuple:
    """Add, change, move or remove a field of the draft; the chosen field is the grid's clicked row."""
    fields = _draft(draft)
    position = whole_number_in_text(mapping(chosen).get("rowId"))
    index = position - 1 if position and position <= len(fields) else None
    action = ctx.triggered_id
    keep = (no_update,) * len(BOXES)
    if action == "forms-add":
        added = field_from_boxes(_boxes(boxes), fields)
        return [*fields, added], "", *EMPTY_BOXES  # the next field starts from empty boxes, of the same type
    if index is None:
        return no_update, result(_("Click a field in the list first."), ok=False), *keep
    if action == "forms-replace":
        fields[index] = field_from_boxes(_boxes(boxes), fields[:index])
    elif action == "forms-remove":
        del fields[index]
    else:
        other = index - 1 if action == "forms-up" else index + 1
        if 0 <= other < len(fields):
            fields[index], fields[other] = fields[other], fields[index]
    return fields, "", *keep


def show(draft: object) -> tuple:
    """The draft as the fields grid, its preview, the fields a condition may name, and its first fault."""
    fields = _draft(draft)
    lang = current_language()
    problem: FormError | None = None
    try:
        parsed = parse_definition(fields) if fields else []
    except FormError as exc:
        problem, parsed = exc, []
    rows = [
        {
            "pos": position,
            "id": f.get("id") or "",
            "type": type_label(str(f.get("type"))),
            "label": _label(f.get("label"), lang),
            "required": _("yes") if f.get("required") else "",
            "condition": _condition(f.get("show_if")),
            "problem": str(problem) if problem is not None and problem.field == f.get("id") else "",
        }
        for position, f in enumerate(fields, start=1)
    ]
    earlier = [{"label": f"{f.get('id')} · {_label(f.get('label'), lang)}", "value": f.get("id")} for f in fields]
    earlier = [o for o, f in zip(earlier, fields, strict=True) if f.get("type") != "section" and f.get("id")]
    message = result(str(problem), ok=False) if problem is not None else ""
    preview = [_preview(f, lang) for f in parsed] or [html.P(_("Add a field to see the form."), className="text-muted")]
    return rows, preview, earlier, message


def _label(label: object, lang: str) -> str:
    if isinstance(label, str):
        return label
    return label_in(label, lang) if isinstance(label, dict) and label else ""


def _condition(show_if: object) -> str:
    show_if = mapping(show_if)
    if "field" not in show_if:
        return ""
    equals = show_if.get("equals")
    value = (_("yes") if equals else _("no")) if isinstance(equals, bool) else str(equals)
    return f"{show_if['field']} = {value}"


def _preview(f: Any, lang: str) -> html.Div:
    """One field as the phone will ask it (disabled: a picture of the form, not a form)."""
    label = f.text(lang) + (" *" if f.required else "")
    note = (
        [
            html.Div(
                _("Shown when {field} = {value}", field=f.show_if[0], value=_condition_value(f.show_if[1])),
                className="small text-muted",
            )
        ]
        if f.show_if
        else []
    )
    if f.type == "section":
        return html.Div([html.H5(label, className="h6 mt-2 mb-1 fo-preview-section"), *note])
    match f.type:
        case "number":
            control = html.Div(
                [
                    dcc.Input(type="number", disabled=True, className="form-control"),
                    html.Span(f.unit or "", className="ms-1"),
                ],
                className="d-flex align-items-center",
            )
        case "choice" | "multi":
            options = [{"label": " " + label_in(o.label, lang), "value": o.value, "disabled": True} for o in f.options]
            component = dcc.RadioItems if f.type == "choice" else dcc.Checklist
            control = component(options=options, value=None if f.type == "choice" else [], inline=True)
        case "yesno":
            control = dcc.RadioItems(
                options=[
                    {"label": " " + _("Yes"), "value": "y", "disabled": True},
                    {"label": " " + _("No"), "value": "n", "disabled": True},
                ],
                inline=True,
            )
        case "photo":
            control = html.Button(_("Take a photo"), disabled=True, className="btn btn-outline-secondary btn-sm")
        case "barcode":
            control = html.Button(
                _("Scan or type the code"), disabled=True, className="btn btn-outline-secondary btn-sm"
            )
        case "parts":
            control = html.Button(_("Add a part used"), disabled=True, className="btn btn-outline-secondary btn-sm")
        case "signature":
            control = html.Div(_("Sign here"), className="fo-preview-signature border rounded text-muted small p-3")
        case "date":
            control = dcc.Input(type="date", disabled=True, className="form-control")
        case _other:
            control = dcc.Input(disabled=True, className="form-control")
    return html.Div([html.Label(label, className="form-label mb-0 mt-2"), *note, control], className="fo-preview-field")


def _condition_value(value: object) -> str:
    return (_("yes") if value else _("no")) if isinstance(value, bool) else str(value)


def pick(chosen: object, draft: object) -> tuple:
    """The clicked field into the editor's boxes."""
    fields = _draft(draft)
    position = whole_number_in_text(mapping(chosen).get("rowId"))
    if not position or position > len(fields):
        return (no_update,) * len(BOXES)
    boxes = boxes_of(fields[position - 1])
    boxes["required"] = ["yes"] if boxes["required"] else []
    return tuple(boxes[key] for key in BOXES)


def save(
    _save: object, _retire: object, kind: object, title: object, required: object, draft: object, refresh: object
) -> tuple:
    rt = runtime()
    now = datetime.now(UTC)
    try:
        if ctx.triggered_id == "forms-retire":
            form_builder.retire_form(rt, g.viewer, kind, now)
            return result(_("The form is retired: this kind's tasks have no form now."), ok=True), counter(refresh) + 1
        form = form_builder.save_form(
            rt, g.viewer, kind, text(title, 300), _draft(draft), isinstance(required, list) and "yes" in required, now
        )
    except FormError as exc:
        return result(str(exc), ok=False), no_update
    return result(_("Saved as version {version}.", version=form["version"]), ok=True), counter(refresh) + 1


def parts(_refresh: object) -> list[dict]:
    return [{**p, "active": _("yes") if p["active"] else _("no")} for p in forms.parts(runtime().db, active_only=False)]


def part_act(
    _add: object, _toggle: object, code: object, name: object, unit: object, chosen: object, refresh: object
) -> tuple:
    rt = runtime()
    try:
        if ctx.triggered_id == "forms-part-add":
            part = form_builder.add_part(rt, g.viewer, text(code, 100), text(name, 300), text(unit, 100))
            return result(_("Part {code} added.", code=part["code"]), ok=True), counter(refresh) + 1
        part_id = whole_number_in_text(mapping(chosen).get("rowId"))
        row = next((p for p in forms.parts(rt.db, active_only=False) if p["id"] == whole_number(part_id)), None)
        if row is None:
            raise FormError(_("Click a part in the list first."))
        form_builder.set_part_active(rt, g.viewer, row["id"], not row["active"])
    except FormError as exc:
        return result(str(exc), ok=False), no_update
    return result(_("Part {code} switched.", code=row["code"]), ok=True), counter(refresh) + 1


def register(app: Dash) -> None:
    boxes = [
        ("forms-f-type", "value"),
        ("forms-f-id", "value"),
        ("forms-f-en", "value"),
        ("forms-f-zh", "value"),
        ("forms-f-required", "value"),
        ("forms-f-unit", "value"),
        ("forms-f-min", "value"),
        ("forms-f-max", "value"),
        ("forms-f-show-field", "value"),
        ("forms-f-show-value", "value"),
        ("forms-f-options", "value"),
    ]
    app.callback(
        Output("forms-versions", "rowData"),
        Output("forms-status", "children"),
        Output("forms-draft", "data"),
        Output("forms-title", "value"),
        Output("forms-required", "value"),
        Input("forms-kind", "value"),
        Input("forms-refresh", "data"),
        Input("forms-versions", "cellClicked"),
    )(load)
    app.callback(
        Output("forms-draft", "data", allow_duplicate=True),
        Output("forms-problem", "children", allow_duplicate=True),
        *(Output(component, prop, allow_duplicate=True) for component, prop in boxes),
        Input("forms-add", "n_clicks"),
        Input("forms-replace", "n_clicks"),
        Input("forms-up", "n_clicks"),
        Input("forms-down", "n_clicks"),
        Input("forms-remove", "n_clicks"),
        State("forms-draft", "data"),
        State("forms-fields", "cellClicked"),
        *(State(component, prop) for component, prop in boxes),
        prevent_initial_call=True,
    )(edit)
    app.callback(
        Output("forms-fields", "rowData"),
        Output("forms-preview", "children"),
        Output("forms-f-show-field", "options"),
        Output("forms-problem", "children"),
        Input("forms-draft", "data"),
    )(show)
    app.callback(
        *(Output(component, prop) for component, prop in boxes),
        Input("forms-fields", "cellClicked"),
        State("forms-draft", "data"),
        prevent_initial_call=True,
    )(pick)
    app.callback(
        Output("forms-result", "children"),
        Output("forms-refresh", "data"),
        Input("forms-save", "n_clicks"),
        Input("forms-retire", "n_clicks"),
        State("forms-kind", "value"),
        State("forms-title", "value"),
        State("forms-required", "value"),
        State("forms-draft", "data"),
        State("forms-refresh", "data"),
        prevent_initial_call=True,
    )(save)
    app.callback(Output("forms-parts", "rowData"), Input("forms-parts-refresh", "data"))(parts)
    app.callback(
        Output("forms-part-result", "children"),
        Output("forms-parts-refresh", "data"),
        Input("forms-part-add", "n_clicks"),
        Input("forms-part-toggle", "n_clicks"),
        State("forms-part-code", "value"),
        State("forms-part-name", "value"),
        State("forms-part-unit", "value"),
        State("forms-parts", "cellClicked"),
        State("forms-parts-refresh", "data"),
        prevent_initial_call=True,
    )(part_act)
