"""Alert rules (issue 17): what each kind of rule means, its parameters, who may make one, and raising
its alert. Events (geofence crossings, stays, visits, task changes) are not alerts; an alert is what a rule
raises for a person to act on.

Where each kind is evaluated:
- in the writer's stream (dashboard/writer/alerts.py): silent, idle, zone_exit, zone_enter, low_battery,
  speeding, task_at_risk, and the timers of task_not_arrived and task_overdue (data/alert_state.py);
  customer_overdue on the writer's clock, every few minutes (issue 21: about the customer's owner);
- where the event happens: help (the phone, data/alerts.raise_help), low_survey (the survey's answer),
  low_trust_check_in (the phone's check-in, dashboard/work/phone.raise_low_trust), tasks_freed
  (a deactivation, dashboard/work/people.deactivate_person).

A rule applies to a person when they are in its scope (teams, people), and — unless the rule says
otherwise — only while they are tracked: inside their working hours and not paused. A fix older than the
rule's own window when it reaches the writer (a device's offline buffer) raises nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.permissions import Viewer
from dashboard.core.runtime import Runtime
from dashboard.ingest.privacy import tracking_policy
from data import alerts
from data.alert_state import AlertState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Param:
    """One parameter of a rule kind: its key, its unit's label, its default and its bounds."""

    key: str
    label: str
    default: float
    low: float
    high: float


@dataclass(frozen=True)
class Kind:
    key: str
    severity: str  # the default severity of a new rule of this kind
    params: tuple[Param, ...] = ()
    zones: bool = False  # the rule names the zones it watches
    window: bool = False  # the rule may hold only in a daily time window (from, to)
    user_made: bool = True  # help and tasks_freed are built in, one rule each


def _minutes(default: float, high: float = 24 * 60) -> Param:
    return Param("minutes", "minutes", default, 1, high)


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("silent", "warning", (_minutes(10),)),
        Kind("idle", "warning", (_minutes(15),)),
        Kind("zone_exit", "warning", zones=True, window=True),
        Kind("zone_enter", "info", zones=True, window=True),
        Kind("task_not_arrived", "warning"),
        Kind("task_at_risk", "warning"),
        Kind("task_overdue", "warning", (_minutes(30),)),
        Kind("low_battery", "info", (Param("percent", "%", 15, 1, 99),)),
        Kind("speeding", "warning", (Param("kmh", "km/h", 90, 10, 300), Param("seconds", "s", 30, 0, 3600))),
        Kind("low_survey", "warning", (Param("stars", "stars", 2, 1, 4),)),
        Kind("help", "critical", user_made=False),
        Kind("tasks_freed", "warning", user_made=False),
        Kind("low_trust_check_in", "warning", (Param("score", "points", 40, 1, 99),)),
        Kind("customer_overdue", "warning", (Param("days", "days", 7, 1, 365),)),
    )
}
assert tuple(KINDS) == alerts.KINDS  # the database's list and this one are the same


def kind_label(kind: str, language: str | None = None) -> str:
    """A kind's name in the viewer's language."""
    labels = {
        "silent": _("Device silent", language),
        "idle": _("Idle away from customers", language),
        "zone_exit": _("Left a zone", language),
        "zone_enter": _("Entered a zone", language),
        "task_not_arrived": _("Not arrived by the end of the task's window", language),
        "task_at_risk": _("Task at risk (arrival expected after its window)", language),
        "task_overdue": _("Task overdue", language),
        "low_battery": _("Low battery", language),
        "speeding": _("Speeding", language),
        "low_survey": _("Customer survey of 2 stars or fewer", language),
        "help": _("Help requested", language),
        "tasks_freed": _("Tasks freed by a deactivation", language),
        "low_trust_check_in": _("Check-in trust score low", language),
        "customer_overdue": _("Customer overdue for a visit", language),
    }
    return labels.get(kind, kind)


def unit_label(param: Param) -> str:
    """A parameter's unit in the viewer's language."""
    units = {
        "minutes": _("min"),
        "s": _("s"),
        "stars": _("stars"),
        "points": _("points"),
        "days": _("days"),
        "%": "%",
        "km/h": "km/h",
    }
    return units.get(param.label, param.label)


def severity_label(severity: str, language: str | None = None) -> str:
    """A severity's word in the viewer's (or the recipient's) language: every surface names it so."""
    labels = {"info": _("Info", language), "warning": _("Warning", language), "critical": _("Critical", language)}
    return labels.get(severity, severity)


def state_label(state: str) -> str:
    return {"open": _("Open"), "acknowledged": _("Acknowledged"), "resolved": _("Resolved")}.get(state, state)


def params_of(rule: dict) -> dict[str, float]:
    """A rule's parameters with each kind's defaults filled in."""
    kind = KINDS[rule["kind"]]
    given = rule.get("params") or {}
    return {p.key: float(given.get(p.key, p.default)) for p in kind.params}


def window_of(rule: dict) -> tuple[clock, clock] | None:
    """The daily window (local from, to) a zone rule holds in, if it has one."""
    given = rule.get("params") or {}
    if not (given.get("from") and given.get("to")):
        return None
    return clock.fromisoformat(given["from"]), clock.fromisoformat(given["to"])


def in_window(window: tuple[clock, clock] | None, local: datetime) -> bool:
    if window is None:
        return True
    starts, ends = window
    now = local.time()
    return starts <= now < ends if starts <= ends else now >= starts or now < ends  # a window across midnight


def covers(rule: dict, employee_id: int, team_id: int | None) -> bool:
    """Whether a rule's scope takes in this person."""
    if rule["employee_ids"] is not None and employee_id not in rule["employee_ids"]:
        return False
    return rule["team_ids"] is None or team_id in rule["team_ids"]


def watches_zone(rule: dict, zone_id: int, zone_kind: str) -> bool:
    """A zone rule watches the zones it names; one that names none watches the work areas (not every customer's
    site, which would raise at every visit)."""
    return zone_kind == "work_area" if rule["zone_ids"] is None else zone_id in rule["zone_ids"]


def holds_now(rt: Runtime, rule: dict, employee_id: int, ts_ms: int) -> bool:
    """Working hours are the rule's calendar unless it says otherwise: a paused person, or one outside their
    hours, raises nothing (a paused person raises nothing whatever the rule says)."""
    policy = tracking_policy(rt)
    if employee_id in policy.refresh().paused:
        return False
    return not rule["working_hours_only"] or policy.tracks(employee_id, ts_ms)


# ---- making and changing rules --------------------------------------------------------------------------------


def _number(value: object, param: Param) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AppError(
            400, "invalid_rule", _("{field} must be a number.", field=param.key), field=f"params.{param.key}"
        )
    try:
        number = float(value)
    except ValueError:
        raise AppError(
            400, "invalid_rule", _("{field} must be a number.", field=param.key), field=f"params.{param.key}"
        ) from None
    if not param.low <= number <= param.high:
        raise AppError(
            400,
            "invalid_rule",
            _(
                "{field} must be between {low} and {high}.",
                field=param.key,
                low=f"{param.low:g}",
                high=f"{param.high:g}",
            ),
            field=f"params.{param.key}",
        )
    return number


def _ids(value: object, field: str) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31 for v in value
    ):
        raise AppError(400, "invalid_rule", _("{field} must be a list of ids.", field=field), field=field)
    return sorted(set(value)) or None


def validate_rule(values: object, viewer: Viewer, *, existing: dict | None = None) -> dict:
    """A rule's fields checked and normalised, or AppError 400 naming the field. A supervisor's rule must be for
    their own teams (it is narrowed to them when it names none); a built-in rule changes only in its
    recipients, channels and robots."""
    if not isinstance(values, dict):
        raise AppError(400, "invalid_rule", _("A rule is an object."))
    merged = (existing or {}) | values
    kind_key = merged.get("kind")
    if kind_key not in KINDS or (existing is None and not KINDS[kind_key].user_made):
        raise AppError(400, "invalid_rule", _("Choose a kind of rule."), field="kind")
    if existing is not None and values.get("kind", kind_key) != existing["kind"]:
        raise AppError(400, "invalid_rule", _("A rule's kind cannot change."), field="kind")
    kind = KINDS[kind_key]
    name = merged.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 120 or "\x00" in name:
        raise AppError(400, "invalid_rule", _("Give the rule a name of at most 120 characters."), field="name")
    severity = merged.get("severity") or kind.severity
    if severity not in alerts.SEVERITIES:
        raise AppError(400, "invalid_rule", _("Severity is info, warning or critical."), field="severity")
    given = merged.get("params") or {}
    if not isinstance(given, dict):
        raise AppError(400, "invalid_rule", _("{field} must be an object.", field="params"), field="params")
    params: dict[str, object] = {p.key: _number(given.get(p.key, p.default), p) for p in kind.params}
    if kind.window and (given.get("from") or given.get("to")):
        try:
            clock.fromisoformat(str(given.get("from"))), clock.fromisoformat(str(given.get("to")))
        except ValueError:
            raise AppError(400, "invalid_rule", _("A time window is two times, HH:MM."), field="params.from") from None
        params |= {"from": str(given["from"])[:5], "to": str(given["to"])[:5]}
    team_ids = _ids(merged.get("team_ids"), "team_ids")
    if viewer.role == "supervisor":
        own = sorted(viewer.scope.team_ids or ())
        if team_ids is None:
            team_ids = own or [0]
        elif not set(team_ids) <= set(own):
            raise AppError(403, "forbidden", _("A supervisor's rules are for their own teams."), field="team_ids")
    cooldown = merged.get("cooldown_min", 30)
    if isinstance(cooldown, bool) or not isinstance(cooldown, int) or not 0 <= cooldown <= 10080:
        raise AppError(400, "invalid_rule", _("The cooldown is whole minutes, 0 to 10080."), field="cooldown_min")
    recipients = merged.get("recipients", ["supervisors"])
    if not isinstance(recipients, list) or not all(
        r in alerts.RELATIVE_RECIPIENTS or (isinstance(r, dict) and set(r) == {"user"} and isinstance(r["user"], int))
        for r in recipients
    ):
        raise AppError(
            400,
            "invalid_rule",
            _("Recipients are the person, supervisors, managers or named users."),
            field="recipients",
        )
    channels = merged.get("channels", ["inbox"])
    if not isinstance(channels, list) or not set(channels) <= set(alerts.CHANNELS):
        raise AppError(400, "invalid_rule", _("Channels are inbox, email, webpush and robot."), field="channels")
    rule = {
        "kind": kind_key,
        "name": name.strip(),
        "severity": severity,
        "params": params,
        "team_ids": team_ids,
        "employee_ids": _ids(merged.get("employee_ids"), "employee_ids"),
        "zone_ids": _ids(merged.get("zone_ids"), "zone_ids") if kind.zones else None,
        "working_hours_only": bool(merged.get("working_hours_only", True)),
        "cooldown_min": cooldown,
        "recipients": recipients,
        "channels": sorted(set(channels) | {"inbox"}),
        "robot_ids": _ids(merged.get("robot_ids"), "robot_ids") or [],
        "enabled": bool(merged.get("enabled", True)),
    }
    if existing is not None and existing["builtin"]:
        unchanged = {k: existing[k] for k in rule if k not in ("recipients", "channels", "robot_ids", "enabled")}
        rule |= unchanged | {"enabled": True}
    return rule


def may_manage(viewer: Viewer, rule: dict) -> bool:
    """Managers and admins manage every rule; a supervisor those for their own teams only."""
    if viewer.role in ("manager", "admin"):
        return True
    if viewer.role != "supervisor" or rule["team_ids"] is None:
        return False
    return set(rule["team_ids"]) <= set(viewer.scope.team_ids or ())


# ---- raising ----------------------------------------------------------------------------------------------------


def state(rt: Runtime) -> AlertState:
    """The runtime's one AlertState (timers, memory, version) in the feed's Redis."""
    if "alert_state" not in rt.extensions:
        rt.extensions["alert_state"] = AlertState(rt.feed.client, rt.feed.prefix)
    return rt.extensions["alert_state"]


def raise_alert(
    rt: Runtime,
    rule: dict,
    employee_id: int,
    at_ms: int,
    *,
    subject: str = "",
    task_id: int | None = None,
    zone_id: int | None = None,
    detail: dict | None = None,
    point: tuple[float | None, float | None, float | None] = (None, None, None),
) -> int | None:
    """Raise a rule's alert at the moment the condition held (event time). None when one is open already or
    the cooldown holds. Pages see the new alert on their next refresh (the alerts' version moves)."""
    at = datetime.fromtimestamp(at_ms / 1000, UTC)
    alert_id = alerts.raise_alert(
        rt.db, rule, employee_id, at, subject=subject, task_id=task_id, zone_id=zone_id, detail=detail, point=point
    )
    if alert_id is not None:
        state(rt).bump()
        log.info("Alert %s raised: rule %s (%s) for employee %s", alert_id, rule["id"], rule["kind"], employee_id)
    return alert_id


def apply(rt: Runtime, changes: list[alerts.Raise | alerts.Clear]) -> list[int | None]:
    """Raise and clear a batch's alerts in one transaction (the writer), moving the alerts' version once."""
    done = alerts.apply(rt.db, changes)
    if any(alert_id is not None for alert_id in done):
        state(rt).bump()
        for change, alert_id in zip(changes, done, strict=True):
            if alert_id is not None and isinstance(change, alerts.Raise):
                log.info(
                    "Alert %s raised: rule %s (%s) for employee %s",
                    alert_id,
                    change.rule["id"],
                    change.rule["kind"],
                    change.employee_id,
                )
    return done


def clear(rt: Runtime, rule: dict, employee_id: int, subject: str = "") -> int | None:
    """The condition ended: the rule's open alert about the person is resolved as "cleared"."""
    alert_id = alerts.clear(rt.db, rule["id"], employee_id, subject)
    if alert_id is not None:
        state(rt).bump()
    return alert_id


def acknowledge(rt: Runtime, viewer: Viewer, alert_id: int) -> bool:
    done = alerts.acknowledge(rt.db, alert_id, viewer.scope, viewer.user_id)
    if done:
        state(rt).bump()
    return done


def resolve(rt: Runtime, viewer: Viewer, alert_id: int) -> bool:
    done = alerts.resolve(rt.db, alert_id, viewer.scope, viewer.user_id)
    if done:
        state(rt).bump()
    return done


def raise_help(rt: Runtime, employee_id: int, point: tuple[float | None, float | None, float | None]) -> int:
    alert_id = alerts.raise_help(rt.db, employee_id, *point)
    state(rt).bump()
    return alert_id
