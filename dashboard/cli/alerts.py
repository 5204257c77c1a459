"""Alert rules and alerts from the command line (issue 17): `fieldops alert-rule list|add|remove` and
`fieldops alerts [--open]`, for scripts. A rule made here passes the same validation as the rules page and the
API (dashboard/work/alerting.validate_rule), as an administrator."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

from dashboard.cli.boot import opened
from dashboard.core.errors import AppError
from dashboard.core.permissions import Viewer
from dashboard.core.runtime import Runtime
from dashboard.work import alerting
from dashboard.work.accounts import AccountError, team_ids_by_name
from data import alerts, teams, zones
from data.scope import Scope

COMMAND_LINE = Viewer(None, "fieldops (command line)", "admin", None, Scope.everything())
# The options that set a rule's parameters, by the parameter's key (alerting.KINDS).
PARAM_OPTIONS = ("minutes", "percent", "kmh", "seconds", "stars", "score", "days")
MAX_DAYS = 366


class RuleInputError(ValueError):
    """A rule that cannot be made as asked, with the reason for the person at the terminal."""


def cmd_alert_rule(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        if args.action == "list":
            _print_rules(rt)
            return 0
        if args.action == "remove":
            return _remove_rule(rt, args.id)
        try:
            values = rule_values(rt, args)
            values = alerting.validate_rule(values, COMMAND_LINE)
        except RuleInputError as exc:
            print(f"fieldops alert-rule: {exc}", file=sys.stderr)
            return 2
        except AppError as exc:
            where = f" ({exc.extra['field']})" if exc.extra.get("field") else ""
            print(f"fieldops alert-rule: {exc.message}{where}", file=sys.stderr)
            return 2
        rule_id = alerts.create_rule(rt.db, values, None)
        print(f"Added alert rule {rule_id}: {values['kind']} {values['name']!r} ({values['severity']})")
        return 0


def rule_values(rt: Runtime, args: argparse.Namespace) -> dict:
    """The rule the options describe, before validation: a parameter the kind does not have, or a team or zone
    that does not exist, is refused here with its name."""
    kind = alerting.KINDS[args.kind]
    own = {param.key for param in kind.params}
    given = {key: getattr(args, key) for key in PARAM_OPTIONS if getattr(args, key) is not None}
    foreign = sorted(set(given) - own)
    if foreign:
        takes = ", ".join(f"--{key}" for key in sorted(own)) or "no parameters"
        raise RuleInputError(f"--{foreign[0]} does not apply to a {args.kind} rule (it takes {takes})")
    if args.zone and not kind.zones:
        raise RuleInputError(f"--zone applies to zone rules only (zone_exit, zone_enter), not to {args.kind}")
    values: dict = {"kind": args.kind, "name": args.name, "params": given}
    if args.team:
        try:
            values["team_ids"] = team_ids_by_name(rt.db, list(dict.fromkeys(args.team)))
        except AccountError as exc:
            raise RuleInputError(str(exc)) from None
    if args.zone:
        values["zone_ids"] = _zone_ids(rt, args.zone)
    if args.severity:
        values["severity"] = args.severity
    if args.cooldown is not None:
        values["cooldown_min"] = args.cooldown
    if args.always:
        values["working_hours_only"] = False
    return values


def _zone_ids(rt: Runtime, names: list[str]) -> list[int]:
    by_name: dict[str, list[int]] = {}
    for zone in zones.list_zones(rt.db, Scope.everything()):
        by_name.setdefault(zone["name"], []).append(zone["id"])
    ids = []
    for name in dict.fromkeys(names):
        found = by_name.get(name, [])
        if len(found) != 1:
            reason = "No zone is named" if not found else f"{len(found)} zones are named"
            raise RuleInputError(f"{reason} {name!r}")
        ids += found
    return ids


def _remove_rule(rt: Runtime, rule_id: int) -> int:
    found = alerts.rule(rt.db, rule_id)
    if found is None:
        print(f"fieldops alert-rule: no alert rule {rule_id}", file=sys.stderr)
        return 1
    if found["builtin"]:
        print("fieldops alert-rule: the built-in help rule cannot be removed", file=sys.stderr)
        return 2
    alerts.delete_rule(rt.db, rule_id)
    print(f"Removed alert rule {rule_id} ({found['name']}); its alerts stay")
    return 0


def _print_rules(rt: Runtime) -> None:
    team_names = {row["id"]: row["name"] for row in teams.list_teams(rt.db, Scope.everything())}
    zone_names = {row["id"]: row["name"] for row in zones.list_zones(rt.db, Scope.everything())}
    print(f"{'id':>4}  {'kind':<16} {'name':<32} {'severity':<9} {'enabled':<8} scope")
    for rule in sorted(alerts.rules(rt.db), key=lambda row: row["id"]):
        enabled = "yes" if rule["enabled"] else "no"
        print(
            f"{rule['id']:>4}  {rule['kind']:<16} {rule['name']:<32} {rule['severity']:<9} {enabled:<8} "
            f"{rule_scope(rule, team_names, zone_names)}"
        )


def rule_scope(rule: dict, team_names: dict[int, str], zone_names: dict[int, str]) -> str:
    """Whom and where a rule watches, in words: "teams North, East; 3 people; zones Harbour"."""
    parts = [
        "every team"
        if rule["team_ids"] is None
        else "teams " + ", ".join(team_names.get(team, f"#{team}") for team in rule["team_ids"])
    ]
    if rule["employee_ids"] is not None:
        parts.append(f"{len(rule['employee_ids'])} people")
    if rule["zone_ids"] is not None:
        parts.append("zones " + ", ".join(zone_names.get(zone, f"#{zone}") for zone in rule["zone_ids"]))
    if not rule["working_hours_only"]:
        parts.append("round the clock")
    return "; ".join(parts)


def cmd_alerts(args: argparse.Namespace) -> int:
    """Alerts of the last --days days (raised or changed), or with --open every unresolved one; oldest first."""
    if not 1 <= args.days <= MAX_DAYS:
        print(f"fieldops alerts: --days is 1 to {MAX_DAYS}", file=sys.stderr)
        return 2
    with opened(args) as rt:
        if args.open:
            rows = list(_every_alert(rt, states=["open", "acknowledged"], since=None))
        else:
            rows = list(_every_alert(rt, states=None, since=datetime.now(rt.settings.tz) - timedelta(days=args.days)))
        print(f"{'id':>6}  {'at':<16} {'state':<12} {'severity':<9} {'kind':<16} {'person':<28} {'team':<12} rule")
        for row in rows:
            at = row["at"].astimezone(rt.settings.tz).strftime("%Y-%m-%d %H:%M")
            print(
                f"{row['id']:>6}  {at:<16} {row['state']:<12} {row['severity']:<9} {row['kind']:<16} "
                f"{row['name']:<28} {row['team_name'] or '':<12} {row['rule_name'] or ''}"
            )
        print(f"{len(rows)} alerts")
    return 0


def _every_alert(rt: Runtime, states: list[str] | None, since: datetime | None) -> Iterator[dict]:
    after = None
    while True:
        page = alerts.list_alerts(rt.db, Scope.everything(), states=states, updated_since=since, after=after, limit=500)
        yield from page
        if len(page) < 500:
            return
        after = (page[-1]["updated_at"], page[-1]["id"])
