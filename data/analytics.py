"""Efficiency analytics: facts per (employee, hour, H3 cell), their two rollups, and the page reads.

The one definition of every measure is FIXES then FACTS (docs/EFFICIENCY.md explains it). `refresh_buckets`
runs it for a set of (employee, UTC hour) buckets and re-derives the rollup rows those buckets
touch, in one transaction; the rebuild and the incremental upkeep both call it, so the rollups
equal a from-scratch recomputation by construction. Every read takes the viewer's Scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from data.db import Database
from data.metrics import HAS_WINDOW, on_time_sql, ratio_sql
from data.scope import Scope

GAP_S = 300  # a fix accounts for the time until the next one, but never for more than this
ACTIVITY_MAX_S = 86_400  # visits and stays are looked for up to a day before the hour
UPKEEP_LOCK = 727_005  # pg_advisory_xact_lock key: one rollup upkeep at a time

FIXES = """
CREATE TEMP TABLE IF NOT EXISTS analytics_fixes (
    employee_id integer, hour timestamptz, ts timestamptz, prev_ts timestamptz, cell bigint,
    dt double precision, step_m double precision
) ON COMMIT DELETE ROWS;
INSERT INTO analytics_fixes
WITH fix_window AS (
    SELECT b.employee_id, b.hour, p.ts, p.lat, p.lon, p.cell,
           lag(p.ts) OVER w AS prev_ts, lead(p.ts) OVER w AS next_ts,
           lead(p.lat) OVER w AS next_lat, lead(p.lon) OVER w AS next_lon
    FROM analytics_buckets b
    JOIN positions p ON p.employee_id = b.employee_id
     AND p.ts >= %(first_ts)s AND p.ts < %(last_ts)s
     AND p.ts >= b.hour - make_interval(secs => %(gap)s)
     AND p.ts < b.hour + interval '1 hour' + make_interval(secs => %(gap)s)
    WINDOW w AS (PARTITION BY b.employee_id, b.hour ORDER BY p.ts)
)
SELECT employee_id, hour, ts, prev_ts, cell,
       CASE WHEN next_ts - ts <= make_interval(secs => %(gap)s)
            THEN extract(epoch FROM next_ts - ts)::double precision ELSE 0 END AS dt,
       CASE WHEN next_ts - ts <= make_interval(secs => %(gap)s)
            THEN sqrt(((next_lat - lat) * 111320.0) ^ 2 + ((next_lon - lon) * 111320.0 * cos(radians(lat))) ^ 2)
            ELSE 0 END AS step_m
FROM fix_window
WHERE ts >= hour AND ts < hour + interval '1 hour';
ANALYZE analytics_fixes
"""
# The fixes go through a temporary table with fresh statistics: today's partition of positions
# rarely has them, and a planner that expects a few fixes joins them to activities by nested loop.
FACTS = f"""
WITH acts AS (
    SELECT b.employee_id, b.hour, a.kind, a.customer_id, a.started_at,
           coalesce(a.ended_at, 'infinity') AS ended_at,
           coalesce({HAS_WINDOW}, false) AS has_window,
           {on_time_sql("a.started_at")} AS on_time
    FROM analytics_buckets b
    JOIN activities a ON a.employee_id = b.employee_id AND a.kind IN ('visit', 'stay')
     AND a.started_at > %(first_ts)s - make_interval(secs => %(activity_max)s) AND a.started_at < %(last_ts)s
     AND a.started_at < b.hour + interval '1 hour'
     AND a.started_at > b.hour - make_interval(secs => %(activity_max)s)
     AND coalesce(a.ended_at, 'infinity') >= b.hour
    LEFT JOIN tasks t ON t.id = a.task_id AND a.kind = 'visit'
), classified AS (
    SELECT f.employee_id, f.hour, f.ts, f.cell, f.dt, f.step_m,
           coalesce(bool_or(a.kind = 'visit'), false) AS in_visit,
           coalesce(bool_or(a.kind = 'stay' AND a.customer_id IS NULL), false) AS in_idle_stay,
           count(*) FILTER (WHERE a.kind = 'visit' AND a.started_at >= f.hour
                              AND a.started_at > coalesce(f.prev_ts, '-infinity') AND a.started_at <= f.ts) AS starts,
           count(*) FILTER (WHERE a.kind = 'visit' AND a.started_at >= f.hour AND a.on_time
                              AND a.started_at > coalesce(f.prev_ts, '-infinity') AND a.started_at <= f.ts) AS on_time,
           count(*) FILTER (WHERE a.kind = 'visit' AND a.started_at >= f.hour AND a.has_window
                              AND a.started_at > coalesce(f.prev_ts, '-infinity') AND a.started_at <= f.ts) AS windowed
    FROM analytics_fixes f
    LEFT JOIN acts a ON a.employee_id = f.employee_id AND a.hour = f.hour
     AND f.ts >= a.started_at AND f.ts <= a.ended_at
    GROUP BY f.employee_id, f.hour, f.ts, f.prev_ts, f.cell, f.dt, f.step_m
), placed AS (
    SELECT c.*, coalesce(e.team_id, 0) AS team_id,
           area.team_id IS NOT NULL AND inside.cell IS NULL AS outside
    FROM classified c
    LEFT JOIN employees e ON e.id = c.employee_id
    LEFT JOIN (SELECT DISTINCT team_id FROM work_area_cells) area ON area.team_id = e.team_id
    LEFT JOIN work_area_cells inside ON inside.team_id = e.team_id AND inside.cell = c.cell
)
INSERT INTO analytics_facts
SELECT employee_id, hour, h3_res9(cell), team_id, count(*), min(ts), max(ts),
       sum(dt),
       coalesce(sum(dt) FILTER (WHERE in_visit), 0),
       coalesce(sum(dt) FILTER (WHERE NOT in_visit AND NOT in_idle_stay), 0),
       coalesce(sum(dt) FILTER (WHERE NOT in_visit AND in_idle_stay), 0),
       coalesce(sum(dt) FILTER (WHERE outside), 0),
       coalesce(sum(step_m) FILTER (WHERE NOT in_visit AND NOT in_idle_stay), 0),
       sum(starts), sum(on_time), sum(windowed)
FROM placed
GROUP BY employee_id, hour, h3_res9(cell), team_id
"""  # noqa: S608 - only constants are formatted in

COLUMNS = "tracked_s, visit_s, travel_s, idle_s, outside_s, distance_m, visits, visits_on_time, visits_with_window"
SUMS = """sum(tracked_s) AS tracked_s, sum(visit_s) AS visit_s, sum(travel_s) AS travel_s,
          sum(idle_s) AS idle_s, sum(outside_s) AS outside_s, sum(distance_m) AS distance_m,
          sum(visits)::int AS visits, sum(visits_on_time)::int AS visits_on_time,
          sum(visits_with_window)::int AS visits_with_window"""

REFRESH = f"""
CREATE TEMP TABLE IF NOT EXISTS analytics_touched (cell bigint, hour timestamptz) ON COMMIT DELETE ROWS;
WITH gone AS (
    DELETE FROM analytics_facts f USING analytics_buckets b
    WHERE f.employee_id = b.employee_id AND f.hour = b.hour
    RETURNING f.cell, f.hour
)
INSERT INTO analytics_touched SELECT DISTINCT cell, hour FROM gone;
{{facts}};
INSERT INTO analytics_touched
SELECT DISTINCT f.cell, f.hour FROM analytics_facts f JOIN analytics_buckets b USING (employee_id, hour);
ANALYZE analytics_touched;
DELETE FROM analytics_cell_hour c USING analytics_touched t WHERE c.cell = t.cell AND c.hour = t.hour;
INSERT INTO analytics_cell_hour (team_id, cell, hour, local_day, weekday, hour_of_day, employees, {COLUMNS})
SELECT f.team_id, f.cell, f.hour, (f.hour AT TIME ZONE %(tz)s)::date,
       extract(isodow FROM f.hour AT TIME ZONE %(tz)s), extract(hour FROM f.hour AT TIME ZONE %(tz)s),
       count(DISTINCT f.employee_id), {SUMS}
FROM analytics_facts f JOIN (SELECT DISTINCT cell, hour FROM analytics_touched) t USING (cell, hour)
GROUP BY f.team_id, f.cell, f.hour;
CREATE TEMP TABLE IF NOT EXISTS analytics_cell_days (cell bigint, local_day date) ON COMMIT DELETE ROWS;
INSERT INTO analytics_cell_days SELECT DISTINCT cell, (hour AT TIME ZONE %(tz)s)::date FROM analytics_touched;
ANALYZE analytics_cell_days;
DELETE FROM analytics_cell_day c USING analytics_cell_days t WHERE c.cell = t.cell AND c.local_day = t.local_day;
INSERT INTO analytics_cell_day (local_day, team_id, cell, weekday, {COLUMNS})
SELECT c.local_day, c.team_id, c.cell, min(c.weekday), {SUMS}
FROM analytics_cell_hour c JOIN analytics_cell_days t USING (cell, local_day)
GROUP BY c.local_day, c.team_id, c.cell;
DELETE FROM analytics_team_hour h USING (SELECT DISTINCT hour FROM analytics_touched) t WHERE h.hour = t.hour;
INSERT INTO analytics_team_hour (hour, team_id, local_day, weekday, hour_of_day, {COLUMNS})
SELECT c.hour, c.team_id, min(c.local_day), min(c.weekday), min(c.hour_of_day), {SUMS}
FROM analytics_cell_hour c JOIN (SELECT DISTINCT hour FROM analytics_touched) t USING (hour)
GROUP BY c.hour, c.team_id;
CREATE TEMP TABLE IF NOT EXISTS analytics_days (employee_id integer, day date) ON COMMIT DELETE ROWS;
INSERT INTO analytics_days SELECT DISTINCT employee_id, (hour AT TIME ZONE %(tz)s)::date FROM analytics_buckets;
DELETE FROM analytics_employee_day d USING analytics_days t WHERE d.employee_id = t.employee_id AND d.day = t.day;
INSERT INTO analytics_employee_day
SELECT f.employee_id, t.day, (array_agg(f.team_id ORDER BY f.hour DESC))[1], min(f.first_ts), max(f.last_ts), {SUMS}
FROM analytics_days t
JOIN analytics_facts f ON f.employee_id = t.employee_id
 AND f.hour >= (t.day::timestamp AT TIME ZONE %(tz)s) AND f.hour < ((t.day + 1)::timestamp AT TIME ZONE %(tz)s)
GROUP BY f.employee_id, t.day;
"""  # noqa: S608 - only constants are formatted in

BUCKETS = """
CREATE TEMP TABLE IF NOT EXISTS analytics_buckets (employee_id integer, hour timestamptz) ON COMMIT DELETE ROWS;
INSERT INTO analytics_buckets
SELECT DISTINCT employee_id, hour FROM unnest(%(employees)s::int[], %(hours)s::timestamptz[]) AS b(employee_id, hour)
"""

# Buckets of the marked ones, plus the earlier hours of visits and stays still running in them:
# a stay is written when it ends, and changes how its first hours count.
TAKE_DIRTY = """
CREATE TEMP TABLE IF NOT EXISTS analytics_buckets (employee_id integer, hour timestamptz) ON COMMIT DELETE ROWS;
WITH taken AS (DELETE FROM analytics_dirty RETURNING employee_id, hour)
INSERT INTO analytics_buckets
SELECT employee_id, hour FROM taken
UNION
SELECT a.employee_id, generate_series(date_trunc('hour', a.started_at), t.hour, interval '1 hour')
FROM taken t JOIN activities a ON a.employee_id = t.employee_id AND a.kind IN ('visit', 'stay')
 AND a.started_at < t.hour AND a.started_at > t.hour - make_interval(secs => %(activity_max)s)
 AND coalesce(a.ended_at, 'infinity') >= t.hour
"""

RANGE_BUCKETS = """
CREATE TEMP TABLE IF NOT EXISTS analytics_buckets (employee_id integer, hour timestamptz) ON COMMIT DELETE ROWS;
INSERT INTO analytics_buckets
SELECT DISTINCT employee_id, date_trunc('hour', ts) FROM positions WHERE ts >= %(start)s AND ts < %(end)s
UNION
SELECT employee_id, hour FROM analytics_facts WHERE hour >= %(start)s AND hour < %(end)s
"""

# Marked by the writer in the transaction that stores the fixes (data/positions.py): a fix's hour, and
# the hour before when the fix is within GAP_S of its start (it ends that hour's last interval). The writer
# passes distinct (employee, epoch minute) pairs of both; the hour is truncated here, in the session's zone.
MARK_DIRTY = """
INSERT INTO analytics_dirty (employee_id, hour)
SELECT DISTINCT employee_id, date_trunc('hour', to_timestamp(minute * 60))
FROM unnest(%(employees)s::int[], %(minutes)s::bigint[]) AS m(employee_id, minute)
ON CONFLICT DO NOTHING
"""


def _params(tz: str) -> dict:
    return {"gap": GAP_S, "activity_max": ACTIVITY_MAX_S, "tz": tz}


def refresh_buckets(db: Database, buckets: Iterable[tuple[int, datetime]], tz: str) -> int:
    """Recompute the facts of these (employee, UTC hour) buckets and every rollup row they touch."""
    pairs = list(buckets)
    if not pairs:
        return 0
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(BUCKETS, {"employees": [p[0] for p in pairs], "hours": [p[1] for p in pairs]})
        return _refresh(cur, tz)


def upkeep(db: Database, tz: str) -> int:
    """Refresh the buckets the writer marked since the last upkeep; returns how many. One runs at a time."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s)", (UPKEEP_LOCK,))
        if not cur.fetchone()[0]:
            return 0
        cur.execute(TAKE_DIRTY, _params(tz))
        return _refresh(cur, tz)


def rebuild(db: Database, start: datetime, end: datetime, tz: str) -> int:
    """Recompute everything from positions in [start, end), one UTC day per transaction."""
    done = 0
    day = start
    while day < end:
        until = min(end, day + timedelta(days=1))
        with db.transaction() as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (UPKEEP_LOCK,))  # not beside an upkeep
            cur.execute(RANGE_BUCKETS, {"start": day, "end": until})
            done += _refresh(cur, tz)
        day = until
    return done


def _refresh(cur, tz: str) -> int:
    cur.execute("SELECT count(*), min(hour), max(hour) FROM analytics_buckets")
    count, first, last = cur.fetchone()
    if count:
        cur.execute("ANALYZE analytics_buckets")
        cur.execute("SET LOCAL jit = off")  # compiling costs more than these short statements run
        # Constant bounds let PostgreSQL skip every other day's partition of positions.
        bounds = {"first_ts": first - timedelta(seconds=GAP_S), "last_ts": last + timedelta(hours=1, seconds=GAP_S)}
        cur.execute(FIXES, {**_params(tz), **bounds})
        cur.execute(REFRESH.replace("{facts}", FACTS), {**_params(tz), **bounds})
    cur.execute("DELETE FROM analytics_buckets")
    return count


def dirty_count(db: Database) -> int:
    return int(db.fetch_one("SELECT count(*) AS n FROM analytics_dirty")["n"])


def work_area_fingerprint(db: Database) -> str:
    row = db.fetch_one(
        """SELECT md5(coalesce(string_agg(concat_ws('|', id, team_id, geometry::text, center_lat, center_lon,
                                                     radius_m), ',' ORDER BY id), '')) AS fingerprint
           FROM zones WHERE kind = 'work_area' AND team_id IS NOT NULL"""
    )
    return row["fingerprint"]


def stored_work_area_fingerprint(db: Database) -> str | None:
    row = db.fetch_one("SELECT fingerprint FROM work_area_cells_source")
    return row["fingerprint"] if row else None


def work_areas(db: Database) -> list[dict]:
    return db.fetch_all(
        """SELECT id, team_id, geometry, center_lat, center_lon, radius_m FROM zones
           WHERE kind = 'work_area' AND team_id IS NOT NULL ORDER BY id"""
    )


def replace_work_area_cells(db: Database, cells: Sequence[tuple[int, int]], fingerprint: str) -> None:
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM work_area_cells")
        cur.execute(
            "INSERT INTO work_area_cells (team_id, cell) SELECT DISTINCT * FROM unnest(%s::int[], %s::bigint[])",
            ([c[0] for c in cells], [c[1] for c in cells]),
        )
        cur.execute(
            """INSERT INTO work_area_cells_source (fingerprint) VALUES (%s)
               ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint""",
            (fingerprint,),
        )


# ---- reads for the pages (and issue 8's reports): every one takes the viewer's Scope ----

MEASURES = ("idle_share", "travel_visit_ratio", "visits_per_hour", "outside_share", "on_time_rate")

# The per-cell measures take their ratios from the figures' definitions (data/metrics.RATIOS).
MEASURE_SQL = ",\n".join(ratio_sql(measure) for measure in MEASURES)


def _local_filters(hour: str = "hour") -> str:
    """The organisation's local weekday (ISO: 1 = Monday) and hour of day, for the page filters."""
    return f"""
    AND (%(weekdays)s::int[] IS NULL OR extract(isodow FROM {hour} AT TIME ZONE %(tz)s)::int = ANY(%(weekdays)s))
    AND (%(hours)s::int[] IS NULL OR extract(hour FROM {hour} AT TIME ZONE %(tz)s)::int = ANY(%(hours)s))"""


LOCAL_COLUMNS = """
    AND (%(weekdays)s::int[] IS NULL OR r.weekday = ANY(%(weekdays)s))
    AND (%(hours)s::int[] IS NULL OR r.hour_of_day = ANY(%(hours)s))"""


def _hour_range(hour: str = "hour") -> str:
    """UTC hours of the local days [start, end]."""
    return f"""{hour} >= (%(start)s::date::timestamp AT TIME ZONE %(tz)s)
    AND {hour} < ((%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)"""


def _in_scope(alias: str, *, employee_column: bool = True) -> str:
    """The viewer's Scope on a fact or rollup table: the team it was computed for, or one person."""
    teams = f"(%(teams)s::int[] IS NULL OR {alias}.team_id = ANY(%(teams)s))"
    if not employee_column:
        return teams
    return f"{teams} AND (%(employee)s::int IS NULL OR {alias}.employee_id = %(employee)s)"


def _filters(
    scope: Scope,
    start: date,
    end: date,
    tz: str,
    weekdays: Sequence[int] | None = None,
    hours: Sequence[int] | None = None,
) -> dict:
    """Bind parameters of a read over local days [start, end] (inclusive)."""
    return {
        "teams": scope.team_filter(),
        "employee": scope.employee_id,
        "start": start,
        "end": end,
        "tz": tz,
        "weekdays": sorted(weekdays) if weekdays else None,
        "hours": sorted(hours) if hours else None,
    }


def heatmap(
    db: Database,
    scope: Scope,
    start: date,
    end: date,
    tz: str,
    weekdays: Sequence[int] | None = None,
    hours: Sequence[int] | None = None,
    min_tracked_s: float = 0,
) -> list[dict]:
    """Per res-9 H3 cell (int) with at least min_tracked_s tracked: the seconds, visits and every measure
    of MEASURES, over local days [start, end]."""
    params = {**_filters(scope, start, end, tz, weekdays, hours), "min_tracked": min_tracked_s}
    if scope.employee_id is not None:
        # One person's own scope cannot use the team rollups: read their facts instead.
        where = f"{_hour_range()} AND {_in_scope('r')} {_local_filters()}"
        source = "analytics_facts"
    elif hours:
        where = f"r.local_day BETWEEN %(start)s AND %(end)s AND {_in_scope('r', employee_column=False)} {LOCAL_COLUMNS}"
        source = "analytics_cell_hour"
    else:
        # Without an hour filter the day rollup answers, with a few times fewer rows.
        where = f"""r.local_day BETWEEN %(start)s AND %(end)s AND {_in_scope("r", employee_column=False)}
                    AND (%(weekdays)s::int[] IS NULL OR r.weekday = ANY(%(weekdays)s))"""
        source = "analytics_cell_day"
    return db.fetch_all(
        f"""SELECT cell, sum(tracked_s) AS tracked_s, sum(visit_s) AS visit_s, sum(travel_s) AS travel_s,
                   sum(idle_s) AS idle_s, sum(outside_s) AS outside_s, sum(visits)::int AS visits,
                   {MEASURE_SQL}
            FROM {source} r WHERE {where}
            GROUP BY cell HAVING sum(tracked_s) >= %(min_tracked)s""",  # noqa: S608 - only constants are formatted in
        params,
    )


def week_hour_matrix(
    db: Database,
    scope: Scope,
    start: date,
    end: date,
    tz: str,
    weekdays: Sequence[int] | None = None,
    hours: Sequence[int] | None = None,
    cell: int | None = None,
) -> list[dict]:
    """Per local (ISO weekday, hour of day): the measures, optionally for one res-9 cell."""
    params = {**_filters(scope, start, end, tz, weekdays, hours), "cell": cell}
    if scope.employee_id is not None:
        return db.fetch_all(
            f"""SELECT extract(isodow FROM hour AT TIME ZONE %(tz)s)::int AS weekday,
                       extract(hour FROM hour AT TIME ZONE %(tz)s)::int AS hour_of_day,
                       sum(tracked_s) AS tracked_s, {MEASURE_SQL}
                FROM analytics_facts r
                WHERE {_hour_range()} AND {_in_scope("r")} AND (%(cell)s::bigint IS NULL OR cell = %(cell)s)
                {_local_filters()}
                GROUP BY 1, 2 ORDER BY 1, 2""",  # noqa: S608 - only constants are formatted in
            params,
        )
    source = "analytics_team_hour" if cell is None else "analytics_cell_hour"
    cell_filter = "" if cell is None else "AND cell = %(cell)s"
    return db.fetch_all(
        f"""SELECT weekday::int AS weekday, hour_of_day::int AS hour_of_day, sum(tracked_s) AS tracked_s, {MEASURE_SQL}
            FROM {source} r
            WHERE r.local_day BETWEEN %(start)s AND %(end)s AND {_in_scope("r", employee_column=False)}
              {cell_filter} {LOCAL_COLUMNS}
            GROUP BY 1, 2 ORDER BY 1, 2""",  # noqa: S608 - only constants are formatted in
        params,
    )


def cell_breakdown(
    db: Database,
    scope: Scope,
    cell: int,
    start: date,
    end: date,
    tz: str,
    weekdays: Sequence[int] | None = None,
    hours: Sequence[int] | None = None,
    limit: int = 200,
) -> list[dict]:
    """The employees and hours behind one res-9 cell, worst idle share first."""
    return db.fetch_all(
        f"""SELECT f.employee_id, display_name(e) AS employee_name, f.hour, f.tracked_s, f.visit_s, f.travel_s,
                   f.idle_s, f.outside_s, f.visits,
                   f.idle_s / nullif(f.tracked_s, 0) AS idle_share,
                   (f.hour AT TIME ZONE %(tz)s)::date AS day
            FROM analytics_facts f JOIN employees e ON e.id = f.employee_id
            WHERE f.cell = %(cell)s AND {_hour_range("f.hour")} AND {_in_scope("f")}
              {_local_filters("f.hour")}
            ORDER BY f.idle_s DESC, f.hour DESC LIMIT %(limit)s""",  # noqa: S608 - only constants are formatted in
        {**_filters(scope, start, end, tz, weekdays, hours), "cell": cell, "limit": limit},
    )


def employee_days(db: Database, scope: Scope, start: date, end: date, tz: str) -> list[dict]:
    """One row per employee and local day in [start, end], with the person's name and team."""
    return db.fetch_all(
        f"""SELECT d.employee_id, display_name(e) AS employee_name, d.team_id, t.name AS team_name, d.day,
                   d.first_ts, d.last_ts, d.tracked_s, d.visit_s, d.travel_s, d.idle_s, d.outside_s,
                   d.distance_m, d.visits, d.visits_on_time, d.visits_with_window
            FROM analytics_employee_day d JOIN employees e ON e.id = d.employee_id
            LEFT JOIN teams t ON t.id = d.team_id
            WHERE d.day BETWEEN %(start)s AND %(end)s
              AND {_in_scope("d")}
            ORDER BY d.employee_id, d.day""",  # noqa: S608 - only constants are formatted in
        _filters(scope, start, end, tz),
    )


def employee_hours(db: Database, scope: Scope, employee_id: int, start: datetime, end: datetime) -> list[dict]:
    """One person's facts per UTC hour in [start, end): the day page's time split."""
    return db.fetch_all(
        f"""SELECT hour, {SUMS} FROM analytics_facts f
            WHERE employee_id = %(id)s AND hour >= %(start)s AND hour < %(end)s AND {_in_scope("f")}
            GROUP BY hour ORDER BY hour""",  # noqa: S608 - only constants are formatted in
        {"id": employee_id, "start": start, "end": end, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def day_activities(db: Database, scope: Scope, employee_id: int, start: datetime, end: datetime) -> list[dict]:
    """Visits, stays and check-ins of one person overlapping [start, end), with the customer's name."""
    return db.fetch_all(
        """SELECT a.id, a.kind, a.started_at, a.ended_at, a.customer_id, c.name AS customer_name, a.task_id,
                  a.attributes, c.lat AS customer_lat, c.lon AS customer_lon, a.trust_score, a.trust_reasons
           FROM activities a JOIN employees e ON e.id = a.employee_id
           LEFT JOIN customers c ON c.id = a.customer_id
           WHERE a.employee_id = %(id)s AND a.kind IN ('visit', 'stay', 'check_in', 'check_out', 'note')
             AND a.started_at < %(end)s AND coalesce(a.ended_at, a.started_at) >= %(start)s
             AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL OR e.id = %(employee)s)
           ORDER BY a.started_at, a.id""",
        {"id": employee_id, "start": start, "end": end, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def day_tasks(db: Database, scope: Scope, employee_id: int, start: datetime, end: datetime) -> list[dict]:
    """One person's tasks planned in [start, end): plan (sequence, window) against what happened, with feedback;
    on_time is the figures' verdict on the arrival (None: not arrived, or no window to judge by)."""
    return db.fetch_all(
        f"""SELECT t.id, t.planned_seq, t.state, t.window_start, t.window_end, t.duration_min, t.arrived_at,
                  t.departed_at, c.name AS customer_name, c.lat, c.lon, f.score, f.comment,
                  CASE WHEN t.arrived_at IS NOT NULL AND {HAS_WINDOW} THEN {on_time_sql("t.arrived_at")} END AS on_time
           FROM tasks t JOIN employees e ON e.id = t.employee_id
           JOIN customers c ON c.id = t.customer_id
           LEFT JOIN feedback f ON f.task_id = t.id
           WHERE t.employee_id = %(id)s
             AND coalesce(t.window_start, t.arrived_at, t.created_at) >= %(start)s
             AND coalesce(t.window_start, t.arrived_at, t.created_at) < %(end)s
             AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL OR e.id = %(employee)s)
           ORDER BY t.planned_seq NULLS LAST, t.window_start, t.id""",  # noqa: S608 - only constants are formatted in
        {"id": employee_id, "start": start, "end": end, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def day_track(db: Database, scope: Scope, employee_id: int, start: datetime, end: datetime) -> list[dict]:
    """One person's positions in [start, end), in time order, if the person is in scope."""
    return db.fetch_all(
        """SELECT p.ts, p.lat, p.lon, p.speed FROM positions p
           WHERE p.employee_id = %(id)s AND p.ts >= %(start)s AND p.ts < %(end)s
             AND EXISTS (SELECT 1 FROM employees e WHERE e.id = %(id)s
                         AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
                         AND (%(employee)s::int IS NULL OR e.id = %(employee)s))
           ORDER BY p.ts""",
        {"id": employee_id, "start": start, "end": end, "teams": scope.team_filter(), "employee": scope.employee_id},
    )
