"""Writes boundaries.geojson: mainland China, Hong Kong, Macao and Taiwan from Natural Earth's 1:10m admin-0
countries (public domain), as packaged in the npm package world-atlas@2 (countries-10m.json, TopoJSON).

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python -m dashboard.geo.make_boundaries package/countries-10m.json

Simplified to 0.005° (about 500 m): the boundary decides whether the GCJ-02 offset applies, and that offset
is itself 300-600 m, so finer detail changes nothing a map shows."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, mapping

WANTED = {"156": "CN", "344": "HK", "446": "MO", "158": "TW"}  # ISO 3166 numeric → alpha-2
TOLERANCE_DEG = 0.005
OUT = Path(__file__).with_name("boundaries.geojson")


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def main(path: str) -> None:
    topology = json.loads(Path(path).read_text())
    arcs = _arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = WANTED.get(str(geometry.get("id")))
        if code is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        shape = MultiPolygon(
            [Polygon(_ring(arcs, rings[0]), [_ring(arcs, hole) for hole in rings[1:]]) for rings in polygons]
        ).buffer(0)
        simple = shape.simplify(TOLERANCE_DEG, preserve_topology=True)
        coordinates = json.loads(json.dumps(mapping(simple)), parse_float=lambda v: round(float(v), 4))
        features.append({"type": "Feature", "properties": {"region": code}, "geometry": coordinates})
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")))


if __name__ == "__main__":
    main(sys.argv[1])
