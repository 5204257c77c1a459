"""Dates, numbers and pages in the viewer's language, files in one language-free form (issue 16): the CSV and
XLSX files write ISO dates (2026-11-23) whoever downloads them, never 11/23/2026; the report list names each
report's period in the viewer's language; a refused or missing page is a page of the app, and stays JSON for
programs."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from flask import g
from openpyxl import load_workbook

from callbacks.reports import report_list
from dashboard.core.permissions import Viewer, scope_for
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.periods import parse_period
from data import reports
from tests.conftest import signed_in_client

MANAGER = Viewer(None, "manager", "manager", None, scope_for("manager", None, []))
US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _report(rt, language: str) -> int:
    report_id = queue_report(rt, MANAGER, parse_period("2026-01"), ["xlsx", "csv"], language)
    assert build_queued(rt, report_id) == report_id
    return report_id


def test_exports_write_iso_dates_and_times(seeded_module_app):
    db = seeded_module_app.server.extensions["fieldops"].db
    person = db.fetch_one("SELECT id, code FROM employees ORDER BY id LIMIT 1")
    customer = db.fetch_one("SELECT id FROM customers LIMIT 1")["id"]
    morning = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)  # a day whose US form (11/23/2026) cannot pass as ISO
    for kind, at in (
        ("check_in", morning),
        ("visit", morning + timedelta(hours=1)),
        ("check_out", morning.replace(hour=15)),
    ):
        db.execute(
            """INSERT INTO activities (employee_id, customer_id, kind, started_at, source)
               VALUES (%s, %s, %s, %s, 'mobile')""",
            (person["id"], customer, kind, at),
        )
    client = signed_in_client(seeded_module_app, "manager")
    client.set_cookie("fieldops_lang", "zh-CN")  # the viewer's language changes nothing in a file
    for export, day_columns, time_columns in (
        ("attendance", ("day",), ("first_check_in", "last_check_out")),
        ("activities", (), ("started_at",)),
    ):
        answer = client.get(f"/export/{export}.csv?from=2026-11-23&to=2026-11-23")
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        text = answer.get_data(as_text=True)
        assert not US_DATE.search(text), text[:500]
        rows = [row for row in csv.DictReader(io.StringIO(text)) if row["employee_code"] == person["code"]]
        assert rows, text[:500]
        for row in rows:
            assert all(ISO_DAY.match(row[column]) for column in day_columns), row
            assert all(ISO_TIME.match(row[column]) for column in time_columns), row
            assert row.get("day", "2026-11-23") == "2026-11-23"


def test_report_files_write_iso_dates_in_either_language(seeded_module_app):
    rt = seeded_module_app.server.extensions["fieldops"]
    for language in ("en", "zh-CN"):
        files = {row["name"]: bytes(row["content"]) for row in reports.report_files(rt.db, _report(rt, language))}
        xlsx = next(content for name, content in files.items() if name.endswith(".xlsx"))
        book = load_workbook(io.BytesIO(xlsx))
        cells = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [value for value in cells if isinstance(value, datetime)]  # no cell Excel would show as 1/23/2026
        assert not [value for value in cells if isinstance(value, str) and US_DATE.search(value)]
        daily = list(book.worksheets[1].iter_rows(values_only=True))[1:]
        assert [row[0] for row in daily][:3] == ["2026-01-01", "2026-01-02", "2026-01-03"]
        daily_csv = next(content for name, content in files.items() if name.endswith("-daily.csv"))
        days = [row[0] for row in csv.reader(io.StringIO(daily_csv.decode("utf-8-sig")))][1:]
        assert days[0] == "2026-01-01" and all(ISO_DAY.match(day) for day in days)


def test_the_report_list_names_each_period_in_the_viewers_language(seeded_module_app):
    rt = seeded_module_app.server.extensions["fieldops"]
    chinese = _report(rt, "zh-CN")
    for language, label in (("en", "January 2026"), ("zh-CN", "2026年1月")):
        with seeded_module_app.server.test_request_context("/reports", headers={"Cookie": f"fieldops_lang={language}"}):
            g.viewer = MANAGER
            table, _shown = report_list(0, None, None)
        row = next(row for row in table.children[1].children if row.id == f"reports-row-{chinese}")
        assert row.children[0].children == label


def test_a_refused_or_missing_page_is_an_app_page_and_programs_still_get_json(seeded_module_app):
    client = signed_in_client(seeded_module_app, "supervisor")
    for path, status, heading in (("/admin/users", 403, "No access"), ("/no/such/page", 404, "Page not found")):
        answer = client.get(path)
        assert answer.status_code == status and answer.mimetype == "text/html"
        page = answer.get_data(as_text=True)
        assert f"<h2>{heading}</h2>" in page
        assert 'aria-label="Main menu"' in page and 'id="nav-tasks"' in page  # the supervisor's own menu
        assert 'id="nav-admin' not in page  # and only theirs
        assert 'id="error-home" href="/"' in page  # a supervisor's home is the live map
    client.set_cookie("fieldops_lang", "zh-CN")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<h2>无权访问</h2>" in page and 'lang="zh-CN"' in page and "返回您的首页" in page
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    assert api.json["error"]["code"] == "not_found"


def test_an_unknown_address_is_404_for_anyone_on_the_sign_in_styled_page(seeded_module_app):
    client = seeded_module_app.server.test_client()
    answer = client.get("/no/such/page")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert "fo-login-body" in page and 'href="/login"' in page and "This page does not exist." in page
    assert client.get("/tasks").status_code == 302  # a page still asks to sign in first
    assert client.get("/export/visits.csv").status_code == 401  # and a route of signed-in viewers refuses
