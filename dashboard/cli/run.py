"""The long-running commands: `fieldops demo`, `worker` and `simulate`."""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import requests

from dashboard.cli.background import start_background
from dashboard.cli.boot import open_runtime
from dashboard.demo.history import seed_history
from dashboard.demo.seed import (
    demo_wall_token,
    plan_day,
    plan_late_task,
    seed_demo,
    seed_demo_accounts,
    seed_demo_rules,
)
from dashboard.demo.simulator import DemoCustomers, FleetSimulator
from dashboard.ingest.protocols.mqtt import OwnTracksSubscriber
from dashboard.writer.worker import Writer

log = logging.getLogger("fieldops")


def cmd_worker(args: argparse.Namespace) -> int:
    services, rt = open_runtime(args)
    stop = _stop_on_signals()
    background = start_background(rt, stop)
    subscriber = None
    if rt.settings.mqtt_url:
        subscriber = OwnTracksSubscriber(rt, rt.settings.mqtt_url)
        subscriber.start()
        log.info("Subscribed to OwnTracks topics at %s:%s", subscriber.host, subscriber.port)
    log.info("Writer consuming %s{0..%d}:stream, the shards it leases", rt.settings.redis_prefix, rt.feed.shards - 1)
    Writer(rt).run(stop)
    for thread in background:
        thread.join(5)
    if subscriber:
        subscriber.close()
    services.stop()
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    services, rt = open_runtime(args)
    stop = _stop_on_signals()
    _wait_healthy(args.url, stop)
    simulator = FleetSimulator(rt.db, rt.settings.secret_key, args.url, interval_s=args.interval, tz=rt.settings.tz)
    customers = DemoCustomers(rt.db, rt.settings.secret_key, args.url)  # answer surveys (issue 6)
    threading.Thread(target=customers.run, args=(stop,), name="demo-customers", daemon=True).start()
    simulator.run(stop)
    services.stop()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Everything on one machine: services, schema, the city, the writer, the simulator, the dashboard."""
    services, rt = open_runtime(args)
    now = datetime.now(rt.settings.tz)
    if seed_demo(rt.db, rt.settings.secret_key, args.employees, rt.settings.language):
        # Last month and this month so far, worked and tracked: reports and analytics have a real past (issue 15).
        last_month = (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
        yesterday = now.date() - timedelta(days=1)
        seed_history(
            rt.db,
            last_month,
            yesterday,
            rt.settings.tz,
            stay_min_s=rt.settings.stay_min_s,
            tracked_from=last_month,
            language=rt.settings.language,
        )
    plan_day(rt.db, now.date(), rt.settings.tz, start=now)
    seed_demo_rules(rt.db, rt.settings.language)
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
    background = start_background(rt, stop)
    try:
        if not _wait_healthy(url, stop, server):
            return 1
        plan_late_task(rt.db, datetime.now(rt.settings.tz))  # an alert occasion, timed from the simulator's start
        simulator = FleetSimulator(rt.db, rt.settings.secret_key, url, interval_s=args.interval, tz=rt.settings.tz)
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
        for thread in (writer, *background):
            thread.join(5)
        rt.close()
        services.stop()
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
