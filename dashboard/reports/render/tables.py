"""The report's tables, shared by every format: columns (key, header in the report's language, value) and
the header lines saying what the report covers."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.analytics import coverage
from dashboard.analytics.metrics import FIGURE
from dashboard.core.i18n import _
from dashboard.reports.model import ReportData
from dashboard.reports.periods import comparison_label, period_label

Column = tuple[str, str, Callable[[dict], object]]


def figure_column(key: str, lang: str) -> Column:
    """A figure of dashboard/analytics/metrics.py as a column: its label, shares in whole per cent."""
    figure = FIGURE[key]
    share = figure.unit == "share"
    header = figure.header(lang) + (" (%)" if share else "")

    def get(row: dict) -> object:
        value = row[key]
        return _rounded(None if value is None else 100 * value, 0) if share else _rounded(value, figure.digits)

    return key, header, get


def _figures(keys: tuple[str, ...], lang: str) -> list[Column]:
    return [figure_column(key, lang) for key in keys]


TABLE_FIGURES = ("visits", "person_days", "visits_per_person_day", "tracked_hours", "km")
TASK_FIGURES = ("tasks_done", "on_time_rate", "overdue_tasks", "tasks_failed", "satisfaction")


def team_columns(lang: str) -> list[Column]:
    return [
        ("team", _("Team", lang), lambda r: r["team_name"] or _("No team", lang)),
        ("employees", _("Employees", lang), lambda r: r["employees"]),
        *_figures(("staff", *TABLE_FIGURES, "idle_share", *TASK_FIGURES), lang),
    ]


def employee_columns(lang: str) -> list[Column]:
    return [
        ("code", _("Code", lang), lambda r: r["employee_code"]),
        ("name", _("Name", lang), lambda r: r["employee_name"]),
        ("team", _("Team", lang), lambda r: r["team_name"] or _("No team", lang)),
        *_figures((*TABLE_FIGURES, "idle_share", *TASK_FIGURES), lang),
    ]


def coverage_columns(lang: str) -> list[Column]:
    """Coverage per team (issue 21): planned, done, missed, to come and unplanned visits, done of planned (%)."""
    return [
        ("team", _("Team", lang), lambda r: r["team_name"] or _("No team", lang)),
        *[(key, coverage.label(key, lang), lambda r, key=key: r[key]) for key in coverage.COUNTS],
        (
            "done_rate",
            coverage.label("done_rate", lang) + " (%)",
            lambda r: _rounded(None if r["done_rate"] is None else 100 * r["done_rate"], 0),
        ),
    ]


def overdue_columns(lang: str) -> list[Column]:
    """The customers most overdue for a visit: frequency, days since the last visit, overdue by."""
    return [
        ("customer", _("Customer", lang), lambda r: r["customer_name"]),
        ("team", _("Team", lang), lambda r: r["team_name"] or _("No team", lang)),
        ("every_days", _("Every (days)", lang), lambda r: r["every_days"]),
        ("days_since", _("Days since last visit", lang), lambda r: r["days_since"]),
        ("overdue_by", _("Overdue by (days)", lang), lambda r: r["overdue_by"]),
    ]


def daily_columns(lang: str) -> list[Column]:
    return [
        ("day", _("Day", lang), lambda r: r["day"].isoformat()),
        *_figures(("visits", "tasks_done", "tasks_failed", "overdue_tasks"), lang),
    ]


def kpi_columns(lang: str) -> list[Column]:
    return [
        ("kpi", _("KPI", lang), lambda k: k["label"]),
        ("value", _("This period", lang), lambda k: _rounded(k["value"], k.get("digits", 0))),
        ("previous", _("Previous period", lang), lambda k: _rounded(k["previous"], k.get("digits", 0))),
        ("target", _("Target", lang), lambda k: k.get("target")),
    ]


def score_columns(lang: str) -> list[tuple[str, str, Callable[[tuple], object]]]:
    return [("score", _("Score", lang), lambda r: r[0]), ("answers", _("Answers", lang), lambda r: r[1])]


def _rounded(value: float | None, digits: int) -> float | int | None:
    if value is None:
        return None
    return round(value) if digits == 0 else round(value, digits)


def teams_only_note(lang: str) -> str:
    return _("Teams only: individual figures are hidden by the organisation's privacy setting.", lang)


def header_lines(data: ReportData) -> list[tuple[str, str]]:
    lang = data.language
    lines = [
        (_("Period", lang), period_label(data.period, data.covered.last_day, lang)),
        (_("Compared with", lang), comparison_label(data.period, data.covered.last_day, lang)),
        (_("Scope", lang), data.scope_label),
        (_("Filters", lang), data.filters_label),
        (_("Author", lang), data.report["author_name"]),
        (_("Generated", lang), f"{data.generated_at} ({data.timezone})"),
    ]
    lines = [(label, value) for label, value in lines if value is not None]  # no filter line without a filter
    if data.teams_only:
        lines.append((_("Privacy", lang), teams_only_note(lang)))
    return lines
