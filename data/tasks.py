"""Tasks: the work planned for each person."""

from __future__ import annotations

from datetime import UTC, datetime

from psycopg2.extras import RealDictCursor

from data import webhooks
from data.db import Database
from data.scope import Scope

OPEN_STATES = ("new", "assigned", "accepted", "en_route", "on_site")
# A task is in a viewer's scope through its assignee, or (unassigned) through its customer's owner.
IN_SCOPE = """
    (%(employee)s::int IS NULL OR t.employee_id = %(employee)s)
    AND (%(teams)s::int[] IS NULL
         OR (SELECT team_id FROM employees WHERE id = coalesce(t.employee_id,
                 (SELECT owner_employee_id FROM customers WHERE id = t.customer_id))) = ANY(%(teams)s))
"""
# A task belongs to a day by its window; one without a window (urgent work) to every day it is open or changed.
ON_DAY = """
    ((t.window_start >= %(start)s AND t.window_start < %(end)s)
     OR (t.window_start IS NULL
         AND (t.state = ANY(%(open)s) OR (t.updated_at >= %(start)s AND t.updated_at < %(end)s))))
"""
TASK_ROWS = """
    SELECT t.id, t.customer_id, t.employee_id, t.kind, t.priority, t.state, t.window_start, t.window_end,
           t.duration_min, t.planned_seq, t.notes, t.arrived_at, t.departed_at, t.created_at, t.updated_at,
           t.xmin::text AS version, c.name AS customer_name, c.address AS customer_address, c.lat, c.lon,
           display_name(e) AS employee_name, coalesce(e.team_id, o.team_id) AS team_id
    FROM tasks t JOIN customers c ON c.id = t.customer_id LEFT JOIN employees e ON e.id = t.employee_id
    LEFT JOIN employees o ON o.id = c.owner_employee_id
"""


def _scope_params(scope: Scope) -> dict:
    return {"teams": scope.team_filter(), "employee": scope.employee_id}


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
    """The person's tasks of one day in planned order, with each customer's location; open tasks
    without a window (urgent work added during the day) belong to every day."""
    return db.fetch_all(
        f"""SELECT t.id, t.customer_id, t.state, t.priority, t.duration_min, t.window_start, t.window_end,
                  t.planned_seq, c.lat, c.lon, c.name AS customer_name
           FROM tasks t JOIN customers c ON c.id = t.customer_id
           WHERE t.employee_id = %(employee)s AND {ON_DAY}
           ORDER BY t.planned_seq NULLS LAST, t.window_start, t.id""",  # noqa: S608 - ON_DAY is a constant
        {"employee": employee_id, "start": day_start, "end": day_end, "open": list(OPEN_STATES)},
    )


def arrival_candidate(db: Database, employee_id: int, customer_id: int) -> dict | None:
    """The person's open task at this customer that an arrival there belongs to, if any."""
    return db.fetch_one(
        """SELECT id, state FROM tasks
           WHERE employee_id = %s AND customer_id = %s AND state = ANY(%s)
           ORDER BY (state = 'on_site') DESC, planned_seq NULLS LAST, window_start, id LIMIT 1""",
        (employee_id, customer_id, list(OPEN_STATES)),
    )


def day_plan(db: Database, employee_id: int, day_start: datetime, day_end: datetime) -> list[dict]:
    """The phone's list: planned_route's tasks with the customer's address and the task's times."""
    return db.fetch_all(
        f"""SELECT t.id, t.customer_id, t.state, t.window_start, t.window_end, t.planned_seq, t.updated_at,
                  t.arrived_at, t.departed_at, c.lat, c.lon, c.name AS customer_name, c.address AS customer_address
           FROM tasks t JOIN customers c ON c.id = t.customer_id
           WHERE t.employee_id = %(employee)s AND {ON_DAY}
           ORDER BY t.planned_seq NULLS LAST, t.window_start, t.id""",  # noqa: S608 - ON_DAY is a constant
        {"employee": employee_id, "start": day_start, "end": day_end, "open": list(OPEN_STATES)},
    )


def own_task(db: Database, employee_id: int, task_id: int) -> dict | None:
    return db.fetch_one(
        "SELECT id, customer_id, state FROM tasks WHERE id = %s AND employee_id = %s", (task_id, employee_id)
    )


def on_site_tasks(db: Database, employee_id: int) -> list[dict]:
    """The person's tasks marked on site: at most one once a check-in has closed the others."""
    return db.fetch_all(
        "SELECT id, customer_id FROM tasks WHERE employee_id = %s AND state = 'on_site' ORDER BY id", (employee_id,)
    )


def task_state(db: Database, task_id: int) -> str | None:
    row = db.fetch_one("SELECT state FROM tasks WHERE id = %s", (task_id,))
    return row["state"] if row else None


def transition(
    db: Database,
    task_id: int,
    to_state: str,
    from_states: tuple[str, ...],
    *,
    user_id: int | None,
    reason: str | None,
    at: datetime | None,
    assignee: int | bool | None = False,
    scope: Scope | None = None,
    version: str | None = None,
) -> tuple[dict | None, dict | None]:
    """Move a task in the scope from one of `from_states` to `to_state`, with its event, in one transaction.

    Returns (the task as it was, the task as it is now); the second is None when the move was refused
    (wrong state, or `version` given and the row's is another), the first None when no such task is in the scope.
    `assignee` False keeps the assignee.
    Arrival and departure times are filled from `at` on the way into on_site and out of it.
    """
    scope = scope or Scope.everything()
    with db.transaction() as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute(
            f"""SELECT t.id, t.state, t.employee_id, t.customer_id, t.xmin::text AS version FROM tasks t
                WHERE t.id = %(id)s AND {IN_SCOPE} FOR UPDATE OF t""",  # noqa: S608 - IN_SCOPE is a constant
            {"id": task_id, **_scope_params(scope)},
        )
        before = cur.fetchone()
        if before is None or before["state"] not in from_states or version not in (None, before["version"]):
            return before, None
        employee_id = before["employee_id"] if assignee is False else assignee
        now = datetime.now(UTC)  # this process's clock: ON_DAY puts a task without a window on its updated_at's day
        cur.execute(
            """UPDATE tasks SET state = %(to)s, employee_id = %(employee)s, updated_at = %(now)s,
                      arrived_at = CASE WHEN %(to)s = 'on_site' THEN coalesce(arrived_at, %(at)s) ELSE arrived_at END,
                      departed_at = CASE WHEN %(from)s = 'on_site' THEN %(at)s ELSE departed_at END
               WHERE id = %(id)s
               RETURNING id, state, employee_id, customer_id, arrived_at, departed_at, updated_at,
                         xmin::text AS version""",
            {
                "to": to_state,
                "from": before["state"],
                "employee": employee_id,
                "at": at or now,
                "now": now,
                "id": task_id,
            },
        )
        after = cur.fetchone()
        cur.execute(
            """INSERT INTO task_events (task_id, from_state, to_state, employee_id, user_id, reason, at)
               VALUES (%s, %s, %s, %s, %s, %s, %s)""",
            (task_id, before["state"], to_state, employee_id, user_id, reason, at or now),
        )
        change = {"task_id": task_id, "from_state": before["state"], "to_state": to_state, "reason": reason}
        webhooks.enqueue(
            cur, "task.state_changed", change | {"employee_id": employee_id, "at": at or after["updated_at"]}
        )
        return before, after


def create_task(db: Database, task: dict, user_id: int | None) -> int:
    """A new task (state new, or assigned when it has an assignee; `external_id` optional), with its first event."""
    with db.transaction() as conn, conn.cursor() as cur:
        state = "assigned" if task.get("employee_id") else "new"
        now = datetime.now(UTC)  # the clock `transition` stamps later changes by, so events stay in order
        cur.execute(
            """INSERT INTO tasks (customer_id, employee_id, kind, priority, state, window_start, window_end,
                                  duration_min, notes, external_id, created_at, updated_at)
               VALUES (%(customer_id)s, %(employee_id)s, %(kind)s, %(priority)s, %(state)s, %(window_start)s,
                       %(window_end)s, %(duration_min)s, %(notes)s, %(external_id)s, %(now)s, %(now)s) RETURNING id""",
            {**task, "employee_id": task.get("employee_id"), "external_id": task.get("external_id"), "state": state}
            | {"now": now},
        )
        task_id = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO task_events (task_id, from_state, to_state, employee_id, user_id, reason, at)
               VALUES (%s, NULL, %s, %s, %s, 'created', %s)""",
            (task_id, state, task.get("employee_id"), user_id, now),
        )
        return task_id


def insert_planned(db: Database, rows: list[dict]) -> int:
    """Assigned visits as a planner made them (customer_id, employee_id, priority, window_start, window_end,
    duration_min, planned_seq), in one transaction; returns how many."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO tasks (customer_id, employee_id, kind, priority, state, window_start,
                                  window_end, duration_min, planned_seq)
               VALUES (%(customer_id)s, %(employee_id)s, 'visit', %(priority)s, 'assigned', %(window_start)s,
                       %(window_end)s, %(duration_min)s, %(planned_seq)s)""",
            rows,
        )
    return len(rows)


def update_task(db: Database, scope: Scope, task_id: int, task: dict, at: datetime, version: str | None = None) -> bool:
    """Edit what a task is (customer, kind, priority, window, duration, notes) at the app's clock's `at`; its
    state moves elsewhere. With `version`, only if the row is still that version (False otherwise)."""
    return bool(
        db.execute(
            f"""UPDATE tasks t SET customer_id = %(customer_id)s, kind = %(kind)s, priority = %(priority)s,
                       window_start = %(window_start)s, window_end = %(window_end)s,
                       duration_min = %(duration_min)s, notes = %(notes)s, updated_at = %(at)s
                WHERE t.id = %(id)s AND {IN_SCOPE}
                  AND (%(version)s::text IS NULL OR t.xmin::text = %(version)s)""",  # noqa: S608 - a constant
            {**task, "id": task_id, "at": at, "version": version, **_scope_params(scope)},
        )
    )


def get_task(db: Database, scope: Scope, task_id: int) -> dict | None:
    return db.fetch_one(
        f"""{TASK_ROWS} WHERE t.id = %(id)s AND {IN_SCOPE}""",
        {"id": task_id, **_scope_params(scope)},
    )


def list_tasks(db: Database, scope: Scope, start: datetime, end: datetime) -> list[dict]:
    """Tasks in the scope whose window starts in [start, end), plus the tasks without a window that are
    open or changed in it (urgent work of the day)."""
    return db.fetch_all(
        f"""{TASK_ROWS}
            WHERE {ON_DAY} AND {IN_SCOPE}
            ORDER BY t.employee_id NULLS FIRST, t.planned_seq NULLS LAST, t.window_start, t.id""",
        {"start": start, "end": end, "open": list(OPEN_STATES), **_scope_params(scope)},
    )


def customer_tasks(db: Database, scope: Scope, customer_id: int) -> list[dict]:
    return db.fetch_all(
        f"""{TASK_ROWS} WHERE t.customer_id = %(customer)s AND {IN_SCOPE}
            ORDER BY t.window_start DESC NULLS FIRST, t.id DESC LIMIT 200""",
        {"customer": customer_id, **_scope_params(scope)},
    )


def events(db: Database, scope: Scope, task_id: int) -> list[dict]:
    return db.fetch_all(
        f"""SELECT ev.from_state, ev.to_state, ev.at, ev.reason, display_name(e) AS employee_name, u.username
            FROM task_events ev JOIN tasks t ON t.id = ev.task_id
            LEFT JOIN employees e ON e.id = ev.employee_id LEFT JOIN users u ON u.id = ev.user_id
            WHERE ev.task_id = %(id)s AND {IN_SCOPE} ORDER BY ev.at, ev.id""",  # noqa: S608 - IN_SCOPE is a constant
        {"id": task_id, **_scope_params(scope)},
    )


def open_of_day(db: Database, employee_ids: list[int], day_start: datetime, day_end: datetime) -> dict[int, int]:
    """Open tasks of one day per person (a day's tasks as ON_DAY has them): how busy a dispatch candidate is."""
    rows = db.fetch_all(
        f"""SELECT t.employee_id, count(*) AS open FROM tasks t
            WHERE t.employee_id = ANY(%(ids)s) AND t.state = ANY(%(open)s) AND {ON_DAY}
            GROUP BY t.employee_id""",  # noqa: S608 - ON_DAY is a constant
        {"ids": employee_ids, "open": list(OPEN_STATES), "start": day_start, "end": day_end},
    )
    return {r["employee_id"]: r["open"] for r in rows}


def open_task_orders(db: Database, day_start: datetime, day_end: datetime) -> dict[int, list[int]]:
    """Every person's open tasks in planned order (the simulator follows dispatch with this)."""
    rows = db.fetch_all(
        """SELECT employee_id, array_agg(id ORDER BY planned_seq NULLS LAST, window_start, id) AS ids
           FROM tasks
           WHERE employee_id IS NOT NULL AND state = ANY(%s)
             AND ((window_start >= %s AND window_start < %s) OR window_start IS NULL)
           GROUP BY employee_id""",
        (list(OPEN_STATES), day_start, day_end),
    )
    return {r["employee_id"]: r["ids"] for r in rows}


def windows_of_day(db: Database, day_start: datetime, day_end: datetime) -> list[dict]:
    """Assigned tasks still open whose window ends in [day_start, day_end), with the customer's location, in each
    person's planned order: the alert rules' task timers and each person's next task."""
    return db.fetch_all(
        """SELECT t.id, t.employee_id, t.state, t.window_start, t.window_end, c.lat, c.lon
           FROM tasks t JOIN customers c ON c.id = t.customer_id
           WHERE t.employee_id IS NOT NULL AND t.state = ANY(%s) AND t.window_end >= %s AND t.window_end < %s
           ORDER BY t.employee_id, t.planned_seq NULLS LAST, t.window_start, t.id""",
        (list(OPEN_STATES), day_start, day_end),
    )


def task_ids_of(db: Database, employee_id: int, states: tuple[str, ...]) -> list[int]:
    """The ids of one person's tasks in these states, oldest first."""
    rows = db.fetch_all(
        "SELECT id FROM tasks WHERE employee_id = %s AND state = ANY(%s) ORDER BY id", (employee_id, list(states))
    )
    return [row["id"] for row in rows]
