"""ERP import: customers and orders upserted by external id, a dry run that reports each row, all or
nothing on commit, and malformed rows reported, never a 500. Malformed files are refused in
tests/unit/test_erp_import.py."""

from __future__ import annotations

import pytest

from dashboard.work.erp import read_rows, run_import
from dashboard.work.tokens import issue
from data.scope import Scope
from tests.conftest import make_app

EVERYTHING = Scope.everything()  # a manager's or admin's import
CUSTOMERS = """external_id,name,address,lat,lon,category,owner_code
C-1,Kahvila Aalto,Mannerheimintie 1,60.170,24.940,cafe,E0001
C-2,Kirjakauppa,Aleksanterinkatu 52,60.169,24.946,shop,
"""


def _count(db, table: str) -> int:
    return db.fetch_one(f"SELECT count(*) AS n FROM {table}")["n"]  # noqa: S608 - a table name of this test


def test_dry_run_reports_each_row_and_writes_nothing(seeded_rt):
    before = _count(seeded_rt.db, "customers")
    report = run_import(seeded_rt, EVERYTHING, "customers", read_rows(CUSTOMERS, "csv"), dry_run=True).as_dict()
    assert (report["created"], report["updated"], report["unchanged"], report["committed"]) == (2, 0, 0, False)
    assert [row["action"] for row in report["rows"]] == ["created", "created"]
    assert _count(seeded_rt.db, "customers") == before


def test_a_second_import_updates_only_what_changed(seeded_rt):
    assert run_import(seeded_rt, EVERYTHING, "customers", read_rows(CUSTOMERS, "csv"), dry_run=False).committed
    changed = CUSTOMERS.replace("Kirjakauppa", "Kirjakauppa Oy")
    report = run_import(seeded_rt, EVERYTHING, "customers", read_rows(changed, "csv"), dry_run=False).as_dict()
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
    report = run_import(seeded_rt, EVERYTHING, "customers", read_rows(bad, "csv"), dry_run=False).as_dict()
    assert not report["committed"] and _count(seeded_rt.db, "customers") == before
    problems = {(e["row"], e["field"]) for e in report["errors"]}
    assert {(3, "name"), (3, "lat"), (4, "external_id")} <= problems
    assert report["error_rows"] == 2


def test_orders_link_to_customers_by_their_external_id(seeded_rt):
    run_import(seeded_rt, EVERYTHING, "customers", read_rows(CUSTOMERS, "csv"), dry_run=False)
    rows = [
        {"external_id": "SO-1", "customer_external_id": "C-1", "number": "1001", "amount": "99.90", "currency": "EUR"},
        {"external_id": "SO-2", "customer_external_id": "C-404", "number": "1002"},
        {"external_id": "SO-3", "customer_external_id": "C-2", "number": "1003", "due_date": "2026-02-30"},
        {"external_id": "SO-4", "customer_external_id": "C-2", "number": "1004", "currency": "euro"},
    ]
    report = run_import(seeded_rt, EVERYTHING, "orders", rows, dry_run=True).as_dict()
    assert {(e["row"], e["field"]) for e in report["errors"]} == {
        (2, "customer_external_id"),
        (3, "due_date"),
        (4, "currency"),
    }
    report = run_import(seeded_rt, EVERYTHING, "orders", rows[:1], dry_run=False).as_dict()
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
    report = run_import(seeded_rt, EVERYTHING, "customers", [row], dry_run=False).as_dict()
    assert report["error_rows"] == 1 and not report["committed"]


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def _customer_of_team(db, team: str, external_id: str) -> dict:
    """A customer owned by someone of the team, given an external id and an order `<external_id>-O`."""
    row = db.fetch_one(
        """SELECT c.id, c.name, c.lat, c.lon, e.code AS owner_code FROM customers c
           JOIN employees e ON e.id = c.owner_employee_id JOIN teams t ON t.id = e.team_id
           WHERE t.name = %s ORDER BY c.id LIMIT 1""",
        (team,),
    )
    db.execute("UPDATE customers SET external_id = %s WHERE id = %s", (external_id, row["id"]))
    db.execute(
        "INSERT INTO orders (external_id, customer_id, number, status) VALUES (%s, %s, 'N-1', 'open')",
        (f"{external_id}-O", row["id"]),
    )
    return {**row, "external_id": external_id}


def _import(client, headers: dict, entity: str, rows: list[dict], dry_run: bool = False):
    return client.post(f"/api/v1/import/{entity}?dry_run={str(dry_run).lower()}", json={"rows": rows}, headers=headers)


def _customer_row(customer: dict, **changes: object) -> dict:
    return {k: customer[k] for k in ("external_id", "name", "lat", "lon", "owner_code")} | changes


def _without_ids(report: dict) -> dict:
    """A report with what the caller itself sent (external ids) taken out, to compare two answers."""
    return {**report, "errors": [{**e, "external_id": None} for e in report["errors"]]} | {
        "rows": [{**r, "external_id": None} for r in report["rows"]]
    }


def test_a_team_limited_token_imports_only_within_its_teams(app):
    db = app.server.extensions["fieldops"].db
    north_team = db.fetch_one("SELECT id FROM teams WHERE name = 'North'")["id"]
    north, east = _customer_of_team(db, "North", "N-100"), _customer_of_team(db, "East", "E-100")
    scopes = ["customers:write", "orders:write"]
    token = {"Authorization": f"Bearer {issue(db, 'North ERP', scopes, [north_team], 30, None)}"}
    client = app.server.test_client()
    before = db.fetch_all("SELECT id, external_id, name, owner_employee_id FROM customers ORDER BY id")
    orders_before = db.fetch_all("SELECT * FROM orders ORDER BY id")

    # East's customer: not renamed, not given a North owner, not moved; refused as an id of nobody's.
    for rows in (
        [_customer_row(east, name="Renamed by North")],
        [_customer_row(east, owner_code=north["owner_code"])],
    ):
        answer = _import(client, token, "customers", rows)
        assert answer.status_code == 422 and not answer.json["committed"]
    # North's own customer may not be handed to another team's person, nor left without an owner.
    answer = _import(client, token, "customers", [_customer_row(north, owner_code=east["owner_code"])])
    assert answer.status_code == 422 and answer.json["errors"][0]["field"] == "owner_code"
    unknown_code = _import(client, token, "customers", [_customer_row(north, owner_code="E9999")]).json
    # Another team's person is nobody here: the same answer as an unknown code (each echoes the code sent).
    assert (
        answer.json["errors"][0]["message"].replace(east["owner_code"], "E9999") == unknown_code["errors"][0]["message"]
    )
    assert _import(client, token, "customers", [_customer_row(north, owner_code="")]).status_code == 422
    # Orders: East's order is not touched, North's order is not moved to East's customer.
    east_order = {"external_id": "E-100-O", "customer_external_id": "N-100", "number": "N-2"}
    assert _import(client, token, "orders", [east_order]).status_code == 422
    moved = {"external_id": "N-100-O", "customer_external_id": "E-100", "number": "N-1"}
    assert _import(client, token, "orders", [moved]).json["errors"][0]["field"] == "customer_external_id"
    assert db.fetch_all("SELECT id, external_id, name, owner_employee_id FROM customers ORDER BY id") == before
    assert db.fetch_all("SELECT * FROM orders ORDER BY id") == orders_before

    # A dry run answers an id stored in another team exactly as an id stored nowhere.
    for entity, elsewhere, nowhere in (
        ("customers", _customer_row(east, owner_code=north["owner_code"]), _customer_row(north, external_id="X-1")),
        ("orders", {**east_order, "number": "N-1"}, {**east_order, "external_id": "X-2"}),
    ):
        answers = [_import(client, token, entity, [row], dry_run=True) for row in (elsewhere, nowhere)]
        assert [a.status_code for a in answers] == [200, 200]
        assert _without_ids(answers[0].json) == _without_ids(answers[1].json), entity
        assert answers[0].json["error_rows"] == 1

    # Within its teams the token updates.
    renamed = _import(client, token, "customers", [_customer_row(north, name="Kahvila Pohjoinen")])
    assert renamed.status_code == 200 and renamed.json["updated"] == 1
    assert db.fetch_one("SELECT name FROM customers WHERE external_id = 'N-100'")["name"] == "Kahvila Pohjoinen"
    changed = _import(
        client, token, "orders", [{"external_id": "N-100-O", "customer_external_id": "N-100", "number": "N-9"}]
    )
    assert changed.status_code == 200 and changed.json["updated"] == 1


def test_the_writes_themselves_stay_in_the_scope(seeded_rt):
    """Even a row the checks let through by mistake: the SQL writes nothing outside the importer's teams."""
    from data import customers, orders

    db = seeded_rt.db
    north_team = db.fetch_one("SELECT id FROM teams WHERE name = 'North'")["id"]
    north = Scope(team_ids=frozenset({north_team}))
    east = _customer_of_team(db, "East", "E-100")
    mine = db.fetch_one("SELECT id FROM employees WHERE team_id = %s LIMIT 1", (north_team,))["id"]
    theirs = db.fetch_one("SELECT owner_employee_id FROM customers WHERE external_id = 'E-100'")["owner_employee_id"]
    before = db.fetch_all("SELECT * FROM customers ORDER BY id")
    orders_before = db.fetch_all("SELECT * FROM orders ORDER BY id")
    row = {"name": "Taken", "category": None, "address": None, "lat": 60.2, "lon": 24.9}
    customers.upsert_customers(
        db,
        north,
        [
            {**row, "external_id": "E-100", "owner_employee_id": mine},  # another team's customer
            {**row, "external_id": "NEW-1", "owner_employee_id": theirs},  # a new one for another team
            {**row, "external_id": "NEW-2", "owner_employee_id": None},  # a new one for no team
        ],
    )
    order = {"number": "X", "status": "open", "amount": None, "currency": None, "due_date": None, "summary": None}
    orders.upsert_orders(
        db,
        north,
        [
            {**order, "external_id": "E-100-O", "customer_id": east["id"]},
            {**order, "external_id": "NEW-O", "customer_id": east["id"]},
        ],
    )
    assert db.fetch_all("SELECT * FROM customers ORDER BY id") == before
    assert db.fetch_all("SELECT * FROM orders ORDER BY id") == orders_before
