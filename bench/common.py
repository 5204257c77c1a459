"""What every benchmark starts with: its own database and Redis prefix on the configured or embedded servers."""

from __future__ import annotations

import os
from dataclasses import replace

from psycopg2.extensions import make_dsn

from dashboard.core.config import ROOT, Settings
from dashboard.core.embedded import EmbeddedServices, start_services
from dashboard.core.runtime import Runtime
from data.db import ensure_database
from data.migrate import migrate


def bench_runtime(database: str, prefix: str, data_subdir: str) -> tuple[Runtime, EmbeddedServices]:
    """A migrated database `database` and an emptied Redis `prefix`; embedded servers in var/<data_subdir>."""
    env = dict(os.environ)
    env.setdefault("FIELDOPS_DATA_DIR", str(ROOT / "var" / data_subdir))
    services = start_services(Settings.from_env(env))
    settings = services.settings
    ensure_database(make_dsn(settings.database_url, dbname="postgres"), database)
    settings = settings.with_services(make_dsn(settings.database_url, dbname=database), settings.redis_url)
    rt = Runtime.open(replace(settings, redis_prefix=prefix))
    migrate(rt.db)
    keys = list(rt.feed.client.scan_iter(match=f"{prefix}*", count=5000))
    if keys:
        rt.feed.client.delete(*keys)
    return rt, services
