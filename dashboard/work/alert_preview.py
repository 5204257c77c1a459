"""The alert rules page's preview (issue 17): how often a rule, as it is filled in, would have fired yesterday and
over the last 7 days, and for whom, computed from stored history (data/alert_history.py), one local day per
query.

Each kind reads what history keeps of its condition:
- silent: stretches without a stored position longer than N minutes, clipped to the person's working hours
  (data/working_hours, ingest/privacy.working_spans), firing N minutes after the silence began (or after the
  working hours began), once per silence;
- idle: stays away from customers (activities of kind 'stay' without a customer) longer than N minutes;
- zone_exit / zone_enter: geofence activities of the watched zones within the rule's daily window;
- task_not_arrived / task_overdue: the day's tasks not arrived by their window's end, or not done by it plus N;
- low_battery: a battery reading falling to X % or under (again only after recovering above X + 5);
- speeding: runs of positions over X km/h lasting at least N seconds;
- low_survey: survey answers of `stars` or fewer;
- low_trust_check_in: check-ins scored `score` or less for trust (issue 19).
Then, as live: only for people in the rule's scope, only while the rule holds (working hours unless it says
otherwise, never while the person paused sharing; a survey's answer is not bound to working hours), and at
most one per cooldown for a person and subject.

How it may differ from live evaluation (dashboard/writer): history holds only what was stored, so a stay shorter
than the writer's stay threshold (FIELDOPS_STAY_MIN_S) is not there to count as idle; silence is counted only for
people who sent at least one position that day, and a silence running into the day counts from the day's (or
the working hours') start; a low battery carried over from the day before counts again at the day's first
reading; tasks and people are read with their team and assignee of now; an alert still open from an earlier
occasion (which live would not raise again until it is cleared) is not known here. task_at_risk depends on
live positions and street travel times at each moment, so it has no preview.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from dashboard.core.permissions import Viewer
from dashboard.core.runtime import Runtime
from dashboard.ingest.privacy import in_slots, working_spans
from dashboard.work.alerting import in_window, params_of, window_of
from data import alert_history, alerts, working_hours
from data.working_hours import Slot

DAYS = 7
UNSUPPORTED = frozenset({"task_at_risk", *alerts.EVENT_KINDS})
ZONE_EVENTS = {"zone_exit": "geofence_exit", "zone_enter": "geofence_enter"}


@dataclass(frozen=True)
class Firing:
    """One alert the rule would have raised: about whom, when (event time), and what beyond the person."""

    employee_id: int
    at: datetime
    subject: str = ""


@dataclass
class Preview:
    supported: bool
    yesterday: date
    days: int = DAYS
    firings: list[Firing] = field(default_factory=list)  # over the whole period, after the cooldown
    names: dict[int, str] = field(default_factory=dict)

    def on(self, day_firings: Iterable[Firing]) -> list[tuple[str, int]]:
        counts = Counter(f.employee_id for f in day_firings)
        return sorted(((self.names.get(e, str(e)), n) for e, n in counts.items()), key=lambda p: (-p[1], p[0]))

    @property
    def yesterday_firings(self) -> list[Firing]:
        return [f for f in self.firings if f.at.date() == self.yesterday]

    @property
    def yesterday_count(self) -> int:
        return len(self.yesterday_firings)

    @property
    def week_count(self) -> int:
        return len(self.firings)

    def people_yesterday(self) -> list[tuple[str, int]]:
        return self.on(self.yesterday_firings)

    def people_week(self) -> list[tuple[str, int]]:
        return self.on(self.firings)


@dataclass(frozen=True)
class Day:
    """One local day of the organisation, and what the rule's holding needs to know about it."""

    day: date
    start: datetime
    end: datetime
    schedules: dict[int, list[Slot]]
    paused: dict[int, list[tuple[datetime, datetime]]]


def preview(rt: Runtime, viewer: Viewer, rule: dict, today: date | None = None) -> Preview:
    """The preview of `rule` (validated: dashboard/work/alerting.validate_rule) over the `DAYS` local days before
    `today` (the organisation's today by default), for the people of its scope within the viewer's."""
    tz = rt.settings.tz
    today = today or datetime.now(UTC).astimezone(tz).date()
    result = Preview(supported=rule["kind"] not in UNSUPPORTED, yesterday=today - timedelta(days=1))
    if not result.supported:
        return result
    people = alert_history.people(rt.db, viewer.scope, rule["team_ids"], rule["employee_ids"])
    result.names = {p["id"]: p["name"] for p in people}
    ids = sorted(result.names)
    if not ids:
        return result
    schedules = working_hours.schedules(rt.db)
    firings: list[Firing] = []
    for offset in range(DAYS, 0, -1):
        day = today - timedelta(days=offset)
        start = datetime.combine(day, clock(0), tz)
        end = datetime.combine(day + timedelta(days=1), clock(0), tz)
        paused: dict[int, list[tuple[datetime, datetime]]] = {}
        for p in alert_history.pauses(rt.db, ids, start, end):
            paused.setdefault(p["employee_id"], []).append((p["started_at"], p["ended_at"] or end))
        firings += day_firings(rt, rule, ids, Day(day, start, end, schedules, paused))
    result.firings = [
        Firing(f.employee_id, f.at.astimezone(tz), f.subject) for f in cooled(firings, rule["cooldown_min"])
    ]
    return result


def cooled(firings: Iterable[Firing], cooldown_min: int) -> list[Firing]:
    """At most one firing per cooldown for a person and subject, the earliest kept."""
    last: dict[tuple[int, str], datetime] = {}
    kept = []
    for firing in sorted(firings, key=lambda f: (f.at, f.employee_id, f.subject)):
        key = (firing.employee_id, firing.subject)
        before = last.get(key)
        if before is not None and firing.at - before < timedelta(minutes=cooldown_min):
            continue
        last[key] = firing.at
        kept.append(firing)
    return kept


def holds(rule: dict, day: Day, employee_id: int, at: datetime, *, hours: bool = True) -> bool:
    """As alerting.holds_now, at a past moment: never while paused; inside working hours unless the rule says
    otherwise (or `hours` is False: the kind is not bound to them)."""
    if any(since <= at < until for since, until in day.paused.get(employee_id, ())):
        return False
    if not (hours and rule["working_hours_only"]):
        return True
    return in_slots(day.schedules.get(employee_id, []), at.astimezone(day.start.tzinfo))


def day_firings(rt: Runtime, rule: dict, ids: list[int], day: Day) -> list[Firing]:
    kind = rule["kind"]
    params = params_of(rule)
    db = rt.db
    if kind == "silent":
        return _silent(rule, day, alert_history.silences(db, ids, day.start, day.end, params["minutes"]))
    if kind == "idle":
        wait = timedelta(minutes=params["minutes"])
        stays = alert_history.idle_stays(db, ids, day.start, day.end, params["minutes"])
        return _held(rule, day, (Firing(s["employee_id"], s["started_at"] + wait) for s in stays))
    if kind in ZONE_EVENTS:
        window = window_of(rule)
        crossings = alert_history.zone_crossings(db, ids, day.start, day.end, ZONE_EVENTS[kind], rule["zone_ids"])
        return _held(
            rule,
            day,
            (
                Firing(c["employee_id"], c["started_at"], f"zone:{c['zone_id']}")
                for c in crossings
                if in_window(window, c["started_at"].astimezone(day.start.tzinfo))
            ),
        )
    if kind in ("task_not_arrived", "task_overdue"):
        return _held(rule, day, _tasks(kind, params, alert_history.windowed_tasks(db, ids, day.start, day.end)))
    if kind == "low_battery":
        lows = alert_history.battery_lows(db, ids, day.start, day.end, params["percent"])
        return _held(rule, day, (Firing(b["employee_id"], b["ts"]) for b in lows))
    if kind == "speeding":
        runs = alert_history.speeding_runs(db, ids, day.start, day.end, params["kmh"], params["seconds"])
        return _held(rule, day, (Firing(r["employee_id"], r["at"]) for r in runs))
    if kind == "low_survey":
        answers = alert_history.low_surveys(db, ids, day.start, day.end, params["stars"])
        firings = (Firing(a["employee_id"], a["answered_at"], f"survey:{a['id']}") for a in answers)
        return _held(rule, day, firings, hours=False)
    if kind == "low_trust_check_in":
        low = alert_history.low_trust_check_ins(db, ids, day.start, day.end, params["score"])
        return _held(rule, day, (Firing(c["employee_id"], c["started_at"], f"check_in:{c['id']}") for c in low))
    return []


def _held(rule: dict, day: Day, firings: Iterable[Firing], *, hours: bool = True) -> list[Firing]:
    return [f for f in firings if holds(rule, day, f.employee_id, f.at, hours=hours)]


def _silent(rule: dict, day: Day, silences: list[dict]) -> list[Firing]:
    """A silence fires N minutes after it began, or after the working hours it runs into began, if it lasts that
    long within them; once (the alert stays open until a position comes)."""
    wait = timedelta(minutes=params_of(rule)["minutes"])
    firings = []
    for silence in silences:
        employee_id = silence["employee_id"]
        if rule["working_hours_only"]:
            spans = working_spans(day.schedules.get(employee_id, []), day.day, day.start.tzinfo)
        else:
            spans = [(day.start, day.end)]
        for span_start, span_end in spans:
            began = max(silence["silent_from"], span_start)
            fires = began + wait
            if fires < min(silence["silent_until"], span_end) and holds(rule, day, employee_id, fires, hours=False):
                firings.append(Firing(employee_id, fires))
                break
    return firings


def _tasks(kind: str, params: dict[str, float], tasks: list[dict]) -> Iterable[Firing]:
    for task in tasks:
        closed = task["closed_at"]
        if kind == "task_not_arrived":
            fires = task["window_end"]
            arrived = task["arrived_at"] is not None and task["arrived_at"] <= fires
        else:
            fires = task["window_end"] + timedelta(minutes=params["minutes"])
            arrived = False
        if arrived or (closed is not None and closed <= fires):
            continue
        yield Firing(task["employee_id"], fires, f"task:{task['id']}")
