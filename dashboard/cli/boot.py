"""What every command starts from: settings → started servers → Redis durable enough → migrated schema (and the
feed's Redis keys) → runtime."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from dashboard.core.config import ConfigError, Settings
from dashboard.core.durability import require_durable_redis
from dashboard.core.embedded import EmbeddedServices, export_urls, start_services
from dashboard.core.runtime import Runtime
from data.db import Database
from data.feed import LiveFeed, ShardsChanged, connect
from data.migrate import migrate

log = logging.getLogger(__name__)


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment; `--data-dir` takes the place of FIELDOPS_DATA_DIR, and
    `--accept-volatile-redis` of FIELDOPS_ACCEPT_VOLATILE_REDIS=1."""
    env = dict(os.environ)
    if args.data_dir:
        env["FIELDOPS_DATA_DIR"] = str(Path(args.data_dir).resolve())
    if getattr(args, "accept_volatile_redis", False):
        env["FIELDOPS_ACCEPT_VOLATILE_REDIS"] = "1"
    return Settings.from_env(env)


def prepare(settings: Settings) -> EmbeddedServices:
    """Start the servers the settings leave unconfigured, check that Redis keeps what it acknowledged
    (dashboard/core/durability.py: raises VolatileRedis), hand the URLs to child processes, migrate.

    The result keeps embedded servers alive and its settings name both URLs; `stop()` it at the end.
    """
    services = start_services(settings)
    try:
        require_durable_redis(services.settings.redis_url, services.settings.accept_volatile_redis)
        _require_recorded_shards(services.settings)
        export_urls(services.settings)
        db = Database(services.settings.database_url)
        try:
            migrate(db)
        finally:
            db.close()
        feed = LiveFeed(connect(services.settings.redis_url), services.settings.redis_prefix)
        try:
            feed.adopt_unsharded()  # a Redis from before the feed's shards (issue 20)
        except redis.RedisError as exc:  # Redis not answering yet: the next start moves them
            log.warning("the live feed's keys from before its shards were not moved: %s", exc)
        finally:
            feed.client.close()
    except BaseException:
        services.stop()
        raise
    return services


def _require_recorded_shards(settings: Settings) -> None:
    """The writers' streams keep the number of shards they were made with (FIELDOPS_SHARDS): another one would
    send people's fixes to other shards than their unstored ones. Recorded at the first start, checked at each."""
    client = connect(settings.redis_url)
    try:
        LiveFeed(client, settings.redis_prefix, settings.shards).check_shards()
    except ShardsChanged as exc:
        raise ConfigError(str(exc)) from exc
    finally:
        client.close()


def open_runtime(args: argparse.Namespace) -> tuple[EmbeddedServices, Runtime]:
    """The servers and the runtime of a long-running command; the caller closes both."""
    services = prepare(settings_from(args))
    return services, Runtime.open(services.settings)


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Runtime]:
    """The runtime of a one-shot command, closed (and embedded servers stopped) however it ends."""
    services, rt = open_runtime(args)
    try:
        yield rt
    finally:
        rt.close()
        services.stop()
