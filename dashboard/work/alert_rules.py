"""Making, changing, removing and muting alert rules for a viewer (issue 17): the rules page calls these, each
checks who may (alerting.may_manage) and validates (alerting.validate_rule) before it writes, and refuses with
an AppError (403 not theirs, 404 not in their view, 400 a field, naming it)."""

from __future__ import annotations

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.permissions import Viewer
from dashboard.core.runtime import Runtime
from dashboard.work.alerting import KINDS, may_manage, validate_rule
from data import alerts

PARAM_KEYS = tuple(dict.fromkeys(p.key for kind in KINDS.values() for p in kind.params))  # minutes, percent, …
# The fields a rule's validation may name, each with its place for the message (alert-rule-error-<name>).
ERROR_FIELDS = (
    "kind",
    "name",
    "severity",
    *PARAM_KEYS,
    "from",
    "team_ids",
    "employee_ids",
    "zone_ids",
    "cooldown_min",
    "recipients",
    "channels",
    "robot_ids",
)


def visible_rules(rt: Runtime, viewer: Viewer) -> list[dict]:
    """The rules a viewer sees: every rule for managers and admins, a supervisor's those touching their teams."""
    team_ids = None if viewer.scope.team_ids is None else sorted(viewer.scope.team_ids)
    return alerts.rules(rt.db, team_ids=team_ids)


def visible_rule(rt: Runtime, viewer: Viewer, rule_id: int) -> dict:
    found = next((r for r in visible_rules(rt, viewer) if r["id"] == rule_id), None)
    if found is None:
        raise AppError(404, "not_found", _("This rule is not in your view."))
    return found


def save_rule(rt: Runtime, viewer: Viewer, values: dict, rule_id: int | None = None) -> int:
    """Create a rule (rule_id None) or change one the viewer manages; returns its id."""
    existing = None if rule_id is None else visible_rule(rt, viewer, rule_id)
    if existing is not None and not may_manage(viewer, existing):
        raise AppError(403, "forbidden", _("You can read this rule but not change it."))
    rule = validate_rule(values, viewer, existing=existing)
    if existing is None:
        return alerts.create_rule(rt.db, rule, viewer.user_id)
    alerts.update_rule(rt.db, existing["id"], rule)
    return existing["id"]


def delete_rule(rt: Runtime, viewer: Viewer, rule_id: int) -> None:
    """Remove a rule the viewer manages; the built-in rules (help, tasks freed) stay."""
    existing = visible_rule(rt, viewer, rule_id)
    if existing["builtin"]:
        raise AppError(400, "builtin", _("A built-in rule cannot be deleted."))
    if not may_manage(viewer, existing):
        raise AppError(403, "forbidden", _("You can read this rule but not change it."))
    alerts.delete_rule(rt.db, rule_id)


def muted(rt: Runtime, viewer: Viewer, rule_id: int) -> bool:
    return viewer.user_id is not None and rule_id in alerts.mutes(rt.db, viewer.user_id)


def set_muted(rt: Runtime, viewer: Viewer, rule_id: int, mute: bool) -> bool:
    """Mute (or unmute) a rule the viewer sees, for the viewer only; returns whether that changed anything."""
    visible_rule(rt, viewer, rule_id)
    if viewer.user_id is None:
        raise AppError(403, "forbidden", _("Only a signed-in user can mute a rule."))
    if muted(rt, viewer, rule_id) == mute:
        return False
    alerts.set_muted(rt.db, viewer.user_id, rule_id, mute)
    return True
