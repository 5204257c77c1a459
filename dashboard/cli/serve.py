"""The web app as served: `fieldops serve` (gunicorn) and the top-level `app.py` build it the same way.

`fieldops serve` also runs the ingest server (`fieldops ingest`, dashboard/ingest/server/) beside the
dashboard, on FIELDOPS_INGEST_PORT (8060; `off` leaves it out), as a child process it starts again if it
exits, and stops with itself. `fieldops ingest` alone stays, to scale the tracker protocols apart.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import threading
import time

from dash import Dash
from gunicorn.app.base import BaseApplication

from callbacks import register_all
from dashboard.cli.boot import prepare, settings_from
from dashboard.core.config import Settings
from dashboard.core.embedded import EmbeddedServices
from dashboard.core.metrics import forget_process, use_multiprocess_dir
from dashboard.web.app import create_app

log = logging.getLogger(__name__)

RESTART_AFTER_S = (1, 2, 5, 10, 30)  # waits before starting an exited child again, the last one repeated


def web_app(settings: Settings) -> Dash:
    """The app with every page's callbacks, on servers already started and migrated."""
    return create_app(settings, register_all)


def serving_app(settings: Settings) -> tuple[Dash, EmbeddedServices]:
    """Settings → started servers → migrated schema → app; keep the services as long as the app."""
    services = prepare(settings)
    return web_app(services.settings), services


class Supervised:
    """A child process started again whenever it exits, until `stop()`: the ingest server beside the dashboard.

    A child that ran for a minute before it exited is started again at once; one that keeps exiting (its port
    taken, say) waits longer each time (RESTART_AFTER_S), and the dashboard goes on serving meanwhile."""

    def __init__(self, name: str, command: list[str]) -> None:
        self.name, self.command = name, command
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{name}", daemon=True)

    def start(self) -> Supervised:
        self._thread.start()
        return self

    def _watch(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = subprocess.Popen(self.command)
            started = time.monotonic()
            code = self.process.wait()  # gunicorn's arbiter may reap it first: then this returns 0
            if self._stopping.is_set():
                return
            failures = 0 if time.monotonic() - started > 60 else failures + 1
            wait_s = RESTART_AFTER_S[min(failures, len(RESTART_AFTER_S)) - 1] if failures else 0
            log.error("%s exited (status %s); starting it again in %d s", self.name, code, wait_s)
            self._stopping.wait(wait_s)

    def stop(self, timeout_s: float = 20) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout_s)


def ingest_server(host: str, port: int) -> Supervised:
    """`fieldops ingest` on `port`, on the servers `prepare` exported to the environment."""
    command = [sys.executable, "-m", "dashboard.cli", "ingest", "--host", host, "--port", str(port)]
    return Supervised("ingest server", command).start()


def cmd_serve(args: argparse.Namespace) -> int:
    services = prepare(settings_from(args))
    # Every worker's counters in files here, so /metrics adds them up whichever worker it reaches.
    counters = services.settings.data_dir / "prometheus" / str(os.getpid())
    use_multiprocess_dir(counters)

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
            self.cfg.set("child_exit", lambda _arbiter, worker: forget_process(worker.pid))

        def load(self):
            # Each gunicorn worker builds its own app from the URLs `prepare` exported.
            return web_app(Settings.from_env()).server

    ingest_port = services.settings.ingest_port
    ingest = ingest_server(args.host, ingest_port) if ingest_port else None
    arbiter = os.getpid()
    try:
        FieldOpsServer().run()
    finally:
        # A gunicorn worker leaves by SystemExit through this frame too (it was forked inside `run`): only the
        # arbiter stops the ingest server, the embedded servers and the counters.
        if os.getpid() == arbiter:
            if ingest is not None:
                ingest.stop()
            shutil.rmtree(counters, ignore_errors=True)
            services.stop()
    return 0
