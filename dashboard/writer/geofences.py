"""Geofence enter/exit and stays, derived from each person's fixes by the writer.

Drift must not make events. A fix counts as *inside* a zone only when it is inside by more than
its own accuracy, and as *outside* only when it is outside by more than its accuracy plus
EXIT_MARGIN_M; anything between is uncertain and changes nothing. A change of side becomes an
event only after it has held for GEOFENCE_DWELL_S, timed from its first certain fix, so a person
walking along a boundary, or a fix that jumps out and back, makes no enter/exit pair.

A stay is a stop: fixes within STAY_RADIUS_M (plus their accuracy) of where it began for at least
the configured time (FIELDOPS_STAY_MIN_S); it is recorded when the person moves on, with its place
(the zone it was in, if any).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import shape

GEOFENCE_DWELL_S = 60
EXIT_MARGIN_M = 15.0
STAY_RADIUS_M = 50.0
MAX_ACCURACY_USED_M = 100.0  # a fix vaguer than this is uncertain for every zone
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Zone:
    id: int
    name: str
    kind: str
    customer_id: int | None


class ZoneIndex:
    """All zones as arrays and prepared polygons, so a whole batch of fixes is measured at once."""

    def __init__(self, rows: list[dict]) -> None:
        circles = [r for r in rows if r["geometry"] is None]
        polygons = [r for r in rows if r["geometry"] is not None]
        self.zones = [Zone(r["id"], r["name"], r["kind"], r["customer_id"]) for r in circles + polygons]
        self.column = {zone.id: i for i, zone in enumerate(self.zones)}  # zone id -> its column in margins
        self.circle_lat = np.array([r["center_lat"] for r in circles], dtype=float)
        self.circle_lon = np.array([r["center_lon"] for r in circles], dtype=float)
        self.circle_radius = np.array([r["radius_m"] for r in circles], dtype=float)
        # Polygons in metres around their own centroid: distances to the boundary in metres.
        self.polygons: list[tuple[float, float, float, shapely.Geometry]] = []
        for row in polygons:
            geometry = shape(row["geometry"])
            lat0, lon0 = geometry.centroid.y, geometry.centroid.x
            scale = METRES_PER_DEGREE * math.cos(math.radians(lat0))
            local = shapely.transform(
                geometry,
                lambda xy, lon0=lon0, lat0=lat0, scale=scale: np.column_stack(
                    ((xy[:, 0] - lon0) * scale, (xy[:, 1] - lat0) * METRES_PER_DEGREE)
                ),
            )
            shapely.prepare(local)
            self.polygons.append((lat0, lon0, scale, local))

    def margins_m(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Signed distance in metres from each fix (rows) to each zone's edge (columns): + inside."""
        columns = []
        if len(self.circle_lat):
            dy = (lat[:, None] - self.circle_lat[None, :]) * METRES_PER_DEGREE
            dx = (lon[:, None] - self.circle_lon[None, :]) * METRES_PER_DEGREE * np.cos(np.radians(lat))[:, None]
            columns.append(self.circle_radius[None, :] - np.hypot(dx, dy))
        for lat0, lon0, scale, polygon in self.polygons:
            x, y = (lon - lon0) * scale, (lat - lat0) * METRES_PER_DEGREE
            distance = shapely.distance(polygon.boundary, shapely.points(x, y))
            columns.append(np.where(shapely.contains_xy(polygon, x, y), distance, -distance)[:, None])
        return np.hstack(columns) if columns else np.zeros((len(lat), 0))


@dataclass
class ZoneState:
    inside: bool = False
    change_since_ms: int | None = None  # first certain fix on the other side, not yet an event


@dataclass
class Stay:
    lat: float
    lon: float
    since_ms: int
    last_ms: int
    zone: int | None  # index into ZoneIndex.zones of the zone it is in


@dataclass
class Person:
    """What the geofences know of one person between fixes."""

    zones: dict[int, ZoneState] = field(default_factory=dict)  # zone id -> state
    stay: Stay | None = None


@dataclass(frozen=True)
class ZoneEvent:
    kind: str  # geofence_enter | geofence_exit
    zone: Zone
    at_ms: int


@dataclass(frozen=True)
class StayEvent:
    lat: float
    lon: float
    since_ms: int
    until_ms: int
    zone: Zone | None


def slack_m(accuracy: np.ndarray) -> np.ndarray:
    """How far inside (or outside) a fix must be to count: its accuracy; a vague fix never counts."""
    accuracy = np.nan_to_num(accuracy.astype(float), nan=0.0)
    return np.where(accuracy > MAX_ACCURACY_USED_M, np.inf, accuracy)


def track_zones(person: Person, index: ZoneIndex, margins: np.ndarray, slack: float, ts_ms: int) -> list[ZoneEvent]:
    """Advance one person's zone states by one fix; return the enters and exits it completes."""
    events: list[ZoneEvent] = []
    certainly_in = margins >= slack
    certainly_out = margins <= -(slack + EXIT_MARGIN_M)
    watched = set(np.flatnonzero(certainly_in).tolist()) | {
        index.column[zone_id] for zone_id in person.zones if zone_id in index.column
    }
    for i in watched:
        zone = index.zones[i]
        state = person.zones.setdefault(zone.id, ZoneState())
        other_side = certainly_out[i] if state.inside else certainly_in[i]
        same_side = certainly_in[i] if state.inside else certainly_out[i]
        if same_side:
            state.change_since_ms = None
        elif other_side:
            state.change_since_ms = state.change_since_ms or ts_ms
            if ts_ms - state.change_since_ms >= GEOFENCE_DWELL_S * 1000:
                state.inside = not state.inside
                events.append(
                    ZoneEvent("geofence_enter" if state.inside else "geofence_exit", zone, state.change_since_ms)
                )
                state.change_since_ms = None
        if not state.inside and state.change_since_ms is None:
            del person.zones[zone.id]  # outside and settled: nothing to remember
    return events


def track_stay(
    person: Person,
    margins: np.ndarray | None,
    lat: float,
    lon: float,
    accuracy: float | None,
    ts_ms: int,
    stay_min_s: int,
) -> Stay | None:
    """Advance one person's stop; return the stay that just ended if it lasted stay_min_s.
    margins: the fix's signed distances to every zone, or None when it is inside none."""
    stay = person.stay
    if stay is not None:
        dy = (lat - stay.lat) * METRES_PER_DEGREE
        dx = (lon - stay.lon) * METRES_PER_DEGREE * math.cos(math.radians(lat))
        if math.hypot(dx, dy) <= STAY_RADIUS_M + min(accuracy or 0.0, MAX_ACCURACY_USED_M):
            stay.last_ms = ts_ms
            return None
    zone = None if margins is None else int(np.argmax(margins))
    person.stay = Stay(lat, lon, ts_ms, ts_ms, zone)
    if stay is not None and stay.last_ms - stay.since_ms >= stay_min_s * 1000:
        return stay
    return None
