"""Coverage (issue 21), every figure defined once: are the customers visited as often as their plan says?

Per person and per team over a period of local days: `planned` (visits the planner made due in the period),
`done` (of those, done), `missed` (cancelled or failed, or still open after their day), `pending` (open, their day
not yet past), `unplanned` (visits in the period not tied to a planned task: remote ones count) and `done_rate`
(done / planned). Per customer, as of a moment: its frequency, the days since its last visit of any channel,
`overdue_by` (days since − frequency, when above zero), and whether it was never visited.

data/coverage.py reads the counts; the Coverage page, the phone's "due this week", the reports, the API and the
"customer overdue" alert rule all call these functions, so they agree. docs/PLANS.md ("Coverage") writes them down.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from dashboard.analytics.metrics import PERSON
from dashboard.analytics.scales import MeasureScale
from dashboard.core.i18n import _
from data import coverage
from data.db import Database
from data.metrics import active_people
from data.scope import Scope

COUNTS = coverage.COUNTS
DUE_SOON_DAYS = 7  # the phone's "due this week": due or overdue within this many days
# Days since the last visit on the map: 0 to 60 days, redder when longer; a never-visited customer is grey.
DAYS_SINCE_SCALE = MeasureScale("days_since", "days", 60.0, ticks=5)


def label(key: str, language: str | None = None) -> str:
    """A coverage figure's name as people read it."""
    return {
        "planned": lambda: _("Planned", language),
        "done": lambda: _("Done", language),
        "missed": lambda: _("Missed", language),
        "pending": lambda: _("To come", language),
        "unplanned": lambda: _("Unplanned visits", language),
        "done_rate": lambda: _("Done of planned", language),
    }[key]()


def figures(rows: Iterable[dict]) -> dict:
    """The counts summed over `rows`, with done_rate (None when nothing was planned: no value, not 0 %)."""
    rows = list(rows)
    found = {key: sum(row[key] for row in rows) for key in COUNTS}
    found["done_rate"] = found["done"] / found["planned"] if found["planned"] else None
    return found


def person_counts(db: Database, scope: Scope, first_day: date, last_day: date, tz: str, now: datetime) -> list[dict]:
    """The rows every coverage figure is summed from: one per person with anything to count in the period."""
    return coverage.person_counts(db, scope, first_day, last_day, tz, now.date())


def people(db: Database, scope: Scope) -> list[dict]:
    """The active staff in `scope`: listed with zeros when they have nothing to count."""
    return active_people(db, scope)


def per_employee(rows: list[dict], staff: Iterable[dict] = ()) -> list[dict]:
    """One row per person (the active staff in scope and anyone with counts), ordered by name."""
    who = {person["employee_id"]: person for person in staff}
    for row in rows:
        who.setdefault(row["employee_id"], row)
    counted = {row["employee_id"]: row for row in rows}
    found = [
        {**{key: person[key] for key in PERSON}, **figures([counted[employee_id]] if employee_id in counted else [])}
        for employee_id, person in who.items()
    ]
    return sorted(found, key=lambda r: (r["employee_name"], r["employee_id"]))


def per_team(rows: list[dict], staff: Iterable[dict] = ()) -> list[dict]:
    """One row per team (people without one under team_id None), ordered by name, with `employees`."""
    teams: dict[object, list[dict]] = {}
    for row in per_employee(rows, staff):
        teams.setdefault(row["team_id"], []).append(row)
    found = [
        {
            "team_id": team_id,
            "team_name": members[0]["team_name"],
            **figures(members),
            "employees": len(members),
        }
        for team_id, members in teams.items()
    ]
    return sorted(found, key=lambda r: (r["team_name"] is None, r["team_name"] or ""))


def total(rows: list[dict]) -> dict:
    return figures(rows)


def _standing(row: dict) -> dict:
    overdue = None
    if row["every_days"] is not None and row["days_since"] is not None:
        overdue = max(0, row["days_since"] - row["every_days"])
    return {**row, "overdue_by": overdue, "never_visited": row["last_visit_at"] is None}


def customers(db: Database, scope: Scope, tz: str, now: datetime) -> list[dict]:
    """Every customer in `scope` as of `now` (aware, in the organisation's zone): every_days, last_visit_at,
    days_since, overdue_by (None without a plan or a visit; 0 when not overdue) and never_visited."""
    return [_standing(row) for row in coverage.customer_standing(db, scope, tz, now, now.date())]


def overdue(rows: Iterable[dict], min_days: int = 1) -> list[dict]:
    """The customers overdue by at least `min_days`, most overdue first."""
    found = [row for row in rows if (row["overdue_by"] or 0) >= max(1, min_days)]
    return sorted(found, key=lambda r: (-r["overdue_by"], r["customer_name"], r["customer_id"]))


def never_visited(rows: Iterable[dict]) -> list[dict]:
    """The customers with no visit yet, those with a plan first, then by name."""
    found = [row for row in rows if row["never_visited"]]
    return sorted(found, key=lambda r: (r["every_days"] is None, r["customer_name"], r["customer_id"]))


def due_within(rows: Iterable[dict], days: int = DUE_SOON_DAYS) -> list[dict]:
    """The customers with a plan due within `days` (next due day = last visit + frequency), overdue ones and
    never-visited ones included, soonest first, with `due_in` (days; 0 or less: due now or overdue)."""
    found = []
    for row in rows:
        if row["every_days"] is None:
            continue
        due_in = 0 if row["never_visited"] else row["every_days"] - row["days_since"]
        if due_in <= days:
            found.append({**row, "due_in": due_in})
    return sorted(found, key=lambda r: (r["due_in"], r["customer_name"], r["customer_id"]))


def overdue_page(
    db: Database, scope: Scope, tz: str, now: datetime, *, min_days: int, after_id: int, limit: int
) -> list[dict]:
    """Customers overdue by at least `min_days`, ordered by id after `after_id`, for cursor pages (the API)."""
    found = [
        row
        for row in customers(db, scope, tz, now)
        if row["customer_id"] > after_id and (row["overdue_by"] or 0) >= max(1, min_days)
    ]
    return found[:limit]


def week_of(today: date) -> tuple[date, date]:
    """The ISO week (Monday to Sunday) holding `today`: the page's default period."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)
