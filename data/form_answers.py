"""A task's answers to its visit form (migration 0024): one row per task, the phone's changes applied once each
(form_answer_ops), and the files (photos, the signature) the answers name. The rules of what an answer must be are
dashboard/work/form_defs.py's; dashboard/work/form_answers.py decides, this module only reads and writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import orjson
from psycopg2.extras import RealDictCursor

from data import webhooks
from data.db import Database
from data.scope import Scope
from data.tasks import IN_SCOPE

ANSWER_COLUMNS = "a.id, a.task_id, a.form_id, a.employee_id, a.answers, a.complete, a.submitted_at, a.updated_at"


def task_and_answers(db: Database, task_id: int) -> dict | None:
    """The task's kind, state and person, with its answers row's columns (None where it has none yet)."""
    return db.fetch_one(
        """SELECT t.id AS task_id, t.kind, t.state, t.employee_id AS task_employee_id, t.customer_id,
                  a.id, a.form_id, a.employee_id, a.answers, a.complete, a.submitted_at, a.updated_at
           FROM tasks t LEFT JOIN form_answers a ON a.task_id = t.id WHERE t.id = %s""",
        (task_id,),
    )


def apply_ops(
    db: Database,
    task_id: int,
    form_id: int,
    employee_id: int | None,
    ops: list[dict],
    merge: Callable[[dict, dict], tuple[dict, bool]],
    now: datetime,
    submitted: Callable[[dict], dict],
) -> tuple[dict, list[str]]:
    """Apply the phone's changes (each {"op_id", "seq", "answers"}) in `seq` order, each at most once ever, in one
    transaction with the task's answers row locked: `merge(answers, changes)` gives the new answers and whether they
    are complete (and raises to refuse, which writes nothing). The first time they are complete, `submitted_at` is
    set and the webhook `form.submitted` (its payload `submitted(row)`) is enqueued in the same transaction.
    Returns the row as it is now and the op ids applied by this call (a change sent again is not among them)."""
    with db.transaction() as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute(
            """INSERT INTO form_answers (task_id, form_id, employee_id, updated_at) VALUES (%s, %s, %s, %s)
               ON CONFLICT (task_id) DO NOTHING""",
            (task_id, form_id, employee_id, now),
        )
        cur.execute(f"SELECT {ANSWER_COLUMNS} FROM form_answers a WHERE a.task_id = %s FOR UPDATE", (task_id,))  # noqa: S608
        row = cur.fetchone()
        cur.execute(
            "SELECT op_id::text FROM form_answer_ops WHERE op_id = ANY(%s::uuid[])", ([op["op_id"] for op in ops],)
        )
        seen = {r["op_id"] for r in cur.fetchall()}
        fresh = [op for op in sorted(ops, key=lambda op: op["seq"]) if op["op_id"] not in seen]
        if not fresh:
            return row, []
        answers, complete = row["answers"], row["complete"]
        for op in fresh:
            answers, complete = merge(answers, op["answers"])
        first_time = complete and row["submitted_at"] is None
        cur.execute(
            f"""UPDATE form_answers a SET answers = %s::jsonb, complete = %s, updated_at = %s,
                       employee_id = coalesce(%s, a.employee_id),
                       submitted_at = CASE WHEN %s THEN %s ELSE a.submitted_at END
                WHERE a.task_id = %s RETURNING {ANSWER_COLUMNS}""",  # noqa: S608 - a constant column list
            (orjson.dumps(answers).decode(), complete, now, employee_id, first_time, now, task_id),
        )
        row = cur.fetchone()
        cur.executemany(
            "INSERT INTO form_answer_ops (op_id, task_id, seq, applied_at) VALUES (%s, %s, %s, %s)",
            [(op["op_id"], task_id, op["seq"], now) for op in fresh],
        )
        if first_time:
            webhooks.enqueue(cur, "form.submitted", submitted(row))
        return row, [op["op_id"] for op in fresh]


def keep_file(
    db: Database, task_id: int, field_id: str, content_type: str, data: bytes, sha256: str, now: datetime
) -> int:
    """A file's id: the same bytes sent again for the task (offline, then again) are the file kept the first time."""
    return db.fetch_one(
        """WITH kept AS (
               INSERT INTO form_files (task_id, field_id, content_type, bytes, sha256, created_at)
               VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (task_id, sha256) DO NOTHING RETURNING id)
           SELECT id FROM kept UNION ALL SELECT id FROM form_files WHERE task_id = %s AND sha256 = %s LIMIT 1""",
        (task_id, field_id, content_type, data, sha256, now, task_id, sha256),
    )["id"]


def file_ids(db: Database, task_id: int) -> set[int]:
    """The ids of the files kept for a task: an answer may name only these."""
    return {r["id"] for r in db.fetch_all("SELECT id FROM form_files WHERE task_id = %s", (task_id,))}


def file_of(db: Database, scope: Scope, file_id: int) -> dict | None:
    """A file, when its task is in the viewer's scope."""
    return db.fetch_one(
        f"""SELECT f.id, f.task_id, f.field_id, f.content_type, f.bytes, f.sha256 FROM form_files f
            JOIN tasks t ON t.id = f.task_id WHERE f.id = %(id)s AND {IN_SCOPE}""",  # noqa: S608 - a constant
        {"id": file_id, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


# The token API's page (GET /api/v1/form-answers): by (updated_at, id), so `updated_since` with the cursor sees
# every change of an answer once more; in the viewer's scope as the tasks are (data/tasks.IN_SCOPE).
PAGE = f"""
    SELECT {ANSWER_COLUMNS}, f.version AS form_version, f.title AS form_title, f.task_kind, f.fields
    FROM form_answers a JOIN forms f ON f.id = a.form_id JOIN tasks t ON t.id = a.task_id
    WHERE {IN_SCOPE}
      AND (%(since)s::timestamptz IS NULL OR a.updated_at >= %(since)s)
      AND (%(task_id)s::int IS NULL OR a.task_id = %(task_id)s)
      AND (%(after_at)s::timestamptz IS NULL OR (a.updated_at, a.id) > (%(after_at)s, %(after_id)s))
    ORDER BY a.updated_at, a.id LIMIT %(limit)s
"""  # noqa: S608 - constants


def page(
    db: Database,
    scope: Scope,
    *,
    since: datetime | None,
    after: tuple[datetime, int] | None,
    limit: int,
    task_id: int | None = None,
) -> list[dict]:
    after_at, after_id = after if after else (None, None)
    return db.fetch_all(
        PAGE,
        {
            "teams": scope.team_filter(),
            "employee": scope.employee_id,
            "since": since,
            "task_id": task_id,
            "after_at": after_at,
            "after_id": after_id,
            "limit": limit,
        },
    )


def of_period(db: Database, scope: Scope, start: datetime, end: datetime) -> list[dict]:
    """Answers changed in [start, end) of tasks in the viewer's scope, with their form and task, for the exports."""
    return db.fetch_all(
        f"""SELECT {ANSWER_COLUMNS}, f.version AS form_version, f.title AS form_title, f.task_kind, f.fields,
                   c.name AS customer_name, display_name(e) AS employee_name
            FROM form_answers a JOIN forms f ON f.id = a.form_id JOIN tasks t ON t.id = a.task_id
            JOIN customers c ON c.id = t.customer_id LEFT JOIN employees e ON e.id = a.employee_id
            WHERE {IN_SCOPE} AND a.updated_at >= %(start)s AND a.updated_at < %(end)s
            ORDER BY f.task_kind, f.version, a.task_id""",  # noqa: S608 - constants
        {"teams": scope.team_filter(), "employee": scope.employee_id, "start": start, "end": end},
    )
