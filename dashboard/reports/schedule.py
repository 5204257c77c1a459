"""Report schedules and the runner that serves them: queue what a schedule owes, build what is queued,
e-mail what is finished; the loop in `fieldops worker` (and `fieldops demo`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import UTC, datetime, timedelta

from dashboard.core.i18n import _
from dashboard.core.permissions import REPORT_ROLES, Viewer, scope_for
from dashboard.core.runtime import Runtime
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.mail import mail_scheduled_reports
from dashboard.reports.model import Period, ReportError, parse_formats
from dashboard.reports.periods import month_period, week_period
from dashboard.reports.service_reports import mail_reports, make_due_reports
from data import reports, teams

log = logging.getLogger(__name__)

ABANDONED_AFTER_S = 600  # a build running this long belonged to a process that died
RUNNER_EVERY_S = 5.0
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
            "created_at": datetime.now(UTC),  # compared with this process's clock in queue_due_schedules
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


class ReportRunner:
    """The loop in `fieldops worker` (and `fieldops demo`): schedules, queued builds, e-mail; service reports."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def run_once(self) -> None:
        reports.requeue_abandoned(self.rt.db, ABANDONED_AFTER_S)
        queue_due_schedules(self.rt)
        while build_queued(self.rt) is not None:
            pass
        mail_scheduled_reports(self.rt)
        make_due_reports(self.rt)  # issue 21: each done visit's service report, then its e-mail
        mail_reports(self.rt)

    def run(self, stop: threading.Event, every_s: float = RUNNER_EVERY_S) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.run_once()
            except Exception:  # a database hiccup must not end the loop; the next round retries
                log.exception("Report runner round failed")
            stop.wait(max(0.1, every_s - (time.monotonic() - started)))
