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
                   display_name(o) AS owner_name
            FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE {IN_SCOPE} ORDER BY c.id""",  # noqa: S608 - IN_SCOPE is a constant
        {"teams": scope.team_filter(), "employee": scope.employee_id},
    )


# ERP import (issue 9): customers upserted by the ERP's id, within the importer's scope.
CUSTOMER_FIELDS = ("name", "category", "address", "lat", "lon", "owner_employee_id")


def _owner_in_scope(owner: str) -> str:
    """SQL: the owner (an employee id expression) is one the scope sees, as IN_SCOPE asks of a stored customer;
    with no team limit any owner or none."""
    return f"""(%(teams)s::int[] IS NULL
                OR EXISTS (SELECT 1 FROM employees s WHERE s.id = {owner} AND s.team_id = ANY(%(teams)s)))
               AND (%(employee)s::int IS NULL OR {owner} = %(employee)s)"""  # noqa: S608 - a column of ours


def customers_by_external_id(db: Database, scope: Scope, external_ids: list[str]) -> dict[str, dict]:
    """The customers in the scope with these external ids; one outside the scope is as absent as an unknown id."""
    rows = db.fetch_all(
        f"""SELECT c.id, c.external_id, {", ".join(f"c.{f}" for f in CUSTOMER_FIELDS)}
            FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE c.external_id = ANY(%(ids)s) AND {IN_SCOPE}""",  # noqa: S608 - constants only
        {"ids": external_ids, "teams": scope.team_filter(), "employee": scope.employee_id},
    )
    return {row["external_id"]: row for row in rows}


def upsert_customers(db: Database, scope: Scope, rows: list[dict]) -> None:
    """Insert or update by external_id, all in one transaction; updated_at moves only on a change. Within the
    scope only: a row whose new owner is outside it is not written, and a stored customer outside it is not
    changed (the caller refuses such rows first; this keeps the write itself in scope)."""
    params = [{**row, "teams": scope.team_filter(), "employee": scope.employee_id} for row in rows]
    with db.transaction() as conn, conn.cursor() as cur:
        cur.executemany(
            f"""INSERT INTO customers (external_id, name, category, address, lat, lon, owner_employee_id)
               SELECT %(external_id)s, %(name)s, %(category)s, %(address)s, %(lat)s, %(lon)s, %(owner_employee_id)s
               WHERE {_owner_in_scope("%(owner_employee_id)s::int")}
               ON CONFLICT (external_id) DO UPDATE
                 SET name = EXCLUDED.name, category = EXCLUDED.category, address = EXCLUDED.address,
                     lat = EXCLUDED.lat, lon = EXCLUDED.lon, owner_employee_id = EXCLUDED.owner_employee_id,
                     updated_at = now()
               WHERE (customers.name, customers.category, customers.address, customers.lat, customers.lon,
                      customers.owner_employee_id)
                     IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.address, EXCLUDED.lat,
                                       EXCLUDED.lon, EXCLUDED.owner_employee_id)
                 AND {_owner_in_scope("customers.owner_employee_id")}""",  # noqa: S608 - constants only
            params,
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
                   display_name(o) AS owner_name, o.team_id, c.contact_name, c.contact_email
            FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE c.id = %(id)s AND {IN_SCOPE}""",  # noqa: S608 - IN_SCOPE is a constant
        {"id": customer_id, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def set_contact(db: Database, scope: Scope, customer_id: int, name: str | None, email: str | None) -> bool:
    """The customer's contact (issue 21: whom a service report is e-mailed to); False when the scope does not
    see the customer."""
    return (
        db.execute(
            f"""UPDATE customers SET contact_name = %(name)s, contact_email = %(email)s, updated_at = now()
                WHERE id = (SELECT c.id FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id
                            WHERE c.id = %(id)s AND {IN_SCOPE})""",  # noqa: S608 - IN_SCOPE is a constant
            {
                "id": customer_id,
                "name": name,
                "email": email,
                "teams": scope.team_filter(),
                "employee": scope.employee_id,
            },
        )
        > 0
    )
