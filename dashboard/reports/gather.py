"""Gathering a report's figures, each read within the report's scope (its author's, narrowed to the chosen
teams), for the period and the one before: every figure from dashboard/analytics/metrics.py, as on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dashboard.analytics import coverage, metrics
from dashboard.core.i18n import _
from dashboard.core.permissions import role_sees_individuals
from dashboard.core.runtime import Runtime
from dashboard.reports.kpis import kpi_list
from dashboard.reports.model import ReportData
from dashboard.reports.periods import period_of
from data import analytics, org_settings, reports, teams
from data.scope import Scope

OVERDUE_SHOWN = 20  # the report lists the customers most overdue, the API and the Coverage page all of them


def _team_names(rt: Runtime, team_ids: list[int], lang: str) -> str:
    names = [team["name"] for team in teams.list_teams(rt.db, Scope(frozenset(team_ids)))]
    return _("Teams: {names}", lang, names=", ".join(names) or "—")


def _scope_label(rt: Runtime, report: dict, lang: str) -> str:
    """What the author sees: an organisation-wide role's report narrowed to chosen teams still has the whole
    organisation as its scope (the teams are its filter); a supervisor's scope is the teams it covers."""
    if report["scope_team_ids"] is None or (report["team_ids"] and report["author_role"] != "supervisor"):
        return _("Whole organisation", lang)
    return _team_names(rt, report["scope_team_ids"], lang)


def _filters_label(rt: Runtime, report: dict, lang: str) -> str | None:
    """The teams the author chose (the period has its own line); None without a choice, and for a supervisor,
    whose scope line already names the teams the report covers."""
    if not report["team_ids"] or report["author_role"] == "supervisor":
        return None
    return _team_names(rt, report["team_ids"], lang)


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
    tz = rt.settings.timezone
    rows = metrics.employee_days(rt.db, scope, covered.first_day, covered.last_day, tz, now)
    progress(20)
    previous_rows = metrics.employee_days(rt.db, scope, previous.first_day, previous.last_day, tz, now)
    staff = metrics.people(rt.db, scope)
    progress(30)
    scores = reports.score_counts(rt.db, scope, start, end)
    comments = reports.recent_comments(rt.db, scope, start, end)
    for comment in comments:
        comment["answered"] = rt.local(comment["answered_at"])
    progress(40)
    # The setting as it is now, not a process's cached copy: the report keeps what it is built with.
    teams_only = not role_sees_individuals(report["author_role"], org_settings.all_settings(rt.db))
    return ReportData(
        report=report,
        period=period,
        covered=covered,
        previous=previous,
        language=lang,
        scope_label=_scope_label(rt, report, lang),
        filters_label=_filters_label(rt, report, lang),
        generated_at=rt.local(now, "%Y-%m-%d %H:%M"),
        timezone=tz,
        kpis=kpi_list(metrics.total(rows), metrics.total(previous_rows), rt.org_settings(), lang),
        teams=metrics.per_team(rows, staff),
        employees=[] if teams_only else metrics.per_employee(rows, staff),
        daily=metrics.per_day(rows, covered.first_day, covered.last_day),
        previous_daily=metrics.per_day(previous_rows, previous.first_day, previous.last_day),
        scores=scores,
        comments=comments,
        heat_cells=[  # hours per day, on the wall's tracked-hours scale (dashboard/analytics/scales.py)
            (row["cell"], row["tracked_s"] / 3600.0 / covered.days)
            for row in analytics.heatmap(rt.db, scope, covered.first_day, covered.last_day, tz)
            if row["tracked_s"]
        ],
        teams_only=teams_only,
        coverage_teams=coverage.per_team(
            coverage.person_counts(rt.db, scope, covered.first_day, covered.last_day, tz, now), staff
        ),
        overdue_customers=coverage.overdue(coverage.customers(rt.db, scope, tz, now))[:OVERDUE_SHOWN],
    )
