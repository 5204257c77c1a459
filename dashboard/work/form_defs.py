"""Visit forms (issue 21): what a form's fields are, and what an answer to them must be.

A form is an ordered list of fields, stored as JSON in `forms.fields` (migration 0024). Each field is an object:

    {"id": "serial", "type": "number", "label": {"en": "Meter reading", "zh-CN": "读数"},
     "required": true, "unit": "kWh", "min": 0, "max": 100000,
     "options": [...], "show_if": {"field": "replaced", "equals": true}}

- `id`: letters, digits and `_`, unique in the form; the key of its answer.
- `type`: one of TYPES. A `section` is a heading, not a question: the fields after it, up to the next section,
  belong to it, and its `show_if` hides them all.
- `label`: text, or an object of texts by language (the first given is the fallback).
- `required`: the task cannot be done without an answer (when the field is shown).
- `unit`, `min`, `max`: a number's.
- `options`: a choice's or multiple choice's: [{"value": "ok", "label": {...}}], or plain strings.
- `show_if`: shown only when an earlier field's answer `equals` a value (for a multiple choice: includes it).

Answers are a JSON object by field id (`answer_problems` says what each type takes). Photos and the signature are
ids of `form_files` rows; parts used are [{"part": part id, "qty": number > 0}].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from dashboard.core.i18n import _

TYPES = ("section", "text", "number", "choice", "multi", "yesno", "date", "photo", "barcode", "parts", "signature")
MAX_FIELDS = 200
MAX_TEXT = 2000
MAX_BARCODE = 200
MAX_FILES = 10
ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


class FormError(ValueError):
    """A form definition or an answer that cannot be accepted; str(error) is the reason, `field` the field's id."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: dict[str, str]


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    type: str
    label: dict[str, str]
    required: bool = False
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    options: tuple[Option, ...] = ()
    show_if: tuple[str, Any] | None = None  # (field id, value)
    section: str | None = None  # the id of the section the field is in

    def text(self, language: str) -> str:
        """The label in `language`, else the first one given."""
        return label_in(self.label, language)

    @property
    def is_question(self) -> bool:
        return self.type != "section"


def label_in(label: dict[str, str], language: str) -> str:
    return label.get(language) or next(iter(label.values()), "")


def parse_definition(raw: object) -> list[Field]:
    """A form's fields from their JSON; FormError names the first fault."""
    if not isinstance(raw, list) or not raw:
        raise FormError(_("A form needs at least one field."))
    if len(raw) > MAX_FIELDS:
        raise FormError(_("A form has at most {n} fields.", n=MAX_FIELDS))
    fields: list[Field] = []
    seen: dict[str, Field] = {}
    section: str | None = None
    for item in raw:
        field = _parse_field(item, seen, section)
        if field.type == "section":
            section = field.id
        seen[field.id] = field
        fields.append(field)
    if not any(f.is_question for f in fields):
        raise FormError(_("A form needs at least one question, not only sections."))
    return fields


def _parse_field(item: object, seen: dict[str, Field], section: str | None) -> Field:
    if not isinstance(item, dict):
        raise FormError(_("Each field is an object."))
    field_id = item.get("id")
    if not isinstance(field_id, str) or not ID.match(field_id):
        raise FormError(_("A field's id is letters, digits and _ (up to 40), starting with a letter."))
    if field_id in seen:
        raise FormError(_("Two fields have the id “{id}”.", id=field_id), field_id)
    kind = item.get("type")
    if kind not in TYPES:
        raise FormError(_("Field “{id}” has an unknown type.", id=field_id), field_id)
    label = _label(item.get("label"), field_id)
    low, high = _number(item.get("min"), field_id), _number(item.get("max"), field_id)
    if low is not None and high is not None and low > high:
        raise FormError(_("Field “{id}”: the minimum is above the maximum.", id=field_id), field_id)
    options = _options(item.get("options"), field_id) if kind in ("choice", "multi") else ()
    if kind in ("choice", "multi") and not options:
        raise FormError(_("Field “{id}” needs options to choose from.", id=field_id), field_id)
    unit = item.get("unit")
    if unit is not None and (not isinstance(unit, str) or len(unit) > 20):
        raise FormError(_("Field “{id}”: a unit is text of up to 20 characters.", id=field_id), field_id)
    return Field(
        field_id,
        kind,
        label,
        bool(item.get("required")) and kind != "section",
        unit or None,
        low,
        high,
        options,
        _show_if(item.get("show_if"), field_id, seen),
        None if kind == "section" else section,
    )


def _label(raw: object, field_id: str) -> dict[str, str]:
    texts = {"en": raw} if isinstance(raw, str) else raw
    if (
        not isinstance(texts, dict)
        or not texts
        or not all(isinstance(k, str) and isinstance(v, str) and 0 < len(v.strip()) <= 200 for k, v in texts.items())
    ):
        raise FormError(_("Field “{id}” needs a label (up to 200 characters).", id=field_id), field_id)
    return {k: v.strip() for k, v in texts.items()}


def _number(raw: object, field_id: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise FormError(_("Field “{id}”: a minimum or maximum is a number.", id=field_id), field_id)
    return float(raw)


def _options(raw: object, field_id: str) -> tuple[Option, ...]:
    if not isinstance(raw, list):
        return ()
    options: list[Option] = []
    for item in raw:
        if isinstance(item, str):
            value, label = item, item
        elif isinstance(item, dict):
            value, label = item.get("value"), item.get("label", item.get("value"))
        else:
            value, label = None, None
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            raise FormError(_("Field “{id}”: each option has a value (up to 100 characters).", id=field_id), field_id)
        if any(o.value == value for o in options):
            raise FormError(_("Field “{id}” has the option “{value}” twice.", id=field_id, value=value), field_id)
        options.append(Option(value, _label(label, field_id)))
    return tuple(options)


def _show_if(raw: object, field_id: str, seen: dict[str, Field]) -> tuple[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "field" not in raw or "equals" not in raw:
        raise FormError(_("Field “{id}”: a condition names a field and the answer it equals.", id=field_id), field_id)
    source = seen.get(raw["field"])
    if source is None or not source.is_question:
        raise FormError(_("Field “{id}”: a condition can only name a question before it.", id=field_id), field_id)
    return (source.id, raw["equals"])


def shown(fields: list[Field], answers: dict[str, Any]) -> list[Field]:
    """The fields shown for these answers: a field whose condition (or whose section's) does not hold is hidden."""
    by_id = {f.id: f for f in fields}
    visible: list[Field] = []
    for field in fields:
        section = by_id.get(field.section) if field.section else None
        if _holds(field.show_if, answers) and (section is None or _holds(section.show_if, answers)):
            visible.append(field)
    return visible


def _holds(condition: tuple[str, Any] | None, answers: dict[str, Any]) -> bool:
    if condition is None:
        return True
    answer = answers.get(condition[0])
    return condition[1] in answer if isinstance(answer, list) else answer == condition[1]


def missing(fields: list[Field], answers: dict[str, Any]) -> list[Field]:
    """The required questions shown and not answered: the task cannot be done until this is empty."""
    return [f for f in shown(fields, answers) if f.required and f.is_question and _empty(answers.get(f.id))]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def answer_problems(fields: list[Field], answers: dict[str, Any], part_ids: set[int]) -> dict[str, str]:
    """Each answer that is not of its field's kind, by field id, with the reason; {} when all are right.
    An answer to a field the form does not have is a problem too (a phone with an older form)."""
    by_id = {f.id: f for f in fields if f.is_question}
    problems: dict[str, str] = {}
    for key, value in answers.items():
        field = by_id.get(key)
        if field is None:
            problems[key] = _("This form has no such field.")
        elif not _empty(value) and (reason := _problem(field, value, part_ids)):
            problems[key] = reason
    return problems


def _problem(field: Field, value: Any, part_ids: set[int]) -> str | None:
    match field.type:
        case "text":
            return (
                None
                if isinstance(value, str) and len(value) <= MAX_TEXT
                else _("Text of up to {n} characters.", n=MAX_TEXT)
            )
        case "barcode":
            return (
                None
                if isinstance(value, str) and len(value.strip()) <= MAX_BARCODE
                else _("A code of up to {n} characters.", n=MAX_BARCODE)
            )
        case "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return _("A number.")
            if (field.min is not None and value < field.min) or (field.max is not None and value > field.max):
                return _("A number from {low} to {high}.", low=_bound(field.min), high=_bound(field.max))
            return None
        case "choice":
            return None if value in {o.value for o in field.options} else _("One of the options.")
        case "multi":
            values = {o.value for o in field.options}
            ok = isinstance(value, list) and all(v in values for v in value) and len(set(value)) == len(value)
            return None if ok else _("Some of the options, each once.")
        case "yesno":
            return None if isinstance(value, bool) else _("Yes or no.")
        case "date":
            return None if isinstance(value, str) and _is_date(value) else _("A date (YYYY-MM-DD).")
        case "photo":
            ok = isinstance(value, list) and 0 < len(value) <= MAX_FILES and all(_is_id(v) for v in value)
            return None if ok else _("Up to {n} photos.", n=MAX_FILES)
        case "signature":
            return None if _is_id(value) else _("A signature.")
        case "parts":
            ok = isinstance(value, list) and all(
                isinstance(p, dict)
                and p.get("part") in part_ids
                and not isinstance(p.get("qty"), bool)
                and isinstance(p.get("qty"), int | float)
                and 0 < p["qty"] <= 100000
                for p in value
            )
            return None if ok else _("Parts from the catalogue, each with a quantity above 0.")
    return None


def _bound(value: float | None) -> str:
    return "…" if value is None else f"{value:g}"


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
