"""Keeping the data in shape: `fieldops migrate`, `seed`, `purge`, `rollup` and `set-aside`."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime

from dashboard.analytics import efficiency as analytics
from dashboard.cli.boot import opened
from dashboard.demo.seed import plan_day, seed_demo, seed_demo_rules
from dashboard.writer.retention import purge_old_positions
from data.migrate import applied_versions


def cmd_migrate(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        print("Schema at", applied_versions(rt.db)[-1])
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        tz = rt.settings.tz
        seeded = seed_demo(rt.db, rt.settings.secret_key, args.employees, rt.settings.language)
        now = datetime.now(tz)
        planned = plan_day(rt.db, now.date(), tz, start=now)
        seed_demo_rules(rt.db, rt.settings.language)
    print(f"{'Seeded the demo city' if seeded else 'Demo city already seeded'}; {planned} tasks planned today")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    with opened(args) as rt:
        dropped = purge_old_positions(rt.db, rt.org_settings()["privacy.retention_days"])
    print(f"Dropped {len(dropped)} day partitions older than the retention period: {', '.join(dropped) or 'none'}")
    return 0


def cmd_rollup(args: argparse.Namespace) -> int:
    """Refresh the analytics rollups: the marked hours, or (--rebuild) every hour of a range of days."""
    with opened(args) as rt:
        started = time.monotonic()
        if args.rebuild:
            if not (args.start and args.end) or args.end < args.start:
                print("--rebuild needs --from and --to (YYYY-MM-DD, --to not before --from)", file=sys.stderr)
                return 2
            buckets = analytics.rebuild(rt.db, args.start, args.end, rt.settings.timezone)
        else:
            buckets = analytics.upkeep(rt.db, rt.settings.timezone)
    print(f"Refreshed {buckets} employee-hours in {time.monotonic() - started:.1f} s")
    return 0


def cmd_set_aside(args: argparse.Namespace) -> int:
    """The positions the writer set aside (PostgreSQL refused them): list them, or send them through again."""
    with opened(args) as rt:
        if args.replay:
            print(f"Sent {rt.feed.replay_set_aside()} positions set aside through the writer again")
            return 0
        print(f"{rt.feed.set_aside_count()} positions set aside")
        for entry, reason in rt.feed.set_aside_entries(args.limit):
            fix = entry.fix
            print(f"  employee {fix.employee_id} at {fix.ts_ms} ms ({entry.source}): {reason}")
    return 0
