"""One translation function for every user-visible string; English and Simplified Chinese.

Keys are the English text (gettext style). The language is the user's choice (a cookie set by
/language/<code>), else the browser's Accept-Language, else the organisation's default.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, has_request_context, redirect, request

from dashboard.core.config import LANGUAGES
from dashboard.core.inputs import safe_next

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGE_COOKIE = "fieldops_lang"
_default_language = "en"
ONE_YEAR_S = 365 * 24 * 3600

blueprint = Blueprint("language", __name__)


def set_default_language(language: str) -> None:
    global _default_language
    _default_language = language


@cache
def catalog(language: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def current_language() -> str:
    if not has_request_context():
        return _default_language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(["en", "zh-CN", "zh"])
    if best in ("zh-CN", "zh"):
        return "zh-CN"
    return best or _default_language


def _(text: str, language: str | None = None, **values: object) -> str:
    """Translate `text` into the current language, then fill `{name}` fields from `values`."""
    translated = catalog(language or current_language()).get(text, text)
    return translated.format(**values) if values else translated


def relative_time(seconds: float, language: str | None = None) -> str:
    """'12 s ago', '5 min ago', '3 h ago', '2 d ago'."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("{n} s ago", language, n=seconds)
    if seconds < 3600:
        return _("{n} min ago", language, n=seconds // 60)
    if seconds < 86400:
        return _("{n} h ago", language, n=seconds // 3600)
    return _("{n} d ago", language, n=seconds // 86400)


# Dates as each language writes them, one place for every surface: a chart's day axis (Plotly's d3 time format;
# month and hover names from Plotly's locale, assets/plotly-locale-zh-cn.js, set by dashboard/web/charts.py
# chart_config), a page's text. Files (CSV, XLSX, the report's tables) write ISO dates, 2026-11-23, always.
DAY_MONTH_FORMATS = {"en": "%d %b", "zh-CN": "%-m月%-d日"}


def chart_day_format(language: str | None = None) -> str:
    """A date axis's tick labels: "01 Nov" in English, "11月1日" in Chinese."""
    return DAY_MONTH_FORMATS.get(language or current_language(), DAY_MONTH_FORMATS["en"])


@blueprint.get("/language/<code>")
def choose_language(code: str) -> Response:
    """Remember the user's language in a cookie, then go back to the dashboard."""
    if code not in LANGUAGES:
        return Response(f"unknown language; use one of {', '.join(LANGUAGES)}", status=400, mimetype="text/plain")
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        LANGUAGE_COOKIE, code, max_age=ONE_YEAR_S, httponly=True, samesite="Lax", secure=request.is_secure
    )
    return response
