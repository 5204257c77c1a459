"""Attendance: per person and local day, the first arrival, the last departure and the hours between,
for the viewer's scope; the API, the CSV export and the Exports page all read it here."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import g, request

from dashboard.core.auditing import record_look
from dashboard.core.errors import AppError
from dashboard.core.runtime import runtime
from data import attendance

MAX_ATTENDANCE_DAYS = 62


def check_period(first: date, last: date) -> None:
    """The one rule for a period of days read at once: in order, 1970–2200, at most MAX_ATTENDANCE_DAYS."""
    if not (first.year >= 1970 and last.year <= 2200 and first <= last <= first + timedelta(MAX_ATTENDANCE_DAYS - 1)):
        raise AppError(400, "invalid_period", f"to must be on or after from, at most {MAX_ATTENDANCE_DAYS} days")


def attendance_rows(first: date, last: date) -> list[dict]:
    """Attendance of the viewer's scope for local days first..last (also the CSV export's rows)."""
    check_period(first, last)
    rt = runtime()
    start, end = local_bounds(first, last)
    rows = attendance.daily(rt.db, g.viewer.scope, start, end, rt.settings.timezone)
    for row in rows:
        row["hours_in_field"] = attendance.hours_between(row["first_check_in"], row["last_check_out"])
    record_look("export", sorted({row["employee_id"] for row in rows}), {"what": "attendance", "via": request.path})
    return rows


def local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments that start local day `first` and end local day `last`."""
    tz = runtime().settings.tz
    return (
        datetime.combine(first, time(), tz).astimezone(UTC),
        datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC),
    )
