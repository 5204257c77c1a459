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
