"""Customers' orders, imported from the ERP (issue 9) and shown before a visit."""

from __future__ import annotations

from data.db import Database
from data.scope import Scope

ORDER_FIELDS = ("customer_id", "number", "status", "amount", "currency", "due_date", "summary")
IN_SCOPE = """
    (%(teams)s::int[] IS NULL OR o.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR c.owner_employee_id = %(employee)s
         OR EXISTS (SELECT 1 FROM tasks t WHERE t.customer_id = c.id AND t.employee_id = %(employee)s))
"""


def _customer_in_scope(customer: str) -> str:
    """SQL: the customer (a customer id expression) is one the scope sees (IN_SCOPE)."""
    return f"""EXISTS (SELECT 1 FROM customers c LEFT JOIN employees o ON o.id = c.owner_employee_id
                       WHERE c.id = {customer} AND {IN_SCOPE})"""  # noqa: S608 - a column of ours


def orders_by_external_id(db: Database, scope: Scope, external_ids: list[str]) -> dict[str, dict]:
    """The orders of customers in the scope with these external ids; one outside it is as absent as an unknown id."""
    rows = db.fetch_all(
        f"""SELECT r.id, r.external_id, {", ".join(f"r.{f}" for f in ORDER_FIELDS)}
            FROM orders r JOIN customers c ON c.id = r.customer_id LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE r.external_id = ANY(%(ids)s) AND {IN_SCOPE}""",  # noqa: S608 - constants only
        {"ids": external_ids, "teams": scope.team_filter(), "employee": scope.employee_id},
    )
    return {row["external_id"]: row for row in rows}


def upsert_orders(db: Database, scope: Scope, rows: list[dict]) -> None:
    """Insert or update by external_id, all in one transaction; updated_at moves only on a change. Within the
    scope only: an order for a customer outside it is not written, and a stored order of a customer outside it
    is not changed (the caller refuses such rows first; this keeps the write itself in scope)."""
    params = [{**row, "teams": scope.team_filter(), "employee": scope.employee_id} for row in rows]
    with db.transaction() as conn, conn.cursor() as cur:
        cur.executemany(
            f"""INSERT INTO orders (external_id, customer_id, number, status, amount, currency, due_date, summary)
               SELECT %(external_id)s, %(customer_id)s, %(number)s, %(status)s, %(amount)s, %(currency)s,
                      %(due_date)s, %(summary)s
               WHERE {_customer_in_scope("%(customer_id)s::int")}
               ON CONFLICT (external_id) DO UPDATE
                 SET customer_id = EXCLUDED.customer_id, number = EXCLUDED.number, status = EXCLUDED.status,
                     amount = EXCLUDED.amount, currency = EXCLUDED.currency, due_date = EXCLUDED.due_date,
                     summary = EXCLUDED.summary, updated_at = now()
               WHERE (orders.customer_id, orders.number, orders.status, orders.amount, orders.currency,
                      orders.due_date, orders.summary)
                     IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.number, EXCLUDED.status, EXCLUDED.amount,
                                       EXCLUDED.currency, EXCLUDED.due_date, EXCLUDED.summary)
                 AND {_customer_in_scope("orders.customer_id")}""",  # noqa: S608 - constants only
            params,
        )


def customer_orders(db: Database, scope: Scope, customer_id: int, limit: int = 20) -> list[dict]:
    """A customer's orders, open ones and the latest due first, if the customer is in the viewer's scope."""
    return db.fetch_all(
        f"""SELECT r.id, r.external_id, r.number, r.status, r.amount, r.currency, r.due_date, r.summary
            FROM orders r JOIN customers c ON c.id = r.customer_id
            LEFT JOIN employees o ON o.id = c.owner_employee_id
            WHERE r.customer_id = %(customer)s AND {IN_SCOPE}
            ORDER BY (r.status = 'open') DESC, r.due_date DESC NULLS LAST, r.id DESC
            LIMIT %(limit)s""",  # noqa: S608 - IN_SCOPE is a constant
        {"customer": customer_id, "limit": limit, "teams": scope.team_filter(), "employee": scope.employee_id},
    )
