"""The web app as served: `fieldops serve` (gunicorn) and the top-level `app.py` build it the same way."""

from __future__ import annotations

import argparse
import os
import shutil

from dash import Dash
from gunicorn.app.base import BaseApplication

from callbacks import register_all
from dashboard.cli.boot import prepare, settings_from
from dashboard.core.config import Settings
from dashboard.core.embedded import EmbeddedServices
from dashboard.core.metrics import forget_process, use_multiprocess_dir
from dashboard.web.app import create_app


def web_app(settings: Settings) -> Dash:
    """The app with every page's callbacks, on servers already started and migrated."""
    return create_app(settings, register_all)


def serving_app(settings: Settings) -> tuple[Dash, EmbeddedServices]:
    """Settings → started servers → migrated schema → app; keep the services as long as the app."""
    services = prepare(settings)
    return web_app(services.settings), services


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

    try:
        FieldOpsServer().run()
    finally:
        shutil.rmtree(counters, ignore_errors=True)
        services.stop()
    return 0
