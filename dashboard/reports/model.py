"""What a report is made of: the period it covers, the formats it comes in, the figures it shows.

Plain types only; gathering (gather.py) fills a ReportData, and each renderer (render/) reads nothing else.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime

FORMATS = ("pdf", "xlsx", "csv")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class ReportError(ValueError):
    """A report request that cannot be built as asked; the message says why."""


@dataclass(frozen=True)
class Period:
    """Whole local days, first and last included."""

    kind: str  # week | month | custom
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> Period:
        if self.kind == "month":
            last = self.first_day - timedelta(days=1)
            return Period("month", last.replace(day=1), last)
        return Period(self.kind, self.first_day - timedelta(days=self.days), self.first_day - timedelta(days=1))

    def so_far(self, today: date) -> Period:
        """The days of this period up to `today` (included) while it is running; the whole period otherwise."""
        if self.first_day <= today < self.last_day:
            return Period(self.kind, self.first_day, today)
        return self

    def compared_with(self, today: date) -> Period:
        """What a report made on `today` compares this period with: the previous period, cut to the same days
        while this one is still running (1–14 November so far against 1–14 October, not all of October)."""
        previous = self.previous()
        running = self.so_far(today)
        if running == self:
            return previous
        last = min(previous.first_day + timedelta(days=running.days - 1), previous.last_day)
        return Period(previous.kind, previous.first_day, last)

    def bounds(self, rt: Runtime) -> tuple[datetime, datetime]:
        """[start, end) as instants: local midnight of the first day to local midnight after the last."""
        tz = rt.settings.tz
        start = datetime.combine(self.first_day, datetime.min.time(), tz)
        return start, datetime.combine(self.last_day + timedelta(days=1), datetime.min.time(), tz)

    @property
    def slug(self) -> str:
        if self.kind == "month":
            return self.first_day.strftime("%Y-%m")
        if self.kind == "week":
            year, week, _day = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first_day.isoformat()}_{self.last_day.isoformat()}"

    def label(self, language: str) -> str:
        if self.kind == "month":
            first, last = self.first_day, self.last_day
            whole = last.day == calendar.monthrange(last.year, last.month)[1]
            if language == "zh-CN":
                days = "" if whole else f"{first.day}–{last.day}日"
                return f"{first.year}年{first.month}月{days}"
            return first.strftime("%B %Y") if whole else f"{first.day}–{last.day} {first.strftime('%B %Y')}"
        year, week, _day = self.first_day.isocalendar()
        days = f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"
        if self.kind == "week":
            return _("Week {week}, {year} ({days})", language, week=week, year=year, days=days)
        return days


@dataclass
class ReportData:
    """Everything a rendered report shows; every renderer reads only this."""

    report: dict
    period: Period
    covered: Period  # the period's days up to the day the report was made (period.so_far)
    previous: Period  # what the report compares with (period.compared_with): the same days, while running
    language: str
    scope_label: str
    filters_label: str | None  # the teams the author chose; None without a filter (no line is shown)
    generated_at: str
    timezone: str
    kpis: list[dict]
    teams: list[dict]
    employees: list[dict]
    daily: list[dict]
    previous_daily: list[dict]
    scores: dict[int, int]
    comments: list[dict]
    heat_cells: list[tuple[int, float]] = field(default_factory=list)
    # The author may not see individuals (issue 15): no person's row is kept, renderers show teams only.
    teams_only: bool = False
    # Coverage (issue 21, dashboard/analytics/coverage.py): per team over the covered days, and the customers
    # most overdue at the moment the report was made.
    coverage_teams: list[dict] = field(default_factory=list)
    overdue_customers: list[dict] = field(default_factory=list)


def parse_formats(values: list[str] | str) -> list[str]:
    chosen = values.split(",") if isinstance(values, str) else list(values)
    chosen = [value.strip().lower() for value in chosen if value and value.strip()]
    unknown = [value for value in chosen if value not in FORMATS]
    if unknown or not chosen:
        raise ReportError(_("Formats: choose from pdf, xlsx, csv."))
    return [fmt for fmt in FORMATS if fmt in chosen]
