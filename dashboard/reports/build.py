"""Reports (issue 8): what a report covers, gathering its figures, building it off the request
thread, schedules, and e-mailing the result.

A report is a row in `reports` (data/reports.py): queued by the Reports page, `fieldops report` or
a schedule; claimed by exactly one process (FOR UPDATE SKIP LOCKED), built with its progress
written as it goes, its files stored next to it. Its figures take the author's Scope narrowed to
the chosen teams, so a report never holds more than its author may see.
"""

from __future__ import annotations

import calendar
import logging
import re
import smtplib
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from dashboard.core.i18n import _
from dashboard.core.permissions import REPORT_ROLES, Viewer, scope_for
from dashboard.core.runtime import Runtime
from data import analytics, reports, streets, teams
from data.scope import Scope

log = logging.getLogger(__name__)

FORMATS = ("pdf", "xlsx", "csv")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MAX_CUSTOM_DAYS = 366
# Figures read from the analytics rollups (issue 5), summed over people like the others.
ANALYTICS_KEYS = ("tracked_s", "site_s", "idle_s", "distance_m", "tracked_days")
ABANDONED_AFTER_S = 600  # a build running this long belonged to a process that died
RUNNER_EVERY_S = 5.0


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
            if language == "zh-CN":
                return f"{self.first_day.year}年{self.first_day.month}月"
            return self.first_day.strftime("%B %Y")
        year, week, _day = self.first_day.isocalendar()
        days = f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"
        if self.kind == "week":
            return _("Week {week}, {year} ({days})", language, week=week, year=year, days=days)
        return days


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


def parse_formats(values: list[str] | str) -> list[str]:
    chosen = values.split(",") if isinstance(values, str) else list(values)
    chosen = [value.strip().lower() for value in chosen if value and value.strip()]
    unknown = [value for value in chosen if value not in FORMATS]
    if unknown or not chosen:
        raise ReportError(_("Formats: choose from pdf, xlsx, csv."))
    return [fmt for fmt in FORMATS if fmt in chosen]


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


# --- gathering the figures -----------------------------------------------------------------------


@dataclass
class ReportData:
    """Everything a rendered report shows; every renderer reads only this."""

    report: dict
    period: Period
    previous: Period
    language: str
    scope_label: str
    filters_label: str
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


def _share(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


def _working_days(period: Period) -> int:
    return sum(1 for n in range(period.days) if (period.first_day + timedelta(days=n)).weekday() < 5) or 1


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


def kpi_list(current: dict, previous: dict, period: Period, previous_period: Period, targets: dict, lang: str) -> list:
    """KPIs with the previous period's value and, where the organisation set one, the target."""

    def per_person_day(totals: dict, p: Period) -> float | None:
        return _share(totals["visits"], totals["staff"] * _working_days(p))

    return [
        {"key": "staff", "label": _("Active staff", lang), "value": current["staff"], "previous": previous["staff"]},
        {"key": "visits", "label": _("Visits", lang), "value": current["visits"], "previous": previous["visits"]},
        {
            "key": "visits_per_day",
            "label": _("Visits per person per working day", lang),
            "value": per_person_day(current, period),
            "previous": per_person_day(previous, previous_period),
            "target": targets.get("analytics.target_visits_per_day"),
            "digits": 1,
        },
        {"key": "done", "label": _("Tasks done", lang), "value": current["done"], "previous": previous["done"]},
        {
            "key": "on_time_pct",
            "label": _("On time (%)", lang),
            "value": current["on_time_pct"],
            "previous": previous["on_time_pct"],
            "target": _percent(targets.get("analytics.target_on_time_rate")),
            "digits": 0,
        },
        {
            "key": "overdue",
            "label": _("Overdue tasks", lang),
            "value": current["overdue"],
            "previous": previous["overdue"],
            "lower_is_better": True,
        },
        {
            "key": "satisfaction",
            "label": _("Average satisfaction (1–5)", lang),
            "value": current["satisfaction"],
            "previous": previous["satisfaction"],
            "target": targets.get("analytics.target_satisfaction"),
            "digits": 2,
        },
        {
            "key": "tracked_h",
            "label": _("Hours tracked", lang),
            "value": current["tracked_h"],
            "previous": previous["tracked_h"],
            "digits": 0,
        },
        {
            "key": "on_visits_pct",
            "label": _("Tracked time on customer sites (%)", lang),
            "value": current["on_visits_pct"],
            "previous": previous["on_visits_pct"],
            "target": _percent(targets.get("analytics.target_visit_share")),
            "digits": 0,
        },
        {
            "key": "km_per_day",
            "label": _("Kilometres per person per day", lang),
            "value": current["km_per_day"],
            "previous": previous["km_per_day"],
            "digits": 0,
            "neutral": True,  # more kilometres is neither better nor worse by itself
        },
        {
            "key": "idle_pct",
            "label": _("Idle share of tracked time (%)", lang),
            "value": current["idle_pct"],
            "previous": previous["idle_pct"],
            "digits": 0,
            "lower_is_better": True,
        },
    ]


def _percent(rate: object) -> float | None:
    return None if rate is None else round(100.0 * float(rate))


def _scope_label(rt: Runtime, report: dict, lang: str) -> str:
    if report["scope_team_ids"] is None:
        return _("Whole organisation", lang)
    names = [team["name"] for team in teams.list_teams(rt.db, Scope(frozenset(report["scope_team_ids"])))]
    return _("Teams: {names}", lang, names=", ".join(names) or "—")


def gather(rt: Runtime, report: dict, progress=lambda percent: None) -> ReportData:
    """Read every figure of one report (and of the period before it) within the report's scope."""
    lang = report["language"]
    period = period_of(report)
    previous = period.previous()
    scope = Scope(None if report["scope_team_ids"] is None else frozenset(report["scope_team_ids"]))
    start, end = period.bounds(rt)
    prev_start, prev_end = previous.bounds(rt)
    tz = rt.settings.timezone
    employees = _with_movement(
        reports.employee_figures(rt.db, scope, start, end),
        analytics.employee_ranking(rt.db, scope, period.first_day, period.last_day, tz),
    )
    employees = [_with_rates(row) for row in employees]
    progress(20)
    previous_rows = _with_movement(
        reports.employee_figures(rt.db, scope, prev_start, prev_end),
        analytics.employee_ranking(rt.db, scope, previous.first_day, previous.last_day, tz),
    )
    previous_totals = _with_rates(_totals(previous_rows))
    progress(30)
    daily = reports.daily_figures(rt.db, scope, start, end, period.first_day, period.last_day, tz)
    previous_daily = reports.daily_figures(
        rt.db, scope, prev_start, prev_end, previous.first_day, previous.last_day, tz
    )
    scores = reports.score_counts(rt.db, scope, start, end)
    comments = reports.recent_comments(rt.db, scope, start, end)
    for comment in comments:
        comment["answered"] = rt.local(comment["answered_at"])
    progress(40)
    current_totals = _with_rates(_totals(employees))
    filters = [period.label(lang)]
    if report["team_ids"]:
        filters.append(_("chosen teams", lang))
    return ReportData(
        report=report,
        period=period,
        previous=previous,
        language=lang,
        scope_label=_scope_label(rt, report, lang),
        filters_label=", ".join(filters),
        generated_at=rt.local(datetime.now(rt.settings.tz), "%Y-%m-%d %H:%M"),
        timezone=tz,
        kpis=kpi_list(current_totals, previous_totals, period, previous, rt.org_settings(), lang),
        teams=_team_rows(employees),
        employees=employees,
        daily=daily,
        previous_daily=previous_daily,
        scores=scores,
        comments=comments,
        heat_cells=[
            (row["cell"], row["tracked_s"] / 3600.0)
            for row in analytics.heatmap(rt.db, scope, period.first_day, period.last_day, tz)
            if row["tracked_s"]
        ],
    )


# --- building -------------------------------------------------------------------------------------


def file_base(report: dict) -> str:
    scope = "org" if report["scope_team_ids"] is None else "teams"
    return f"fieldops-report-{period_of(report).slug}-{scope}-{report['id']}"


def build_report(rt: Runtime, report: dict) -> None:
    """Render a claimed report in each of its formats and store the files; failures are recorded."""
    from dashboard.reports import render as report_render  # imported late: matplotlib and WeasyPrint load in ~1 s

    report_id = report["id"]
    try:
        data = gather(rt, report, lambda percent: reports.set_progress(rt.db, report_id, percent))
        files: list[tuple[str, str, str, bytes]] = []
        base = file_base(report)
        step = 55 // len(report["formats"])
        for n, fmt in enumerate(report["formats"], start=1):
            if fmt == "pdf":
                files.append(
                    (
                        f"{base}.pdf",
                        "pdf",
                        MEDIA_TYPES["pdf"],
                        report_render.render_pdf(data, streets.street_lines(rt.db)),
                    )
                )
            elif fmt == "xlsx":
                files.append((f"{base}.xlsx", "xlsx", MEDIA_TYPES["xlsx"], report_render.render_xlsx(data)))
            else:
                for table, content in report_render.render_csv(data).items():
                    files.append((f"{base}-{table}.csv", "csv", MEDIA_TYPES["csv"], content))
            reports.set_progress(rt.db, report_id, 40 + n * step)
        reports.finish_report(rt.db, report_id, files)
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


# --- schedules ------------------------------------------------------------------------------------


EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def weekday_names(language: str | None = None) -> list[str]:
    return [
        _("Monday", language),
        _("Tuesday", language),
        _("Wednesday", language),
        _("Thursday", language),
        _("Friday", language),
        _("Saturday", language),
        _("Sunday", language),
    ]


def add_schedule(
    rt: Runtime,
    owner: Viewer,
    *,
    name: str,
    cadence: str,
    day: int,
    at_time: str,
    team_ids: list[int] | None,
    formats: list[str],
    language: str,
    email_to: list[str],
) -> int:
    """Store a schedule after checking every field; its reports take the owner's permissions."""
    if owner.role not in REPORT_ROLES or owner.user_id is None:
        raise ReportError(_("Your role cannot make reports."))
    name = (name or "").strip()
    if not 1 <= len(name) <= 200:
        raise ReportError(_("Give the schedule a name."))
    if cadence not in ("weekly", "monthly"):
        raise ReportError(_("Repeat weekly or monthly."))
    if not (0 <= day <= 6 if cadence == "weekly" else 1 <= day <= 28):
        raise ReportError(_("Weekly: a weekday 0–6 (0 = Monday); monthly: a day 1–28."))
    try:
        at = datetime.strptime(at_time or "", "%H:%M").time()
    except ValueError as exc:
        raise ReportError(_("Time of day as HH:MM.")) from exc
    bad = [address for address in email_to if not EMAIL.match(address)]
    if bad:
        raise ReportError(_("Not an e-mail address: {address}", address=bad[0]))
    visible = {team["id"] for team in teams.list_teams(rt.db, owner.scope)}
    if any(team_id not in visible for team_id in team_ids or []):
        raise ReportError(_("A chosen team is not in your view."))
    return reports.add_schedule(
        rt.db,
        {
            "name": name,
            "cadence": cadence,
            "weekday": day if cadence == "weekly" else None,
            "month_day": day if cadence == "monthly" else None,
            "at_time": at,
            "team_ids": sorted(set(team_ids)) if team_ids else None,
            "formats": parse_formats(formats),
            "language": language if language in ("en", "zh-CN") else "en",
            "email_to": email_to,
            "owner_user_id": owner.user_id,
        },
    )


def describe_schedule(schedule: dict, language: str) -> str:
    at = schedule["at_time"].strftime("%H:%M")
    if schedule["cadence"] == "weekly":
        weekday = weekday_names(language)[schedule["weekday"]]
        return _("Every {weekday} at {time}", language, weekday=weekday, time=at)
    return _("Monthly on day {day} at {time}", language, day=schedule["month_day"], time=at)


def last_occurrence(schedule: dict, now: datetime) -> datetime:
    """The latest moment at or before `now` (local) at which the schedule fires."""
    at = schedule["at_time"]
    today = now.date()
    if schedule["cadence"] == "weekly":
        day = today - timedelta(days=(today.weekday() - schedule["weekday"]) % 7)
        moment = datetime.combine(day, at, now.tzinfo)
        return moment if moment <= now else moment - timedelta(days=7)
    moment = datetime.combine(today.replace(day=schedule["month_day"]), at, now.tzinfo)
    if moment <= now:
        return moment
    previous_month = today.replace(day=1) - timedelta(days=1)
    return datetime.combine(previous_month.replace(day=schedule["month_day"]), at, now.tzinfo)


def period_before(schedule: dict, moment: datetime) -> Period:
    """A weekly schedule reports the last whole week before it fires; a monthly one the last whole month."""
    if schedule["cadence"] == "weekly":
        return week_period(moment.date() - timedelta(days=7))
    last = moment.date().replace(day=1) - timedelta(days=1)
    return month_period(last.year, last.month)


def owner_viewer(schedule: dict) -> Viewer:
    scope = scope_for(schedule["owner_role"], schedule["owner_employee_id"], schedule["owner_team_ids"])
    return Viewer(schedule["owner_user_id"], schedule["owner_name"], schedule["owner_role"], None, scope)


def queue_due_schedules(rt: Runtime, now: datetime | None = None) -> list[int]:
    """Queue the report of every schedule that has fired since it was made; each period only once."""
    now = (now or datetime.now(rt.settings.tz)).astimezone(rt.settings.tz)
    queued = []
    for schedule in reports.active_schedules(rt.db):
        moment = last_occurrence(schedule, now)
        if moment < schedule["created_at"]:
            continue
        try:
            report_id = queue_report(
                rt,
                owner_viewer(schedule),
                period_before(schedule, moment),
                schedule["formats"],
                schedule["language"],
                schedule["team_ids"],
                schedule_id=schedule["id"],
            )
        except ReportError as exc:
            log.warning("Schedule %s cannot run: %s", schedule["id"], exc)
            continue
        if report_id is not None:
            log.info("Schedule %s queued report %s", schedule["id"], report_id)
            queued.append(report_id)
    return queued


# --- e-mail ---------------------------------------------------------------------------------------


def send_report_mail(rt: Runtime, report: dict, recipients: list[str]) -> None:
    """E-mail a finished report's files through the configured SMTP server (FIELDOPS_SMTP_URL)."""
    parts = urlsplit(rt.settings.smtp_url or "")
    lang = report["language"]
    message = EmailMessage()
    message["Subject"] = _("FieldOps report: {period}", lang, period=period_of(report).label(lang))
    message["From"] = rt.settings.smtp_from
    message["To"] = ", ".join(recipients)
    message.set_content(_("The report is attached.", lang))
    for row in reports.report_files(rt.db, report["id"]):
        maintype, subtype = row["media_type"].split(";")[0].split("/")
        message.add_attachment(bytes(row["content"]), maintype=maintype, subtype=subtype, filename=row["name"])
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(
        parts.hostname or "127.0.0.1", parts.port or (465 if parts.scheme == "smtps" else 25), timeout=30
    ) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


def mail_scheduled_reports(rt: Runtime) -> int:
    """Send each finished scheduled report with recipients once; the row records that it went."""
    sent = 0
    for row in reports.unsent_scheduled(rt.db):
        if not rt.settings.smtp_url:
            log.warning("Report %s has recipients but FIELDOPS_SMTP_URL is not set", row["id"])
            reports.mark_emailed(rt.db, row["id"])
            continue
        try:
            send_report_mail(rt, row, row["email_to"])
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("E-mailing report %s failed (retried): %s", row["id"], exc)
            continue
        reports.mark_emailed(rt.db, row["id"])
        sent += 1
    return sent


# --- the runner -----------------------------------------------------------------------------------


class ReportRunner:
    """The loop in `fieldops worker` (and `fieldops demo`): schedules, queued builds, e-mail."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def run_once(self) -> None:
        reports.requeue_abandoned(self.rt.db, ABANDONED_AFTER_S)
        queue_due_schedules(self.rt)
        while build_queued(self.rt) is not None:
            pass
        mail_scheduled_reports(self.rt)

    def run(self, stop: threading.Event, every_s: float = RUNNER_EVERY_S) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.run_once()
            except Exception:  # a database hiccup must not end the loop; the next round retries
                log.exception("Report runner round failed")
            stop.wait(max(0.1, every_s - (time.monotonic() - started)))
