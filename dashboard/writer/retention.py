"""Retention: positions older than the organisation's period go; visits and other activities stay."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from data import positions
from data.db import Database

log = logging.getLogger(__name__)


def purge_old_positions(db: Database, retention_days: int) -> list[str]:
    """Drop whole day partitions older than the period (instant, no bloat); return their names."""
    first_kept = datetime.now(UTC).date() - timedelta(days=int(retention_days))
    dropped = []
    for name in positions.partitions_before(db, first_kept):
        positions.drop_partition(db, name)
        dropped.append(name)
    positions.purge_coarse_before(db, first_kept)
    if dropped:
        log.info("Retention (%s days): dropped %s", retention_days, ", ".join(dropped))
    return dropped
