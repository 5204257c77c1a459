"""Service reports (issue 21, migration 0024): a done visit's PDF, kept once per task, and its e-mail to the
customer's contact. What goes into one is read here in one place; dashboard/work/service_reports.py shapes it."""

from __future__ import annotations

from datetime import datetime

from data.customers import IN_SCOPE
from data.db import Database
from data.scope import Scope


def due(db: Database, limit: int = 20) -> list[int]:
    """Done tasks with answers to a visit form and no service report yet, oldest first."""
    rows = db.fetch_all(
        """SELECT t.id FROM tasks t JOIN form_answers a ON a.task_id = t.id
           WHERE t.state = 'done' AND NOT EXISTS (SELECT 1 FROM service_reports r WHERE r.task_id = t.id)
           ORDER BY t.id LIMIT %s""",
        (limit,),
    )
    return [row["id"] for row in rows]


def visit_of(db: Database, task_id: int) -> dict | None:
    """Everything a task's service report shows: the task, its customer, who did it, the times on site (the
    visits linked to the task, else the task's own arrival and departure), when it was done, the form and its
    answers; None for a task without answers."""
    return db.fetch_one(
        """SELECT t.id AS task_id, t.kind, t.notes, t.customer_id, c.name AS customer_name, c.address,
                  c.contact_name, c.contact_email, display_name(e) AS employee_name,
                  coalesce(v.started_at, t.arrived_at) AS on_site_from,
                  coalesce(v.ended_at, t.departed_at) AS on_site_until,
                  (SELECT max(ev.at) FROM task_events ev WHERE ev.task_id = t.id AND ev.to_state = 'done') AS done_at,
                  f.title AS form_title, f.version AS form_version, f.fields, a.answers
           FROM tasks t JOIN customers c ON c.id = t.customer_id
           JOIN form_answers a ON a.task_id = t.id JOIN forms f ON f.id = a.form_id
           LEFT JOIN employees e ON e.id = t.employee_id
           LEFT JOIN LATERAL (SELECT min(started_at) AS started_at, max(ended_at) AS ended_at FROM activities
                              WHERE task_id = t.id AND kind = 'visit') v ON true
           WHERE t.id = %s""",
        (task_id,),
    )


def work_notes(db: Database, task_id: int) -> list[dict]:
    """The notes written on the task's visits, in the order written."""
    return db.fetch_all(
        """SELECT n.started_at, n.notes FROM activities n
           WHERE n.kind = 'note' AND n.notes IS NOT NULL AND n.notes <> ''
             AND (n.task_id = %(task)s
                  OR n.visit_id IN (SELECT id FROM activities WHERE task_id = %(task)s AND kind = 'visit'))
           ORDER BY n.started_at, n.id""",
        {"task": task_id},
    )


def files_of(db: Database, task_id: int) -> dict[int, dict]:
    """The task's form files (photos, the signature) by id."""
    rows = db.fetch_all(
        "SELECT id, field_id, content_type, bytes FROM form_files WHERE task_id = %s ORDER BY id", (task_id,)
    )
    return {row["id"]: row for row in rows}


def parts_named(db: Database, part_ids: list[int]) -> dict[int, dict]:
    rows = db.fetch_all("SELECT id, code, name, unit FROM parts WHERE id = ANY(%s)", (part_ids,))
    return {row["id"]: row for row in rows}


def keep(db: Database, task_id: int, language: str, pdf: bytes, now: datetime) -> int | None:
    """Store a task's report; None when another process stored one first (a task has one report)."""
    row = db.fetch_one(
        """INSERT INTO service_reports (task_id, language, pdf, created_at) VALUES (%s, %s, %s, %s)
           ON CONFLICT (task_id) DO NOTHING RETURNING id""",
        (task_id, language, pdf, now),
    )
    return row["id"] if row else None


def unmailed(db: Database, limit: int = 20) -> list[dict]:
    """Reports not yet e-mailed whose customer has a contact address."""
    return db.fetch_all(
        """SELECT r.id, r.task_id, r.language, r.pdf, r.created_at, c.name AS customer_name, c.contact_name,
                  c.contact_email
           FROM service_reports r JOIN tasks t ON t.id = r.task_id JOIN customers c ON c.id = t.customer_id
           WHERE r.mailed_at IS NULL AND c.contact_email IS NOT NULL ORDER BY r.id LIMIT %s""",
        (limit,),
    )


def mark_mailed(db: Database, report_id: int, to: str, now: datetime) -> None:
    db.execute("UPDATE service_reports SET mailed_to = %s, mailed_at = %s WHERE id = %s", (to, now, report_id))


def customer_reports(db: Database, scope: Scope, customer_id: int) -> list[dict]:
    """A customer's service reports, newest first, when the scope sees the customer."""
    return db.fetch_all(
        f"""SELECT r.id, r.task_id, r.language, r.created_at, r.mailed_to, r.mailed_at, t.kind,
                   display_name(e) AS employee_name
            FROM service_reports r JOIN tasks t ON t.id = r.task_id JOIN customers c ON c.id = t.customer_id
            LEFT JOIN employees o ON o.id = c.owner_employee_id LEFT JOIN employees e ON e.id = t.employee_id
            WHERE c.id = %(customer)s AND {IN_SCOPE} ORDER BY r.created_at DESC, r.id DESC""",  # noqa: S608 - constant
        {"customer": customer_id, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def report_pdf(db: Database, scope: Scope, report_id: int) -> dict | None:
    """A report's PDF, when the scope sees its customer."""
    return db.fetch_one(
        f"""SELECT r.id, r.task_id, r.pdf FROM service_reports r JOIN tasks t ON t.id = r.task_id
            JOIN customers c ON c.id = t.customer_id LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE r.id = %(id)s AND {IN_SCOPE}""",  # noqa: S608 - IN_SCOPE is a constant
        {"id": report_id, "teams": scope.team_filter(), "employee": scope.employee_id},
    )
