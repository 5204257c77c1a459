"""Queueing a report and building it: gather the figures, render each chosen format, store the files.

A report is a row in `reports` (data/reports.py): queued by the Reports page, `fieldops report` or
a schedule; claimed by exactly one process (FOR UPDATE SKIP LOCKED), built with its progress
written as it goes, its files stored next to it. Its figures take the author's Scope narrowed to
the chosen teams, so a report never holds more than its author may see.
"""

from __future__ import annotations

import logging
import threading

from dashboard.core.i18n import _
from dashboard.core.permissions import REPORT_ROLES, Viewer
from dashboard.core.runtime import Runtime
from dashboard.geo.tiles import map_frame
from dashboard.reports.gather import gather
from dashboard.reports.model import MEDIA_TYPES, Period, ReportData, ReportError, parse_formats
from dashboard.reports.periods import period_of
from data import reports, streets, teams
from data.scope import Scope

log = logging.getLogger(__name__)


def report_scope(scope: Scope, team_ids: list[int] | None) -> Scope:
    """The author's scope, narrowed to the chosen teams (none chosen: the author's whole scope)."""
    if not team_ids:
        return scope
    chosen = frozenset(team_ids)
    return Scope(chosen if scope.team_ids is None else chosen & scope.team_ids, scope.employee_id)


def queue_report(
    rt: Runtime,
    author: Viewer,
    period: Period,
    formats: list[str],
    language: str,
    team_ids: list[int] | None = None,
    schedule_id: int | None = None,
) -> int | None:
    """Queue a report for `author`; teams outside the author's scope are refused, not dropped."""
    if author.role not in REPORT_ROLES:
        raise ReportError(_("Your role cannot make reports."))
    visible = {team["id"] for team in teams.list_teams(rt.db, author.scope)}
    team_ids = sorted(set(team_ids or []))
    if any(team_id not in visible for team_id in team_ids):
        raise ReportError(_("A chosen team is not in your view."))
    scope = report_scope(author.scope, team_ids)
    request = {
        "period_kind": period.kind,
        "period_start": period.first_day,
        "period_end": period.last_day,
        "team_ids": team_ids or None,
        "formats": parse_formats(formats),
        "language": language,
        "author_user_id": author.user_id,
        "author_name": author.username,
        "author_role": author.role,
        "scope_team_ids": scope.team_filter(),
        "schedule_id": schedule_id,
    }
    if schedule_id is not None:
        return reports.create_scheduled_report(rt.db, request)
    return reports.create_report(rt.db, request)


def file_base(report: dict) -> str:
    scope = "org" if report["scope_team_ids"] is None else "teams"
    return f"fieldops-report-{period_of(report).slug}-{scope}-{report['id']}"


def rendered_files(rt: Runtime, data: ReportData, fmt: str, base: str) -> list[tuple[str, str, str, bytes]]:
    """One format's files as (name, format, media type, content); each renderer is imported when first
    needed, as matplotlib and WeasyPrint take about a second to load."""
    if fmt == "pdf":
        from dashboard.reports.render.pdf import render_pdf

        content = render_pdf(data, streets.street_lines(rt.db), map_frame(rt))  # its map in the tiles' system
        return [(f"{base}.pdf", "pdf", MEDIA_TYPES["pdf"], content)]
    if fmt == "xlsx":
        from dashboard.reports.render.xlsx import render_xlsx

        return [(f"{base}.xlsx", "xlsx", MEDIA_TYPES["xlsx"], render_xlsx(data))]
    from dashboard.reports.render.csv import render_csv

    return [(f"{base}-{table}.csv", "csv", MEDIA_TYPES["csv"], content) for table, content in render_csv(data).items()]


def build_report(rt: Runtime, report: dict) -> None:
    """Render a claimed report in each of its formats and store the files; failures are recorded."""
    report_id = report["id"]
    try:
        data = gather(rt, report, lambda percent: reports.set_progress(rt.db, report_id, percent))
        files: list[tuple[str, str, str, bytes]] = []
        base = file_base(report)
        step = 55 // len(report["formats"])
        for n, fmt in enumerate(report["formats"], start=1):
            files.extend(rendered_files(rt, data, fmt, base))
            reports.set_progress(rt.db, report_id, 40 + n * step)
        reports.finish_report(rt.db, report_id, files, names_individuals=not data.teams_only)
    except Exception as exc:  # the row says it failed; the process building it goes on
        log.exception("Report %s failed", report_id)
        reports.fail_report(rt.db, report_id, f"{type(exc).__name__}: {exc}")


def build_queued(rt: Runtime, report_id: int | None = None) -> int | None:
    """Claim and build one queued report (this one, or the oldest); its id, or None when none was free."""
    report = reports.claim_report(rt.db, report_id)
    if report is None:
        return None
    build_report(rt, report)
    return report["id"]


def build_in_background(rt: Runtime, report_id: int) -> threading.Thread:
    """The Reports page's build: off the request thread, in this process (a worker may take it first)."""
    thread = threading.Thread(target=build_queued, args=(rt, report_id), name=f"report-{report_id}", daemon=True)
    thread.start()
    return thread
