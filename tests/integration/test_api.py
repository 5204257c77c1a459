"""The integrators' REST API: tokens and their scopes, team limits, pages, incremental sync, JSON errors,
attendance, and the ERP import through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.demo.seed import device_token, employee_code
from dashboard.work.tokens import SCOPES, issue
from data import api_tokens
from tests.conftest import SECRET, signed_in_client


@pytest.fixture(scope="module")
def app(seeded_module_app):
    return seeded_module_app


@pytest.fixture
def db(app):
    return app.server.extensions["fieldops"].db


def _token(db, scopes=SCOPES, teams=None, name="ERP sync") -> dict:
    return {"Authorization": f"Bearer {issue(db, name, scopes, teams, 30, None)}"}


def _team_id(db, name: str) -> int:
    return db.fetch_one("SELECT id FROM teams WHERE name = %s", (name,))["id"]


def test_a_token_reads_employees_of_its_teams_only(app, db):
    north = _team_id(db, "North")
    answer = app.server.test_client().get("/api/v1/employees?limit=500", headers=_token(db, teams=[north]))
    assert answer.status_code == 200
    rows = answer.get_json()["data"]
    assert rows and {row["team_id"] for row in rows} == {north}
    everyone = app.server.test_client().get("/api/v1/employees?limit=500", headers=_token(db)).get_json()["data"]
    assert len(everyone) == db.fetch_one("SELECT count(*) AS n FROM employees")["n"]


def test_a_team_limited_token_sees_only_its_teams_customers_and_nobody_elses_track(app, db):
    north = _team_id(db, "North")
    headers = _token(db, teams=[north])
    client = app.server.test_client()
    owners = {
        row["owner_employee_id"] for row in client.get("/api/v1/customers?limit=500", headers=headers).json["data"]
    }
    teams = db.fetch_all("SELECT DISTINCT team_id FROM employees WHERE id = ANY(%s)", (sorted(owners),))
    assert [row["team_id"] for row in teams] == [north]
    stranger = db.fetch_one("SELECT id FROM employees WHERE team_id <> %s LIMIT 1", (north,))["id"]
    now = datetime.now(UTC)
    period = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()}
    answer = client.get(f"/api/v1/employees/{stranger}/positions", query_string=period, headers=headers)
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"


def test_a_token_without_the_scope_is_refused_with_a_stable_code_as_problem_details(app, db):
    answer = app.server.test_client().get("/api/v1/customers", headers=_token(db, scopes=["employees:read"]))
    assert answer.status_code == 403 and answer.mimetype == "application/problem+json"  # RFC 9457
    message = answer.json["error"]["message"]
    assert answer.json == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": message,
        "error": {"code": "insufficient_scope", "message": message},
    }
    info = app.server.test_client().get("/api/v1/token", headers=_token(db, scopes=["employees:read"])).json
    assert info["scopes"] == ["employees:read"] and info["team_ids"] is None


def test_no_token_unknown_revoked_or_expired_tokens_get_401(app, db):
    client = app.server.test_client()
    assert client.get("/api/v1/employees").json["error"]["code"] == "token_required"
    assert client.get("/api/v1/employees", headers={"Authorization": "Bearer fop_nope"}).status_code == 401
    headers = _token(db)
    token_id = db.fetch_one("SELECT max(id) AS id FROM api_tokens")["id"]
    assert api_tokens.revoke(db, token_id)
    answer = client.get("/api/v1/employees", headers=headers)
    assert answer.status_code == 401 and answer.json["error"]["code"] == "invalid_token"
    headers = _token(db)
    expired = datetime.now(UTC) - timedelta(seconds=1)
    db.execute("UPDATE api_tokens SET expires_at = %s WHERE revoked_at IS NULL", (expired,))
    assert client.get("/api/v1/employees", headers=headers).status_code == 401


def test_a_session_cookie_never_authorises_the_token_api(app):
    client = signed_in_client(app, "manager")  # sends its CSRF token too
    assert client.get("/api/v1/customers").status_code == 401
    answer = client.post("/api/v1/import/customers", json={"rows": [{"external_id": "x"}]})
    assert answer.status_code == 401


def test_the_device_token_still_posts_positions(app):
    body = {"positions": [{"ts": datetime.now(UTC).isoformat(), "lat": 60.17, "lon": 24.94}]}
    headers = {"Authorization": f"Bearer {device_token(SECRET, employee_code(1))}"}
    answer = app.server.test_client().post("/api/v1/positions", json=body, headers=headers)
    assert answer.status_code == 200 and answer.json["accepted"] == 1


def test_cursor_pages_walk_every_row_once(app, db):
    headers, client, seen, cursor = _token(db), app.server.test_client(), [], None
    while True:
        query = {"limit": 7} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/customers", query_string=query, headers=headers).json
        seen += [row["id"] for row in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert len(seen) == db.fetch_one("SELECT count(*) AS n FROM customers")["n"]


def test_updated_since_returns_only_what_changed(app, db):
    # Rows are stamped `updated_at = now()` by PostgreSQL, so the mark is its clock too (the tests' may be pinned).
    mark = db.fetch_one("SELECT now() AS now")["now"]
    db.execute(
        "UPDATE customers SET name = name || ' Oy', updated_at = now() WHERE id = (SELECT min(id) FROM customers)"
    )
    answer = app.server.test_client().get(
        "/api/v1/customers", query_string={"updated_since": mark.isoformat()}, headers=_token(db)
    )
    assert [row["name"].endswith(" Oy") for row in answer.json["data"]] == [True]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=0", "invalid_parameter"),
        ("limit=abc", "invalid_parameter"),
        ("cursor=%25%25%25", "invalid_cursor"),
        ("updated_since=yesterday", "invalid_parameter"),
        ("updated_since=2026-01-01T00:00:00", "invalid_parameter"),
    ],
)
def test_bad_parameters_are_400_with_a_code(app, db, query, code):
    answer = app.server.test_client().get(f"/api/v1/customers?{query}", headers=_token(db))
    assert answer.status_code == 400 and answer.json["error"]["code"] == code


def test_unknown_paths_and_methods_answer_json_errors(app, db):
    client = app.server.test_client()
    missing = client.get("/api/v1/nothing-here", headers=_token(db))
    assert missing.json["error"]["code"] == "not_found" and missing.mimetype == "application/problem+json"
    wrong = client.delete("/api/v1/customers", headers=_token(db))
    assert wrong.json["error"]["code"] == "method_not_allowed" and wrong.json["status"] == 405


def test_positions_history_is_paged_and_audited(app, db):
    rt = app.server.extensions["fieldops"]
    from dashboard.writer.worker import Writer

    person = db.fetch_one("SELECT id FROM employees WHERE code = %s", (employee_code(2),))["id"]
    now = datetime.now(UTC).replace(microsecond=0)
    fixes = [{"ts": (now - timedelta(seconds=10 * i)).isoformat(), "lat": 60.17, "lon": 24.94} for i in range(5)]
    device = {"Authorization": f"Bearer {device_token(SECRET, employee_code(2))}"}
    assert (
        app.server.test_client().post("/api/v1/positions", json={"positions": fixes}, headers=device).status_code == 200
    )
    writer = Writer(rt, "api-test")
    writer.start()
    writer.process(rt.feed.read_stream("api-test", 100, 100))
    headers, client, times, cursor = _token(db, name="BI"), app.server.test_client(), [], None
    period = {"from": (now - timedelta(minutes=5)).isoformat(), "to": (now + timedelta(minutes=1)).isoformat()}
    while True:
        query = period | {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"/api/v1/employees/{person}/positions", query_string=query, headers=headers).json
        times += [row["ts"] for row in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(times) == 5 and times == sorted(times)
    looks = db.fetch_all("SELECT username, action FROM audit_log WHERE %s = ANY(subject_ids)", (person,))
    assert {"username": "token:BI", "action": "view_track"} in looks


def test_attendance_gives_first_check_in_last_check_out_and_hours(app, db):
    person = db.fetch_one("SELECT id, code FROM employees WHERE code = %s", (employee_code(3),))
    customer = db.fetch_one("SELECT id FROM customers LIMIT 1")["id"]
    day = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki
    for kind, at in (
        ("check_in", day),
        ("check_out", day + timedelta(hours=1)),
        ("check_in", day + timedelta(hours=2)),
        ("check_out", day + timedelta(hours=7, minutes=30)),
    ):
        db.execute(
            """INSERT INTO activities (employee_id, customer_id, kind, started_at, source)
               VALUES (%s, %s, %s, %s, 'mobile')""",
            (person["id"], customer, kind, at),
        )
    answer = app.server.test_client().get(
        "/api/v1/attendance", query_string={"from": "2026-03-02", "to": "2026-03-02"}, headers=_token(db)
    )
    assert answer.status_code == 200
    [row] = [r for r in answer.json["data"] if r["employee_id"] == person["id"]]
    assert row["day"] == "2026-03-02" and row["hours_in_field"] == 7.5
    assert row["first_check_in"].startswith("2026-03-02T08:00:00")
    csv = signed_in_client(app, "manager").get("/export/attendance.csv?from=2026-03-02&to=2026-03-02")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert f"2026-03-02,{person['code']}," in csv.get_data(as_text=True)
    assert "2026-03-02 10:00:00" in csv.get_data(as_text=True)  # shown in the organisation's zone


def test_customers_then_orders_import_through_the_api(app, db):
    client, headers = app.server.test_client(), _token(db, scopes=["customers:write", "orders:write", "orders:read"])
    customers_csv = "external_id,name,lat,lon,owner_code\nerp-1,Kauppa Oy,60.17,24.94,E0001\nerp-2,Baari,60.18,24.95,\n"
    dry = client.post(
        "/api/v1/import/customers?dry_run=true", data=customers_csv, content_type="text/csv", headers=headers
    )
    assert dry.status_code == 200 and dry.json["created"] == 2 and not dry.json["committed"]
    assert db.fetch_one("SELECT count(*) AS n FROM customers WHERE external_id LIKE %s", ("erp-%",))["n"] == 0
    done = client.post("/api/v1/import/customers", data=customers_csv, content_type="text/csv", headers=headers)
    assert done.status_code == 200 and done.json["committed"]
    orders = {
        "rows": [
            {
                "external_id": "o-1",
                "customer_external_id": "erp-1",
                "number": "SO-1",
                "amount": 120.5,
                "currency": "eur",
                "due_date": "2026-12-01",
            }
        ]
    }
    assert client.post("/api/v1/import/orders", json=orders, headers=headers).json["created"] == 1
    again = client.post("/api/v1/import/orders", json=orders, headers=headers).json
    assert (again["created"], again["unchanged"]) == (0, 1)
    listed = client.get("/api/v1/orders", headers=headers).json["data"]
    assert [(o["number"], o["amount"], o["currency"], o["customer_external_id"]) for o in listed] == [
        ("SO-1", 120.5, "EUR", "erp-1")
    ]


def test_reports_are_listed_for_tokens_whose_teams_cover_them_and_files_download(app, db):
    north = _team_id(db, "North")
    report_id = db.fetch_one(
        """INSERT INTO reports (period_kind, period_start, period_end, formats, language, author_name, author_role,
                                scope_team_ids, state, finished_at)
           VALUES ('week', '2026-11-16', '2026-11-22', '{csv}', 'en', 'manager', 'manager', %s, 'done', now())
           RETURNING id""",
        ([north],),
    )["id"]
    db.execute(
        """INSERT INTO report_files (report_id, name, format, media_type, content)
           VALUES (%s, 'week.csv', 'csv', 'text/csv', %s)""",
        (report_id, b"employee,visits\nE0001,12\n"),
    )
    client = app.server.test_client()
    everyone, south = _token(db, scopes=["reports:read"]), _token(db, ["reports:read"], [_team_id(db, "South")])
    [listed] = [r for r in client.get("/api/v1/reports", headers=everyone).json["data"] if r["id"] == report_id]
    assert listed["files"] == ["week.csv"] and listed["state"] == "done"
    assert report_id not in [r["id"] for r in client.get("/api/v1/reports", headers=south).json["data"]]
    download = client.get(f"/api/v1/reports/{report_id}/files/week.csv", headers=everyone)
    assert download.status_code == 200 and download.data.startswith(b"employee,visits")
    assert client.get(f"/api/v1/reports/{report_id}/files/week.csv", headers=south).status_code == 404
