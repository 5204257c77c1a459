"""The period a report covers, from what a person typed (`2026-11`, `2026-W47`, a date range) or a stored row."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from dashboard.core.i18n import _
from dashboard.core.inputs import FIRST_DAY, LAST_DAY
from dashboard.reports.model import Period, ReportError

MAX_CUSTOM_DAYS = 366


def month_period(year: int, month: int) -> Period:
    return Period("month", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def week_period(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def parse_period(text: str) -> Period:
    """`2026-11` (a month), `2026-W47` (an ISO week) or `2026-11-01..2026-11-15` (days, both included), within
    the days a person may choose (dashboard.core.inputs: a period at the calendar's edge has no next day)."""
    text = (text or "").strip()
    period = None
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            period = month_period(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})-W(\d{2})", text):
            period = week_period(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        elif m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            period = custom_period(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
    except ValueError as exc:
        raise ReportError(_("Not a valid period: {period}", period=text)) from exc
    if period is None or not FIRST_DAY <= period.first_day <= period.last_day <= LAST_DAY:
        raise ReportError(_("Not a valid period: {period}", period=text))
    return period


def custom_period(first: date, last: date) -> Period:
    if last < first:
        raise ReportError(_("The period ends before it starts."))
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise ReportError(_("A report covers at most {days} days.", days=MAX_CUSTOM_DAYS))
    return Period("custom", first, last)


def period_of(row: dict) -> Period:
    return Period(row["period_kind"], row["period_start"], row["period_end"])


def comparison_label(period: Period, today: date, language: str) -> str:
    """What a report of `period` made on `today` is compared with, in words: "October 2026", or "1–14 October
    2026 (the same days of the period before)" while `period` is still running."""
    compared = period.compared_with(today)
    if period.so_far(today) == period:
        return compared.label(language)
    return _("{days} (the same days of the period before)", language, days=compared.label(language))


def period_label(period: Period, today: date, language: str) -> str:
    """A report's period in words, with the days it has had so far while it is still running."""
    running = period.so_far(today)
    if running == period:
        return period.label(language)
    return _("{period}, to date ({days})", language, period=period.label(language), days=running.label(language))
