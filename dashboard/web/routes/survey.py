"""The customer's survey page: open (the signed link is its own authentication), phone-sized,
English or Simplified Chinese; its POST carries the session's CSRF token like every form."""

from __future__ import annotations

from flask import Blueprint, Response, render_template_string, request

from dashboard.core.i18n import _, current_language
from dashboard.core.runtime import runtime
from dashboard.web.auth import csrf_token
from dashboard.web.filing import filing_footer
from dashboard.work.surveys import SurveyError, answer_survey, open_survey

blueprint = Blueprint("surveys", __name__)

SURVEY_PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{{ title }}</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css"><link rel="stylesheet" href="/assets/fieldops.css">
</head><body class="fo-login-body">
<a class="fo-skip" href="#survey-page">{{ skip }}</a>
<main class="fo-login card shadow-sm fo-survey" id="survey-page" tabindex="-1" data-state="{{ state }}">
  <div class="card-body">
    <h1 class="h5 mb-3">{{ title }}</h1>
    {% if message %}<div class="alert {{ 'alert-success' if state == 'thanks' else 'alert-warning' }}"
        role="status" id="survey-message">{{ message }}</div>{% endif %}
    {% if survey %}
    <p id="survey-question">{{ question }}</p>
    <form method="post" action="{{ action }}">
      <input type="hidden" name="csrf_token" value="{{ csrf }}">
      <fieldset class="fo-survey-scores mb-3"><legend class="small text-muted">{{ scale }}</legend>
        {% for score in [1, 2, 3, 4, 5] %}
        <input type="radio" class="btn-check" name="score" id="survey-score-{{ score }}" value="{{ score }}" required>
        <label class="btn btn-outline-primary btn-lg" for="survey-score-{{ score }}">{{ score }}</label>
        {% endfor %}
      </fieldset>
      <label class="form-label" for="survey-comment">{{ comment_label }}</label>
      <textarea class="form-control mb-3" id="survey-comment" name="comment" rows="4" maxlength="2000"></textarea>
      <button class="btn btn-primary w-100" type="submit" id="survey-submit">{{ submit }}</button>
    </form>
    {% endif %}
    <p class="small text-muted mt-3 mb-0">
      <a href="/language/en?next={{ action }}">English</a> ·
      <a href="/language/zh-CN?next={{ action }}">简体中文</a></p>
  </div>
</main>{{ filing }}</body></html>"""
STATUS = {"tampered": 404, "unknown": 404, "answered": 410, "expired": 410, "score": 400}


def _page(token: str, survey: dict | None, state: str, message: str | None, status: int = 200) -> Response:
    question = (
        _(
            "How satisfied are you with the visit of {employee} to {customer}?",
            employee=survey["employee_name"] or _("our team"),
            customer=survey["customer_name"],
        )
        if survey
        else ""
    )
    html = render_template_string(
        SURVEY_PAGE,
        lang=current_language(),
        filing=filing_footer(),
        skip=_("Skip to main content"),
        title=_("How did we do?"),
        state=state,
        message=message,
        survey=survey,
        question=question,
        action=f"/survey/{token}",
        csrf=csrf_token(),
        scale=_("1 = very unhappy, 5 = very happy"),
        comment_label=_("Anything you want to tell us (optional)"),
        submit=_("Send"),
    )
    return Response(html, status=status, mimetype="text/html", headers={"Cache-Control": "no-store"})


@blueprint.get("/survey/<token>")
def survey_form(token: str) -> Response:
    try:
        survey = open_survey(runtime(), token)
    except SurveyError as exc:
        return _page(token, None, exc.kind, str(exc), STATUS[exc.kind])
    return _page(token, survey, "open", None)


@blueprint.post("/survey/<token>")
def survey_answer(token: str) -> Response:
    rt = runtime()
    try:
        answer_survey(rt, token, request.form.get("score"), request.form.get("comment"), current_language())
    except SurveyError as exc:
        survey = open_survey(rt, token) if exc.kind == "score" else None
        return _page(token, survey, exc.kind, str(exc), STATUS[exc.kind])
    return _page(token, None, "thanks", _("Thank you! Your answer was sent."))
