"""The phone's visit-form routes (issue 21), for the signed-in field user's own tasks (session + CSRF; the guard
admits PHONE_ROLES under FORMS_PREFIX): the form to draw and keep for offline use, its changes (each applied once,
in the phone's order) and its files. The rules are dashboard/work/form_answers.py's; assets/forms.js is the phone."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from dashboard.core.errors import AppError
from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import json_body, mapping, whole_number_in_text
from dashboard.core.runtime import runtime
from dashboard.work import form_answers
from dashboard.work.phone import MobileError, photo_from_upload

blueprint = Blueprint("forms", __name__)
FORMS_PREFIX = "/api/v1/me/forms/"
TASK_IDS = range(1, 2**31)  # tasks.id is a serial


def _task_id(task: str) -> int:
    task_id = whole_number_in_text(task, TASK_IDS)
    if task_id is None:
        raise AppError(404, "not_found", _("This task is not on your list."))
    return task_id


def _refused(exc: form_answers.AnswerError) -> AppError:
    codes = {404: "not_found", 409: "task_closed"}
    return AppError(exc.status, codes.get(exc.status, "invalid_answers"), str(exc), problems=exc.problems)


@blueprint.get(f"{FORMS_PREFIX}<task>")
def phone_form(task: str) -> Response:
    """The task's form in the person's language with the answers so far, the parts catalogue and the words."""
    try:
        return jsonify(form_answers.phone_view(runtime(), g.viewer, _task_id(task), current_language()))
    except form_answers.AnswerError as exc:
        raise _refused(exc) from exc


@blueprint.post(f"{FORMS_PREFIX}<task>/answers")
def phone_answers(task: str) -> Response:
    """{"ops": [{"op_id": uuid, "seq": n, "answers": {field id: value or null}}]}: applied in seq order, each op_id
    once ever (sent again, it is answered as before and not written again); 400 `invalid_answers` with `problems`
    by field id refuses them all."""
    try:
        saved = form_answers.save_changes(runtime(), g.viewer, _task_id(task), mapping(json_body()).get("ops"))
    except form_answers.AnswerError as exc:
        raise _refused(exc) from exc
    return jsonify(saved)


@blueprint.post(f"{FORMS_PREFIX}<task>/files")
def phone_file(task: str) -> tuple[Response, int]:
    """{"field": field id, "data": a data URL of a JPEG or PNG}: the file's id for the answers (the same bytes
    sent again give the same id)."""
    body = mapping(json_body())
    try:
        upload = photo_from_upload(body.get("data"))
        if upload is None:
            raise MobileError(_("The photo could not be read."))
        file_id = form_answers.keep_file(runtime(), g.viewer, _task_id(task), body.get("field"), upload)
    except MobileError as exc:
        raise AppError(400, "bad_photo", str(exc)) from exc
    except form_answers.AnswerError as exc:
        raise _refused(exc) from exc
    return jsonify(id=file_id), 201
