"""Zones: team work areas and customer sites (a circle, or a GeoJSON polygon)."""

from __future__ import annotations

from data.db import Database
from data.scope import Scope


def list_zones(db: Database, scope: Scope) -> list[dict]:
    return db.fetch_all(
        """SELECT z.id, z.name, z.kind, z.team_id, z.customer_id, z.geometry,
                  z.center_lat, z.center_lon, z.radius_m
           FROM zones z
           LEFT JOIN customers c ON c.id = z.customer_id
           LEFT JOIN employees o ON o.id = c.owner_employee_id
           WHERE %(teams)s::int[] IS NULL OR coalesce(z.team_id, o.team_id) = ANY(%(teams)s)
           ORDER BY z.kind DESC, z.id""",
        {"teams": scope.team_filter()},
    )


def customer_sites(db: Database) -> list[dict]:
    """Every customer site circle: the geofences the writer checks each fix against."""
    return db.fetch_all(
        """SELECT id, customer_id, center_lat, center_lon, radius_m FROM zones
           WHERE kind = 'customer_site' AND radius_m IS NOT NULL ORDER BY id"""
    )


def geofences(db: Database) -> list[dict]:
    """Every zone the writer watches for enter/exit: work-area polygons and customer-site circles."""
    return db.fetch_all(
        """SELECT id, name, kind, customer_id, geometry, center_lat, center_lon, radius_m FROM zones
           ORDER BY id"""
    )
