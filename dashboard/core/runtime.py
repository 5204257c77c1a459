"""The per-process resources every request shares: settings, the DB pool, the live feed."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app

from dashboard.core.config import Settings
from dashboard.core.errors import POSTGRES_DOWN, Outage
from data import org_settings
from data.db import Database
from data.feed import LiveFeed, connect


@dataclass
class Runtime:
    settings: Settings
    db: Database
    feed: LiveFeed
    livemap: Any = None  # dashboard.live.livemap.LiveMap, set by the app factory
    # Objects a higher layer keeps once per runtime, by name (core imports none of them): e.g. ingest's tracking policy.
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)
    _org_settings: tuple[float, dict] | None = field(default=None, repr=False)
    _org_settings_outage: Outage = field(default_factory=lambda: Outage("organisation settings"), repr=False)

    ORG_SETTINGS_TTL_S = 10.0

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        if not (settings.database_url and settings.redis_url):
            raise ValueError("start services first: DATABASE_URL and REDIS_URL must be known")
        feed = LiveFeed(connect(settings.redis_url), settings.redis_prefix, settings.shards)
        return cls(settings, Database(settings.database_url), feed)

    def org_settings(self) -> dict:
        """Organisation settings, re-read at most every ORG_SETTINGS_TTL_S seconds: the one way to read them
        outside data/. Whoever saves one calls forget_org_settings(), so this process sees it at once.
        While PostgreSQL cannot answer, the last good copy is kept and the re-read retried with backoff;
        a process that never read them raises the database's error (answered 503)."""
        cached = self._org_settings
        if cached is not None and (
            time.monotonic() - cached[0] <= self.ORG_SETTINGS_TTL_S or not self._org_settings_outage.due()
        ):
            return cached[1]
        try:
            values = org_settings.all_settings(self.db)
        except POSTGRES_DOWN as exc:
            if cached is None:
                raise
            self._org_settings_outage.failed(exc, "keeping the copy read before")
            return cached[1]
        self._org_settings_outage.passed()
        self._org_settings = (time.monotonic(), values)
        return values

    def forget_org_settings(self) -> None:
        """Read them again at the next use; the copy stays as the fallback while PostgreSQL cannot answer."""
        if self._org_settings is not None:
            self._org_settings = (-math.inf, self._org_settings[1])

    def local(self, moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
        """A stored (UTC) time as the organisation reads it: its own time zone. Empty for none."""
        return "" if moment is None else moment.astimezone(self.settings.tz).strftime(pattern)

    def close(self) -> None:
        self.db.close()
        self.feed.client.close()


def runtime() -> Runtime:
    """The runtime of the app serving this request."""
    return current_app.extensions["fieldops"]
