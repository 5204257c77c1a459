"""The period a report covers, from what a person typed (`2026-11`, `2026-W47`, a date range) or a stored row."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from dashboard.core.i18n import _
from dashboard.reports.model import Period, ReportError

MAX_CUSTOM_DAYS = 366


def month_period(year: int, month: int) -> Period:
    return Period("month", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def week_period(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def parse_period(text: str) -> Period:
    """`2026-11` (a month), `2026-W47` (an ISO week) or `2026-11-01..2026-11-15` (days, both included)."""
    text = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            return month_period(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", text):
            return week_period(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            return custom_period(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
    except ValueError as exc:
        raise ReportError(_("Not a valid period: {period}", period=text)) from exc
    raise ReportError(_("Not a valid period: {period}", period=text))


def custom_period(first: date, last: date) -> Period:
    if last < first:
        raise ReportError(_("The period ends before it starts."))
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise ReportError(_("A report covers at most {days} days.", days=MAX_CUSTOM_DAYS))
    return Period("custom", first, last)


def period_of(row: dict) -> Period:
    return Period(row["period_kind"], row["period_start"], row["period_end"])
