"""The store handler: every fix of the batch into PostgreSQL (binary COPY), with its H3 cell.

The batch goes over as columns (data/positions.py `Positions`): epoch microseconds, not datetimes, and
no object per fix beyond the stream entry the batch already has."""

from __future__ import annotations

import numpy as np
import orjson
from h3.api.basic_int import latlng_to_cell

from dashboard.core.runtime import Runtime
from dashboard.writer.pipeline import Batch, Handler
from data import positions
from data.positions import Positions

H3_RESOLUTION = 10  # hexagons of ~15,000 m², about a city block


class Store(Handler):
    name = "store"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def handle(self, batch: Batch) -> None:
        batch.stored = positions.insert_positions(self.rt.db, columns(batch))


def columns(batch: Batch) -> Positions:
    fixes = [e.fix for e in batch.entries]
    lat = [f.lat for f in fixes]
    lon = [f.lon for f in fixes]
    return Positions(
        np.array([f.employee_id for f in fixes], dtype=np.int64),
        np.array([f.ts_ms for f in fixes], dtype=np.int64) * 1000,
        np.array(lat, dtype=np.float64),
        np.array(lon, dtype=np.float64),
        np.array([f.speed for f in fixes], dtype=np.float64),  # None → NaN → NULL
        np.array([f.heading for f in fixes], dtype=np.float64),
        np.array([f.accuracy for f in fixes], dtype=np.float64),
        np.array([latlng_to_cell(a, o, H3_RESOLUTION) for a, o in zip(lat, lon, strict=True)], dtype=np.int64),
        [e.source for e in batch.entries],
        [orjson.dumps(f.attributes) if f.attributes else None for f in fixes]
        if any(f.attributes for f in fixes)
        else None,
    )
