"""Customers and their sites."""

from __future__ import annotations

from data.db import Database
from data.scope import Scope

IN_SCOPE = """
    (%(teams)s::int[] IS NULL OR o.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR c.owner_employee_id = %(employee)s)
"""


def list_customers(db: Database, scope: Scope) -> list[dict]:
    return db.fetch_all(
        f"""SELECT c.id, c.name, c.category, c.address, c.lat, c.lon, c.owner_employee_id, o.team_id,
                   o.name AS owner_name
            FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE {IN_SCOPE} ORDER BY c.id""",  # noqa: S608 - IN_SCOPE is a constant
        {"teams": scope.team_filter(), "employee": scope.employee_id},
    )


# ERP import (issue 9): customers upserted by the ERP's id.
CUSTOMER_FIELDS = ("name", "category", "address", "lat", "lon", "owner_employee_id")


def customers_by_external_id(db: Database, external_ids: list[str]) -> dict[str, dict]:
    rows = db.fetch_all(
        f"""SELECT id, external_id, {", ".join(CUSTOMER_FIELDS)} FROM customers
            WHERE external_id = ANY(%s)""",  # noqa: S608 - the column list is a constant
        (external_ids,),
    )
    return {row["external_id"]: row for row in rows}


def upsert_customers(db: Database, rows: list[dict]) -> None:
    """Insert or update by external_id, all in one transaction; updated_at moves only on a change."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO customers (external_id, name, category, address, lat, lon, owner_employee_id)
               VALUES (%(external_id)s, %(name)s, %(category)s, %(address)s, %(lat)s, %(lon)s, %(owner_employee_id)s)
               ON CONFLICT (external_id) DO UPDATE
                 SET name = EXCLUDED.name, category = EXCLUDED.category, address = EXCLUDED.address,
                     lat = EXCLUDED.lat, lon = EXCLUDED.lon, owner_employee_id = EXCLUDED.owner_employee_id,
                     updated_at = now()
               WHERE (customers.name, customers.category, customers.address, customers.lat, customers.lon,
                      customers.owner_employee_id)
                     IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.address, EXCLUDED.lat,
                                       EXCLUDED.lon, EXCLUDED.owner_employee_id)""",
            rows,
        )


def owned_customers(db: Database) -> list[dict]:
    """Every customer with an owner: id, lat, lon and the owner's team_id."""
    return db.fetch_all(
        "SELECT c.id, c.lat, c.lon, o.team_id FROM customers c JOIN employees o ON o.id = c.owner_employee_id"
    )


def external_ids(db: Database, scope: Scope) -> dict[str, int]:
    """External id (from the ERP or a CSV) → customer id, for customers in the scope."""
    rows = db.fetch_all(
        f"""SELECT c.id, c.external_id FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE c.external_id IS NOT NULL AND {IN_SCOPE}""",  # noqa: S608 - IN_SCOPE is a constant
        {"teams": scope.team_filter(), "employee": scope.employee_id},
    )
    return {r["external_id"]: r["id"] for r in rows}


def get_customer(db: Database, scope: Scope, customer_id: int) -> dict | None:
    return db.fetch_one(
        f"""SELECT c.id, c.external_id, c.name, c.category, c.address, c.lat, c.lon, c.owner_employee_id,
                   o.name AS owner_name, o.team_id
            FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE c.id = %(id)s AND {IN_SCOPE}""",  # noqa: S608 - IN_SCOPE is a constant
        {"id": customer_id, "teams": scope.team_filter(), "employee": scope.employee_id},
    )
