"""Every figure defined once (issue 15): its numerator and denominator over the base sums of employee-days.

data/metrics.employee_days reads the sums (one row per employee and local day); `figures` turns any sum of
those rows into every figure, and `per_employee`, `per_team`, `per_day` and `total` roll rows up with the same
code. The performance page, the reports, the wall's tiles and the API read their figures here, so they agree;
docs/EFFICIENCY.md ("Figures") writes each definition down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from dashboard.core.i18n import _
from data import metrics
from data.db import Database
from data.metrics import RATIOS, SUMS
from data.scope import Scope


@dataclass(frozen=True)
class Figure:
    """One figure: numerator / denominator (None: the numerator alone) of the sums, times `scale`."""

    key: str
    label: Callable[[str | None], str]
    unit: str  # count | share | per_day | km | hours | score | ratio
    digits: int
    numerator: str
    denominator: str | None = None
    scale: float = 1.0
    column: Callable[[str | None], str] | None = None  # a shorter header for tables; the label when None
    # How a value reads, where the figure has a rule: "up" (at least `target`) or "down" (at most it) is good;
    # `target` is a number or the key of the organisation's setting (data/org_settings.py) that holds it.
    better: str | None = None
    target: float | str | None = None

    def header(self, language: str | None = None) -> str:
        return (self.column or self.label)(language)

    def value(self, sums: dict) -> float | int | None:
        """None when the denominator is zero: no value, rather than a misleading 0."""
        if self.denominator is None:
            amount = sums[self.numerator]
            return amount if self.scale == 1.0 else amount * self.scale
        whole = sums[self.denominator]
        return None if not whole else sums[self.numerator] * self.scale / whole

    def text(self, value: float | None) -> str:
        """The value as people read it: shares in per cent, the others with the figure's digits."""
        if value is None:
            return "–"
        if self.unit == "share":
            return f"{value:.{self.digits}%}"
        return f"{value:,.{self.digits}f}"

    def goal(self, settings: dict) -> float | None:
        """The value the figure aims at: its own number, or the organisation's setting (rt.org_settings())."""
        return float(settings[self.target]) if isinstance(self.target, str) else self.target

    def verdict(self, value: float | None, settings: dict) -> str:
        """good | warning by the figure's own rule; neutral without a rule or a value. A missed target is a
        warning: a figure of a day in progress says "look at this", not "failed"."""
        goal = self.goal(settings)
        if value is None or goal is None or self.better is None:
            return NEUTRAL
        meets = value <= goal if self.better == "down" else value >= goal
        return GOOD if meets else WARNING


GOOD, WARNING, NEUTRAL = "good", "warning", "neutral"  # a figure's verdict: the wall colours its tile by it


def _ratio(
    key: str, label: Callable[[str | None], str], unit: str, digits: int, column: Callable | None = None
) -> Figure:
    numerator, denominator, scale = RATIOS[key]
    return Figure(key, label, unit, digits, numerator, denominator, scale, column)


FIGURES: tuple[Figure, ...] = (
    Figure("visits", lambda lang: _("Visits", lang), "count", 0, "visits"),
    Figure(
        "person_days",
        lambda lang: _("Working days (person-days)", lang),
        "count",
        0,
        "person_days",
        column=lambda lang: _("Days", lang),
    ),
    Figure("staff", lambda lang: _("Active staff", lang), "count", 0, "staff"),
    Figure(
        "visits_per_person_day",
        lambda lang: _("Visits per person-day", lang),
        "per_day",
        1,
        "visits",
        "person_days",
        column=lambda lang: _("Visits per day", lang),
    ),
    _ratio("on_time_rate", lambda lang: _("On-time visits", lang), "share", 0, lambda lang: _("On time", lang)),
    Figure(
        "km_per_person_day",
        lambda lang: _("km per person-day", lang),
        "km",
        1,
        "distance_m",
        "person_days",
        0.001,
        column=lambda lang: _("km per day", lang),
    ),
    _ratio("visit_share", lambda lang: _("Time on visits", lang), "share", 0),
    _ratio("idle_share", lambda lang: _("Idle share of tracked time", lang), "share", 0, lambda lang: _("Idle", lang)),
    _ratio("outside_share", lambda lang: _("Share outside work areas", lang), "share", 0),
    _ratio("travel_visit_ratio", lambda lang: _("Travel time per visit time", lang), "ratio", 1),
    Figure(
        "satisfaction",
        lambda lang: _("Customer satisfaction", lang),
        "score",
        2,
        "score_sum",
        "answers",
        column=lambda lang: _("Satisfaction", lang),
        better="up",
        target="analytics.target_satisfaction",
    ),
    Figure("answers", lambda lang: _("Answers", lang), "count", 0, "answers"),
    Figure("tracked_hours", lambda lang: _("Hours tracked", lang), "hours", 1, "tracked_s", scale=1 / 3600),
    Figure("visit_hours", lambda lang: _("Hours on visits", lang), "hours", 1, "visit_s", scale=1 / 3600),
    Figure("km", lambda lang: _("Kilometres", lang), "km", 1, "distance_m", scale=0.001),
    Figure("tasks_planned", lambda lang: _("Tasks planned", lang), "count", 0, "tasks_planned"),
    Figure("tasks_done", lambda lang: _("Tasks done", lang), "count", 0, "tasks_done"),
    Figure("tasks_failed", lambda lang: _("Failed", lang), "count", 0, "tasks_failed"),
    Figure(
        "overdue_tasks",
        lambda lang: _("Overdue tasks", lang),
        "count",
        0,
        "overdue_tasks",
        column=lambda lang: _("Overdue", lang),
        better="down",
        target=0,  # none overdue is the goal
    ),
)
FIGURE = {figure.key: figure for figure in FIGURES}


def is_person_day(row: dict) -> bool:
    """A local day on which the person tracked time, started a visit or finished a task (docs/EFFICIENCY.md)."""
    return bool(row["tracked_s"] or row["visits"] or row["tasks_done"])


def sums(rows: Iterable[dict]) -> dict:
    """The base sums of employee-day rows, with person_days, staff (people with a person-day) and employees."""
    rows = list(rows)
    found = {key: sum(row[key] for row in rows) for key in SUMS}
    working = [row for row in rows if is_person_day(row)]
    found["person_days"] = len(working)
    found["staff"] = len({row["employee_id"] for row in working})
    found["employees"] = len({row["employee_id"] for row in rows})
    return found


def figures(rows: Iterable[dict]) -> dict:
    """Every figure of FIGURES over these rows, beside their sums (employees included)."""
    found = sums(rows)
    return {**found, **{figure.key: figure.value(found) for figure in FIGURES}}


def _grouped(rows: list[dict], key: Callable[[dict], object]) -> dict[object, list[dict]]:
    groups: dict[object, list[dict]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


PERSON = ("employee_id", "employee_code", "employee_name", "team_id", "team_name")


def _who(rows: list[dict], people: Iterable[dict]) -> dict[int, dict]:
    """Everyone in `people` (active staff with nothing to count show as zeros) and everyone in `rows`."""
    who = {person["employee_id"]: person for person in people}
    for row in rows:
        who.setdefault(row["employee_id"], row)
    return who


def per_employee(rows: list[dict], people: Iterable[dict] = ()) -> list[dict]:
    """One row per person: code, name, team and every figure, ordered by name."""
    groups = _grouped(rows, lambda r: r["employee_id"])
    found = [
        {**{key: person[key] for key in PERSON}, **figures(groups.get(employee_id, []))}
        for employee_id, person in _who(rows, people).items()
    ]
    return sorted(found, key=lambda r: (r["employee_name"], r["employee_id"]))


def per_team(rows: list[dict], people: Iterable[dict] = ()) -> list[dict]:
    """One row per team (people without one under team_id None), ordered by name; `employees` counts its
    people, with or without anything to count."""
    groups = _grouped(rows, lambda r: r["team_id"])
    members = _grouped(list(_who(rows, people).values()), lambda r: r["team_id"])
    found = [
        {
            "team_id": team[0]["team_id"],
            "team_name": team[0]["team_name"],
            **figures(groups.get(team_id, [])),
            "employees": len(team),
        }
        for team_id, team in members.items()
    ]
    return sorted(found, key=lambda r: (r["team_name"] is None, r["team_name"] or ""))


def per_day(rows: list[dict], first_day: date | None = None, last_day: date | None = None) -> list[dict]:
    """One row per local day; with first_day and last_day every day between is listed (zeros when none)."""
    groups = _grouped(rows, lambda r: r["day"])
    days = sorted(groups)
    if first_day is not None and last_day is not None:
        days = [date.fromordinal(n) for n in range(first_day.toordinal(), last_day.toordinal() + 1)]
    return [{"day": day, **figures(groups.get(day, []))} for day in days]


def total(rows: list[dict]) -> dict:
    return figures(rows)


def employee_days(db: Database, scope: Scope, first_day: date, last_day: date, tz: str, now: datetime) -> list[dict]:
    """The rows every figure is computed from, for local days [first_day, last_day] within `scope`."""
    return metrics.employee_days(db, scope, first_day, last_day, tz, now)


def people(db: Database, scope: Scope) -> list[dict]:
    """The active staff in `scope` (PERSON columns): listed in the tables even when they have nothing to count."""
    return metrics.active_people(db, scope)


def overdue_tasks(
    db: Database, scope: Scope, first_day: date, last_day: date, tz: str, now: datetime, limit: int = 20
) -> list[dict]:
    """The tasks the overdue_tasks figure counts (most overdue first): the wall's alerts list them."""
    return metrics.overdue_tasks(db, scope, first_day, last_day, tz, now, limit)


def labels(language: str | None = None) -> dict[str, str]:
    return {figure.key: figure.label(language) for figure in FIGURES}
