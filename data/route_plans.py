"""Optimised daily routes: each plan's order, its travel against the entered order, its street line."""

from __future__ import annotations

from datetime import date

from psycopg2.extras import Json

from data.db import Database
from data.scope import Scope


def save_plan(db: Database, plan: dict) -> int:
    """Store a plan and put its tasks in its order (planned_seq 1, 2, …) in one transaction."""
    with db.transaction() as conn, conn.cursor() as cur:
        for seq, task_id in enumerate(plan["task_ids"], start=1):
            cur.execute("UPDATE tasks SET planned_seq = %s, updated_at = now() WHERE id = %s", (seq, task_id))
        cur.execute(
            """INSERT INTO route_plans (employee_id, day, planned_by, reason, task_ids, entered_travel_s,
                                        planned_travel_s, late_tasks, path)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            (
                plan["employee_id"],
                plan["day"],
                plan["planned_by"],
                plan["reason"],
                plan["task_ids"],
                plan["entered_travel_s"],
                plan["planned_travel_s"],
                plan["late_tasks"],
                Json(plan["path"]),
            ),
        )
        return cur.fetchone()[0]


def latest_plans(db: Database, scope: Scope, day: date) -> list[dict]:
    """Each person's newest plan of the day in the scope, with their name."""
    return db.fetch_all(
        """SELECT DISTINCT ON (p.employee_id) p.employee_id, display_name(e) AS employee_name, p.planned_at, p.reason,
                  p.task_ids, p.entered_travel_s, p.planned_travel_s, p.late_tasks, p.path
           FROM route_plans p JOIN employees e ON e.id = p.employee_id
           WHERE p.day = %(day)s AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL OR e.id = %(employee)s)
           ORDER BY p.employee_id, p.planned_at DESC, p.id DESC""",
        {"day": day, "teams": scope.team_filter(), "employee": scope.employee_id},
    )
