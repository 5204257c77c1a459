"""The store handler: every fix of the batch into PostgreSQL (COPY), with its H3 cell."""

from __future__ import annotations

from datetime import UTC, datetime

import h3
import orjson

from dashboard.core.runtime import Runtime
from dashboard.writer.pipeline import Batch, Handler
from data import positions
from data.positions import PositionRow

H3_RESOLUTION = 10  # hexagons of ~15,000 m², about a city block


class Store(Handler):
    name = "store"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def handle(self, batch: Batch) -> None:
        rows = [
            PositionRow(
                e.fix.employee_id,
                datetime.fromtimestamp(e.fix.ts_ms / 1000, UTC),
                e.fix.lat,
                e.fix.lon,
                e.fix.speed,
                e.fix.heading,
                e.fix.accuracy,
                h3.str_to_int(h3.latlng_to_cell(e.fix.lat, e.fix.lon, H3_RESOLUTION)),
                e.source,
                orjson.dumps(e.fix.attributes).decode() if e.fix.attributes else None,
            )
            for e in batch.entries
        ]
        batch.stored = positions.insert_positions(self.rt.db, rows)
