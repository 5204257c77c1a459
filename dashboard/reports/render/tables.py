"""The report's tables, shared by every format: columns (key, header in the report's language, value) and
the header lines saying what the report covers."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.core.i18n import _
from dashboard.reports.model import ReportData
from dashboard.reports.periods import comparison_label, period_label


def team_columns(lang: str) -> list[tuple[str, str, Callable[[dict], object]]]:
    return [
        ("team", _("Team", lang), lambda r: r["team_name"] or _("No team", lang)),
        ("employees", _("Employees", lang), lambda r: r["employees"]),
        ("active", _("Active staff", lang), lambda r: r["staff"]),
        ("visits", _("Visits", lang), lambda r: r["visits"]),
        ("visit_hours", _("Hours on visits", lang), lambda r: round(r["visit_h"], 1)),
        ("tracked_hours", _("Hours tracked", lang), lambda r: round(r["tracked_h"], 1)),
        ("km", _("Kilometres", lang), lambda r: round(r["km"], 1)),
        ("tasks_planned", _("Tasks planned", lang), lambda r: r["planned"]),
        ("tasks_done", _("Tasks done", lang), lambda r: r["done"]),
        ("on_time_pct", _("On time (%)", lang), lambda r: _rounded(r["on_time_pct"], 0)),
        ("failed", _("Failed", lang), lambda r: r["failed"]),
        ("overdue", _("Overdue", lang), lambda r: r["overdue"]),
        ("satisfaction", _("Satisfaction", lang), lambda r: _rounded(r["satisfaction"], 2)),
        ("answers", _("Answers", lang), lambda r: r["responses"]),
    ]


def employee_columns(lang: str) -> list[tuple[str, str, Callable[[dict], object]]]:
    return [
        ("code", _("Code", lang), lambda r: r["code"]),
        ("name", _("Name", lang), lambda r: r["name"]),
        ("team", _("Team", lang), lambda r: r["team_name"] or _("No team", lang)),
        ("visits", _("Visits", lang), lambda r: r["visits"]),
        ("visit_hours", _("Hours on visits", lang), lambda r: round(r["visit_h"], 1)),
        ("tracked_hours", _("Hours tracked", lang), lambda r: round(r["tracked_h"], 1)),
        ("km", _("Kilometres", lang), lambda r: round(r["km"], 1)),
        ("idle_pct", _("Idle (%)", lang), lambda r: _rounded(r["idle_pct"], 0)),
        ("tasks_done", _("Tasks done", lang), lambda r: r["done"]),
        ("on_time_pct", _("On time (%)", lang), lambda r: _rounded(r["on_time_pct"], 0)),
        ("failed", _("Failed", lang), lambda r: r["failed"]),
        ("overdue", _("Overdue", lang), lambda r: r["overdue"]),
        ("satisfaction", _("Satisfaction", lang), lambda r: _rounded(r["satisfaction"], 2)),
        ("answers", _("Answers", lang), lambda r: r["responses"]),
    ]


def daily_columns(lang: str) -> list[tuple[str, str, Callable[[dict], object]]]:
    return [
        ("day", _("Day", lang), lambda r: r["day"].isoformat()),
        ("visits", _("Visits", lang), lambda r: r["visits"]),
        ("tasks_done", _("Tasks done", lang), lambda r: r["done"]),
        ("failed", _("Failed", lang), lambda r: r["failed"]),
        ("overdue", _("Overdue", lang), lambda r: r["overdue"]),
    ]


def kpi_columns(lang: str) -> list[tuple[str, str, Callable[[dict], object]]]:
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


def header_lines(data: ReportData) -> list[tuple[str, str]]:
    lang = data.language
    return [
        (_("Period", lang), period_label(data.period, data.covered.last_day, lang)),
        (_("Compared with", lang), comparison_label(data.period, data.covered.last_day, lang)),
        (_("Scope", lang), data.scope_label),
        (_("Filters", lang), data.filters_label),
        (_("Author", lang), data.report["author_name"]),
        (_("Generated", lang), f"{data.generated_at} ({data.timezone})"),
    ]
