"""Visit plans from the command line (issue 21, docs/PLANS.md): `fieldops plan-visits [--days N]` plans now, as the
worker's daily run does; `fieldops holidays list|add|remove|import` keeps the organisation's calendar."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from dashboard.cli.boot import opened
from dashboard.core.errors import AppError
from dashboard.work import planning
from data import visit_plans


def cmd_plan_visits(args: argparse.Namespace) -> int:
    if args.days is not None and not 1 <= args.days <= planning.MAX_HORIZON_DAYS:
        print(f"--days: 1 to {planning.MAX_HORIZON_DAYS}", file=sys.stderr)
        return 2
    with opened(args) as rt:
        run = planning.plan_visits(rt, days=args.days)
        for skip in run.skipped:
            print(f"skipped customer {skip.customer_id} {skip.customer_name}: {skip.message()}")
        print(run.summary())
    return 0 if run.ran else 1


def cmd_holidays(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        if args.action == "import":
            try:
                print(planning.import_holidays(rt, args.country, args.year).summary())
            except AppError as exc:
                print(f"fieldops holidays import: {exc}", file=sys.stderr)
                return 2
        elif args.action == "add":
            visit_plans.set_calendar_day(rt.db, args.day, args.kind, args.name or "")
            print(f"{args.day} is a {args.kind}")
        elif args.action == "remove":
            if not visit_plans.remove_calendar_day(rt.db, args.day):
                print(f"{args.day} is not in the calendar", file=sys.stderr)
                return 1
            print(f"{args.day} removed")
        else:
            first = date(args.year, 1, 1) if args.year else date.today() - timedelta(days=31)
            last = date(args.year, 12, 31) if args.year else first + timedelta(days=400)
            for row in visit_plans.calendar_days(rt.db, first, last):
                print(f"{row['day']}\t{row['kind']}\t{row['source']}\t{row['name']}")
    return 0
