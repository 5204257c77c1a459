"""A task's answers to its visit form (issue 21): which form a task has, the phone's changes applied once each and
in its order, the files the answers name, whether the answers are complete (the state machine asks before `done`),
and the answers as the API and the exports give them. What an answer must be is form_defs.py's; no Flask, no Dash."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from dashboard.core.i18n import _, current_language
from dashboard.core.permissions import Viewer
from dashboard.core.runtime import Runtime
from dashboard.work import form_defs, photos
from dashboard.work.form_defs import Field
from data import form_answers, forms, tasks

MAX_OPS = 100  # changes in one request; the phone sends its queue in order, a few at a time
SEQS = range(0, 2**53)  # the phone's counter (a JavaScript number stays exact)
FILE_FIELDS = ("photo", "signature")
CLOSED_STATES = ("done", "failed", "cancelled")


class AnswerError(ValueError):
    """Changes that cannot be accepted: `status` for the HTTP answer, `problems` the reason by field id."""

    def __init__(self, message: str, status: int = 400, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problems = problems or {}


def form_of(rt: Runtime, task_id: int) -> tuple[dict | None, dict | None]:
    """(the task with its answers row's columns, its form): the version its answers were given to, else the kind's
    current form; (None, None) for no such task, (task, None) for a kind without a form."""
    row = form_answers.task_and_answers(rt.db, task_id)
    if row is None:
        return None, None
    form = forms.get(rt.db, row["form_id"]) if row["form_id"] else forms.current(rt.db, row["kind"])
    return row, form


def fields_of(form: dict) -> list[Field]:
    return form_defs.parse_definition(form["fields"])


def missing_labels(rt: Runtime, task_id: int, language: str | None = None) -> list[str]:
    """The labels of the required questions not answered, when the task's form is required; [] otherwise (no form,
    an optional one, or complete): the task cannot be done while this is not empty."""
    row, form = form_of(rt, task_id)
    if form is None or not form["required"]:
        return []
    missing = form_defs.missing(fields_of(form), row["answers"] or {})
    return [field.text(language or current_language()) for field in missing]


def own_open_task(rt: Runtime, viewer: Viewer, task_id: int) -> tuple[dict, dict]:
    """The viewer's own task and its form, or AnswerError: 404 when it is not theirs or has no form, 409 when it is
    finished (its answers no longer change)."""
    own = tasks.own_task(rt.db, viewer.employee_id, task_id) if viewer.employee_id else None
    row, form = form_of(rt, task_id) if own else (None, None)
    if row is None:
        raise AnswerError(_("This task is not on your list."), 404)
    if form is None:
        raise AnswerError(_("This task has no form."), 404)
    if row["state"] in CLOSED_STATES:
        raise AnswerError(_("This task is finished: its form can no longer be changed."), 409)
    return row, form


def phone_view(rt: Runtime, viewer: Viewer, task_id: int, language: str) -> dict:
    """What the phone draws the form from (and keeps, to fill it offline): the fields with their texts in the
    person's language, the answers so far, the parts catalogue and the page's words."""
    row, form = own_open_task(rt, viewer, task_id)
    fields = fields_of(form)
    answers = row["answers"] or {}
    return {
        "task_id": task_id,
        "form": {"id": form["id"], "version": form["version"], "title": form["title"], "required": form["required"]},
        "fields": [_phone_field(f, language) for f in fields],
        "answers": answers,
        "complete": not form_defs.missing(fields, answers),
        "parts": [{"id": p["id"], "code": p["code"], "name": p["name"], "unit": p["unit"]} for p in forms.parts(rt.db)],
        "texts": phone_texts(language),
    }


def _phone_field(field: Field, language: str) -> dict:
    return {
        "id": field.id,
        "type": field.type,
        "label": field.text(language),
        "required": field.required,
        "unit": field.unit,
        "min": field.min,
        "max": field.max,
        "options": [{"value": o.value, "label": form_defs.label_in(o.label, language)} for o in field.options],
        "show_if": {"field": field.show_if[0], "equals": field.show_if[1]} if field.show_if else None,
        "section": field.section,
    }


def phone_texts(language: str) -> dict[str, str]:
    """The words of the phone's form (assets/forms.js draws it, online or not)."""
    return {
        "yes": _("Yes", language),
        "no": _("No", language),
        "choose": _("Choose…", language),
        "photos": _("{count} photo(s)", language),
        "signed": _("Signed", language),
        "scan": _("Scan with the camera", language),
        "typed": _("or type the code", language),
        "part": _("Part", language),
        "qty": _("Quantity", language),
        "add_part": _("Add the part", language),
        "remove": _("Remove", language),
        "clear": _("Clear the signature", language),
        "sign_here": _("Sign here", language),
        "required": _("required", language),
        "saved_local": _("Saved on the phone: {count} change(s) waiting for the network", language),
        "sent": _("Sent", language),
        "refused": _("Not accepted: {reason}", language),
        "complete": _("The form is complete.", language),
        "incomplete": _("Still missing: {fields}", language),
        "close": _("Close the form", language),
        "range": _("from {low} to {high}", language),
    }


def _change(raw: object) -> dict:
    """One change from the phone, checked for its shape: {"op_id": uuid, "seq": n, "answers": {field: value}}."""
    if not isinstance(raw, dict):
        raise AnswerError(_("Each change is an object with op_id, seq and answers."))
    try:
        op_id = str(uuid.UUID(str(raw.get("op_id"))))
    except ValueError:
        raise AnswerError(_("A change's op_id is a UUID the phone gave it.")) from None
    seq, changes = raw.get("seq"), raw.get("answers")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq not in SEQS:
        raise AnswerError(_("A change's seq is a whole number, counting up on the phone."))
    if not isinstance(changes, dict) or len(changes) > form_defs.MAX_FIELDS:
        raise AnswerError(_("A change's answers are an object of values by field id."))
    if _has_nul(changes):  # PostgreSQL's jsonb cannot hold it
        raise AnswerError(_("An answer holds a character that cannot be kept (NUL)."))
    return {"op_id": op_id, "seq": seq, "answers": changes}


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_nul(v) for v in value)


def save_changes(rt: Runtime, viewer: Viewer, task_id: int, raw_ops: object) -> dict:
    """Apply the phone's changes to the task's answers: each once (a change sent again is answered as before and
    written no second time), in the phone's order; refused whole (AnswerError naming the fields) when an answer is
    not of its field's kind. Returns the answers' state: complete, submitted_at, what is still missing."""
    if not isinstance(raw_ops, list) or not 0 < len(raw_ops) <= MAX_OPS:
        raise AnswerError(_("Send 1 to {n} changes.", n=MAX_OPS))
    ops = [_change(raw) for raw in raw_ops]
    if len({op["op_id"] for op in ops}) != len(ops):
        raise AnswerError(_("Each change has its own op_id."))
    _row, form = own_open_task(rt, viewer, task_id)
    fields = fields_of(form)
    part_ids = {p["id"] for p in forms.parts(rt.db, active_only=False)}
    kept_files = form_answers.file_ids(rt.db, task_id)

    def merge(answers: dict, changes: dict) -> tuple[dict, bool]:
        merged = {k: v for k, v in (answers | changes).items() if v is not None}
        problems = form_defs.answer_problems(fields, merged, part_ids) | _file_problems(fields, merged, kept_files)
        if problems:
            names = {f.id: f.text(current_language()) for f in fields}
            listed = _("; ").join(f"{names.get(k, k)}: {reason}" for k, reason in problems.items())
            raise AnswerError(_("Some answers cannot be kept: {problems}", problems=listed), 400, problems)
        return merged, not form_defs.missing(fields, merged)

    now = datetime.now(UTC)
    saved, applied = form_answers.apply_ops(
        rt.db,
        task_id,
        form["id"],
        viewer.employee_id,
        ops,
        merge,
        now,
        lambda answered: api_record(answered | {"form_version": form["version"], "form_title": form["title"]}, form),
    )
    missing = form_defs.missing(fields, saved["answers"])
    return {
        "task_id": task_id,
        "applied": applied,
        "complete": saved["complete"],
        "submitted_at": saved["submitted_at"],
        "missing": [f.id for f in missing],
    }


def _file_problems(fields: list[Field], answers: dict[str, Any], kept: set[int]) -> dict[str, str]:
    """A photo or signature answer names only files kept for this task."""
    problems = {}
    for field in fields:
        value = answers.get(field.id)
        if field.type not in FILE_FIELDS or value is None:
            continue
        ids = value if isinstance(value, list) else [value]
        if not all(isinstance(i, int) and i in kept for i in ids):
            problems[field.id] = _("Send the file first: this task has no such file.")
    return problems


def keep_file(rt: Runtime, viewer: Viewer, task_id: int, field_id: object, upload: tuple[str, bytes]) -> int:
    """A photo or the signature for a field of the viewer's own task's form: (content type, bytes) as
    dashboard/work/phone.photo_from_upload reads a data URL (JPEG or PNG, up to 2 MB), a picture Pillow can read
    whole; the same bytes twice give the same id."""
    _row, form = own_open_task(rt, viewer, task_id)
    field = next((f for f in fields_of(form) if f.id == field_id), None)
    if field is None or field.type not in FILE_FIELDS:
        raise AnswerError(_("This form has no photo or signature field of that id."))
    content_type, data = upload
    try:
        photos.open_photo(data)
    except photos.PhotoError as exc:
        raise AnswerError(str(exc)) from exc
    sha = hashlib.sha256(data).hexdigest()
    return form_answers.keep_file(rt.db, task_id, field.id, content_type, data, sha, datetime.now(UTC))


def api_record(row: dict, form: dict, language: str = "en") -> dict:
    """An answers row as the API and the webhook give it: the form, and each question with its label and value."""
    fields = fields_of(form)
    answers = row["answers"] or {}
    return {
        "id": row["id"],
        "task_id": row["task_id"],
        "employee_id": row["employee_id"],
        "form_id": row["form_id"],
        "form_version": row["form_version"],
        "form_title": row["form_title"],
        "complete": row["complete"],
        "submitted_at": row["submitted_at"],
        "updated_at": row["updated_at"],
        "fields": [
            {"id": f.id, "type": f.type, "label": f.text(language), "value": answers.get(f.id)}
            for f in fields
            if f.is_question
        ],
    }


def api_page(rt: Runtime, viewer: Viewer, **query: Any) -> list[dict]:
    """A page of answers in the viewer's scope (data/form_answers.page's arguments), as api_record gives them."""
    rows = form_answers.page(rt.db, viewer.scope, **query)
    return [api_record(row, row) for row in rows]


def export_sheets(
    rt: Runtime, viewer: Viewer, start: datetime, end: datetime, language: str
) -> tuple[list[dict], list[int]]:
    """The answers changed in [start, end), one sheet per form version: its title, its columns (the task, the
    customer, the person, complete, submitted, then a column per question) and its rows; and the people in them."""
    sheets: dict[int, dict] = {}
    codes = {p["id"]: p["code"] for p in forms.parts(rt.db, active_only=False)}
    rows = form_answers.of_period(rt.db, viewer.scope, start, end)
    for row in rows:
        sheet = sheets.get(row["form_id"])
        if sheet is None:
            questions = [f for f in fields_of(row) if f.is_question]
            sheet = sheets[row["form_id"]] = {
                "title": f"{row['task_kind']} v{row['form_version']}",
                "form_title": row["form_title"],
                "questions": questions,
                "columns": [
                    _("Task", language),
                    _("Customer", language),
                    _("Who", language),
                    _("Complete", language),
                    _("Submitted", language),
                    *[q.text(language) for q in questions],
                ],
                "rows": [],
            }
        answers = row["answers"] or {}
        sheet["rows"].append(
            [
                row["task_id"],
                row["customer_name"],
                row["employee_name"],
                _("Yes", language) if row["complete"] else _("No", language),
                rt.local(row["submitted_at"]) if row["submitted_at"] else "",
                *[_cell(q, answers.get(q.id), language, codes) for q in sheet["questions"]],
            ]
        )
    return list(sheets.values()), sorted({row["employee_id"] for row in rows if row["employee_id"]})


def _cell(field: Field, value: Any, language: str, codes: dict[int, str]) -> object:
    """An answer as one spreadsheet cell: choices by their labels, parts as "code × qty", files by their ids."""
    if value is None:
        return ""
    labels = {o.value: form_defs.label_in(o.label, language) for o in field.options}
    match field.type:
        case "yesno":
            return _("Yes", language) if value else _("No", language)
        case "choice":
            return labels.get(value, value)
        case "multi":
            return ", ".join(labels.get(v, v) for v in value)
        case "parts":
            return ", ".join(f"{codes.get(p['part'], p['part'])} × {p['qty']:g}" for p in value)
        case "photo":
            return ", ".join(f"#{i}" for i in value)
        case "signature":
            return f"#{value}"
    return value


def refuse_done_message(labels: list[str]) -> str:
    return _("The form is not complete: {fields}.", fields=_("; ").join(labels))
