"""Analytics services: work-area cells, the rollup upkeep loop, thresholds, and map shapes.

The writer marks the (employee, hour) buckets its batches touch (data/positions.py, same
transaction); `RollupKeeper` refreshes them every UPKEEP_EVERY_S seconds in `fieldops worker`
and `fieldops demo`, off the writer's path, so ingest pays only for the mark.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import orjson

from dashboard.analytics.scales import SCALES, scale_labels
from dashboard.core.i18n import _
from dashboard.core.inputs import calendar_day
from data import analytics
from data.db import Database

log = logging.getLogger(__name__)

CELL_RESOLUTION = 10  # positions.cell
HEATMAP_RESOLUTION = 9  # hexagons of ~0.1 km², a few city blocks: data/analytics.FACTS h3_res9
UPKEEP_EVERY_S = 60.0
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
MIN_CELL_TRACKED_S = 900  # a hexagon with under 15 min of tracked time says nothing: left off the map


def measure_labels() -> dict[str, str]:
    """The heatmap's measures (data/analytics.MEASURES) by their full names."""
    labels = scale_labels()
    return {key: labels[key] for key in analytics.MEASURES}


def default_period(tz: ZoneInfo) -> tuple[date, date]:
    """The last DEFAULT_PERIOD_DAYS local days, today included."""
    today = datetime.now(tz).date()
    return today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


def period(start: object, end: object, tz: ZoneInfo) -> tuple[date, date]:
    """The dates a browser sent (ISO text), ordered and at most MAX_PERIOD_DAYS long; the default if unreadable
    or beyond the days a person may choose (dashboard.core.inputs.calendar_day)."""
    first, last = calendar_day(start), calendar_day(end)
    if first is None or last is None:
        return default_period(tz)
    first, last = min(first, last), max(first, last)
    return max(first, last - timedelta(days=MAX_PERIOD_DAYS - 1)), last


def work_area_cells(zones: list[dict]) -> list[tuple[int, int]]:
    """(team, res-10 cell) for every cell whose centre lies in one of the team's work areas."""
    cells: list[tuple[int, int]] = []
    for zone in zones:
        if zone["geometry"]:
            geometry = zone["geometry"]
            geometry = orjson.loads(geometry) if isinstance(geometry, str) else geometry
            found = h3.geo_to_cells(geometry, CELL_RESOLUTION)
        else:
            found = _circle_cells(zone["center_lat"], zone["center_lon"], zone["radius_m"])
        cells.extend((zone["team_id"], h3.str_to_int(cell)) for cell in found)
    return cells


def _circle_cells(lat: float, lon: float, radius_m: float) -> list[str]:
    centre = h3.latlng_to_cell(lat, lon, CELL_RESOLUTION)
    rings = math.ceil(radius_m / (h3.average_hexagon_edge_length(CELL_RESOLUTION, "m") * 1.5)) + 1
    return [
        cell
        for cell in h3.grid_disk(centre, rings)
        if h3.great_circle_distance((lat, lon), h3.cell_to_latlng(cell), "m") <= radius_m
    ]


def refresh_work_areas(db: Database) -> bool:
    """Re-derive work_area_cells when the work areas changed; True when they did."""
    fingerprint = analytics.work_area_fingerprint(db)
    if fingerprint == analytics.stored_work_area_fingerprint(db):
        return False
    analytics.replace_work_area_cells(db, work_area_cells(analytics.work_areas(db)), fingerprint)
    return True


def upkeep(db: Database, tz: str) -> int:
    refresh_work_areas(db)
    return analytics.upkeep(db, tz)


def rebuild(db: Database, start: date, end: date, tz: str) -> int:
    """Recompute facts and rollups for UTC days [start, end] from stored history."""
    refresh_work_areas(db)
    first = datetime(start.year, start.month, start.day, tzinfo=UTC)
    last = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
    return analytics.rebuild(db, first, last, tz)


class RollupKeeper:
    """Refreshes the marked buckets on a timer; one keeper at a time wins the advisory lock."""

    def __init__(self, db: Database, tz: str, every_s: float = UPKEEP_EVERY_S) -> None:
        self.db = db
        self.tz = tz
        self.every_s = every_s

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every_s):
            try:
                refreshed = upkeep(self.db, self.tz)
                if refreshed:
                    log.debug("Analytics upkeep refreshed %d buckets", refreshed)
            except Exception:  # keep the loop alive; the marks stay and are retried next time
                log.exception("Analytics upkeep failed; retrying")


@dataclass(frozen=True)
class Thresholds:
    """When a cell, hour or person counts as low efficiency (org_settings analytics.low_*)."""

    idle_share: float
    travel_visit_ratio: float
    visits_per_hour: float
    outside_share: float

    @classmethod
    def from_settings(cls, settings: dict) -> Thresholds:
        return cls(
            float(settings["analytics.low_idle_share"]),
            float(settings["analytics.low_travel_visit_ratio"]),
            float(settings["analytics.low_visits_per_hour"]),
            float(settings["analytics.low_outside_share"]),
        )

    def reasons(self, row: dict) -> list[str]:
        """The measures of `row` on the wrong side of their threshold (a measure that is None has no say)."""
        found = []
        if (row.get("idle_share") or 0) >= self.idle_share:
            found.append("idle_share")
        if row.get("travel_visit_ratio") is not None and row["travel_visit_ratio"] >= self.travel_visit_ratio:
            found.append("travel_visit_ratio")
        if row.get("visits_per_hour") is not None and row["visits_per_hour"] < self.visits_per_hour:
            found.append("visits_per_hour")
        if (row.get("outside_share") or 0) >= self.outside_share:
            found.append("outside_share")
        return found


def targets(settings: dict) -> dict[str, float]:
    return {
        key.removeprefix("analytics.target_"): float(value)
        for key, value in settings.items()
        if key.startswith("analytics.target_")
    }


def hexagon_geojson(rows: list[dict], measure: str) -> dict:
    """Res-9 cells as GeoJSON polygons with the measure's `value` (None without one), its `color` on the
    measure's fixed scale (dashboard/analytics/scales.py) and a `tooltip` naming the measure and its value."""
    scale = SCALES[measure]
    name = scale.short_label()
    features = []
    for row in rows:
        cell = h3.int_to_str(int(row["cell"]))
        value = row.get(measure)
        hours = float(row["tracked_s"] or 0) / 3600
        visits = int(row["visits"] or 0)
        tooltip = _(
            "{measure} {value} · {hours} h tracked · {visits} visits",
            measure=name,
            value=scale.text(value),
            hours=f"{hours:.1f}",
            visits=visits,
        )
        features.append(
            {
                "type": "Feature",
                "id": cell,
                "geometry": {"type": "Polygon", "coordinates": [_ring(cell)]},
                "properties": {
                    "cell": str(row["cell"]),
                    "value": None if value is None else round(float(value), 3),
                    "color": scale.color(value),
                    "tooltip": tooltip,
                    "hours": round(hours, 1),
                    "visits": visits,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@functools.lru_cache(maxsize=200_000)
def _ring(cell: str) -> list[list[float]]:
    """A hexagon's closed outline as GeoJSON [lon, lat] pairs; a city's cells repeat on every refresh."""
    ring = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]
