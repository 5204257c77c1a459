"""Satisfaction surveys after a visit (the shared `feedback` table): created when a task is done,
answered once through a signed link."""

from __future__ import annotations

from datetime import datetime

from psycopg2.extras import RealDictCursor

from data import webhooks
from data.db import Database
from data.scope import Scope

IN_SCOPE = """
    (%(employee)s::int IS NULL OR f.employee_id = %(employee)s)
    AND (%(teams)s::int[] IS NULL OR (SELECT team_id FROM employees WHERE id = f.employee_id) = ANY(%(teams)s))
"""


def _scope_params(scope: Scope) -> dict:
    return {"teams": scope.team_filter(), "employee": scope.employee_id}


def create_survey(db: Database, task_id: int, nonce: str, created_at: datetime, expires_at: datetime) -> dict | None:
    """The task's survey, tied to its latest visit; an existing one is kept (one survey per task)."""
    db.execute(
        """INSERT INTO feedback (task_id, visit_id, customer_id, employee_id, nonce, created_at, expires_at)
           SELECT t.id, (SELECT a.id FROM activities a WHERE a.task_id = t.id AND a.kind = 'visit'
                         ORDER BY a.started_at DESC LIMIT 1),
                  t.customer_id, t.employee_id, %s, %s, %s
           FROM tasks t WHERE t.id = %s
           ON CONFLICT (task_id) DO NOTHING""",
        (nonce, created_at, expires_at, task_id),
    )
    return survey_of_task(db, task_id)


def survey_of_task(db: Database, task_id: int) -> dict | None:
    return db.fetch_one(
        "SELECT id, task_id, nonce, expires_at, answered_at, score FROM feedback WHERE task_id = %s", (task_id,)
    )


def survey_by_nonce(db: Database, nonce: str) -> dict | None:
    """What the customer's page shows: the visit's customer, who came, and whether it is still open."""
    return db.fetch_one(
        """SELECT f.id, f.task_id, f.nonce, f.expires_at, f.answered_at, f.score, c.name AS customer_name,
                  f.employee_id, e.name AS employee_name, t.departed_at
           FROM feedback f JOIN customers c ON c.id = f.customer_id
           LEFT JOIN employees e ON e.id = f.employee_id LEFT JOIN tasks t ON t.id = f.task_id
           WHERE f.nonce = %s""",
        (nonce,),
    )


def answer(db: Database, nonce: str, score: int, comment: str | None, language: str, now: datetime) -> bool:
    """Store the answer if the survey is unanswered and unexpired at `now`; False otherwise (nothing changes)."""
    with db.transaction() as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute(
            """UPDATE feedback SET answered_at = %(now)s, score = %(score)s, comment = %(comment)s,
                                   language = %(language)s
               WHERE nonce = %(nonce)s AND answered_at IS NULL AND expires_at > %(now)s
               RETURNING id AS feedback_id, task_id, visit_id, customer_id, employee_id, score, comment, language,
                         answered_at""",
            {"score": score, "comment": comment, "language": language, "nonce": nonce, "now": now},
        )
        answered = cur.fetchone()
        if answered is not None:  # announced in the answer's own transaction (issue 9)
            webhooks.enqueue(cur, "survey.answered", answered)
        return answered is not None


def customer_feedback(db: Database, scope: Scope, customer_id: int) -> list[dict]:
    """Answered surveys of a customer, newest first, with who made the visit."""
    return db.fetch_all(
        f"""SELECT f.task_id, f.answered_at, f.score, f.comment, f.language, display_name(e) AS employee_name
            FROM feedback f LEFT JOIN employees e ON e.id = f.employee_id
            WHERE f.customer_id = %(customer)s AND f.answered_at IS NOT NULL AND {IN_SCOPE}
            ORDER BY f.answered_at DESC LIMIT 200""",  # noqa: S608 - IN_SCOPE is a constant
        {"customer": customer_id, **_scope_params(scope)},
    )


def unanswered_since(db: Database, since: datetime, now: datetime) -> list[dict]:
    """Surveys created since a moment and still open at `now` (the demo's simulated customers answer these)."""
    return db.fetch_all(
        """SELECT id, nonce, task_id, created_at FROM feedback
           WHERE answered_at IS NULL AND expires_at > %s AND created_at >= %s ORDER BY id""",
        (now, since),
    )
