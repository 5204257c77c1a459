"""Visit forms' answers (issue 21): `GET /api/v1/form-answers`, one record per task with answers, in the token's
teams as the tasks are; ordered by (updated_at, id) so that a sync passing the newest `updated_at` it saw as
`updated_since`, and the cursor within it, sees every change (dashboard/work/form_answers.py shapes the records)."""

from __future__ import annotations

from datetime import datetime

from flask import Response, g

from dashboard.core.runtime import runtime
from dashboard.web.api.routes import (
    BOOL,
    CURSOR,
    INT,
    INT_N,
    LIMIT,
    SCHEMAS,
    STR,
    TIME,
    TIME_N,
    UPDATED_SINCE,
    _cursor,
    _id_filter,
    _json,
    _next_cursor,
    _object,
    _page_of,
    route,
)
from dashboard.work import form_answers
from dashboard.work.form_defs import TYPES

ANSWER_VALUE = {"description": "the answer, as docs/FORMS.md says each type takes it; null when there is none"}
SCHEMAS["FormAnswers"] = _object(
    id=INT,
    task_id=INT,
    employee_id=INT_N,
    form_id=INT,
    form_version=INT,
    form_title=STR,
    complete=BOOL,
    submitted_at=TIME_N,
    updated_at=TIME,
    fields={
        "type": "array",
        "items": _object(
            id=STR, type={"type": "string", "enum": [t for t in TYPES if t != "section"]}, label=STR, value=ANSWER_VALUE
        ),
    },
)


@route(
    "GET",
    "/api/v1/form-answers",
    "forms:read",
    "Visit forms' answers, one record per task",
    [LIMIT, CURSOR, UPDATED_SINCE, _id_filter("task_id", "one task's answers")],
    _page_of("FormAnswers"),
    individuals=True,
)
def list_form_answers(limit: int, cursor: str | None, updated_since: datetime | None, task_id: int | None) -> Response:
    """The answers of tasks in the token's teams, oldest change first: each record is listed again when its answers
    change. `fields` lists the form version's questions in order with their English label and the answer (null when
    none); photos and the signature are ids of the task's form files; `submitted_at` is when they first were
    complete (the webhook `form.submitted` carries the same record)."""
    rows = form_answers.api_page(
        runtime(), g.viewer, since=updated_since, after=_cursor(cursor, "key"), limit=limit + 1, task_id=task_id
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    next_cursor = _next_cursor("key", [last["updated_at"].isoformat(), last["id"]]) if last else None
    return _json({"data": rows, "next_cursor": next_cursor})
