"""Alert rules and the alerts they raise (issue 17): open → acknowledged → resolved, with who and when.

An alert is raised in one transaction with what announces it: the webhook `alert.raised` and one row in the
notifications' outbox (`alert_notifications`) per channel and recipient, so nothing is announced that was
not stored and nothing stored goes unannounced. At most one alert per rule, person and subject is
unresolved at a time (a unique index), and none is raised again within the rule's cooldown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg2.extensions import cursor as Cursor
from psycopg2.extras import Json

from data import webhooks
from data.db import Database
from data.scope import Scope

KINDS = (
    "silent",
    "idle",
    "zone_exit",
    "zone_enter",
    "task_not_arrived",
    "task_at_risk",
    "task_overdue",
    "low_battery",
    "speeding",
    "low_survey",
    "help",
    "tasks_freed",
    "low_trust_check_in",
    "customer_overdue",  # issue 21: evaluated by the writer on a timer (dashboard/writer/alerts.py)
)
# Built-in kinds raised by an event (the phone's help button; a deactivation freeing tasks), not by the writer's
# engine, the preview or a person's rule.
EVENT_KINDS = ("help", "tasks_freed")
SEVERITIES = ("info", "warning", "critical")
STATES = ("open", "acknowledged", "resolved")
CHANNELS = ("inbox", "email", "webpush", "robot")
ROBOT_KINDS = ("wecom", "dingtalk", "feishu")
RELATIVE_RECIPIENTS = ("person", "supervisors", "managers")

RULE_COLUMNS = """r.id, r.kind, r.name, r.severity, r.params, r.team_ids, r.employee_ids, r.zone_ids,
    r.working_hours_only, r.cooldown_min, r.recipients, r.channels, r.robot_ids, r.enabled, r.builtin,
    r.created_by, r.created_at, r.updated_at"""
RULE_FIELDS = (
    "kind",
    "name",
    "severity",
    "params",
    "team_ids",
    "employee_ids",
    "zone_ids",
    "working_hours_only",
    "cooldown_min",
    "recipients",
    "channels",
    "robot_ids",
    "enabled",
)

ALERT_COLUMNS = """a.id, a.rule_id, a.kind, a.severity, a.state, a.employee_id, display_name(e) AS name, e.code,
    e.team_id, t.name AS team_name, a.at, a.created_at, a.updated_at, a.subject, a.task_id, a.zone_id, a.detail,
    a.lat, a.lon, a.accuracy_m, a.acknowledged_at, a.acknowledged_by, a.resolved_at, a.resolved_by, a.resolution,
    r.name AS rule_name"""
ALERT_FROM = """alerts a JOIN employees e ON e.id = a.employee_id LEFT JOIN teams t ON t.id = e.team_id
    LEFT JOIN alert_rules r ON r.id = a.rule_id"""
IN_SCOPE = """(%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR e.id = %(employee)s)"""


def _scope(scope: Scope) -> dict:
    return {"teams": scope.team_filter(), "employee": scope.employee_id}


# ---- rules ---------------------------------------------------------------------------------------------------


def rules(db: Database, *, enabled_only: bool = False, team_ids: Sequence[int] | None = None) -> list[dict]:
    """Every rule, or those that touch one of `team_ids` (a rule for every team touches them all)."""
    return db.fetch_all(
        f"""SELECT {RULE_COLUMNS} FROM alert_rules r
            WHERE (NOT %(enabled_only)s OR r.enabled)
              AND (%(teams)s::int[] IS NULL OR r.team_ids IS NULL OR r.team_ids && %(teams)s)
            ORDER BY r.builtin DESC, r.id""",  # noqa: S608 - constants
        {"enabled_only": enabled_only, "teams": None if team_ids is None else list(team_ids)},
    )


def rule(db: Database, rule_id: int) -> dict | None:
    query = f"SELECT {RULE_COLUMNS} FROM alert_rules r WHERE r.id = %s"  # noqa: S608 - a constant
    return db.fetch_one(query, (rule_id,))


def builtin_rule(db: Database, kind: str) -> dict | None:
    query = f"SELECT {RULE_COLUMNS} FROM alert_rules r WHERE r.builtin AND r.kind = %s"  # noqa: S608 - a constant
    return db.fetch_one(query, (kind,))


def _rule_values(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: values[k] for k in RULE_FIELDS if k in values}
    for key in ("params", "recipients"):
        if key in out:
            out[key] = Json(out[key], dumps=lambda v: orjson.dumps(v).decode())
    return out


def create_rule(db: Database, values: dict[str, Any], created_by: int | None) -> int:
    """A rule from values already validated (dashboard/work/alerting.validate_rule)."""
    row = _rule_values(values) | {"created_by": created_by}
    columns = ", ".join(row)
    placeholders = ", ".join(f"%({k})s" for k in row)
    query = f"INSERT INTO alert_rules ({columns}) VALUES ({placeholders}) RETURNING id"  # noqa: S608 - RULE_FIELDS
    return db.fetch_one(query, row)["id"]


def update_rule(db: Database, rule_id: int, values: dict[str, Any]) -> bool:
    row = _rule_values(values)
    if not row:
        return rule(db, rule_id) is not None
    sets = ", ".join(f"{k} = %({k})s" for k in row)
    query = f"UPDATE alert_rules SET {sets}, updated_at = now() WHERE id = %(id)s"  # noqa: S608 - RULE_FIELDS
    return db.execute(query, row | {"id": rule_id}) > 0


def delete_rule(db: Database, rule_id: int) -> bool:
    """Remove a rule (not a built-in one); its alerts stay, with their rule's name gone."""
    return db.execute("DELETE FROM alert_rules WHERE id = %s AND NOT builtin", (rule_id,)) > 0


def mutes(db: Database, user_id: int) -> set[int]:
    return {r["rule_id"] for r in db.fetch_all("SELECT rule_id FROM alert_mutes WHERE user_id = %s", (user_id,))}


def set_muted(db: Database, user_id: int, rule_id: int, muted: bool) -> None:
    if muted:
        db.execute(
            "INSERT INTO alert_mutes (user_id, rule_id) VALUES (%s, %s) ON CONFLICT DO NOTHING", (user_id, rule_id)
        )
    else:
        db.execute("DELETE FROM alert_mutes WHERE user_id = %s AND rule_id = %s", (user_id, rule_id))


def recipient_users(db: Database, team_ids: Sequence[int] | None) -> list[dict]:
    """Users a rule may name as recipients (the roles that read alerts): supervisors and managers; for a viewer
    limited to `team_ids`, the supervisors of those teams and the managers."""
    return db.fetch_all(
        """SELECT u.id, u.username, u.role FROM users u
           WHERE NOT u.disabled AND u.role IN ('supervisor', 'manager')
             AND (%(teams)s::int[] IS NULL OR u.role = 'manager'
                  OR EXISTS (SELECT 1 FROM user_teams ut WHERE ut.user_id = u.id AND ut.team_id = ANY(%(teams)s)))
           ORDER BY u.username""",
        {"teams": None if team_ids is None else list(team_ids)},
    )


# ---- raising, acknowledging, resolving --------------------------------------------------------------------------

RAISE = """
INSERT INTO alerts (rule_id, kind, severity, employee_id, at, created_at, updated_at, subject, task_id, zone_id,
                    detail, lat, lon, accuracy_m)
SELECT %(rule_id)s, %(kind)s, %(severity)s, %(employee_id)s, %(at)s, %(now)s, %(now)s, %(subject)s, %(task_id)s,
       %(zone_id)s, %(detail)s, %(lat)s, %(lon)s, %(accuracy_m)s
WHERE NOT EXISTS (
    SELECT 1 FROM alerts p
    WHERE p.rule_id = %(rule_id)s AND p.employee_id = %(employee_id)s AND p.subject = %(subject)s
      AND p.created_at > %(now)s - make_interval(mins => %(cooldown_min)s))
ON CONFLICT (rule_id, employee_id, subject) WHERE state <> 'resolved' DO NOTHING
RETURNING id
"""

# Who a rule's alert about one person goes to: users by the rule's relative and named recipients, active ones
# only, and not those who muted the rule. Relative: the person's own account, the supervisors of their team,
# managers (unscoped, or scoped to that team).
RECIPIENTS = """
SELECT DISTINCT u.id FROM users u, employees e, alert_rules r
WHERE e.id = %(employee_id)s AND r.id = %(rule_id)s AND NOT u.disabled
  AND NOT EXISTS (SELECT 1 FROM alert_mutes m WHERE m.user_id = u.id AND m.rule_id = r.id)
  AND (   (r.recipients @> '["person"]' AND u.employee_id = e.id AND u.role = 'field')
       OR (r.recipients @> '["supervisors"]' AND u.role = 'supervisor'
           AND EXISTS (SELECT 1 FROM user_teams ut WHERE ut.user_id = u.id AND ut.team_id = e.team_id))
       OR (r.recipients @> '["managers"]' AND u.role = 'manager'
           AND (NOT EXISTS (SELECT 1 FROM user_teams ut WHERE ut.user_id = u.id)
                OR EXISTS (SELECT 1 FROM user_teams ut WHERE ut.user_id = u.id AND ut.team_id = e.team_id)))
       OR r.recipients @> jsonb_build_array(jsonb_build_object('user', u.id)))
ORDER BY u.id
"""


def recipients(cur: Cursor, rule_id: int, employee_id: int) -> list[int]:
    cur.execute(RECIPIENTS, {"rule_id": rule_id, "employee_id": employee_id})
    return [row[0] if isinstance(row, tuple) else row["id"] for row in cur.fetchall()]


def raise_alert(
    db: Database,
    rule: dict,
    employee_id: int,
    at: datetime,
    *,
    subject: str = "",
    task_id: int | None = None,
    zone_id: int | None = None,
    detail: dict | None = None,
    point: tuple[float | None, float | None, float | None] = (None, None, None),
    now: datetime | None = None,
) -> int | None:
    """Raise `rule`'s alert about a person; None when one is already open or the cooldown holds.

    In the same transaction: the webhook `alert.raised` and the outbox rows of its notifications."""
    now = now or datetime.now(UTC)
    with db.transaction() as conn, conn.cursor() as cur:
        return raise_in(cur, rule, employee_id, at, subject, task_id, zone_id, detail, point, now)


def raise_in(
    cur: Cursor,
    rule: dict,
    employee_id: int,
    at: datetime,
    subject: str,
    task_id: int | None,
    zone_id: int | None,
    detail: dict | None,
    point: tuple[float | None, float | None, float | None],
    now: datetime,
) -> int | None:
    lat, lon, accuracy_m = point
    params = {
        "rule_id": rule["id"],
        "kind": rule["kind"],
        "severity": rule["severity"],
        "employee_id": employee_id,
        "at": at,
        "now": now,
        "subject": subject,
        "task_id": task_id,
        "zone_id": zone_id,
        "detail": Json(detail or {}, dumps=lambda v: orjson.dumps(v, default=str).decode()),
        "lat": lat,
        "lon": lon,
        "accuracy_m": accuracy_m,
        "cooldown_min": rule["cooldown_min"],
    }
    cur.execute(RAISE, params)
    row = cur.fetchone()
    if row is None:
        return None
    alert_id = row[0]
    webhooks.enqueue(cur, "alert.raised", _announcement(alert_id, rule, employee_id, at, subject, detail, point))
    _enqueue_notifications(cur, alert_id, rule, employee_id, now)
    return alert_id


def _announcement(
    alert_id: int, rule: dict, employee_id: int, at: datetime, subject: str, detail: dict | None, point: tuple
) -> dict:
    lat, lon, accuracy_m = point
    return {
        "alert_id": alert_id,
        "rule_id": rule["id"],
        "kind": rule["kind"],
        "severity": rule["severity"],
        "employee_id": employee_id,
        "at": at,
        "subject": subject,
        "detail": detail or {},
        "lat": lat,
        "lon": lon,
        "accuracy_m": accuracy_m,
    }


def _enqueue_notifications(cur: Cursor, alert_id: int, rule: dict, employee_id: int, now: datetime) -> None:
    channels = set(rule["channels"])
    users = recipients(cur, rule["id"], employee_id) if channels & {"email", "webpush"} else []
    rows = [
        (alert_id, channel, user, None) for channel in ("email", "webpush") if channel in channels for user in users
    ]
    if "robot" in channels:
        cur.execute("SELECT id FROM alert_robots WHERE active AND id = ANY(%s) ORDER BY id", (list(rule["robot_ids"]),))
        rows += [(alert_id, "robot", None, robot_id) for (robot_id,) in cur.fetchall()]
    for alert, channel, user, robot in rows:
        cur.execute(
            """INSERT INTO alert_notifications
                   (alert_id, event, channel, user_id, robot_id, created_at, next_attempt_at)
               VALUES (%s, 'raised', %s, %s, %s, %s, %s)""",
            (alert, channel, user, robot, now, now),
        )


def raise_help(
    db: Database,
    employee_id: int,
    lat: float | None,
    lon: float | None,
    accuracy_m: float | None,
    now: datetime | None = None,
) -> int:
    """The phone's help button: the built-in critical rule's alert at the phone's position. A second press while
    it is still open moves the open alert to the new position; each press is announced (`help.requested`)."""
    now = now or datetime.now(UTC)
    rule = builtin_rule(db, "help")
    point = (lat, lon, accuracy_m)
    alert_id = raise_alert(db, rule | {"cooldown_min": 0}, employee_id, now, point=point, now=now)
    with db.transaction() as conn, conn.cursor() as cur:
        if alert_id is None:
            cur.execute(
                """UPDATE alerts SET lat = %s, lon = %s, accuracy_m = %s, at = %s, updated_at = %s
                   WHERE rule_id = %s AND employee_id = %s AND subject = '' AND state <> 'resolved' RETURNING id""",
                (lat, lon, accuracy_m, now, now, rule["id"], employee_id),
            )
            alert_id = cur.fetchone()[0]
        webhooks.enqueue(
            cur,
            "help.requested",
            {
                "alert_id": alert_id,
                "employee_id": employee_id,
                "at": now,
                "lat": lat,
                "lon": lon,
                "accuracy_m": accuracy_m,
            },
        )
    return alert_id


def _change_state(db: Database, alert_id: int, scope: Scope, sets: str, when: str, params: dict) -> dict | None:
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            f"""UPDATE alerts a SET {sets}, updated_at = %(now)s
                FROM employees e
                WHERE a.id = %(id)s AND e.id = a.employee_id AND {when} AND {IN_SCOPE}
                RETURNING a.id, a.rule_id, a.kind, a.severity, a.employee_id, a.subject, a.state,
                          a.resolution""",  # noqa: S608 - constants
            params | {"id": alert_id} | _scope(scope),
        )
        row = cur.fetchone()
        if row is None:
            return None
        names = ("id", "rule_id", "kind", "severity", "employee_id", "subject", "state", "resolution")
        changed = dict(zip(names, row, strict=True))
        if changed["state"] == "resolved":
            announced = {key: value for key, value in changed.items() if key != "id"}  # `alert_id`, as on `clear`
            webhooks.enqueue(cur, "alert.resolved", {"alert_id": alert_id, "at": params["now"]} | announced)
        return changed


def acknowledge(db: Database, alert_id: int, scope: Scope, user_id: int | None, now: datetime | None = None) -> bool:
    """An open alert of someone in the viewer's scope is taken in hand; False when there is no such open alert."""
    return (
        _change_state(
            db,
            alert_id,
            scope,
            "state = 'acknowledged', acknowledged_at = %(now)s, acknowledged_by = %(user)s",
            "a.state = 'open'",
            {"now": now or datetime.now(UTC), "user": user_id},
        )
        is not None
    )


def resolve(db: Database, alert_id: int, scope: Scope, user_id: int | None, now: datetime | None = None) -> bool:
    """Resolve an unresolved alert of someone in the viewer's scope; False when there is no such alert."""
    return (
        _change_state(
            db,
            alert_id,
            scope,
            "state = 'resolved', resolved_at = %(now)s, resolved_by = %(user)s, resolution = 'resolved'",
            "a.state <> 'resolved'",
            {"now": now or datetime.now(UTC), "user": user_id},
        )
        is not None
    )


def clear(db: Database, rule_id: int, employee_id: int, subject: str = "", now: datetime | None = None) -> int | None:
    """The condition ended (the device reports again, the person moves on): the rule's unresolved alert about the
    person is resolved by the system (resolution "cleared"). Returns its id, or None when none was open."""
    with db.transaction() as conn, conn.cursor() as cur:
        return _clear_in(cur, rule_id, employee_id, subject, now or datetime.now(UTC))


def _clear_in(cur: Cursor, rule_id: int, employee_id: int, subject: str, now: datetime) -> int | None:
    cur.execute(
        """UPDATE alerts SET state = 'resolved', resolved_at = %(now)s, resolution = 'cleared', updated_at = %(now)s
           WHERE rule_id = %(rule)s AND employee_id = %(employee)s AND subject = %(subject)s
             AND state <> 'resolved'
           RETURNING id, kind, severity""",
        {"now": now, "rule": rule_id, "employee": employee_id, "subject": subject},
    )
    row = cur.fetchone()
    if row is None:
        return None
    alert_id, kind, severity = row
    webhooks.enqueue(
        cur,
        "alert.resolved",
        {
            "alert_id": alert_id,
            "rule_id": rule_id,
            "kind": kind,
            "severity": severity,
            "employee_id": employee_id,
            "subject": subject,
            "state": "resolved",
            "resolution": "cleared",
            "at": now,
        },
    )
    return alert_id


@dataclass(frozen=True)
class Raise:
    """One alert to raise (data/alerts.raise_alert's arguments), in a batch of changes."""

    rule: dict
    employee_id: int
    at: datetime
    subject: str = ""
    task_id: int | None = None
    zone_id: int | None = None
    detail: dict | None = None
    point: tuple[float | None, float | None, float | None] = (None, None, None)


@dataclass(frozen=True)
class Clear:
    """One rule's open alert about a person to resolve as "cleared", in a batch of changes."""

    rule_id: int
    employee_id: int
    subject: str = ""


def apply(db: Database, changes: Sequence[Raise | Clear], now: datetime | None = None) -> list[int | None]:
    """Raise and clear in order, in ONE transaction (the writer's batch: one commit, not one per alert). Each
    answer is the alert's id, or None as raise_alert and clear give it."""
    now = now or datetime.now(UTC)
    done: list[int | None] = []
    with db.transaction() as conn, conn.cursor() as cur:
        for change in changes:
            if isinstance(change, Raise):
                done.append(
                    raise_in(
                        cur,
                        change.rule,
                        change.employee_id,
                        change.at,
                        change.subject,
                        change.task_id,
                        change.zone_id,
                        change.detail,
                        change.point,
                        now,
                    )
                )
            else:
                done.append(_clear_in(cur, change.rule_id, change.employee_id, change.subject, now))
    return done


# ---- reading ----------------------------------------------------------------------------------------------------


def open_alerts(db: Database, scope: Scope, *, min_severity: str = "info") -> list[dict]:
    """Unresolved alerts of the people in the viewer's scope, newest first."""
    return db.fetch_all(
        f"""SELECT {ALERT_COLUMNS} FROM {ALERT_FROM}
            WHERE a.state <> 'resolved' AND {IN_SCOPE}
              AND array_position(%(severities)s::text[], a.severity) >= array_position(%(severities)s::text[], %(min)s)
            ORDER BY a.created_at DESC, a.id DESC""",  # noqa: S608 - constants
        _scope(scope) | {"severities": list(SEVERITIES), "min": min_severity},
    )


def open_count(db: Database, scope: Scope) -> int:
    """Unresolved alerts in the viewer's scope (the shell's bell)."""
    return db.fetch_one(
        f"""SELECT count(*) AS n FROM alerts a JOIN employees e ON e.id = a.employee_id
            WHERE a.state <> 'resolved' AND {IN_SCOPE}""",  # noqa: S608 - a constant
        _scope(scope),
    )["n"]


def get_alert(db: Database, alert_id: int, scope: Scope) -> dict | None:
    query = f"SELECT {ALERT_COLUMNS} FROM {ALERT_FROM} WHERE a.id = %(id)s AND {IN_SCOPE}"  # noqa: S608 - constants
    return db.fetch_one(query, {"id": alert_id} | _scope(scope))


def list_alerts(
    db: Database,
    scope: Scope,
    *,
    states: Sequence[str] | None = None,
    severities: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    team_id: int | None = None,
    employee_id: int | None = None,
    updated_since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 100,
) -> list[dict]:
    """Alerts in the viewer's scope, filtered, oldest change first (cursor `after` = (updated_at, id) of the last
    row read), for the inbox and the API."""
    return db.fetch_all(
        f"""SELECT {ALERT_COLUMNS} FROM {ALERT_FROM}
            WHERE {IN_SCOPE}
              AND (%(states)s::text[] IS NULL OR a.state = ANY(%(states)s))
              AND (%(severities)s::text[] IS NULL OR a.severity = ANY(%(severities)s))
              AND (%(kinds)s::text[] IS NULL OR a.kind = ANY(%(kinds)s))
              AND (%(team)s::int IS NULL OR e.team_id = %(team)s)
              AND (%(person)s::int IS NULL OR e.id = %(person)s)
              AND (%(since)s::timestamptz IS NULL OR a.updated_at >= %(since)s)
              AND (%(after_at)s::timestamptz IS NULL OR (a.updated_at, a.id) > (%(after_at)s, %(after_id)s))
            ORDER BY a.updated_at, a.id
            LIMIT %(limit)s""",  # noqa: S608 - constants
        _scope(scope)
        | {
            "states": list(states) if states else None,
            "severities": list(severities) if severities else None,
            "kinds": list(kinds) if kinds else None,
            "team": team_id,
            "person": employee_id,
            "since": updated_since,
            "after_at": after[0] if after else None,
            "after_id": after[1] if after else None,
            "limit": limit,
        },
    )


def history_for_preview(db: Database, rule_id: int, since: datetime, until: datetime) -> int:
    """How many alerts a rule raised in a period (the rule page shows it beside the preview)."""
    return db.fetch_one(
        "SELECT count(*) AS n FROM alerts WHERE rule_id = %s AND created_at >= %s AND created_at < %s",
        (rule_id, since, until),
    )["n"]


def unresolved_of_kinds(db: Database, kinds: Sequence[str]) -> list[dict]:
    """(rule_id, kind, employee_id, subject, task_id) of every unresolved alert of these kinds: what the writer's
    rules have raised and may clear, read again when a writer starts."""
    return db.fetch_all(
        """SELECT rule_id, kind, employee_id, subject, task_id FROM alerts
           WHERE state <> 'resolved' AND rule_id IS NOT NULL AND kind = ANY(%s)""",
        (list(kinds),),
    )


INBOX_COLUMNS = f"""{ALERT_COLUMNS}, e.name AS plain_name, ua.username AS acknowledged_by_name,
    ur.username AS resolved_by_name"""
INBOX_FROM = (
    f"""{ALERT_FROM} LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users ur ON ur.id = a.resolved_by"""
)


def inbox(
    db: Database,
    scope: Scope,
    *,
    alert_id: int | None = None,
    states: Sequence[str] | None = None,
    severities: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    team_id: int | None = None,
    limit: int = 500,
) -> list[dict]:
    """The inbox's alerts in the viewer's scope, newest event first, with the names of who acknowledged and who
    resolved them (and the person's plain name beside display_name); `alert_id`: that one alert only."""
    return db.fetch_all(
        f"""SELECT {INBOX_COLUMNS} FROM {INBOX_FROM}
            WHERE {IN_SCOPE}
              AND (CAST(%(id)s AS bigint) IS NULL OR a.id = %(id)s)
              AND (%(states)s::text[] IS NULL OR a.state = ANY(%(states)s))
              AND (%(severities)s::text[] IS NULL OR a.severity = ANY(%(severities)s))
              AND (%(kinds)s::text[] IS NULL OR a.kind = ANY(%(kinds)s))
              AND (%(team)s::int IS NULL OR e.team_id = %(team)s)
            ORDER BY a.at DESC, a.id DESC
            LIMIT %(limit)s""",  # noqa: S608 - constants
        _scope(scope)
        | {
            "id": alert_id,
            "states": list(states) if states else None,
            "severities": list(severities) if severities else None,
            "kinds": list(kinds) if kinds else None,
            "team": team_id,
            "limit": limit,
        },
    )


def open_count_by_severity(db: Database, scope: Scope) -> dict[str, int]:
    """Unresolved alerts in the viewer's scope per severity (the bell: red for warnings and criticals)."""
    rows = db.fetch_all(
        f"""SELECT a.severity, count(*) AS n FROM alerts a JOIN employees e ON e.id = a.employee_id
            WHERE a.state <> 'resolved' AND {IN_SCOPE} GROUP BY a.severity""",  # noqa: S608 - a constant
        _scope(scope),
    )
    return {severity: 0 for severity in SEVERITIES} | {r["severity"]: r["n"] for r in rows}


def open_alerts_placed(db: Database, scope: Scope) -> list[dict]:
    """Unresolved alerts in the viewer's scope with the place each is about (`zone_name`, the task's
    `customer_name`), the most severe first, then the newest: the live map's list and the wall's panel."""
    return db.fetch_all(
        f"""SELECT {ALERT_COLUMNS}, z.name AS zone_name, c.name AS customer_name
            FROM {ALERT_FROM}
                 LEFT JOIN zones z ON z.id = a.zone_id
                 LEFT JOIN tasks k ON k.id = a.task_id
                 LEFT JOIN customers c ON c.id = k.customer_id
            WHERE a.state <> 'resolved' AND {IN_SCOPE}
            ORDER BY array_position(%(severities)s::text[], a.severity) DESC, a.created_at DESC, a.id DESC""",  # noqa: S608 - constants
        _scope(scope) | {"severities": list(SEVERITIES)},
    )


# ---- chat robots and Web Push subscriptions ------------------------------------------------------------------------


def robots(db: Database) -> list[dict]:
    return db.fetch_all("SELECT id, kind, name, url, secret, active, created_at FROM alert_robots ORDER BY id")


def create_robot(db: Database, kind: str, name: str, url: str, secret: str | None, created_by: int | None) -> int:
    return db.fetch_one(
        "INSERT INTO alert_robots (kind, name, url, secret, created_by) VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (kind, name, url, secret, created_by),
    )["id"]


def delete_robot(db: Database, robot_id: int) -> bool:
    return db.execute("DELETE FROM alert_robots WHERE id = %s", (robot_id,)) > 0


def save_push_subscription(db: Database, user_id: int, endpoint: str, p256dh: str, auth: str) -> None:
    db.execute(
        """INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES (%s, %s, %s, %s)
           ON CONFLICT (endpoint)
           DO UPDATE SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth""",
        (user_id, endpoint, p256dh, auth),
    )


def push_subscriptions(db: Database, user_id: int) -> list[dict]:
    return db.fetch_all(
        "SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = %s ORDER BY id", (user_id,)
    )


def delete_push_subscription(db: Database, endpoint: str) -> None:
    db.execute("DELETE FROM push_subscriptions WHERE endpoint = %s", (endpoint,))
