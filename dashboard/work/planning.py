"""The visit planner (issue 21, docs/PLANS.md): customers' visit plans turned into tasks some days ahead.

For each customer with a visit frequency (its own, or its tier's) the next visit is due `every_days` after the
later of its last visit made (a visit of any channel, or a task done there) and the last day already booked for it
(a planned task in any state: one cancelled or failed is a missed visit, and the next follows from it; or an open
task), or today when it was never visited nor booked. The visit goes on the first allowed day from there: one of the
customer's route days, a working day of its owner (their working hours; a make-up working day counts even on a
weekend, a holiday never), not during the owner's leave, with its preferred window inside the working hours.
Tasks are made through the task lifecycle (`lifecycle.create_planned_visit`), once per customer and day, then
each touched day of each person is ordered by OR-Tools (dashboard/work/routing.py). Runs in `fieldops worker`
once a day and by `fieldops plan-visits`; one run at a time holds the planner's lock, and a second run makes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.ingest.privacy import working_spans
from dashboard.work import lifecycle, routing
from data import org_settings, visit_plans, working_hours
from data.scope import Scope
from data.working_hours import Slot

log = logging.getLogger(__name__)

HORIZON_SETTING = "plans.horizon_days"
DEFAULT_HORIZON_DAYS = 14
MAX_HORIZON_DAYS = 92
SOLVER_SECONDS = 0.1  # per person and day: a planned day holds a few visits, settled well before
CHECK_EVERY_S = 300.0  # the worker looks this often whether today's run is still to be made
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a holiday calendar can be imported for
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Skip:
    """A customer the run could plan nothing for, and why (`reason`: no_owner, owner_deactivated, no_working_day)."""

    customer_id: int
    customer_name: str
    reason: str

    def message(self) -> str:
        return {
            "no_owner": _("nobody owns this customer"),
            "owner_deactivated": _("the customer's owner is deactivated"),
            "no_working_day": _("no allowed day in the horizon (route days, working hours, holidays, leave)"),
        }.get(self.reason, self.reason)


@dataclass
class PlanRun:
    """One run's result: the days it planned, the tasks it made, the customers it skipped, the days it ordered."""

    first_day: date
    last_day: date
    ran: bool = True  # False: another process was planning, and this run made nothing
    created: list[int] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    routed: int = 0

    def summary(self) -> str:
        if not self.ran:
            return _("Another planner is running: try again in a minute.")
        return _(
            "Planned {first} to {last}: {created} new visits, {routed} days ordered, {skipped} customers skipped.",
            first=self.first_day.isoformat(),
            last=self.last_day.isoformat(),
            created=len(self.created),
            routed=self.routed,
            skipped=len(self.skipped),
        )


def horizon_days(rt: Runtime) -> int:
    """How many days ahead the daily run plans (the organisation's `plans.horizon_days`)."""
    value = rt.org_settings().get(HORIZON_SETTING)
    return value if isinstance(value, int) and 1 <= value <= MAX_HORIZON_DAYS else DEFAULT_HORIZON_DAYS


def set_horizon_days(rt: Runtime, days: object, user_id: int | None) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_HORIZON_DAYS:
        raise AppError(400, "bad_horizon", _("Plan 1 to {days} days ahead.", days=MAX_HORIZON_DAYS))
    org_settings.set_setting(rt.db, HORIZON_SETTING, days, user_id)
    rt.forget_org_settings()
    return days


@dataclass(frozen=True)
class Calendar:
    """What decides whether a person works on a day: their weekly hours, the holidays and make-up working days, and
    their leave."""

    tz: ZoneInfo
    schedules: dict[int, list[Slot]]
    holidays: frozenset[date]
    workdays: frozenset[date]
    leave: dict[int, list[tuple[date, date]]]

    @classmethod
    def read(cls, rt: Runtime, first: date, last: date) -> Calendar:
        marked = visit_plans.calendar_days(rt.db, first, last)
        leave: dict[int, list[tuple[date, date]]] = {}
        for row in visit_plans.leave_between(rt.db, first, last):
            leave.setdefault(row["employee_id"], []).append((row["first_day"], row["last_day"]))
        return cls(
            rt.settings.tz,
            working_hours.schedules(rt.db),
            frozenset(r["day"] for r in marked if r["kind"] == "holiday"),
            frozenset(r["day"] for r in marked if r["kind"] == "workday"),
            leave,
        )

    def spans(self, employee_id: int, day: date) -> list[Span]:
        """The person's working hours on the day as instants: none on a holiday or their leave; on a make-up working
        day with no hours of its own, the hours of their first working weekday."""
        if day in self.holidays or any(a <= day <= b for a, b in self.leave.get(employee_id, ())):
            return []
        slots = self.schedules.get(employee_id, [])
        spans = working_spans(slots, day, self.tz)
        if not spans and day in self.workdays and slots:
            first = min(weekday for weekday, _starts, _ends in slots)
            same = [(day.weekday(), starts, ends) for weekday, starts, ends in slots if weekday == first]
            spans = working_spans(same, day, self.tz)
        return spans


def visit_window(spans: list[Span], starts: time | None, ends: time | None, day: date, tz: ZoneInfo) -> Span | None:
    """The visit's window on the day: its preferred time inside the working span it overlaps most, else the longest
    working span; None when the day has no working hours or the preferred time misses them all."""
    if not spans:
        return None
    if starts is None and ends is None:
        return max(spans, key=lambda span: span[1] - span[0])
    wanted = (
        datetime.combine(day, starts or time(0), tz),
        datetime.combine(day, ends, tz) if ends else datetime.combine(day + timedelta(days=1), time(0), tz),
    )
    best = max(spans, key=lambda span: min(span[1], wanted[1]) - max(span[0], wanted[0]))
    window = (max(best[0], wanted[0]), min(best[1], wanted[1]))
    return window if window[1] > window[0] else None


def visit_days(
    every_days: int, anchor: date | None, first: date, last: date, allowed: Callable[[date], bool]
) -> list[date]:
    """The days in [first, last] a customer is visited: due `every_days` after the anchor (its last visit or booked
    day; `first` when it has none, or when that is already past), each on the first allowed day from its due day,
    the next due from the day chosen."""
    chosen: list[date] = []
    due = first if anchor is None else max(first, anchor + timedelta(days=every_days))
    while due <= last:
        day = next((d for d in _days(due, last) if allowed(d)), None)
        if day is None:
            break
        chosen.append(day)
        due = day + timedelta(days=every_days)
    return chosen


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def plan_visits(
    rt: Runtime,
    *,
    days: int | None = None,
    now: datetime | None = None,
    user_id: int | None = None,
    solver_seconds: float = SOLVER_SECONDS,
) -> PlanRun:
    """Plan the visits due from today for `days` days (default: the organisation's horizon)."""
    now = now or datetime.now(UTC)
    tz = rt.settings.tz
    today = now.astimezone(tz).date()
    last = today + timedelta(days=(days or horizon_days(rt)) - 1)
    run = PlanRun(today, last)
    with visit_plans.planner_lock(rt.db) as held:
        if not held:
            run.ran = False
            return run
        plans = visit_plans.planned_customers(rt.db)
        ids = [plan["customer_id"] for plan in plans]
        visited = visit_plans.last_visit_days(rt.db, ids, now, rt.settings.timezone)
        booked = visit_plans.booked_days(rt.db, ids, today, rt.settings.timezone)
        calendar = Calendar.read(rt, today, last)
        default_minutes = lifecycle.default_duration_min(rt)
        touched: set[tuple[int, date]] = set()
        for plan in plans:
            made = _plan_customer(rt, plan, visited, booked, calendar, run, now, user_id, default_minutes)
            touched.update((plan["owner_employee_id"], day) for day in made)
        for employee_id, day in sorted(touched):
            routing.plan_route(rt, employee_id, day, user_id=user_id, reason="plan", seconds=solver_seconds)
            run.routed += 1
    log.info("Visit plan %s..%s: %d tasks made, %d skipped", today, last, len(run.created), len(run.skipped))
    return run


def _plan_customer(
    rt: Runtime,
    plan: dict,
    visited: dict[int, date],
    booked: dict[int, date],
    calendar: Calendar,
    run: PlanRun,
    now: datetime,
    user_id: int | None,
    default_minutes: int,
) -> list[date]:
    """Make one customer's due visits of the run's days; returns the days a task was made for."""
    customer, owner = plan["customer_id"], plan["owner_employee_id"]
    if owner is None or not plan["owner_active"]:
        reason = "no_owner" if owner is None else "owner_deactivated"
        run.skipped.append(Skip(customer, plan["customer_name"], reason))
        return []
    anchor = max((day for day in (visited.get(customer), booked.get(customer)) if day), default=None)
    route_days = set(plan["route_days"] or ())
    windows: dict[date, Span] = {}

    def allowed(day: date) -> bool:
        if route_days and day.isoweekday() not in route_days:
            return False
        window = visit_window(calendar.spans(owner, day), plan["window_start"], plan["window_end"], day, calendar.tz)
        if window is None or window[1] <= now:
            return False
        windows[day] = window
        return True

    every = plan["every_days"]
    chosen = visit_days(every, anchor, run.first_day, run.last_day, allowed)
    due_in_horizon = anchor is None or anchor + timedelta(days=every) <= run.last_day
    if not chosen and due_in_horizon and not any(allowed(day) for day in _days(run.first_day, run.last_day)):
        run.skipped.append(Skip(customer, plan["customer_name"], "no_working_day"))  # not one day it could go
    made = []
    for day in chosen:
        starts, ends = windows[day]
        task = {
            "customer_id": customer,
            "employee_id": owner,
            "kind": plan["task_kind"],
            "window_start": starts.astimezone(UTC),
            "window_end": ends.astimezone(UTC),
            "duration_min": plan["duration_min"] or default_minutes,
            "planned_for": day,
        }
        task_id = lifecycle.create_planned_visit(rt, task, user_id)
        if task_id is not None:
            run.created.append(task_id)
            made.append(day)
    return made


class DailyPlanner:
    """`fieldops worker`'s daily run: once each local day. Several workers may start it; the planner's lock lets one
    plan at a time, and a second run the same day makes nothing."""

    def __init__(self, rt: Runtime, every_s: float = CHECK_EVERY_S) -> None:
        self.rt = rt
        self.every_s = every_s
        self._planned_on: date | None = None

    def run_if_due(self) -> PlanRun | None:
        today = datetime.now(self.rt.settings.tz).date()
        if self._planned_on == today:
            return None
        result = plan_visits(self.rt)
        if result.ran:
            self._planned_on = today
        return result

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every_s):
            try:
                self.run_if_due()
            except Exception:  # keep the loop alive: the next check tries again, and a run is made once
                log.exception("Visit planning failed; retrying")


# Holiday calendars.


@dataclass(frozen=True)
class HolidayImport:
    country: str
    year: int
    holidays: int
    workdays: int

    def summary(self) -> str:
        text = _(
            "{country} {year}: {holidays} holidays and {workdays} make-up working days imported.",
            country=self.country,
            year=self.year,
            holidays=self.holidays,
            workdays=self.workdays,
        )
        if self.country == "CN" and not self.workdays:
            text += " " + _(
                "No make-up working days (调休) are known for {year} yet: the State Council announces them late in "
                "the year before; import again when the holidays library has them.",
                year=self.year,
            )
        return text


def import_holidays(rt: Runtime, country: object, year: object) -> HolidayImport:
    """A country's official holidays of a year (and, for mainland China, its make-up working days) from the
    `holidays` library into the calendar; days marked by hand keep their mark."""
    code = country.strip().upper() if isinstance(country, str) else ""
    if code not in holidays.list_supported_countries():
        raise AppError(400, "unknown_country", _("No holiday calendar is known for that country."), field="country")
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise AppError(400, "bad_year", _("Choose a year from {first} to {last}.", first=FIRST_YEAR, last=LAST_YEAR))
    wanted = rt.settings.language.replace("-", "_")  # the days' names in the organisation's language when known
    languages = holidays.list_localized_countries().get(code, [])
    language = next((name for name in languages if name == wanted or name.startswith(wanted + "_")), None)
    official = holidays.country_holidays(code, years=year, language=language)
    days = [(day, "holiday", name) for day, name in sorted(official.items()) if day.year == year]
    workdays = sorted(day for day in getattr(official, "weekend_workdays", ()) if day.year == year)
    days += [(day, "workday", _("Make-up working day")) for day in workdays]
    visit_plans.import_calendar_days(rt.db, days)
    return HolidayImport(code, year, len(days) - len(workdays), len(workdays))


# What the visit plans page and the API change, checked.

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: 1 = Monday
MAX_LEAVE_DAYS = 367


def time_of_day(value: object, what: str) -> time | None:
    """'HH:MM' as a time of day (empty: none); AppError naming `what` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return time.fromisoformat(value.strip()) if isinstance(value, str) else _bad_time(what)
    except ValueError:
        return _bad_time(what)


def _bad_time(what: str) -> time:
    raise AppError(400, "bad_time", _("Write times of day like 09:30."), field=what)


def _window(starts: object, ends: object) -> tuple[time | None, time | None]:
    start, end = time_of_day(starts, "window_start"), time_of_day(ends, "window_end")
    if start and end and end <= start:
        raise AppError(400, "bad_window", _("The window must end after it starts."), field="window_end")
    return start, end


def _every_days(value: object, required: bool) -> int | None:
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 366:
        raise AppError(400, "bad_every_days", _("Visit every 1 to 366 days."), field="every_days")
    return value


def _route_days(value: object) -> list[int]:
    days = value if isinstance(value, list) else []
    if any(day not in WEEKDAYS for day in days):
        raise AppError(400, "bad_route_days", _("Route days are weekdays."), field="route_days")
    return sorted(set(days))


def validate_tier(values: dict) -> dict:
    """A tier as entered: code (A, B, VIP: a capital letter, then up to 9 capitals or digits), name, every_days,
    route_days (ISO weekdays), the preferred window (HH:MM); AppError naming the first thing wrong."""
    code = values.get("code").strip().upper() if isinstance(values.get("code"), str) else ""
    if not code or not code[0].isalpha() or len(code) > 10 or not code.isascii() or not code.isalnum():
        raise AppError(400, "bad_code", _("A tier's code is a letter, then up to 9 letters or digits."), field="code")
    name = values.get("name").strip() if isinstance(values.get("name"), str) else ""
    if not 1 <= len(name) <= 100:
        raise AppError(400, "bad_name", _("Give the tier a name (up to 100 characters)."), field="name")
    start, end = _window(values.get("window_start"), values.get("window_end"))
    return {
        "code": code,
        "name": name,
        "every_days": _every_days(values.get("every_days"), required=True),
        "route_days": _route_days(values.get("route_days")),
        "window_start": start,
        "window_end": end,
        "task_kind": "visit",
        "duration_min": None,
    }


def save_tier(rt: Runtime, values: dict) -> dict:
    tier = validate_tier(values)
    visit_plans.save_tier(rt.db, tier)
    return tier


def set_customer_plan(rt: Runtime, scope: Scope, customer_id: object, values: dict) -> dict:
    """A customer's tier (a known code, or none) and its own overrides (every_days, route_days, window; none: the
    tier's); 404 when the customer is not in the scope."""
    tier = values.get("tier") or None
    if tier is not None and tier not in {t["code"] for t in visit_plans.list_tiers(rt.db)}:
        raise AppError(400, "unknown_tier", _("Choose one of the tiers."), field="tier")
    start, end = _window(values.get("window_start"), values.get("window_end"))
    route_days = _route_days(values.get("route_days"))
    plan = {
        "tier": tier,
        "visit_every_days": _every_days(values.get("every_days"), required=False),
        "visit_route_days": route_days or None,
        "visit_window_start": start,
        "visit_window_end": end,
    }
    if not isinstance(customer_id, int) or not visit_plans.set_customer_plan(rt.db, scope, customer_id, plan):
        raise AppError(404, "no_customer", _("Choose a customer of your teams."), field="customer_id")
    return visit_plans.customer_plan(rt.db, scope, customer_id) or {}


def mark_day(rt: Runtime, day: date | None, kind: object, name: object) -> None:
    if day is None:
        raise AppError(400, "bad_day", _("Write the day like 2027-05-01."), field="day")
    if kind not in visit_plans.CALENDAR_KINDS:
        raise AppError(400, "bad_kind", _("A day is a holiday or a make-up working day."), field="kind")
    visit_plans.set_calendar_day(rt.db, day, kind, name.strip()[:200] if isinstance(name, str) else "")


def add_leave(
    rt: Runtime,
    scope: Scope,
    employee_id: object,
    first: date | None,
    last: date | None,
    reason: object,
    user_id: int | None,
) -> int:
    """Mark a person of the scope away for whole days; nothing is planned for them then."""
    if first is None or last is None:
        raise AppError(400, "bad_day", _("Write the days like 2027-05-01."), field="first_day")
    if last < first or (last - first).days >= MAX_LEAVE_DAYS:
        raise AppError(400, "bad_leave", _("Leave ends on or after its first day, within a year."), field="last_day")
    text = reason.strip()[:500] if isinstance(reason, str) else ""
    leave_id = (
        visit_plans.add_leave(rt.db, scope, employee_id, first, last, text, user_id)
        if isinstance(employee_id, int)
        else None
    )
    if leave_id is None:
        raise AppError(404, "no_person", _("That person is not in your teams."), field="employee_id")
    return leave_id
