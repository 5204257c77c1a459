"""The base sums every figure is computed from (issue 15): one row per employee and local day.

`employee_days` is the only read behind the figures of the performance page, the reports, the wall's
tiles and the API (dashboard/analytics/metrics.py defines each figure over these sums; docs/EFFICIENCY.md
"Figures" writes them down). RATIOS holds the ratios the heatmap's per-cell measures share with the figures.
A person's figures belong to their current team, and every read takes the viewer's Scope.
"""

from __future__ import annotations

from datetime import date, datetime

from data.db import Database
from data.scope import Scope
from data.tasks import OPEN_STATES

# A ratio: (numerator sum, denominator sum, scale). Shared by the figures and data/analytics.MEASURE_SQL.
RATIOS: dict[str, tuple[str, str, float]] = {
    "idle_share": ("idle_s", "tracked_s", 1.0),
    "visit_share": ("visit_s", "tracked_s", 1.0),
    "outside_share": ("outside_s", "tracked_s", 1.0),
    "travel_visit_ratio": ("travel_s", "visit_s", 1.0),
    "visits_per_hour": ("visits", "tracked_s", 3600.0),
    "on_time_rate": ("visits_on_time", "visits_with_window", 1.0),
}

# The sums of one employee-day; a row is a person-day when tracked_s, visits or tasks_done is above zero.
SUMS = (
    "tracked_s",
    "visit_s",
    "travel_s",
    "idle_s",
    "outside_s",
    "distance_m",
    "visits",
    "visits_on_time",
    "visits_with_window",
    "tasks_planned",
    "tasks_done",
    "tasks_failed",
    "overdue_tasks",
    "answers",
    "score_sum",
)


def ratio_sql(key: str) -> str:
    """A ratio of RATIOS as a SQL aggregate over rows holding its sums, named `key`."""
    numerator, denominator, scale = RATIOS[key]
    return f"sum({numerator})::double precision * {scale} / nullif(sum({denominator}), 0) AS {key}"


IN_SCOPE = """(%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR e.id = %(employee)s)"""
START = "(%(first_day)s::date::timestamp AT TIME ZONE %(tz)s)"
END = "((%(last_day)s::date + 1)::timestamp AT TIME ZONE %(tz)s)"
# The day a task belongs to: its window's start, else when the person arrived, else when it was created.
TASK_DAY = "coalesce(t.window_start, t.arrived_at, t.created_at)"
# Overdue: still open at `now` though its window has closed.
OVERDUE = "t.state = ANY(%(open)s) AND t.window_end < %(now)s"
# A task `t` whose window has both ends: only such a visit or arrival can be judged on time or late.
HAS_WINDOW = "(t.window_start IS NOT NULL AND t.window_end IS NOT NULL)"


def on_time_sql(arrival: str) -> str:
    """On time (docs/EFFICIENCY.md): `arrival` is no later than task `t`'s window closes; arriving early is on
    time. False without a window or an arrival. The figures, the heatmap's facts and the day replay use it."""
    return f"coalesce({HAS_WINDOW} AND {arrival} <= t.window_end, false)"


def _zeros(*keys: str) -> str:
    """The columns of SUMS in order, 0 for those not named in `keys` (named ones come from the select)."""
    return ", ".join(key if key in keys else f"0 AS {key}" for key in SUMS)


SUM_COLUMNS = ", ".join(
    f"sum(p.{key})::{'double precision' if key.endswith(('_s', '_m')) else 'int'} AS {key}" for key in SUMS
)

EMPLOYEE_DAYS = f"""
WITH people AS (
    SELECT e.id AS employee_id FROM employees e WHERE {IN_SCOPE}
), parts AS (
    SELECT d.employee_id, d.day, {_zeros("tracked_s", "visit_s", "travel_s", "idle_s", "outside_s", "distance_m")}
    FROM analytics_employee_day d JOIN people USING (employee_id)
    WHERE d.day BETWEEN %(first_day)s AND %(last_day)s
    UNION ALL
    SELECT a.employee_id, (a.started_at AT TIME ZONE %(tz)s)::date AS day,
           {_zeros("visits", "visits_on_time", "visits_with_window")}
    FROM (SELECT a.employee_id, a.started_at, 1 AS visits,
                 {on_time_sql("a.started_at")}::int AS visits_on_time,
                 coalesce({HAS_WINDOW}, false)::int AS visits_with_window
          FROM activities a JOIN people USING (employee_id) LEFT JOIN tasks t ON t.id = a.task_id
          WHERE a.kind = 'visit' AND a.started_at >= {START} AND a.started_at < {END}) a
    UNION ALL
    SELECT t.employee_id, (t.day_start AT TIME ZONE %(tz)s)::date AS day,
           {_zeros("tasks_planned", "tasks_done", "tasks_failed", "overdue_tasks")}
    FROM (SELECT t.employee_id, {TASK_DAY} AS day_start, 1 AS tasks_planned,
                 (t.state = 'done')::int AS tasks_done, (t.state = 'failed')::int AS tasks_failed,
                 coalesce({OVERDUE}, false)::int AS overdue_tasks
          FROM tasks t JOIN people USING (employee_id)
          WHERE {TASK_DAY} >= {START} AND {TASK_DAY} < {END}) t
    UNION ALL
    SELECT f.employee_id, (f.answered_at AT TIME ZONE %(tz)s)::date AS day, {_zeros("answers", "score_sum")}
    FROM (SELECT f.employee_id, f.answered_at, 1 AS answers, f.score AS score_sum
          FROM feedback f JOIN people USING (employee_id)
          WHERE f.score IS NOT NULL AND f.answered_at >= {START} AND f.answered_at < {END}) f
)
SELECT p.employee_id, e.code AS employee_code, display_name(e) AS employee_name, e.team_id, tm.name AS team_name, p.day,
       {SUM_COLUMNS}
FROM parts p JOIN employees e ON e.id = p.employee_id LEFT JOIN teams tm ON tm.id = e.team_id
GROUP BY p.employee_id, e.id, tm.name, p.day
ORDER BY p.employee_id, p.day
"""  # noqa: S608 - only constants are formatted in


def _params(scope: Scope, first_day: date, last_day: date, tz: str, now: datetime) -> dict:
    return {
        "teams": scope.team_filter(),
        "employee": scope.employee_id,
        "first_day": first_day,
        "last_day": last_day,
        "tz": tz,
        "now": now,
        "open": list(OPEN_STATES),
    }


def employee_days(db: Database, scope: Scope, first_day: date, last_day: date, tz: str, now: datetime) -> list[dict]:
    """Per employee and local day in [first_day, last_day] (zone `tz`) with anything to count: the sums of
    SUMS, with the person's code, name and current team. Overdue is judged at `now`."""
    return db.fetch_all(EMPLOYEE_DAYS, _params(scope, first_day, last_day, tz, now))


def overdue_tasks(
    db: Database, scope: Scope, first_day: date, last_day: date, tz: str, now: datetime, limit: int = 20
) -> list[dict]:
    """The tasks `employee_days` counts as overdue, most overdue first, with customer and team (no person)."""
    return db.fetch_all(
        f"""SELECT t.id, t.window_end, c.name AS customer_name, tm.name AS team_name
            FROM tasks t JOIN employees e ON e.id = t.employee_id JOIN customers c ON c.id = t.customer_id
            LEFT JOIN teams tm ON tm.id = e.team_id
            WHERE {OVERDUE} AND {TASK_DAY} >= {START} AND {TASK_DAY} < {END} AND {IN_SCOPE}
            ORDER BY t.window_end, t.id LIMIT %(limit)s""",  # noqa: S608 - only constants are formatted in
        {**_params(scope, first_day, last_day, tz, now), "limit": limit},
    )


def active_people(db: Database, scope: Scope) -> list[dict]:
    """Active employees in scope with their code, name and current team."""
    return db.fetch_all(
        f"""SELECT e.id AS employee_id, e.code AS employee_code, display_name(e) AS employee_name, e.team_id,
                   tm.name AS team_name
            FROM employees e LEFT JOIN teams tm ON tm.id = e.team_id
            WHERE e.active AND {IN_SCOPE} ORDER BY e.id""",  # noqa: S608 - only constants are formatted in
        {"teams": scope.team_filter(), "employee": scope.employee_id},
    )
