"""Help alerts raised from the phone, open until a supervisor resolves them."""

from __future__ import annotations

from data import webhooks
from data.db import Database
from data.scope import Scope


def raise_alert(db: Database, employee_id: int, lat: float | None, lon: float | None, accuracy_m: float | None) -> int:
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO alerts (employee_id, lat, lon, accuracy_m) VALUES (%s, %s, %s, %s) RETURNING id, created_at",
            (employee_id, lat, lon, accuracy_m),
        )
        alert_id, created_at = cur.fetchone()
        point = {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}
        webhooks.enqueue(
            cur, "help.requested", {"alert_id": alert_id, "employee_id": employee_id, "at": created_at} | point
        )
        return alert_id


def open_alerts(db: Database, scope: Scope) -> list[dict]:
    """Unresolved alerts of the people in the viewer's scope, newest first."""
    return db.fetch_all(
        """SELECT a.id, a.employee_id, display_name(e) AS name, a.lat, a.lon, a.accuracy_m, a.created_at,
                  t.name AS team_name
           FROM alerts a JOIN employees e ON e.id = a.employee_id LEFT JOIN teams t ON t.id = e.team_id
           WHERE a.resolved_at IS NULL
             AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL OR e.id = %(employee)s)
           ORDER BY a.created_at DESC, a.id DESC""",
        {"teams": scope.team_filter(), "employee": scope.employee_id},
    )


def resolve(db: Database, alert_id: int, scope: Scope, user_id: int | None) -> bool:
    """Resolve an alert of someone in the viewer's scope; False when there is no such open alert."""
    return bool(
        db.execute(
            """UPDATE alerts a SET resolved_at = now(), resolved_by = %(user)s
               FROM employees e
               WHERE a.id = %(id)s AND e.id = a.employee_id AND a.resolved_at IS NULL
                 AND (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
                 AND (%(employee)s::int IS NULL OR e.id = %(employee)s)""",
            {"id": alert_id, "user": user_id, "teams": scope.team_filter(), "employee": scope.employee_id},
        )
    )
