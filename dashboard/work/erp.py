"""ERP import (issue 9): customers and orders from CSV, XLSX or JSON, upserted by the ERP's id. The files' reading
(read_rows, read_upload) is shared with the people import (dashboard/work/people.py).

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

import base64
import binascii
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
import orjson
from openpyxl.utils import get_column_letter

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.geo.coords import to_wgs84
from dashboard.geo.tiles import offset_regions
from data import customers, employees, orders
from data.scope import Scope

MAX_ROWS = 10_000
MAX_FILE_BYTES = 8 * 2**20  # an uploaded file; as base64 it stays within the 16 MB request body
MAX_UNPACKED_BYTES = 64 * 2**20  # an XLSX's parts unpacked: a zip bomb is refused before it is parsed
MAX_COLUMNS = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
    """The file as a whole cannot be read (not CSV, XLSX or JSON, no rows, too many rows or columns)."""


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


def file_kind(name: str) -> str:
    """How a file is read, from its name: .xlsx a workbook, .json JSON, anything else CSV."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    return suffix if suffix in ("xlsx", "json") else "csv"


def read_upload(data_url: object, name: object) -> list[dict]:
    """Rows of a file a page's upload sent (a base64 data URL), read by its name's kind."""
    if not isinstance(data_url, str) or "," not in data_url:
        raise ImportFileError(_("Choose a file first."))
    try:
        content = base64.b64decode(data_url.split(",", 1)[1], validate=True)
    except binascii.Error:
        raise ImportFileError(_("The file could not be read.")) from None
    return read_rows(content, file_kind(name if isinstance(name, str) else ""))


def read_rows(content: bytes | str, kind: str) -> list[dict]:
    """Rows of a CSV file (with a header line), an XLSX workbook's first sheet (its first row the header) or a JSON
    list / {"rows": [...]}, as dicts; CSV and XLSX cells as text."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(_("A file is at most {n} MB.", n=MAX_FILE_BYTES // 2**20))
    if kind == "xlsx":
        rows = _xlsx_rows(content.encode() if isinstance(content, str) else content)
    else:
        rows = _text_rows(content, kind)
    if not rows:
        raise ImportFileError(_("The file holds no rows."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most {n} rows per import.", n=MAX_ROWS))
    return rows


def _text_rows(content: bytes | str, kind: str) -> list:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(_("The file is not UTF-8 text.")) from None
    if kind == "json":
        try:
            body = orjson.loads(content)
        except orjson.JSONDecodeError:
            raise ImportFileError(_("The file is not valid JSON.")) from None
        rows = body.get("rows") if isinstance(body, dict) else body
        if not isinstance(rows, list):
            raise ImportFileError(_("JSON must be a list of rows, or an object with the list under rows."))
        return rows
    try:
        lines = csv.reader(io.StringIO(content, newline=""))
        names = _column_names(next(lines, []))
        rows = []
        for values in lines:
            if values:  # a blank line is no row
                rows.append(_named(names, values, lambda _i: _("Line {line}", line=lines.line_num)))
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as exc:
        raise ImportFileError(_("The CSV cannot be read: {reason}", reason=str(exc))) from None
    return rows if names else []


def _column_names(header: list[str]) -> list[str]:
    """A header row's names, trimmed, without the empty ones at its end; a name given twice is refused."""
    names = [name.strip() for name in header]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        raise ImportFileError(_("At most {n} columns.", n=MAX_COLUMNS))
    seen = set()
    for name in filter(None, names):
        if name.lower() in seen:
            raise ImportFileError(_("The column {name} appears twice in the header.", name=name))
        seen.add(name.lower())
    return names


def _named(names: list[str], values: list[str], place) -> dict:
    """One row's values by column name (a value it lacks is empty). A value under no name is refused, not dropped:
    `place(i)` says where the i-th value is."""
    for i, value in enumerate(values):
        if value.strip() and (i >= len(names) or not names[i]):
            raise ImportFileError(_("{place} has a value under no column name.", place=place(i)))
    return {name: values[i] if i < len(values) else "" for i, name in enumerate(names) if name}


def _xlsx_rows(content: bytes) -> list[dict]:
    """The first sheet's rows under its header row, each cell as text: a whole number without ".0", a date as
    YYYY-MM-DD. A formula or error cell is refused (its value may be stale or missing), as are a workbook that
    unpacks to more than MAX_UNPACKED_BYTES, more than MAX_COLUMNS columns and values under no column name.
    Empty rows at the end are left out; an empty row among others is a row (the import names it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(_("The file is not an XLSX workbook.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook unpacks to more than {n} MB.", n=MAX_UNPACKED_BYTES // 2**20))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # a damaged workbook fails in many ways (zip, XML, a missing part): each is the file's
        raise ImportFileError(_("The workbook is damaged or not an XLSX file.")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheet."))
        return _sheet_rows(workbook.worksheets[0])
    except ImportFileError:
        raise
    except Exception:  # read lazily, a damaged sheet fails while its rows are read
        raise ImportFileError(_("The workbook is damaged or not an XLSX file.")) from None
    finally:
        workbook.close()


def _sheet_rows(sheet) -> list[dict]:
    lines = sheet.iter_rows(max_col=MAX_COLUMNS + 1)  # a row's cells from column A, gaps filled with empty ones
    names = _column_names([_cell_text(cell) for cell in next(lines, ())])
    rows, blank = [], 0
    for line in lines if names else ():
        values = [_cell_text(cell) for cell in line]
        if not any(value.strip() for value in values):
            blank += 1
            continue
        rows += [dict.fromkeys(filter(None, names), "") for _n in range(blank)]  # an empty row among others stays
        blank = 0
        row_number = next(cell.row for cell in line if getattr(cell, "row", None))
        rows.append(
            _named(names, values, lambda i, n=row_number: _("Cell {cell}", cell=f"{get_column_letter(i + 1)}{n}"))
        )
        if len(rows) > MAX_ROWS:
            break
    return rows


def _cell_text(cell) -> str:
    """A cell as CSV would hold it."""
    if getattr(cell, "data_type", None) in ("f", "e"):
        where = cell.coordinate
        raise ImportFileError(
            _("Cell {cell} holds a formula or an error: save the sheet with values only.", cell=where)
        )
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a code or phone number typed as a number: 1001, not 1001.0
    return str(value)


def template_file(columns: tuple[str, ...], kind: str) -> bytes:
    """An empty file with the header row: what a page offers to fill in."""
    if kind == "xlsx":
        workbook = openpyxl.Workbook()
        workbook.active.append(list(columns))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    return (",".join(columns) + "\r\n").encode()


def run_import(
    rt: Runtime, scope: Scope, entity: str, rows: list, dry_run: bool, coord_system: str = "wgs84"
) -> Report:
    """Check every row, compare with what is stored in the scope, and write everything only if no row is in error.
    coord_system: the system of the customers' lat/lon (an export from AMap is GCJ-02); stored in WGS-84."""
    if entity not in ENTITIES:
        raise ImportFileError(_("Unknown entity: {entity}.", entity=str(entity)[:40]))
    report = Report(entity, dry_run)
    if entity == "customers":
        clean = _check_customers(rt, scope, rows, report, coord_system)
    else:
        clean = _check_orders(rt, scope, rows, report)
    if dry_run or report.errors:
        return report
    if clean:
        (customers.upsert_customers if entity == "customers" else orders.upsert_orders)(rt.db, scope, clean)
    report.committed = True
    return report


NOT_IN_TEAMS = "no {what} of your teams has this external id (an import limited to teams updates, never creates)"


def _check_customers(rt: Runtime, scope: Scope, rows: list, report: Report, coord_system: str) -> list[dict]:
    checked = _checked_rows(rows, report, _customer_row)
    if coord_system != "wgs84":
        regions = offset_regions(rt.org_settings())
        for _row_number, row in checked:
            row["lat"], row["lon"] = to_wgs84(row["lat"], row["lon"], coord_system, regions)
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
