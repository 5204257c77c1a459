"""The per-process resources every request shares: settings, the DB pool, the live feed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from dashboard.config import Settings
from data.db import Database
from data.feed import LiveFeed, connect


@dataclass
class Runtime:
    settings: Settings
    db: Database
    feed: LiveFeed
    livemap: Any = None  # dashboard.livemap.LiveMap, set by the app factory

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        if not (settings.database_url and settings.redis_url):
            raise ValueError("start services first: DATABASE_URL and REDIS_URL must be known")
        feed = LiveFeed(connect(settings.redis_url), settings.redis_prefix)
        return cls(settings, Database(settings.database_url), feed)

    def close(self) -> None:
        self.db.close()
        self.feed.client.close()


def runtime() -> Runtime:
    """The runtime of the app serving this request."""
    return current_app.extensions["fieldops"]
