"""Issue 15: one privacy rule for individuals. With `privacy.executive_sees_individuals` off an executive sees no
person's name on any page, callback answer, report (PDF, XLSX, CSV), export or API answer of a token they made;
with it on, the names are there. Every employee is renamed to a word that appears nowhere else, so one substring
search per answer decides."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dash
import pytest
import time_machine
from openpyxl import load_workbook

from dashboard.demo.history import seed_history
from dashboard.demo.seed import plan_day
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.periods import parse_period
from dashboard.work.tokens import SCOPES
from data import alerts, analytics, api_tokens, org_settings, reports
from data.scope import Scope
from tests.conftest import callback_body, csrf_headers, server_callbacks, sign_in, sign_in_wall
from tests.integration.test_reports import viewer_of, walk_visits

NAME = "Quillanbrook"  # every employee's name starts with it; nothing else in the product says it
HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 6, 10, 10, 30, tzinfo=HELSINKI)  # a Wednesday morning; the seeded history is May's
TODAY = NOW.date()
MONTH = (date(2026, 5, 1), date(2026, 5, 31))
WALKED = date(2026, 5, 12)  # a day with positions, so the heatmap and the rollups name people too
PERSON_APIS = (
    "/api/v1/employees",
    "/api/v1/devices",
    "/api/v1/tasks",
    "/api/v1/activities",
    "/api/v1/visits",
    "/api/v1/feedback",
    "/api/v1/attendance?from=2026-05-01&to=2026-05-31",
    "/api/v1/alerts",
)
TEAM_APIS = ("/api/v1/teams", "/api/v1/customers", "/api/v1/orders", "/api/v1/reports", "/api/v1/alert-rules")
EXPORTS = ("attendance", "visits", "activities")


@pytest.fixture(scope="module")
def world(seeded_module_app):
    app = seeded_module_app
    rt = app.server.extensions["fieldops"]
    with time_machine.travel(NOW, tick=True):
        rt.db.execute("UPDATE employees SET name = %s || ' ' || code", (NAME,))
        seed_history(rt.db, MONTH[0], TODAY - timedelta(days=1), rt.settings.tz, stay_min_s=rt.settings.stay_min_s)
        plan_day(rt.db, TODAY, rt.settings.tz)
        walk_visits(rt, WALKED)
        someone = rt.db.fetch_one("SELECT id FROM employees ORDER BY id LIMIT 1")["id"]
        alerts.raise_help(rt.db, someone, 60.17, 24.94, 10.0)
        yield app, rt


@pytest.fixture(autouse=True)
def pinned():
    """Every request at the same instant as the seeded data: the tests never read the clock."""
    with time_machine.travel(NOW, tick=True):
        yield


def _individuals(rt, allowed: bool) -> None:
    org_settings.set_setting(rt.db, "privacy.executive_sees_individuals", allowed, None)
    rt.forget_org_settings()


@pytest.fixture
def hidden(world):
    app, rt = world
    _individuals(rt, False)
    return app, rt


@pytest.fixture
def shown(world):
    app, rt = world
    _individuals(rt, True)
    yield app, rt
    _individuals(rt, False)


def _executive(app):
    client = app.server.test_client()
    assert sign_in(client, "executive").status_code == 302
    return client


def _inputs(rt) -> dict[str, object]:
    """A meaningful value for each input that opens something about people: a period, a task, a customer, a cell."""
    task = rt.db.fetch_one(
        "SELECT id FROM tasks WHERE employee_id IS NOT NULL AND window_start >= %s ORDER BY id LIMIT 1",
        (datetime.combine(TODAY, datetime.min.time(), HELSINKI),),
    )["id"]
    customer = rt.db.fetch_one(
        """SELECT a.customer_id FROM activities a JOIN feedback f ON f.customer_id = a.customer_id
           WHERE a.kind = 'visit' GROUP BY a.customer_id ORDER BY count(*) DESC LIMIT 1"""
    )["customer_id"]
    cell = max(analytics.heatmap(rt.db, Scope.everything(), *MONTH, "Europe/Helsinki"), key=lambda c: c["tracked_s"])[
        "cell"
    ]
    person = rt.db.fetch_one("SELECT id FROM employees ORDER BY id LIMIT 1")["id"]
    first, last = MONTH[0].isoformat(), MONTH[1].isoformat()
    return {
        "heatmap-dates.start_date": first,
        "heatmap-dates.end_date": last,
        "perf-dates.start_date": first,
        "perf-dates.end_date": last,
        "reports-range.start_date": first,
        "reports-range.end_date": last,
        "exports-from.date": first,
        "exports-to.date": last,
        "customers-id.data": str(customer),
        "tasks-selected.data": task,
        "perf-selected.data": person,
        "heatmap-cells.clickData": {"properties": {"cell": str(cell)}},
        "heatmap-measure.value": "tracked",
    }


def _callback_answers(app, rt, client) -> dict[str, str]:
    """Every callback of every page the signed-in viewer may open, with the inputs above: output → answer text."""
    values = _inputs(rt)
    headers = csrf_headers(client)
    viewer_pages = {
        page["id_prefix"]
        for page in dash.page_registry.values()
        if client.get(page["relative_path"]).status_code == 200
    }
    answers = {}
    for output, spec in server_callbacks(app):
        prefix = output.strip(".").split("-", 1)[0]
        if prefix not in viewer_pages:
            continue
        keys = [f"{item['id']}.{item['property']}" for item in spec["inputs"]]
        fired = next((n for n, key in enumerate(keys) if key in values), 0 if keys else None)
        body = callback_body(output, spec, lambda item: values.get(f"{item['id']}.{item['property']}"), fired)
        answer = client.post(
            "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=headers
        )
        assert answer.status_code in (200, 204, 403), (output, answer.status_code, answer.data[:300])
        if answer.status_code == 403:  # a drill-down into one person, refused to the wall: nothing said
            continue
        answers[output] = answer.get_data(as_text=True)
    return answers


def _pages(client) -> dict[str, str]:
    pages = {}
    for page in dash.page_registry.values():
        answer = client.get(page["relative_path"])
        if answer.status_code == 200:
            pages[page["relative_path"]] = answer.get_data(as_text=True)
    return pages


def _report_texts(rt, author: str) -> dict[str, str]:
    """Build the author's report of May in every format; each file as text (PDF through pdftotext, XLSX cells)."""
    report_id = queue_report(rt, viewer_of(rt, author), parse_period("2026-05"), ["pdf", "xlsx", "csv"], "en")
    assert build_queued(rt, report_id) == report_id
    texts = {}
    for file in reports.report_files(rt.db, report_id):
        content = bytes(file["content"])
        if file["format"] == "pdf":
            text = subprocess.run(
                ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
            ).stdout.decode()
        elif file["format"] == "xlsx":
            book = load_workbook(io.BytesIO(content))
            text = "\n".join(
                str(c)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for c in row
                if c is not None
            )
        else:
            text = content.decode("utf-8-sig")
        texts[file["name"]] = text
    texts["id"] = str(report_id)
    return texts


def _token(rt, maker: str) -> dict[str, str]:
    token = f"fop_privacy-{maker}-{uuid.uuid4().hex}"
    maker_id = rt.db.fetch_one("SELECT id FROM users WHERE username = %s", (maker,))["id"]
    api_tokens.create(rt.db, f"{maker}'s", token, list(SCOPES), None, datetime(2100, 1, 1, tzinfo=UTC), maker_id)
    return {"Authorization": f"Bearer {token}"}


def test_an_executive_sees_no_name_on_any_page_or_callback_answer(hidden):
    app, rt = hidden
    client = _executive(app)
    pages = _pages(client)
    answers = _callback_answers(app, rt, client)
    assert {"/tasks", "/customers", "/analytics/performance", "/analytics/heatmap", "/reports", "/exports"} <= set(
        pages
    )
    assert "/" not in pages and "/analytics/day" not in pages  # live positions and one person's day: closed
    leaks = [where for where, text in {**pages, **answers}.items() if NAME in text]
    assert leaks == []
    assert any("tasks-details" in output for output in answers) and any("customers-visits" in o for o in answers)


def test_with_the_setting_on_the_same_answers_name_people(shown):
    app, rt = shown
    client = _executive(app)
    answers = _callback_answers(app, rt, client)
    for part in (
        "tasks-board",
        "tasks-assignee",
        "tasks-help",
        "customers-grid",
        "customers-visits",
        "perf-grid",
        "heatmap-details",
        "exports-attendance-grid",
    ):
        assert any(part in output and NAME in text for output, text in answers.items()), part


def test_an_executives_report_has_a_team_table_instead_of_people(hidden):
    _app, rt = hidden
    texts = _report_texts(rt, "executive")
    report_id = texts.pop("id")
    assert texts and not [name for name, text in texts.items() if NAME in text]
    note = "Teams only: individual figures are hidden by the organisation's privacy setting."
    pdf = next(text for name, text in texts.items() if name.endswith(".pdf"))
    xlsx = next(text for name, text in texts.items() if name.endswith(".xlsx"))
    assert note in " ".join(pdf.split()) and note in xlsx
    assert not any(name.endswith("-employees.csv") for name in texts)
    privacy = next(text for name, text in texts.items() if name.endswith("-privacy.csv"))
    assert note in privacy
    teams = next(text for name, text in texts.items() if name.endswith("-teams.csv"))
    assert len(list(csv.reader(io.StringIO(teams)))) > 1
    assert (
        rt.db.fetch_one("SELECT names_individuals FROM reports WHERE id = %s", (int(report_id),))["names_individuals"]
        is False
    )


def test_a_report_listing_people_is_refused_to_the_executive_not_to_its_manager(hidden):
    app, rt = hidden
    texts = _report_texts(rt, "manager")
    report_id = texts.pop("id")
    employees_csv = next(name for name in texts if name.endswith("-employees.csv"))
    assert NAME in texts[employees_csv]
    executive = _executive(app)
    refused = executive.get(f"/reports/file/{report_id}/{employees_csv}")
    manager = app.server.test_client()
    sign_in(manager, "manager")
    assert manager.get(f"/reports/file/{report_id}/{employees_csv}").status_code == 200
    listing = _callback_answers(app, rt, executive)
    assert refused.status_code == 403 and "privacy setting" in refused.get_data(as_text=True)
    assert not any(NAME in text for text in listing.values())
    assert any("hidden by the privacy setting" in text for output, text in listing.items() if "reports-list" in output)


def test_with_the_setting_on_the_executives_report_lists_people(shown):
    _app, rt = shown
    texts = _report_texts(rt, "executive")
    texts.pop("id")
    assert all(NAME in text for name, text in texts.items() if name.endswith((".pdf", ".xlsx", "-employees.csv")))


@pytest.mark.parametrize("export", EXPORTS)
def test_per_person_exports_are_refused_with_a_reason(hidden, export):
    app, _rt = hidden
    answer = _executive(app).get(f"/export/{export}.csv?from=2026-05-01&to=2026-05-31")
    assert answer.status_code == 403 and "privacy setting" in answer.get_data(as_text=True)


def test_with_the_setting_on_exports_name_people(shown):
    app, _rt = shown
    client = _executive(app)
    for export in ("attendance", "visits"):
        answer = client.get(f"/export/{export}.csv?from=2026-05-01&to=2026-05-31")
        assert answer.status_code == 200 and NAME in answer.get_data(as_text=True), export


def test_an_executives_api_token_answers_nothing_about_people(hidden):
    app, rt = hidden
    client, headers = app.server.test_client(), _token(rt, "executive")
    person = rt.db.fetch_one("SELECT id FROM employees ORDER BY id LIMIT 1")["id"]
    track = f"/api/v1/employees/{person}/positions?from=2026-05-12T00:00:00Z&to=2026-05-13T00:00:00Z"
    for path in (*PERSON_APIS, track):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 403, path
        assert answer.get_json()["error"]["code"] == "individuals_hidden", path
    for path in TEAM_APIS:
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200 and NAME not in answer.get_data(as_text=True), path


def test_an_admins_integration_token_and_the_setting_on_still_name_people(hidden):
    app, rt = hidden
    client = app.server.test_client()
    assert NAME in client.get("/api/v1/employees", headers=_token(rt, "admin")).get_data(as_text=True)
    _individuals(rt, True)
    try:
        assert NAME in client.get("/api/v1/employees", headers=_token(rt, "executive")).get_data(as_text=True)
    finally:
        _individuals(rt, False)


def test_the_wall_names_nobody(hidden):
    app, rt = hidden
    client = app.server.test_client()
    assert sign_in_wall(client).status_code == 302
    answers = _callback_answers(app, rt, client)
    answers.update(_pages(client))
    assert any("wall-" in where for where in answers)
    assert not [where for where, text in answers.items() if NAME in text]
