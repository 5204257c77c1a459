"""ERP import (issue 9): customers and orders from CSV or JSON, upserted by the ERP's id.

A file is read whole, every row checked, and compared with what is stored: each row is
`created`, `updated`, `unchanged` or in error. A dry run stops there. A commit is all or nothing:
with any row in error nothing is written, so an ERP export is never half applied, and the report
names every bad row to fix. A row states the whole record: an optional field left empty is cleared.

An import reads and writes within the importer's scope (a manager's or admin's: everything; an API token's: its
teams). Within a team limit a customer is written only with an owner of those teams, an order only for a customer
of theirs, and nothing is created: external ids are one namespace for the whole organisation, so a create refused
because the id is taken would tell a team-limited caller that the id exists in another team. Such a caller gets the
same answer for an id stored outside its teams as for an id stored nowhere (and for an owner code or customer of
another team as for an unknown one); an ERP that creates records uses a token without a team limit.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import orjson

from dashboard.core.runtime import Runtime
from data import customers, employees, orders
from data.scope import Scope

MAX_ROWS = 10_000
MAX_AMOUNT = 999_999_999_999  # numeric(14, 2)
ENTITIES = ("customers", "orders")
CURRENCY = re.compile(r"^[A-Z]{3}$")
TEXT_LIMITS = {
    "external_id": 100,
    "name": 200,
    "category": 100,
    "address": 300,
    "owner_code": 64,
    "customer_external_id": 100,
    "number": 100,
    "status": 40,
    "summary": 2000,
    "currency": 10,
}
# What each entity's rows hold, for the page and the API document.
COLUMNS = {
    "customers": ("external_id", "name", "address", "lat", "lon", "category", "owner_code"),
    "orders": ("external_id", "customer_external_id", "number", "status", "amount", "currency", "due_date", "summary"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, not JSON, no rows, too many rows)."""


@dataclass
class Report:
    entity: str
    dry_run: bool
    committed: bool = False
    rows: list[dict] = field(default_factory=list)  # {row, external_id, action}
    errors: list[dict] = field(default_factory=list)  # {row, external_id, field, message}

    def count(self, action: str) -> int:
        return sum(row["action"] == action for row in self.rows)

    def as_dict(self) -> dict:
        return {
            "entity": self.entity,
            "dry_run": self.dry_run,
            "committed": self.committed,
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "error_rows": len({e["row"] for e in self.errors}),
            "rows": self.rows,
            "errors": self.errors,
        }


def read_rows(content: bytes | str, kind: str) -> list[dict]:
    """Rows of a CSV file (with a header line) or a JSON list / {"rows": [...]}, as dicts."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError("the file is not UTF-8 text") from exc
    if kind == "json":
        try:
            body = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            raise ImportFileError("the file is not valid JSON") from exc
        rows = body.get("rows") if isinstance(body, dict) else body
        if not isinstance(rows, list):
            raise ImportFileError('JSON must be a list of rows or {"rows": [...]}')
    else:
        try:
            rows = list(csv.DictReader(io.StringIO(content, newline="")))
        except csv.Error as exc:
            raise ImportFileError(f"the CSV cannot be read: {exc}") from exc
    if not rows:
        raise ImportFileError("the file holds no rows")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"at most {MAX_ROWS} rows per import")
    return rows


def run_import(rt: Runtime, scope: Scope, entity: str, rows: list, dry_run: bool) -> Report:
    """Check every row, compare with what is stored in the scope, and write everything only if no row is in error."""
    if entity not in ENTITIES:
        raise ImportFileError(f"unknown entity {entity!r}")
    report = Report(entity, dry_run)
    clean = (_check_customers if entity == "customers" else _check_orders)(rt, scope, rows, report)
    if dry_run or report.errors:
        return report
    if clean:
        (customers.upsert_customers if entity == "customers" else orders.upsert_orders)(rt.db, scope, clean)
    report.committed = True
    return report


NOT_IN_TEAMS = "no {what} of your teams has this external id (an import limited to teams updates, never creates)"


def _check_customers(rt: Runtime, scope: Scope, rows: list, report: Report) -> list[dict]:
    checked = _checked_rows(rows, report, _customer_row)
    owners = employees.employees_by_code(rt.db, scope, sorted({row["owner_code"] for _n, row in checked} - {None}))
    stored = customers.customers_by_external_id(rt.db, scope, [row["external_id"] for _n, row in checked])
    clean = []
    for number, row in checked:
        code = row.pop("owner_code")
        owner = owners.get(code) if code else None
        if code and owner is None:
            _error(report, number, row["external_id"], "owner_code", f"no employee has the code {code!r}")
            continue
        if owner is None and not scope.all_teams:
            _error(report, number, row["external_id"], "owner_code", "required: an employee of your teams")
            continue
        current = stored.get(row["external_id"])
        if current is None and not scope.all_teams:
            _error(report, number, row["external_id"], "external_id", NOT_IN_TEAMS.format(what="customer"))
            continue
        row["owner_employee_id"] = owner["id"] if owner else None
        _classify(report, number, row, current, customers.CUSTOMER_FIELDS)
        clean.append(row)
    return clean


def _check_orders(rt: Runtime, scope: Scope, rows: list, report: Report) -> list[dict]:
    checked = _checked_rows(rows, report, _order_row)
    known = customers.customers_by_external_id(
        rt.db, scope, sorted({row["customer_external_id"] for _n, row in checked})
    )
    stored = orders.orders_by_external_id(rt.db, scope, [row["external_id"] for _n, row in checked])
    clean = []
    for number, row in checked:
        customer = known.get(row.pop("customer_external_id"))
        if customer is None:
            _error(report, number, row["external_id"], "customer_external_id", "no customer has this external id")
            continue
        current = stored.get(row["external_id"])
        if current is None and not scope.all_teams:
            _error(report, number, row["external_id"], "external_id", NOT_IN_TEAMS.format(what="order"))
            continue
        row["customer_id"] = customer["id"]
        _classify(report, number, row, current, orders.ORDER_FIELDS)
        clean.append(row)
    return clean


def _checked_rows(rows: list, report: Report, check) -> list[tuple[int, dict]]:
    """Rows numbered from 1 (the CSV header is row 0) that pass their own checks; the rest as errors."""
    checked, seen = [], set()
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            _error(report, number, None, None, "a row is an object of column: value")
            continue
        problems: list[tuple[str, str]] = []
        row = check(raw, problems)
        external_id = row.get("external_id")
        if external_id and external_id in seen:
            problems.append(("external_id", "this external id appears earlier in the file"))
        if problems:
            for column, message in problems:
                _error(report, number, external_id, column, message)
            continue
        seen.add(external_id)
        checked.append((number, row))
    return checked


def _customer_row(raw: dict, problems: list) -> dict:
    return {
        "external_id": _text(raw, "external_id", problems, required=True),
        "name": _text(raw, "name", problems, required=True),
        "category": _text(raw, "category", problems),
        "address": _text(raw, "address", problems),
        "lat": _number(raw, "lat", problems, -90, 90, required=True),
        "lon": _number(raw, "lon", problems, -180, 180, required=True),
        "owner_code": _text(raw, "owner_code", problems),
    }


def _order_row(raw: dict, problems: list) -> dict:
    currency = _text(raw, "currency", problems)
    if currency and not CURRENCY.match(currency.upper()):
        problems.append(("currency", "a currency is a three-letter ISO 4217 code, e.g. EUR"))
    amount = _number(raw, "amount", problems, -MAX_AMOUNT, MAX_AMOUNT)
    return {
        "external_id": _text(raw, "external_id", problems, required=True),
        "customer_external_id": _text(raw, "customer_external_id", problems, required=True),
        "number": _text(raw, "number", problems, required=True),
        "status": _text(raw, "status", problems) or "open",
        "amount": None if amount is None else Decimal(str(amount)).quantize(Decimal("0.01")),
        "currency": currency.upper() if currency else None,
        "due_date": _date(raw, "due_date", problems),
        "summary": _text(raw, "summary", problems),
    }


def _value(raw: dict, column: str) -> object:
    value = raw.get(column)
    return value.strip() if isinstance(value, str) else value


def _text(raw: dict, column: str, problems: list, required: bool = False) -> str | None:
    value = _value(raw, column)
    if value is None or value == "":
        if required:
            problems.append((column, "required"))
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.append((column, "must be text"))
        return None
    value = str(value)
    if len(value) > TEXT_LIMITS[column] or "\x00" in value:
        problems.append((column, f"at most {TEXT_LIMITS[column]} characters of text"))
        return None
    return value


def _number(raw: dict, column: str, problems: list, low: float, high: float, required: bool = False) -> float | None:
    value = _value(raw, column)
    if value is None or value == "":
        if required:
            problems.append((column, "required"))
        return None
    try:
        number = float(value) if not isinstance(value, bool) and isinstance(value, str | int | float) else None
    except (ValueError, OverflowError):
        number = None
    if number is None or not (low <= number <= high):
        problems.append((column, f"a number from {low:g} to {high:g}"))
        return None
    return number


def _date(raw: dict, column: str, problems: list) -> date | None:
    value = _value(raw, column)
    if value is None or value == "":
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not (1900 <= day.year <= 2200):
        problems.append((column, "a date written YYYY-MM-DD"))
        return None
    return day


def _classify(report: Report, number: int, row: dict, stored: dict | None, fields: tuple[str, ...]) -> None:
    if stored is None:
        action = "created"
    else:
        action = "unchanged" if all(_same(row[f], stored[f]) for f in fields) else "updated"
    report.rows.append({"row": number, "external_id": row["external_id"], "action": action})


def _same(new: object, old: object) -> bool:
    if isinstance(new, int | float | Decimal) and isinstance(old, int | float | Decimal):
        return Decimal(str(new)) == Decimal(str(old))
    return new == old


def _error(report: Report, number: int, external_id: str | None, column: str | None, message: str) -> None:
    report.errors.append({"row": number, "external_id": external_id, "field": column, "message": message})
