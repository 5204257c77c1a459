"""`fieldops ingest`: the ingest server (dashboard/ingest/server/) under uvicorn, alone, so it scales apart from
the dashboard. uvicorn with httptools and uvloop: measured beside granian on this kind of machine
(docs/BENCHMARKS.md), as fast, with a lower p99 and no Rust build to ship."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket

import uvicorn

from dashboard.cli.boot import prepare, settings_from
from dashboard.core.config import Settings
from dashboard.core.runtime import Runtime
from dashboard.ingest.server.app import IngestApp

log = logging.getLogger(__name__)


def listening(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(app: IngestApp, sockets: list[socket.socket]) -> None:
    """Serve the app on these sockets until stopped (SIGINT, SIGTERM)."""
    config = uvicorn.Config(app, loop="uvloop", http="httptools", lifespan="on", access_log=False, log_level="warning")
    asyncio.run(uvicorn.Server(config).serve(sockets=sockets))


def cmd_ingest(args: argparse.Namespace) -> int:
    services = prepare(settings_from(args))
    settings = services.settings
    port = args.port or settings.ingest_port
    if not port:
        services.stop()
        raise SystemExit("fieldops ingest: FIELDOPS_INGEST_PORT is off; give --port")
    sockets = [listening(args.host, port)]
    if args.osmand_port:
        sockets.append(listening(args.host, args.osmand_port))
    rt = Runtime.open(settings)
    app = IngestApp(rt, osmand_port=args.osmand_port).start()
    ports = f"{port}" + (f", OsmAnd on {args.osmand_port}" if args.osmand_port else "")
    log.warning("fieldops ingest: serving the tracker protocols on %s:%s", args.host, ports)
    try:
        serve(app, sockets)
    finally:
        app.close()
        rt.close()
        services.stop()
    return 0


def app_from_env() -> IngestApp:
    """The app on servers already started and migrated (DATABASE_URL, REDIS_URL): for another ASGI server
    (`granian --interface asgi --factory dashboard.cli.ingest:app_from_env`), as the benchmark runs it."""
    return IngestApp(Runtime.open(Settings.from_env())).start()
