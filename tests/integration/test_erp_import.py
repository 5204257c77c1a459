"""ERP import: customers and orders upserted by external id, a dry run that reports each row, all or
nothing on commit, and malformed rows reported, never a 500. Malformed files are refused in
tests/unit/test_erp_import.py."""

from __future__ import annotations

import pytest

from dashboard.work.erp import read_rows, run_import

CUSTOMERS = """external_id,name,address,lat,lon,category,owner_code
C-1,Kahvila Aalto,Mannerheimintie 1,60.170,24.940,cafe,E0001
C-2,Kirjakauppa,Aleksanterinkatu 52,60.169,24.946,shop,
"""


def _count(db, table: str) -> int:
    return db.fetch_one(f"SELECT count(*) AS n FROM {table}")["n"]  # noqa: S608 - a table name of this test


def test_dry_run_reports_each_row_and_writes_nothing(seeded_rt):
    before = _count(seeded_rt.db, "customers")
    report = run_import(seeded_rt, "customers", read_rows(CUSTOMERS, "csv"), dry_run=True).as_dict()
    assert (report["created"], report["updated"], report["unchanged"], report["committed"]) == (2, 0, 0, False)
    assert [row["action"] for row in report["rows"]] == ["created", "created"]
    assert _count(seeded_rt.db, "customers") == before


def test_a_second_import_updates_only_what_changed(seeded_rt):
    assert run_import(seeded_rt, "customers", read_rows(CUSTOMERS, "csv"), dry_run=False).committed
    changed = CUSTOMERS.replace("Kirjakauppa", "Kirjakauppa Oy")
    report = run_import(seeded_rt, "customers", read_rows(changed, "csv"), dry_run=False).as_dict()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 1)
    row = seeded_rt.db.fetch_one("SELECT name, owner_employee_id FROM customers WHERE external_id = 'C-2'")
    assert row == {"name": "Kirjakauppa Oy", "owner_employee_id": None}
    owner = seeded_rt.db.fetch_one(
        "SELECT e.code FROM customers c JOIN employees e ON e.id = c.owner_employee_id WHERE c.external_id = 'C-1'"
    )
    assert owner["code"] == "E0001"


def test_one_bad_row_stops_the_whole_commit_and_is_named(seeded_rt):
    bad = CUSTOMERS + "C-3,,nowhere,95,24.9,,E9999\nC-1,Twice,,60.1,24.9,,\n"
    before = _count(seeded_rt.db, "customers")
    report = run_import(seeded_rt, "customers", read_rows(bad, "csv"), dry_run=False).as_dict()
    assert not report["committed"] and _count(seeded_rt.db, "customers") == before
    problems = {(e["row"], e["field"]) for e in report["errors"]}
    assert {(3, "name"), (3, "lat"), (4, "external_id")} <= problems
    assert report["error_rows"] == 2


def test_orders_link_to_customers_by_their_external_id(seeded_rt):
    run_import(seeded_rt, "customers", read_rows(CUSTOMERS, "csv"), dry_run=False)
    rows = [
        {"external_id": "SO-1", "customer_external_id": "C-1", "number": "1001", "amount": "99.90", "currency": "EUR"},
        {"external_id": "SO-2", "customer_external_id": "C-404", "number": "1002"},
        {"external_id": "SO-3", "customer_external_id": "C-2", "number": "1003", "due_date": "2026-02-30"},
        {"external_id": "SO-4", "customer_external_id": "C-2", "number": "1004", "currency": "euro"},
    ]
    report = run_import(seeded_rt, "orders", rows, dry_run=True).as_dict()
    assert {(e["row"], e["field"]) for e in report["errors"]} == {
        (2, "customer_external_id"),
        (3, "due_date"),
        (4, "currency"),
    }
    report = run_import(seeded_rt, "orders", rows[:1], dry_run=False).as_dict()
    assert report["committed"] and report["created"] == 1
    stored = seeded_rt.db.fetch_one("SELECT amount::text AS amount, currency FROM orders WHERE external_id = 'SO-1'")
    assert stored == {"amount": "99.90", "currency": "EUR"}


@pytest.mark.parametrize(
    "row",
    [
        "not an object",
        {"external_id": ["x"], "name": "A", "lat": 1, "lon": 1},
        {"external_id": "x", "name": "A", "lat": "NaN", "lon": 1},
        {"external_id": "x", "name": "A", "lat": 10**400, "lon": 1},
        {"external_id": "x", "name": "A\x00", "lat": 1, "lon": 1},
        {"external_id": "x" * 101, "name": "A", "lat": 1, "lon": 1},
        {"external_id": "x", "name": True, "lat": 1, "lon": 1},
    ],
)
def test_malformed_rows_are_errors_not_crashes(seeded_rt, row):
    report = run_import(seeded_rt, "customers", [row], dry_run=False).as_dict()
    assert report["error_rows"] == 1 and not report["committed"]
