"""Reports (issue 8): a report's survey answers and comments (its figures: data/metrics.py), its build job,
its files and the schedules.

Every figure read takes the report's Scope (the author's scope narrowed to the chosen teams), so
a supervisor's report holds their own teams only. Periods are [start, end) instants in UTC.
"""

from __future__ import annotations

from datetime import datetime

from data.db import Database
from data.scope import Scope

IN_SCOPE = """
    (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR e.id = %(employee)s)
"""

SCORE_COUNTS = f"""
SELECT f.score, count(*) AS answers
FROM feedback f JOIN employees e ON e.id = f.employee_id
WHERE f.answered_at >= %(start)s AND f.answered_at < %(end)s AND {IN_SCOPE}
GROUP BY f.score ORDER BY f.score
"""  # noqa: S608 - IN_SCOPE is a constant

REPORT_COLUMNS = """r.id, r.period_kind, r.period_start, r.period_end, r.team_ids, r.formats, r.language,
    r.author_user_id, r.author_name, r.author_role, r.scope_team_ids, r.schedule_id, r.state, r.progress,
    r.error, r.emailed_at, r.created_at, r.started_at, r.finished_at, r.names_individuals"""

# A report is visible to a viewer whose scope covers the report's whole scope.
VISIBLE = """(%(teams)s::int[] IS NULL
              OR (r.scope_team_ids IS NOT NULL AND r.scope_team_ids <@ %(teams)s::int[]))
             AND %(employee)s::int IS NULL"""


def _scope_params(scope: Scope) -> dict:
    return {"teams": scope.team_filter(), "employee": scope.employee_id}


def score_counts(db: Database, scope: Scope, start: datetime, end: datetime) -> dict[int, int]:
    rows = db.fetch_all(SCORE_COUNTS, {"start": start, "end": end, **_scope_params(scope)})
    return {int(row["score"]): int(row["answers"]) for row in rows}


def recent_comments(db: Database, scope: Scope, start: datetime, end: datetime, limit: int = 8) -> list[dict]:
    """The latest answered surveys with a comment: the voice of the customer in the summary."""
    return db.fetch_all(
        f"""SELECT f.answered_at, f.score, f.comment, c.name AS customer_name
            FROM feedback f JOIN employees e ON e.id = f.employee_id JOIN customers c ON c.id = f.customer_id
            WHERE f.answered_at >= %(start)s AND f.answered_at < %(end)s AND f.comment <> '' AND {IN_SCOPE}
            ORDER BY f.answered_at DESC LIMIT %(limit)s""",  # noqa: S608 - IN_SCOPE is a constant
        {"start": start, "end": end, "limit": limit, **_scope_params(scope)},
    )


def geofence_breaches(db: Database, scope: Scope, since: datetime, limit: int = 20) -> list[dict]:
    """Exits from a team's work area since `since`, newest first (zone names, no person's name)."""
    return db.fetch_all(
        f"""SELECT a.id, a.started_at, coalesce(a.attributes->>'zone', '') AS zone_name,
                   tm.name AS team_name
            FROM activities a JOIN employees e ON e.id = a.employee_id LEFT JOIN teams tm ON tm.id = e.team_id
            WHERE a.kind = 'geofence_exit' AND a.attributes->>'zone_kind' = 'work_area'
              AND a.started_at >= %(since)s AND {IN_SCOPE}
            ORDER BY a.started_at DESC LIMIT %(limit)s""",  # noqa: S608 - IN_SCOPE is a constant
        {"since": since, "limit": limit, **_scope_params(scope)},
    )


# --- the build job -------------------------------------------------------------------------------


def create_report(db: Database, request: dict) -> int:
    """Queue a report; `request` holds the columns of `reports` a caller sets."""
    return db.fetch_one(
        """INSERT INTO reports (period_kind, period_start, period_end, team_ids, formats, language,
                               author_user_id, author_name, author_role, scope_team_ids, schedule_id)
           VALUES (%(period_kind)s, %(period_start)s, %(period_end)s, %(team_ids)s, %(formats)s, %(language)s,
                   %(author_user_id)s, %(author_name)s, %(author_role)s, %(scope_team_ids)s, %(schedule_id)s)
           RETURNING id""",
        {"schedule_id": None, **request},
    )["id"]


def create_scheduled_report(db: Database, request: dict) -> int | None:
    """Queue a schedule's report of one period, unless some process already did: None then."""
    row = db.fetch_one(
        """INSERT INTO reports (period_kind, period_start, period_end, team_ids, formats, language,
                               author_user_id, author_name, author_role, scope_team_ids, schedule_id)
           VALUES (%(period_kind)s, %(period_start)s, %(period_end)s, %(team_ids)s, %(formats)s, %(language)s,
                   %(author_user_id)s, %(author_name)s, %(author_role)s, %(scope_team_ids)s, %(schedule_id)s)
           ON CONFLICT (schedule_id, period_start) WHERE schedule_id IS NOT NULL DO NOTHING
           RETURNING id""",
        request,
    )
    return row["id"] if row else None


def claim_report(db: Database, report_id: int | None = None) -> dict | None:
    """Take a queued report (this one, or the oldest) for building; None when another process has it."""
    return db.fetch_one(
        f"""UPDATE reports r SET state = 'running', started_at = now(), progress = 1
            WHERE r.id = (SELECT id FROM reports
                          WHERE state = 'queued' AND (%(id)s::bigint IS NULL OR id = %(id)s)
                          ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING {REPORT_COLUMNS}""",  # noqa: S608 - REPORT_COLUMNS is a constant
        {"id": report_id},
    )


def requeue_abandoned(db: Database, older_than_s: int) -> int:
    """Builds whose process died (running for too long) go back to the queue."""
    return db.execute(
        """UPDATE reports SET state = 'queued', progress = 0
           WHERE state = 'running' AND started_at < now() - make_interval(secs => %s)""",
        (older_than_s,),
    )


def set_progress(db: Database, report_id: int, percent: int) -> None:
    db.execute("UPDATE reports SET progress = %s WHERE id = %s AND state = 'running'", (percent, report_id))


def finish_report(
    db: Database, report_id: int, files: list[tuple[str, str, str, bytes]], names_individuals: bool = True
) -> None:
    """Store the files (name, format, media type, content) and mark the report done, in one transaction;
    `names_individuals` says whether the files list people (issue 15's privacy rule)."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM report_files WHERE report_id = %s", (report_id,))
        for name, fmt, media_type, content in files:
            cur.execute(
                "INSERT INTO report_files (report_id, name, format, media_type, content) VALUES (%s, %s, %s, %s, %s)",
                (report_id, name, fmt, media_type, content),
            )
        cur.execute(
            """UPDATE reports SET state = 'done', progress = 100, error = NULL, finished_at = now(),
                                 names_individuals = %s
               WHERE id = %s""",
            (names_individuals, report_id),
        )


def fail_report(db: Database, report_id: int, error: str) -> None:
    db.execute(
        "UPDATE reports SET state = 'failed', error = %s, finished_at = now() WHERE id = %s", (error[:500], report_id)
    )


def unsent_scheduled(db: Database) -> list[dict]:
    """Finished reports of schedules with recipients that have not been e-mailed yet."""
    return db.fetch_all(
        f"""SELECT {REPORT_COLUMNS}, s.email_to FROM reports r JOIN report_schedules s ON s.id = r.schedule_id
            WHERE r.state = 'done' AND r.emailed_at IS NULL AND cardinality(s.email_to) > 0
            ORDER BY r.id"""  # noqa: S608 - REPORT_COLUMNS is a constant
    )


def mark_emailed(db: Database, report_id: int) -> None:
    db.execute("UPDATE reports SET emailed_at = now() WHERE id = %s", (report_id,))


def get_report(db: Database, scope: Scope, report_id: int) -> dict | None:
    return db.fetch_one(
        f"SELECT {REPORT_COLUMNS} FROM reports r WHERE r.id = %(id)s AND {VISIBLE}",  # noqa: S608 - constants
        {"id": report_id, **_scope_params(scope)},
    )


def list_reports(db: Database, scope: Scope, limit: int = 100) -> list[dict]:
    """The newest reports the viewer may see, with the names of their files."""
    return db.fetch_all(
        f"""SELECT {REPORT_COLUMNS},
                   coalesce((SELECT array_agg(name ORDER BY array_position(%(order)s, format), name)
                             FROM report_files WHERE report_id = r.id),
                            '{{}}') AS files
            FROM reports r WHERE {VISIBLE}
            ORDER BY r.created_at DESC, r.id DESC LIMIT %(limit)s""",  # noqa: S608 - constants
        {"limit": limit, "order": ["pdf", "xlsx", "csv"], **_scope_params(scope)},
    )


def report_file(db: Database, scope: Scope, report_id: int, name: str) -> dict | None:
    """One stored file of a report the viewer may see."""
    return db.fetch_one(
        f"""SELECT f.name, f.format, f.media_type, f.content, r.scope_team_ids, r.names_individuals
            FROM report_files f JOIN reports r ON r.id = f.report_id
            WHERE f.report_id = %(id)s AND f.name = %(name)s AND {VISIBLE}""",  # noqa: S608 - constants
        {"id": report_id, "name": name, **_scope_params(scope)},
    )


def report_files(db: Database, report_id: int) -> list[dict]:
    return db.fetch_all(
        "SELECT name, format, media_type, content FROM report_files WHERE report_id = %s ORDER BY format, name",
        (report_id,),
    )


def employee_ids(db: Database, scope: Scope) -> list[int]:
    """Whose figures a report of this scope holds: the subjects of an audited download."""
    rows = db.fetch_all(f"SELECT e.id FROM employees e WHERE {IN_SCOPE} ORDER BY e.id", _scope_params(scope))  # noqa: S608
    return [row["id"] for row in rows]


# --- schedules -----------------------------------------------------------------------------------


def add_schedule(db: Database, schedule: dict) -> int:
    return db.fetch_one(
        """INSERT INTO report_schedules (name, cadence, weekday, month_day, at_time, team_ids, formats, language,
                                         email_to, owner_user_id, created_at)
           VALUES (%(name)s, %(cadence)s, %(weekday)s, %(month_day)s, %(at_time)s, %(team_ids)s, %(formats)s,
                   %(language)s, %(email_to)s, %(owner_user_id)s, %(created_at)s)
           RETURNING id""",
        schedule,
    )["id"]


SCHEDULE_COLUMNS = """s.id, s.name, s.cadence, s.weekday, s.month_day, s.at_time, s.team_ids, s.formats, s.language,
    s.email_to, s.owner_user_id, s.active, s.created_at, u.username AS owner_name, u.role AS owner_role"""


def list_schedules(db: Database, user_id: int | None, scope: Scope) -> list[dict]:
    """Schedules the viewer owns, or every schedule for a viewer who sees every team."""
    return db.fetch_all(
        f"""SELECT {SCHEDULE_COLUMNS} FROM report_schedules s JOIN users u ON u.id = s.owner_user_id
            WHERE s.owner_user_id = %(user)s OR (%(teams)s::int[] IS NULL AND %(employee)s::int IS NULL)
            ORDER BY s.id""",  # noqa: S608 - SCHEDULE_COLUMNS is a constant
        {"user": user_id, **_scope_params(scope)},
    )


def active_schedules(db: Database) -> list[dict]:
    """Every active schedule with its owner (whose permissions the report takes), for the runner."""
    return db.fetch_all(
        f"""SELECT {SCHEDULE_COLUMNS}, u.employee_id AS owner_employee_id,
                   coalesce((SELECT array_agg(team_id) FROM user_teams WHERE user_id = u.id), '{{}}') AS owner_team_ids
            FROM report_schedules s JOIN users u ON u.id = s.owner_user_id
            WHERE s.active AND NOT u.disabled ORDER BY s.id"""  # noqa: S608 - SCHEDULE_COLUMNS is a constant
    )


def remove_schedule(db: Database, schedule_id: int, user_id: int | None, scope: Scope) -> bool:
    return bool(
        db.execute(
            """DELETE FROM report_schedules
               WHERE id = %(id)s
                 AND (owner_user_id = %(user)s OR (%(teams)s::int[] IS NULL AND %(employee)s::int IS NULL))""",
            {"id": schedule_id, "user": user_id, **_scope_params(scope)},
        )
    )
