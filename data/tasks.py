"""Tasks: the work planned for each person."""

from __future__ import annotations

from datetime import datetime

from data.db import Database

OPEN_STATES = ("new", "assigned", "accepted", "en_route", "on_site")


def current_task(db: Database, employee_id: int) -> dict | None:
    """The first unfinished task of the person's plan: where they are, or where they go next."""
    return db.fetch_one(
        """SELECT t.id, t.state, t.window_start, t.window_end, t.planned_seq, c.id AS customer_id,
                  c.name AS customer_name, c.address AS customer_address
           FROM tasks t JOIN customers c ON c.id = t.customer_id
           WHERE t.employee_id = %s AND t.state = ANY(%s)
           ORDER BY (t.state = 'on_site') DESC, t.planned_seq NULLS LAST, t.window_start, t.id
           LIMIT 1""",
        (employee_id, list(OPEN_STATES)),
    )


def planned_route(db: Database, employee_id: int, day_start: datetime, day_end: datetime) -> list[dict]:
    """The person's tasks of one day in planned order, with each customer's location."""
    return db.fetch_all(
        """SELECT t.id, t.customer_id, t.state, t.duration_min, t.window_start, t.window_end,
                  t.planned_seq, c.lat, c.lon, c.name AS customer_name
           FROM tasks t JOIN customers c ON c.id = t.customer_id
           WHERE t.employee_id = %s AND t.window_start >= %s AND t.window_start < %s
           ORDER BY t.planned_seq NULLS LAST, t.window_start, t.id""",
        (employee_id, day_start, day_end),
    )


def mark_arrival(db: Database, employee_id: int, customer_id: int, at: datetime) -> int | None:
    """Put the person's open task at this customer on site; return its id, if there is one."""
    row = db.fetch_one(
        """UPDATE tasks SET state = 'on_site', arrived_at = %(at)s, updated_at = now()
           WHERE id = (SELECT id FROM tasks
                       WHERE employee_id = %(e)s AND customer_id = %(c)s AND state = ANY(%(open)s)
                       ORDER BY planned_seq NULLS LAST, window_start LIMIT 1)
           RETURNING id""",
        {"at": at, "e": employee_id, "c": customer_id, "open": list(OPEN_STATES)},
    )
    return row["id"] if row else None


def mark_departure(db: Database, task_id: int, at: datetime) -> None:
    db.execute(
        """UPDATE tasks SET state = 'done', departed_at = %s, updated_at = now()
           WHERE id = %s AND state = 'on_site'""",
        (at, task_id),
    )


def day_plan(db: Database, employee_id: int, day_start: datetime, day_end: datetime) -> list[dict]:
    """The phone's list: planned_route's rows with the customer's address and the task's times."""
    return db.fetch_all(
        """SELECT t.id, t.customer_id, t.state, t.window_start, t.window_end, t.planned_seq, t.updated_at,
                  t.arrived_at, t.departed_at, c.lat, c.lon, c.name AS customer_name, c.address AS customer_address
           FROM tasks t JOIN customers c ON c.id = t.customer_id
           WHERE t.employee_id = %s AND t.window_start >= %s AND t.window_start < %s
           ORDER BY t.planned_seq NULLS LAST, t.window_start, t.id""",
        (employee_id, day_start, day_end),
    )


def own_task(db: Database, employee_id: int, task_id: int) -> dict | None:
    return db.fetch_one(
        "SELECT id, customer_id, state FROM tasks WHERE id = %s AND employee_id = %s", (task_id, employee_id)
    )


def set_state(db: Database, employee_id: int, task_id: int, state: str, from_states: tuple[str, ...]) -> bool:
    """Move the person's own task to `state` if it is in one of `from_states`."""
    return bool(
        db.execute(
            """UPDATE tasks SET state = %s, updated_at = now()
               WHERE id = %s AND employee_id = %s AND state = ANY(%s)""",
            (state, task_id, employee_id, list(from_states)),
        )
    )


def decline(db: Database, employee_id: int, task_id: int) -> bool:
    """Hand an unstarted task back to the planner: unassigned, new again."""
    return bool(
        db.execute(
            """UPDATE tasks SET employee_id = NULL, state = 'new', updated_at = now()
               WHERE id = %s AND employee_id = %s AND state IN ('new', 'assigned', 'accepted')""",
            (task_id, employee_id),
        )
    )


def check_in(db: Database, employee_id: int, task_id: int, at: datetime) -> None:
    db.execute(
        """UPDATE tasks SET state = 'on_site', arrived_at = coalesce(arrived_at, %s), updated_at = now()
           WHERE id = %s AND employee_id = %s AND state = ANY(%s)""",
        (at, task_id, employee_id, list(OPEN_STATES)),
    )


def check_out(db: Database, employee_id: int, task_id: int, at: datetime) -> None:
    db.execute(
        """UPDATE tasks SET state = 'done', departed_at = %s, updated_at = now()
           WHERE id = %s AND employee_id = %s AND state = ANY(%s)""",
        (at, task_id, employee_id, list(OPEN_STATES)),
    )
