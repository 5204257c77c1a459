"""Coordinate systems: everything is stored in WGS-84; sources and maps may speak GCJ-02 or BD-09.

Mainland China's maps (AMap, Tencent) are drawn in GCJ-02, Baidu's in BD-09: the same street sits 300-600 m
away from its WGS-84 coordinates there, and exactly where it is everywhere else. The conversions are
`prcoords` (public domain, the eviltransform formulas, with an iterative inverse accurate to millimetres);
where the offset applies is decided by a real boundary (boundaries.geojson, from Natural Earth), not the
rectangle those libraries use, which also catches Korea, Japan and Vietnam. Mainland China always; Hong Kong,
Macao and Taiwan only when the organisation says its provider offsets them (setting `maps.offset_regions`).

`Frame` is a map's system: `out` takes a stored point to what the map is given, `back` a point drawn or
clicked on the map to the stored one. A source's points come in through `to_wgs84`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import prcoords
import shapely
from shapely.geometry import shape
from shapely.ops import unary_union

SYSTEMS = ("wgs84", "gcj02", "bd09")
OPTIONAL_REGIONS = ("HK", "MO", "TW")  # mainland China ("CN") always offsets
COAST_MARGIN_DEG = 0.02  # about 2 km out to sea, so a harbour or a coastal road is not left out by simplification
BOUNDARIES = Path(__file__).with_name("boundaries.geojson")

_FROM_WGS84 = {"gcj02": prcoords.wgs_gcj, "bd09": prcoords.wgs_bd}
_TO_WGS84 = {"gcj02": prcoords.gcj_wgs_bored, "bd09": prcoords.bd_wgs_bored}


class CoordSystemError(ValueError):
    """A coordinate system that is not one of SYSTEMS."""


def checked_system(value: object, name: str = "coord_system") -> str:
    """A declared coordinate system, or the error naming what is allowed. None is WGS-84."""
    if value is None:
        return "wgs84"
    if not isinstance(value, str) or value.strip().lower() not in SYSTEMS:
        raise CoordSystemError(f"{name} must be one of {', '.join(SYSTEMS)}")
    return value.strip().lower()


@cache
def _regions(offset_regions: frozenset[str]) -> Any:
    """The prepared area where the offset applies: mainland China (with a coastal margin that stops at its
    neighbours' borders) plus the optional regions chosen."""
    features = {f["properties"]["region"]: shape(f["geometry"]) for f in json.loads(BOUNDARIES.read_text())["features"]}
    others = unary_union([features[code] for code in OPTIONAL_REGIONS])
    area = features["CN"].buffer(COAST_MARGIN_DEG).difference(others)
    area = unary_union([area, *(features[code] for code in sorted(offset_regions) if code in features)])
    shapely.prepare(area)
    return area


def offset_applies(lat: float, lon: float, offset_regions: frozenset[str] = frozenset()) -> bool:
    """Whether GCJ-02 / BD-09 differ from WGS-84 at this point."""
    if not (15.0 <= lat <= 54.0 and 73.0 <= lon <= 135.5):  # the whole area's bounding box, cheaply first
        return False
    return bool(shapely.contains_xy(_regions(offset_regions), lon, lat))


def to_wgs84(lat: float, lon: float, system: str, offset_regions: frozenset[str] = frozenset()) -> tuple[float, float]:
    """A point a source gave in `system`, as stored."""
    if system == "wgs84" or not offset_applies(lat, lon, offset_regions):
        return lat, lon
    point = _TO_WGS84[system](prcoords.Coords(lat, lon), False)
    return point.lat, point.lon


def from_wgs84(
    lat: float, lon: float, system: str, offset_regions: frozenset[str] = frozenset()
) -> tuple[float, float]:
    """A stored point as a map in `system` draws it."""
    if system == "wgs84" or not offset_applies(lat, lon, offset_regions):
        return lat, lon
    point = _FROM_WGS84[system](prcoords.Coords(lat, lon), False)
    return point.lat, point.lon


@dataclass(frozen=True)
class Frame:
    """A map's coordinate system: what every point the map is given goes through."""

    system: str = "wgs84"
    offset_regions: frozenset[str] = frozenset()

    @property
    def identity(self) -> bool:
        return self.system == "wgs84"

    def out(self, lat: float, lon: float) -> tuple[float, float]:
        """A stored point → the map."""
        return (lat, lon) if self.identity else from_wgs84(lat, lon, self.system, self.offset_regions)

    def back(self, lat: float, lon: float) -> tuple[float, float]:
        """A point on the map (drawn, clicked) → stored."""
        return (lat, lon) if self.identity else to_wgs84(lat, lon, self.system, self.offset_regions)

    def out_many(self, points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        return list(points) if self.identity else [self.out(lat, lon) for lat, lon in points]

    def out_geojson(self, geojson: dict) -> dict:
        """A GeoJSON object (Feature, FeatureCollection or geometry; [lon, lat] positions) for the map."""
        return geojson if self.identity else _map_geojson(geojson, self.out)

    def back_geojson(self, geojson: dict) -> dict:
        """A GeoJSON object drawn on the map, to store."""
        return geojson if self.identity else _map_geojson(geojson, self.back)


WGS84 = Frame()


def _map_geojson(node: Any, convert: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _map_positions(value, convert) if key == "coordinates" else _map_geojson(value, convert)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_map_geojson(item, convert) for item in node]
    return node


def _map_positions(node: Any, convert: Any) -> Any:
    if isinstance(node, list) and node and isinstance(node[0], int | float):
        lat, lon = convert(node[1], node[0])
        return [lon, lat, *node[2:]]
    return [_map_positions(item, convert) for item in node] if isinstance(node, list) else node
