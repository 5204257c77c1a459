"""Zones drawn on the map: validate a drawn shape, then store it as a polygon or a circle.

A shape is drawn in the map's system (a GCJ-02 map's in China) and stored in WGS-84: `frame.back` here is the
one place a drawn zone is converted."""

from __future__ import annotations

from shapely.geometry import shape
from shapely.validation import explain_validity

from dashboard.core.i18n import _
from dashboard.geo.coords import WGS84, Frame
from data import zones
from data.db import Database

MAX_VERTICES = 500
MAX_RADIUS_M = 50_000


class ZoneError(ValueError):
    """A drawn zone that cannot be stored, with the reason."""


def parse_drawn(feature: dict, frame: Frame = WGS84) -> tuple[dict | None, tuple[float, float, float] | None]:
    """(polygon geometry, None) or (None, (lat, lon, radius)) from one feature of the draw control drawn on a
    map in `frame`, as stored (WGS-84)."""
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    if not isinstance(geometry, dict):
        raise ZoneError(_("Draw a shape on the map first."))
    props = feature.get("properties") or {}
    if geometry.get("type") == "Point" and props.get("_radius"):
        lon, lat = geometry["coordinates"][:2]
        radius = float(props["_radius"])
        if not 1 <= radius <= MAX_RADIUS_M:
            raise ZoneError(_("A circle's radius is 1 m to 50 km."))
        return None, (*frame.back(float(lat), float(lon)), radius)
    if geometry.get("type") != "Polygon":
        raise ZoneError(_("A zone is a polygon, a rectangle or a circle."))
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ZoneError(_("The shape could not be read.")) from exc
    if len(geometry["coordinates"][0]) > MAX_VERTICES:
        raise ZoneError(_("A zone has at most {n} corners.", n=MAX_VERTICES))
    if not polygon.is_valid or polygon.area <= 0:
        raise ZoneError(_("The shape is not a valid area ({why}).", why=explain_validity(polygon)))
    return frame.back_geojson({"type": "Polygon", "coordinates": geometry["coordinates"]}), None


def save_drawn(db: Database, feature: dict, *, name: str, team_id: int | None, frame: Frame = WGS84) -> int:
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        raise ZoneError(_("A zone needs a name (up to 100 characters)."))
    polygon, circle = parse_drawn(feature, frame)
    return zones.create_zone(db, name, "work_area", polygon, team_id=team_id, circle=circle)


def reshape(db: Database, zone_id: int, feature: dict, frame: Frame = WGS84) -> None:
    polygon, circle = parse_drawn(feature, frame)
    if not zones.update_shape(db, zone_id, polygon, circle):
        raise ZoneError(_("That zone no longer exists."))
