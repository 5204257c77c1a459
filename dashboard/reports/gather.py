"""Gathering a report's figures: visits, tasks, feedback and the analytics rollups (issue 5), each read
within the report's scope (its author's, narrowed to the chosen teams), for the period and the one before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.reports.kpis import kpi_list
from dashboard.reports.model import ReportData
from dashboard.reports.periods import period_label, period_of
from data import analytics, reports, teams
from data.scope import Scope

# Figures read from the analytics rollups (issue 5), summed over people like the others.
ANALYTICS_KEYS = ("tracked_s", "site_s", "idle_s", "distance_m", "tracked_days")


def _totals(rows: list[dict]) -> dict:
    keys = ("visits", "visit_s", "planned", "done", "failed", "done_with_window", "on_time", "overdue")
    totals = {key: sum(row[key] for row in rows) for key in keys}
    totals["responses"] = sum(row["responses"] for row in rows)
    totals["score_sum"] = sum(row["score_sum"] for row in rows)
    totals["staff"] = sum(1 for row in rows if row["visits"] or row["done"])
    for key in ANALYTICS_KEYS:
        totals[key] = sum(row.get(key) or 0 for row in rows)
    return totals


def _with_rates(row: dict) -> dict:
    row["on_time_pct"] = None if not row["done_with_window"] else 100.0 * row["on_time"] / row["done_with_window"]
    row["satisfaction"] = None if not row["responses"] else row["score_sum"] / row["responses"]
    row["visit_h"] = row["visit_s"] / 3600.0
    tracked = row.get("tracked_s") or 0
    row["tracked_h"] = tracked / 3600.0
    row["km"] = (row.get("distance_m") or 0) / 1000.0
    row["km_per_day"] = None if not row.get("tracked_days") else row["km"] / row["tracked_days"]
    row["on_visits_pct"] = None if not tracked else 100.0 * (row.get("site_s") or 0) / tracked
    row["idle_pct"] = None if not tracked else 100.0 * (row.get("idle_s") or 0) / tracked
    return row


def _with_movement(rows: list[dict], ranking: list[dict]) -> list[dict]:
    """Add each person's tracked time, distance and idle time from the analytics rollups (issue 5)."""
    by_employee = {row["employee_id"]: row for row in ranking}
    for row in rows:
        found = by_employee.get(row["id"])
        for key, source in (
            ("tracked_s", "tracked_s"),
            ("site_s", "visit_s"),
            ("idle_s", "idle_s"),
            ("distance_m", "distance_m"),
            ("tracked_days", "days"),
        ):
            row[key] = (found[source] or 0) if found else 0
    return rows


def _team_rows(employees: list[dict]) -> list[dict]:
    by_team: dict[str, list[dict]] = {}
    for row in employees:
        by_team.setdefault(row["team_name"], []).append(row)
    rows = []
    for name, members in by_team.items():
        totals = _with_rates(_totals(members))
        rows.append({"team_name": name, "employees": len(members), **totals})
    return rows


def _scope_label(rt: Runtime, report: dict, lang: str) -> str:
    if report["scope_team_ids"] is None:
        return _("Whole organisation", lang)
    names = [team["name"] for team in teams.list_teams(rt.db, Scope(frozenset(report["scope_team_ids"])))]
    return _("Teams: {names}", lang, names=", ".join(names) or "—")


def gather(
    rt: Runtime, report: dict, progress: Callable[[int], None] = lambda percent: None, now: datetime | None = None
) -> ReportData:
    """Read every figure of one report, and of what it is compared with, within the report's scope: a period
    still running at `now` (default: this moment) covers its days so far, against the same days before."""
    lang = report["language"]
    now = now or datetime.now(rt.settings.tz)
    today = now.astimezone(rt.settings.tz).date()
    period = period_of(report)
    covered = period.so_far(today)
    previous = period.compared_with(today)
    scope = Scope(None if report["scope_team_ids"] is None else frozenset(report["scope_team_ids"]))
    start, end = covered.bounds(rt)
    prev_start, prev_end = previous.bounds(rt)
    tz = rt.settings.timezone
    employees = _with_movement(
        reports.employee_figures(rt.db, scope, start, end),
        analytics.employee_ranking(rt.db, scope, covered.first_day, covered.last_day, tz),
    )
    employees = [_with_rates(row) for row in employees]
    progress(20)
    previous_rows = _with_movement(
        reports.employee_figures(rt.db, scope, prev_start, prev_end),
        analytics.employee_ranking(rt.db, scope, previous.first_day, previous.last_day, tz),
    )
    previous_totals = _with_rates(_totals(previous_rows))
    progress(30)
    daily = reports.daily_figures(rt.db, scope, start, end, covered.first_day, covered.last_day, tz)
    previous_daily = reports.daily_figures(
        rt.db, scope, prev_start, prev_end, previous.first_day, previous.last_day, tz
    )
    scores = reports.score_counts(rt.db, scope, start, end)
    comments = reports.recent_comments(rt.db, scope, start, end)
    for comment in comments:
        comment["answered"] = rt.local(comment["answered_at"])
    progress(40)
    current_totals = _with_rates(_totals(employees))
    filters = [period_label(period, today, lang)]
    if report["team_ids"]:
        filters.append(_("chosen teams", lang))
    return ReportData(
        report=report,
        period=period,
        covered=covered,
        previous=previous,
        language=lang,
        scope_label=_scope_label(rt, report, lang),
        filters_label=", ".join(filters),
        generated_at=rt.local(now, "%Y-%m-%d %H:%M"),
        timezone=tz,
        kpis=kpi_list(current_totals, previous_totals, covered, previous, rt.org_settings(), lang),
        teams=_team_rows(employees),
        employees=employees,
        daily=daily,
        previous_daily=previous_daily,
        scores=scores,
        comments=comments,
        heat_cells=[  # hours per day, on the wall's tracked-hours scale (dashboard/analytics/scales.py)
            (row["cell"], row["tracked_s"] / 3600.0 / covered.days)
            for row in analytics.heatmap(rt.db, scope, covered.first_day, covered.last_day, tz)
            if row["tracked_s"]
        ],
    )
