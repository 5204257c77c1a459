"""The writer's hourly upkeep: day partitions of positions a week ahead, retention (old days dropped), and the API's
Idempotency-Key answers past their 24 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.core.runtime import Runtime
from dashboard.writer.retention import purge_old_positions
from data import idempotency, positions

PARTITION_DAYS_AHEAD = 7
UPKEEP_EVERY = timedelta(hours=1)


class Upkeep:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._done_at: datetime | None = None

    def run_if_due(self) -> None:
        now = datetime.now(UTC)
        if self._done_at and now - self._done_at < UPKEEP_EVERY:
            return
        positions.ensure_partitions(self.rt.db, now.date() - timedelta(days=1), PARTITION_DAYS_AHEAD + 1)
        purge_old_positions(self.rt.db, self.rt.org_settings()["privacy.retention_days"])
        idempotency.purge_before(self.rt.db, now - idempotency.KEPT)
        self._done_at = now
