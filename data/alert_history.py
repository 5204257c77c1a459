"""What a rule would have seen in stored history (issue 17): the alert rules page's preview reads one local day
at a time from here. Each read is bounded by the day and the people of the rule's scope, and the positions'
reads go by their (employee_id, ts) key within one or two daily partitions. The moments a rule would have fired
are decided in dashboard/work/alert_preview.py; these reads return the raw occasions only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from data.db import Database
from data.scope import Scope

FINAL_STATES = ["done", "failed", "cancelled"]


def people(
    db: Database, scope: Scope, team_ids: Sequence[int] | None, employee_ids: Sequence[int] | None
) -> list[dict]:
    """Active people a rule's scope takes in (its teams, its people), within the viewer's scope."""
    return db.fetch_all(
        """SELECT e.id, display_name(e) AS name, e.code, e.team_id FROM employees e
           WHERE e.active
             AND (%(viewer_teams)s::int[] IS NULL OR e.team_id = ANY(%(viewer_teams)s))
             AND (%(viewer_employee)s::int IS NULL OR e.id = %(viewer_employee)s)
             AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
             AND (%(people)s::int[] IS NULL OR e.id = ANY(%(people)s))
           ORDER BY e.id""",
        {
            "viewer_teams": scope.team_filter(),
            "viewer_employee": scope.employee_id,
            "teams": None if team_ids is None else list(team_ids),
            "people": None if employee_ids is None else list(employee_ids),
        },
    )


def pauses(db: Database, employee_ids: Sequence[int], start: datetime, end: datetime) -> list[dict]:
    """Pauses of location sharing that overlap [start, end)."""
    return db.fetch_all(
        """SELECT employee_id, started_at, ended_at FROM sharing_pauses
           WHERE employee_id = ANY(%s) AND started_at < %s AND (ended_at IS NULL OR ended_at > %s)
           ORDER BY employee_id, started_at""",
        (list(employee_ids), end, start),
    )


SILENCES = """
WITH p AS (
    SELECT employee_id, ts, lag(ts) OVER (PARTITION BY employee_id ORDER BY ts) AS prev
    FROM positions
    WHERE employee_id = ANY(%(people)s) AND ts >= %(start)s AND ts < %(end)s
), edges AS (
    SELECT employee_id, min(ts) AS first_ts, max(ts) AS last_ts FROM p GROUP BY employee_id
)
SELECT employee_id, prev AS silent_from, ts AS silent_until FROM p
WHERE prev IS NOT NULL AND ts - prev > %(gap)s
UNION ALL
SELECT employee_id, %(start)s, first_ts FROM edges WHERE first_ts - %(start)s > %(gap)s
UNION ALL
SELECT employee_id, last_ts, %(end)s FROM edges WHERE %(end)s - last_ts > %(gap)s
ORDER BY employee_id, silent_from
"""


def silences(db: Database, employee_ids: Sequence[int], start: datetime, end: datetime, minutes: float) -> list[dict]:
    """Stretches of [start, end) longer than `minutes` without a stored position, of the people who sent at least
    one that day: between two fixes, and from the day's start to the first and from the last to its end."""
    return db.fetch_all(
        SILENCES, {"people": list(employee_ids), "start": start, "end": end, "gap": timedelta(minutes=minutes)}
    )


def idle_stays(db: Database, employee_ids: Sequence[int], start: datetime, end: datetime, minutes: float) -> list[dict]:
    """Stays away from customers (no customer site) longer than `minutes` that reach that length within
    [start, end)."""
    gap = timedelta(minutes=minutes)
    return db.fetch_all(
        """SELECT id, employee_id, started_at, ended_at, attributes->>'place' AS place FROM activities
           WHERE employee_id = ANY(%(people)s) AND kind = 'stay' AND customer_id IS NULL
             AND started_at >= %(earliest)s AND started_at < %(end)s
             AND ended_at - started_at > %(gap)s
             AND started_at + %(gap)s >= %(start)s AND started_at + %(gap)s < %(end)s
           ORDER BY employee_id, started_at""",
        {"people": list(employee_ids), "earliest": start - gap, "start": start, "end": end, "gap": gap},
    )


def zone_crossings(
    db: Database, employee_ids: Sequence[int], start: datetime, end: datetime, kind: str, zone_ids: Sequence[int] | None
) -> list[dict]:
    """Geofence events (`geofence_enter` or `geofence_exit`) in [start, end), of the zones named (None: the work
    areas, as alerting.watches_zone reads a rule that names none)."""
    return db.fetch_all(
        """SELECT a.employee_id, a.started_at, z.id AS zone_id, z.name AS zone FROM activities a
           JOIN zones z ON z.id = (a.attributes->>'zone_id')::int
           WHERE a.employee_id = ANY(%(people)s) AND a.kind = %(kind)s
             AND a.started_at >= %(start)s AND a.started_at < %(end)s
             AND jsonb_typeof(a.attributes->'zone_id') = 'number'
             AND (CASE WHEN %(zones)s::int[] IS NULL THEN z.kind = 'work_area' ELSE z.id = ANY(%(zones)s) END)
           ORDER BY a.employee_id, a.started_at""",
        {
            "people": list(employee_ids),
            "kind": kind,
            "start": start,
            "end": end,
            "zones": None if zone_ids is None else list(zone_ids),
        },
    )


def windowed_tasks(db: Database, employee_ids: Sequence[int], start: datetime, end: datetime) -> list[dict]:
    """Assigned tasks whose window ends within [start, end), with when they were first closed (done, failed or
    cancelled) and when done, by their history (a task closed without one: its departure or last change)."""
    return db.fetch_all(
        """SELECT t.id, t.employee_id, t.window_end, t.arrived_at,
                  coalesce((SELECT min(te.at) FROM task_events te
                            WHERE te.task_id = t.id AND te.to_state = ANY(%(final)s)),
                           CASE WHEN t.state = ANY(%(final)s) THEN coalesce(t.departed_at, t.updated_at) END)
                      AS closed_at
           FROM tasks t
           WHERE t.employee_id = ANY(%(people)s)
             AND t.window_start >= %(earliest)s AND t.window_start < %(end)s
             AND t.window_end >= %(start)s AND t.window_end < %(end)s
           ORDER BY t.employee_id, t.window_end""",
        {
            "people": list(employee_ids),
            "final": FINAL_STATES,
            "earliest": start - timedelta(days=7),
            "start": start,
            "end": end,
        },
    )


# A battery reading is low at or under the rule's percent and recovered above percent + 5 (the live rule's
# hysteresis); each change to low is one occasion.
BATTERY_LOWS = """
WITH b AS (
    SELECT employee_id, ts,
           CASE WHEN jsonb_typeof(attributes->'batt') = 'number' THEN (attributes->>'batt')::float
                WHEN attributes->>'batt' ~ '^[0-9]{1,3}(\\.[0-9]+)?$' THEN (attributes->>'batt')::float END AS batt
    FROM positions
    WHERE employee_id = ANY(%(people)s) AND ts >= %(start)s AND ts < %(end)s AND attributes ? 'batt'
), levels AS (
    SELECT employee_id, ts, batt, batt <= %(low)s AS low FROM b
    WHERE batt <= %(low)s OR batt > %(low)s + 5
), changes AS (
    SELECT employee_id, ts, batt, low, lag(low) OVER (PARTITION BY employee_id ORDER BY ts) AS was_low FROM levels
)
SELECT employee_id, ts, batt FROM changes WHERE low AND was_low IS DISTINCT FROM true
ORDER BY employee_id, ts
"""


def battery_lows(db: Database, employee_ids: Sequence[int], start: datetime, end: datetime, percent: float) -> list:
    """The moments a person's battery reading fell to `percent` or under in [start, end)."""
    return db.fetch_all(BATTERY_LOWS, {"people": list(employee_ids), "start": start, "end": end, "low": percent})


# Runs of consecutive positions over the speed (m/s); a run counts once it has lasted `seconds`, at the first fix
# that reaches that length.
SPEEDING_RUNS = """
WITH p AS (
    SELECT employee_id, ts, speed, speed > %(limit)s AS over,
           count(*) FILTER (WHERE (speed > %(limit)s) IS NOT TRUE)
               OVER (PARTITION BY employee_id ORDER BY ts) AS run
    FROM positions
    WHERE employee_id = ANY(%(people)s) AND ts >= %(start)s AND ts < %(end)s
), runs AS (
    SELECT employee_id, run, ts, speed, min(ts) OVER (PARTITION BY employee_id, run) AS run_start FROM p WHERE over
)
SELECT employee_id, run_start, min(ts) FILTER (WHERE ts >= run_start + %(lasting)s) AS at,
       max(speed) * 3.6 AS max_kmh
FROM runs GROUP BY employee_id, run, run_start
HAVING max(ts) >= run_start + %(lasting)s
ORDER BY employee_id, run_start
"""


def speeding_runs(
    db: Database, employee_ids: Sequence[int], start: datetime, end: datetime, kmh: float, seconds: float
) -> list[dict]:
    """Runs of positions faster than `kmh` lasting at least `seconds`, in [start, end)."""
    return db.fetch_all(
        SPEEDING_RUNS,
        {
            "people": list(employee_ids),
            "start": start,
            "end": end,
            "limit": kmh / 3.6,
            "lasting": timedelta(seconds=seconds),
        },
    )


def low_surveys(db: Database, employee_ids: Sequence[int], start: datetime, end: datetime, stars: float) -> list:
    """Survey answers of `stars` or fewer given in [start, end) about these people's visits."""
    return db.fetch_all(
        """SELECT id, employee_id, answered_at, score FROM feedback
           WHERE employee_id = ANY(%s) AND answered_at >= %s AND answered_at < %s AND score <= %s
           ORDER BY employee_id, answered_at""",
        (list(employee_ids), start, end, stars),
    )


def low_trust_check_ins(
    db: Database, employee_ids: Sequence[int], start: datetime, end: datetime, score: float
) -> list:
    """Check-ins in [start, end) by these people scored `score` or less for trust (issue 19)."""
    return db.fetch_all(
        """SELECT id, employee_id, started_at, trust_score FROM activities
           WHERE employee_id = ANY(%s) AND kind = 'check_in' AND started_at >= %s AND started_at < %s
             AND trust_score <= %s
           ORDER BY employee_id, started_at""",
        (list(employee_ids), start, end, score),
    )
