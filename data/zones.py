"""Zones: team work areas and customer sites (a circle, or a GeoJSON polygon)."""

from __future__ import annotations

import orjson

from data.db import Database
from data.scope import Scope


def list_zones(db: Database, scope: Scope) -> list[dict]:
    return db.fetch_all(
        """SELECT z.id, z.name, z.kind, z.team_id, z.customer_id, z.geometry,
                  z.center_lat, z.center_lon, z.radius_m
           FROM zones z
           LEFT JOIN customers c ON c.id = z.customer_id
           LEFT JOIN employees o ON o.id = c.owner_employee_id
           WHERE (%(teams)s::int[] IS NULL OR coalesce(z.team_id, o.team_id) = ANY(%(teams)s))
             AND (%(employee)s::int IS NULL
                  OR c.owner_employee_id = %(employee)s
                  OR z.team_id = (SELECT team_id FROM employees WHERE id = %(employee)s))
           ORDER BY z.kind DESC, z.id""",
        {"teams": scope.team_filter(), "employee": scope.employee_id},
    )


def customer_sites(db: Database) -> list[dict]:
    """Every customer site circle: the geofences the writer checks each fix against."""
    return db.fetch_all(
        """SELECT id, customer_id, center_lat, center_lon, radius_m FROM zones
           WHERE kind = 'customer_site' AND radius_m IS NOT NULL ORDER BY id"""
    )


def site_of_customer(db: Database, customer_id: int) -> dict | None:
    """The customer's site circle, which a check-in is verified against."""
    return db.fetch_one(
        """SELECT center_lat, center_lon, radius_m FROM zones
           WHERE kind = 'customer_site' AND customer_id = %s AND radius_m IS NOT NULL ORDER BY id LIMIT 1""",
        (customer_id,),
    )


def create_zone(
    db: Database,
    name: str,
    kind: str,
    geometry: dict | None,
    *,
    team_id: int | None = None,
    customer_id: int | None = None,
    circle: tuple[float, float, float] | None = None,
) -> int:
    """A polygon zone (GeoJSON geometry) or a circle (lat, lon, radius in metres)."""
    lat, lon, radius = circle or (None, None, None)
    return db.fetch_one(
        """INSERT INTO zones (name, kind, team_id, customer_id, geometry, center_lat, center_lon, radius_m)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (name, kind, team_id, customer_id, orjson.dumps(geometry).decode() if geometry else None, lat, lon, radius),
    )["id"]


def update_shape(
    db: Database, zone_id: int, geometry: dict | None, circle: tuple[float, float, float] | None = None
) -> bool:
    lat, lon, radius = circle or (None, None, None)
    return bool(
        db.execute(
            """UPDATE zones SET geometry = %s, center_lat = %s, center_lon = %s, radius_m = %s WHERE id = %s""",
            (orjson.dumps(geometry).decode() if geometry else None, lat, lon, radius, zone_id),
        )
    )


def delete_zone(db: Database, zone_id: int) -> bool:
    return bool(db.execute("DELETE FROM zones WHERE id = %s", (zone_id,)))


def get_zone(db: Database, zone_id: int) -> dict | None:
    return db.fetch_one(
        """SELECT id, name, kind, team_id, customer_id, geometry, center_lat, center_lon, radius_m
           FROM zones WHERE id = %s""",
        (zone_id,),
    )


def geofences(db: Database) -> list[dict]:
    """Every zone the writer watches for enter/exit: work-area polygons and customer-site circles."""
    return db.fetch_all(
        """SELECT id, name, kind, customer_id, geometry, center_lat, center_lon, radius_m FROM zones
           ORDER BY id"""
    )
