"""Satisfaction surveys: when a task is done, a single-use signed link for the customer (no login).

The link carries the survey's random nonce signed with the app's secret (itsdangerous): a changed
token fails the signature before the database is asked. The nonce row in `feedback` makes the link
single-use (answered_at) and lets it expire (expires_at). No Flask here: routes are in survey_routes.py.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.work import alerting
from data import alerts, employees, feedback
from data.scope import Scope

log = logging.getLogger(__name__)

SURVEY_DAYS = 7  # long enough for a customer to find the message, short enough that a link goes stale
SALT = "fieldops.survey"
MAX_COMMENT = 2000


class SurveyError(ValueError):
    """Why a survey link cannot be used: `kind` is tampered, unknown, answered or expired."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def create_survey(rt: Runtime, task_id: int) -> dict | None:
    """The done task's survey row (a new one, or the one it already has)."""
    now = datetime.now(UTC)
    return feedback.create_survey(rt.db, task_id, secrets.token_urlsafe(16), now, now + timedelta(days=SURVEY_DAYS))


def survey_path(secret_key: str, nonce: str) -> str:
    return f"/survey/{_serializer(secret_key).dumps(nonce)}"


def survey_path_of_task(rt: Runtime, task_id: int) -> str | None:
    """The link of a done task's survey while it can still be answered, for the phone to show."""
    survey = feedback.survey_of_task(rt.db, task_id)
    if survey is None or survey["answered_at"] is not None or survey["expires_at"] <= datetime.now(UTC):
        return None
    return survey_path(rt.settings.secret_key, survey["nonce"])


def open_survey(rt: Runtime, token: str) -> dict:
    """The survey a token names, if it may still be answered; SurveyError with the reason otherwise."""
    try:
        nonce = _serializer(rt.settings.secret_key).loads(token)
    except BadSignature:
        raise SurveyError("tampered", _("This survey link is not valid.")) from None
    survey = feedback.survey_by_nonce(rt.db, nonce) if isinstance(nonce, str) else None
    if survey is None:
        raise SurveyError("unknown", _("This survey link is not valid."))
    if survey["answered_at"] is not None:
        raise SurveyError("answered", _("This survey has already been answered. Thank you!"))
    if survey["expires_at"] <= datetime.now(UTC):
        raise SurveyError("expired", _("This survey link has expired."))
    return survey


def answer_survey(rt: Runtime, token: str, score: object, comment: object, language: str) -> dict:
    """Store the customer's score (1–5) and comment once; SurveyError if the link cannot be used."""
    survey = open_survey(rt, token)
    score = int(score) if isinstance(score, str) and score.isdigit() else score
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise SurveyError("score", _("Choose a score from 1 to 5."))
    text = comment.strip()[:MAX_COMMENT] if isinstance(comment, str) and comment.strip() else None
    now = datetime.now(UTC)
    if not feedback.answer(rt.db, survey["nonce"], score, text, language, now):
        raise SurveyError("answered", _("This survey has already been answered. Thank you!"))
    try:
        _raise_low_survey(rt, survey, score, now)
    except Exception:  # the customer's answer is stored: an alert that fails is logged, not their error
        log.exception("Low survey alert for survey %s failed", survey["id"])
    return {"survey_id": survey["id"], "task_id": survey["task_id"], "score": score, "comment": text}


def _raise_low_survey(rt: Runtime, survey: dict, score: int, now: datetime) -> None:
    """Every enabled low_survey rule covering the visit's person raises when the score is at most its stars. A
    customer answers when they like: working hours do not apply."""
    employee_id = survey["employee_id"]
    person = employees.get_employee(rt.db, Scope.everything(), employee_id) if employee_id is not None else None
    if person is None:
        return
    for rule in alerts.rules(rt.db, enabled_only=True):
        if rule["kind"] != "low_survey" or not alerting.covers(rule, employee_id, person["team_id"]):
            continue
        stars = alerting.params_of(rule)["stars"]
        if score <= stars:
            alerting.raise_alert(
                rt,
                rule,
                employee_id,
                int(now.timestamp() * 1000),
                subject=f"survey:{survey['id']}",
                task_id=survey["task_id"],
                detail={"score": score, "stars": stars},
            )
