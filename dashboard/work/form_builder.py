"""The form builder (issue 21): an admin's edits to a task kind's visit form and to the parts catalogue. A save
always makes the kind's next version (data/forms.create_version), so a version with answers never changes; a field
written in the builder's boxes becomes the JSON form_defs.parse_definition checks, and back."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES, Viewer
from dashboard.core.runtime import Runtime
from dashboard.work.form_defs import FormError, parse_definition
from dashboard.work.lifecycle import KINDS
from data import forms

PART_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def type_label(kind: str) -> str:
    labels = {
        "section": _("Section (a heading)"),
        "text": _("Text"),
        "number": _("Number"),
        "choice": _("Single choice"),
        "multi": _("Multiple choice"),
        "yesno": _("Yes / no"),
        "date": _("Date"),
        "photo": _("Photo"),
        "barcode": _("Barcode or QR code"),
        "parts": _("Parts used"),
        "signature": _("Signature"),
    }
    return labels.get(kind, kind)


def _admin(viewer: Viewer) -> None:
    if viewer.role not in ADMIN_ROLES:
        raise FormError(_("Only an administrator can change forms and parts."))


def _kind(kind: object) -> str:
    if kind not in KINDS:
        raise FormError(_("Choose a task kind."))
    return str(kind)


def field_from_boxes(boxes: dict[str, Any], earlier: list[dict]) -> dict:
    """One field as the builder's boxes give it: type, id, English and Chinese label, required, unit, min, max,
    options (one a line: "value", or "value = English = 中文") and "show only when <earlier field> equals <value>".
    The value is read as the earlier field's answer is kept: yes/no as true/false, a number as a number."""
    kind = boxes.get("type")
    field: dict[str, Any] = {"id": str(boxes.get("id") or "").strip(), "type": kind}
    label = {lang: str(boxes.get(key) or "").strip() for lang, key in (("en", "label_en"), ("zh-CN", "label_zh"))}
    field["label"] = {lang: value for lang, value in label.items() if value}
    if boxes.get("required") and kind != "section":
        field["required"] = True
    if kind == "number":
        if unit := str(boxes.get("unit") or "").strip():
            field["unit"] = unit
        for key in ("min", "max"):
            if boxes.get(key) not in (None, ""):
                field[key] = boxes[key]
    if kind in ("choice", "multi"):
        field["options"] = _options(str(boxes.get("options") or ""))
    source = next((f for f in earlier if f.get("id") == boxes.get("show_field")), None)
    if source is not None:
        field["show_if"] = {"field": source["id"], "equals": _condition_value(source, boxes.get("show_value"))}
    return field


def _options(written: str) -> list:
    options: list = []
    for line in written.splitlines():
        parts = [p.strip() for p in line.split("=")]
        if not parts[0]:
            continue
        if len(parts) == 1:
            options.append(parts[0])
        else:
            texts = {"en": parts[1] or parts[0]} | ({"zh-CN": parts[2]} if len(parts) > 2 and parts[2] else {})
            options.append({"value": parts[0], "label": texts})
    return options


def _condition_value(source: dict, written: object) -> object:
    value = str(written if written is not None else "").strip()
    if source.get("type") == "yesno":
        return value.lower() in ("yes", "true", "1", "是", "y")
    if source.get("type") == "number":
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


def boxes_of(field: dict) -> dict[str, Any]:
    """A stored field back in the builder's boxes (to edit it)."""
    texts = _texts(field.get("label"))
    show_if = field.get("show_if") if isinstance(field.get("show_if"), dict) else {}
    options = field.get("options") if isinstance(field.get("options"), list) else []
    equals = show_if.get("equals")
    return {
        "type": field.get("type"),
        "id": field.get("id"),
        "label_en": texts.get("en", ""),
        "label_zh": texts.get("zh-CN", ""),
        "required": bool(field.get("required")),
        "unit": field.get("unit") or "",
        "min": field.get("min"),
        "max": field.get("max"),
        "options": "\n".join(_option_line(o) for o in options),
        "show_field": show_if.get("field"),
        "show_value": ("yes" if equals else "no") if isinstance(equals, bool) else ("" if equals is None else equals),
    }


def _texts(label: object) -> dict:
    return {"en": label} if isinstance(label, str) else (label if isinstance(label, dict) else {})


def _option_line(option: object) -> str:
    if isinstance(option, str):
        return option
    option = option if isinstance(option, dict) else {}
    texts = _texts(option.get("label"))
    return " = ".join(str(p) for p in (option.get("value", ""), texts.get("en", ""), texts.get("zh-CN", "")) if p)


def check(fields: list[dict]) -> None:
    """Raise the first FormError of these fields (its `field` names the one at fault)."""
    parse_definition(fields)


def save_form(
    rt: Runtime, viewer: Viewer, kind: object, title: object, fields: list[dict], required: bool, now: datetime
) -> dict:
    """The kind's next version of its form: a version with answers is never changed, nor is any other."""
    _admin(viewer)
    kind = _kind(kind)
    title = str(title or "").strip()
    if not 0 < len(title) <= 200:
        raise FormError(_("Give the form a title (up to 200 characters)."))
    check(fields)
    return forms.create_version(rt.db, kind, title, fields, required, viewer.user_id, now)


def retire_form(rt: Runtime, viewer: Viewer, kind: object, now: datetime) -> int:
    """The kind has no form from now on; the answers already given keep theirs. A later save brings one back."""
    _admin(viewer)
    return forms.retire(rt.db, _kind(kind), now)


def add_part(rt: Runtime, viewer: Viewer, code: object, name: object, unit: object) -> dict:
    _admin(viewer)
    code, name, unit = (str(v or "").strip() for v in (code, name, unit))
    if not PART_CODE.match(code):
        raise FormError(_("A part's code is up to 64 letters, digits and . _ / -."))
    if not 0 < len(name) <= 200:
        raise FormError(_("Give the part a name (up to 200 characters)."))
    if not 0 < len(unit or "pcs") <= 20:
        raise FormError(_("A unit is up to 20 characters."))
    if any(p["code"] == code for p in forms.parts(rt.db, active_only=False)):
        raise FormError(_("A part with the code {code} exists.", code=code))
    return forms.add_part(rt.db, code, name, unit or "pcs")


def set_part_active(rt: Runtime, viewer: Viewer, part_id: int, active: bool) -> None:
    """An inactive part is not offered for new answers; answers that used it keep it."""
    _admin(viewer)
    if not forms.set_part_active(rt.db, part_id, active):
        raise FormError(_("That part no longer exists."))
