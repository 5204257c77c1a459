"""Devices: a tracker's identifier mapped to the employee who carries it."""

from __future__ import annotations

import hashlib

from data.db import Database


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_device(
    db: Database, identifier: str, employee_id: int, protocol: str, token: str | None, coord_system: str = "wgs84"
) -> int:
    return db.fetch_one(
        """INSERT INTO devices (identifier, employee_id, protocol, token_hash, coord_system)
           VALUES (%s, %s, %s, %s, %s)
           ON CONFLICT (identifier) DO UPDATE
             SET employee_id = EXCLUDED.employee_id, protocol = EXCLUDED.protocol,
                 token_hash = EXCLUDED.token_hash, coord_system = EXCLUDED.coord_system
           RETURNING id""",
        (identifier, employee_id, protocol, hash_token(token) if token else None, coord_system),
    )["id"]


def set_coord_system(db: Database, identifier: str, coord_system: str) -> bool:
    """The coordinate system a tracker sends in (wgs84, gcj02, bd09); ingest converts to WGS-84."""
    return db.execute("UPDATE devices SET coord_system = %s WHERE identifier = %s", (coord_system, identifier)) > 0


def device_by_token(db: Database, token: str) -> dict | None:
    """The device (and its active employee) whose token this is."""
    return db.fetch_one(
        """SELECT d.id, d.identifier, d.employee_id, d.coord_system FROM devices d
           JOIN employees e ON e.id = d.employee_id AND e.active
           WHERE d.token_hash = %s""",
        (hash_token(token),),
    )


def touch_device(db: Database, device_id: int) -> None:
    db.execute("UPDATE devices SET last_seen = now() WHERE id = %s", (device_id,))


def device_by_identifier(db: Database, protocol: str, identifier: str) -> dict | None:
    """The device of this protocol and its active employee, with the stored secret's hash."""
    return db.fetch_one(
        """SELECT d.id, d.identifier, d.employee_id, d.coord_system, d.token_hash FROM devices d
           JOIN employees e ON e.id = d.employee_id AND e.active
           WHERE d.protocol = %s AND d.identifier = %s""",
        (protocol, identifier),
    )


def list_devices(db: Database) -> list[dict]:
    return db.fetch_all(
        """SELECT d.id, d.identifier, d.protocol, e.code AS employee_code, e.name AS employee_name,
                  d.token_hash IS NOT NULL AS has_secret, d.created_at, d.coord_system
           FROM devices d JOIN employees e ON e.id = d.employee_id ORDER BY d.protocol, d.identifier"""
    )


def devices_of(db: Database, employee_id: int) -> list[dict]:
    """One person's trackers, newest first: what the People page lists in their panel."""
    return db.fetch_all(
        """SELECT identifier, protocol, coord_system, created_at, last_seen FROM devices WHERE employee_id = %s
           ORDER BY created_at DESC, id DESC""",
        (employee_id,),
    )


def remove_device(db: Database, identifier: str) -> bool:
    return db.execute("DELETE FROM devices WHERE identifier = %s", (identifier,)) > 0


def native_devices(db: Database) -> list[dict]:
    """Active employees (id, code) with the identifier of their native-protocol device."""
    return db.fetch_all(
        """SELECT e.id, e.code, d.identifier FROM employees e
           JOIN devices d ON d.employee_id = e.id AND d.protocol = 'native'
           WHERE e.active ORDER BY e.id"""
    )


def register(db: Database) -> list[dict]:
    """Every device of an active employee, as device_by_identifier reads one (with its protocol): the ingest
    server holds them all in memory and reads them again every few seconds (dashboard/ingest/trackers.py)."""
    return db.fetch_all(
        """SELECT d.id, d.identifier, d.protocol, d.employee_id, d.coord_system, d.token_hash FROM devices d
           JOIN employees e ON e.id = d.employee_id AND e.active"""
    )
