"""Reports from the command line: `fieldops report` (one, now) and `fieldops report-schedule`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.cli.boot import opened
from dashboard.core.permissions import Viewer, scope_for
from dashboard.core.runtime import Runtime
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.model import ReportError, parse_formats
from dashboard.reports.periods import parse_period
from dashboard.reports.schedule import add_schedule, describe_schedule
from dashboard.work.accounts import team_ids_by_name
from data import reports, users


def _report_author(rt: Runtime, username: str | None) -> Viewer:
    """The account whose permissions a report from the command line takes; the whole organisation without one."""
    if not username:
        return Viewer(None, "fieldops (command line)", "manager", None, scope_for("manager", None, []))
    found = users.user_by_name(rt.db, username)
    row = users.get_user(rt.db, found["id"]) if found else None
    if row is None or row["disabled"]:
        raise SystemExit(f"fieldops report: no active account {username!r}")
    scope = scope_for(row["role"], row["employee_id"], row["team_ids"])
    return Viewer(row["id"], row["username"], row["role"], row["employee_id"], scope)


def cmd_report(args: argparse.Namespace) -> int:
    """Build one report now, in this process, and write its files to --out."""
    with opened(args) as rt:
        try:
            author = _report_author(rt, args.author)
            team_ids = team_ids_by_name(rt.db, args.teams.split(",")) if args.teams else None
            report_id = queue_report(
                rt, author, parse_period(args.period), parse_formats(args.format), args.language, team_ids
            )
        except (ReportError, ValueError) as exc:
            print(f"fieldops report: {exc}", file=sys.stderr)
            return 2
        build_queued(rt, report_id)
        row = reports.get_report(rt.db, author.scope, report_id)
        if row is None or row["state"] != "done":
            print(f"fieldops report: the build failed: {row and row['error']}", file=sys.stderr)
            return 1
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for file in reports.report_files(rt.db, report_id):
            (out / file["name"]).write_bytes(bytes(file["content"]))
            print(out / file["name"])
    return 0


def cmd_report_schedule(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        if args.action == "list":
            author = _report_author(rt, None)
            for row in reports.list_schedules(rt.db, None, author.scope):
                print(f"{row['id']:>4} {row['name']:<30} {describe_schedule(row, 'en'):<28} {row['owner_name']}")
            return 0
        if args.action == "remove":
            author = _report_author(rt, None)
            if not reports.remove_schedule(rt.db, args.id, None, author.scope):
                print(f"No schedule {args.id}", file=sys.stderr)
                return 1
            print(f"Removed schedule {args.id}")
            return 0
        try:
            owner = _report_author(rt, args.owner)
            schedule_id = add_schedule(
                rt,
                owner,
                name=args.name,
                cadence=args.cadence,
                day=args.day,
                at_time=args.at,
                team_ids=team_ids_by_name(rt.db, args.teams.split(",")) if args.teams else None,
                formats=parse_formats(args.format),
                language=args.language,
                email_to=[a.strip() for a in args.email.split(",") if a.strip()] if args.email else [],
            )
        except (ReportError, ValueError) as exc:
            print(f"fieldops report-schedule: {exc}", file=sys.stderr)
            return 2
        print(f"Schedule {schedule_id} added; `fieldops worker` runs it")
    return 0
