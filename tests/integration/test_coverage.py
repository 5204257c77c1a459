"""Coverage (issue 21): the figures of dashboard/analytics/coverage.py for a seeded week, checked against the
tasks and visits in the database, within the viewer's scope."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
import time_machine
from flask import g
from openpyxl import load_workbook

from dashboard.analytics import coverage
from dashboard.analytics.scales import NO_VALUE_COLOR
from dashboard.core.permissions import Viewer, scope_for
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.periods import parse_period
from dashboard.work.tokens import issue
from data import reports
from data.scope import Scope
from tests.browser import screenshot_path
from tests.conftest import make_app
from tests.coverage_seed import FIRST, LAST, NOW, seed_week

TZ = "Europe/Helsinki"
MANAGER = Viewer(None, "manager", "manager", None, scope_for("manager", None, []))


@pytest.fixture
def week(seeded_rt):
    return seeded_rt, seed_week(seeded_rt.db)


def _person(rows: list[dict], employee_id: int) -> dict:
    return next(r for r in rows if r["employee_id"] == employee_id)


def test_planned_done_missed_and_unplanned_per_person(week):
    rt, seeded = week
    rows = coverage.per_employee(
        coverage.person_counts(rt.db, Scope.everything(), FIRST, LAST, TZ, NOW), coverage.people(rt.db, Scope())
    )
    first, second = _person(rows, seeded.first["id"]), _person(rows, seeded.second["id"])
    assert {k: first[k] for k in (*coverage.COUNTS, "done_rate")} == {
        "planned": 4,
        "done": 1,
        "missed": 2,  # the cancelled one, and the one still open after its day
        "pending": 1,
        "unplanned": 1,  # the phone call counts
        "done_rate": 0.25,
    }
    assert {k: second[k] for k in coverage.COUNTS} == {
        "planned": 1,
        "done": 0,
        "missed": 1,
        "pending": 0,
        "unplanned": 1,
    }
    idle = next(r for r in rows if r["employee_id"] not in (seeded.first["id"], seeded.second["id"]))
    assert idle["planned"] == 0 and idle["done_rate"] is None


def test_team_figures_add_up_to_the_tasks_in_the_database(week):
    rt, seeded = week
    rows = coverage.person_counts(rt.db, Scope.everything(), FIRST, LAST, TZ, NOW)
    teams = coverage.per_team(rows, coverage.people(rt.db, Scope()))
    planned = rt.db.fetch_one("SELECT count(*) AS n FROM tasks WHERE planned_for BETWEEN %s AND %s", (FIRST, LAST))["n"]
    done = rt.db.fetch_one(
        "SELECT count(*) AS n FROM tasks WHERE planned_for BETWEEN %s AND %s AND state = 'done'", (FIRST, LAST)
    )["n"]
    assert sum(t["planned"] for t in teams) == coverage.total(rows)["planned"] == planned == 5
    assert sum(t["done"] for t in teams) == done == 1
    mine = next(t for t in teams if t["team_id"] == seeded.first["team_id"])
    assert (mine["planned"], mine["missed"], mine["unplanned"]) == (4, 2, 1)


def test_a_supervisor_sees_only_their_team(week):
    rt, seeded = week
    scope = Scope(frozenset({seeded.first["team_id"]}))
    rows = coverage.person_counts(rt.db, scope, FIRST, LAST, TZ, NOW)
    assert {r["employee_id"] for r in rows} == {seeded.first["id"]}
    standing = coverage.customers(rt.db, scope, TZ, NOW)
    assert seeded.d not in {r["customer_id"] for r in standing}
    assert set(seeded.c) <= {r["customer_id"] for r in standing}


def test_days_since_overdue_and_never_visited(week):
    rt, seeded = week
    rows = {r["customer_id"]: r for r in coverage.customers(rt.db, Scope.everything(), TZ, NOW)}
    c1, c2, c3, c4, c5 = (rows[c] for c in seeded.c)
    assert (c1["days_since"], c1["every_days"], c1["overdue_by"]) == (2, 14, 0)
    assert (c2["days_since"], c2["overdue_by"]) == (21, 7)
    assert c3["never_visited"] and c3["days_since"] is None and c3["overdue_by"] is None
    assert (c4["days_since"], c4["every_days"], c4["overdue_by"]) == (40, 30, 10)
    assert (c5["days_since"], c5["every_days"], c5["overdue_by"]) == (0, 7, 0)  # a phone visit counts
    assert [r["customer_id"] for r in coverage.overdue(rows.values())] == [seeded.c[3], seeded.c[1]]
    assert [r["customer_id"] for r in coverage.overdue(rows.values(), min_days=8)] == [seeded.c[3]]
    assert coverage.never_visited(rows.values())[0]["customer_id"] == seeded.c[2]  # planned ones first


def test_due_this_week_for_one_person(week):
    rt, seeded = week
    rows = coverage.customers(rt.db, Scope(employee_id=seeded.first["id"]), TZ, NOW)
    due = coverage.due_within(rows)
    # C3 never visited, C4 and C2 overdue, C5 due in 7 days; C1 (due in 12 days) is not.
    assert [(r["customer_id"], r["due_in"]) for r in due] == [
        (seeded.c[3], -10),
        (seeded.c[1], -7),
        (seeded.c[2], 0),
        (seeded.c[4], 7),
    ]


def test_overdue_pages_by_id(week):
    rt, seeded = week
    first = coverage.overdue_page(rt.db, Scope.everything(), TZ, NOW, min_days=1, after_id=0, limit=1)
    rest = coverage.overdue_page(
        rt.db, Scope.everything(), TZ, NOW, min_days=1, after_id=first[0]["customer_id"], limit=10
    )
    assert sorted([first[0]["customer_id"]] + [r["customer_id"] for r in rest]) == sorted(seeded.c[1:4:2])


def _page(app, viewer, team=None):
    from callbacks.coverage import customers, figures

    with app.server.test_request_context("/analytics/coverage"):
        g.viewer = viewer
        with time_machine.travel(NOW, tick=False):
            cards, team_rows, people, note = figures(FIRST.isoformat(), LAST.isoformat(), team)
            overdue, never, points, _legend, _streets, _view = customers("coverage-map", team)
    shown = {card.children[1].id.removeprefix("coverage-kpi-"): card.children[1].children for card in cards}
    return shown, team_rows, people, note, overdue, never, points


def test_the_page_shows_the_figures_of_the_database(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    try:
        seeded = seed_week(rt.db)
        manager = Viewer(None, "manager", "manager", None, scope_for("manager", None, []))
        shown, team_rows, people, _note, overdue, never, points = _page(app, manager)
        planned = rt.db.fetch_one("SELECT count(*) AS n FROM tasks WHERE planned_for BETWEEN %s AND %s", (FIRST, LAST))
        assert shown["planned"] == str(planned["n"]) == "5"
        assert (shown["done"], shown["missed"], shown["pending"], shown["unplanned"]) == ("1", "3", "1", "2")
        assert shown["done_rate"] == "20%"
        assert sum(r["planned"] for r in team_rows) == 5
        assert next(r for r in people if r["employee_id"] == seeded.first["id"])["missed"] == 2
        assert [r["customer_id"] for r in overdue] == [seeded.c[3], seeded.c[1]]
        assert seeded.c[2] in [r["customer_id"] for r in never]
        colours = {f["properties"]["id"]: f["properties"]["color"] for f in points["features"]}
        assert colours[seeded.c[2]] == NO_VALUE_COLOR  # never visited: grey
        assert colours[seeded.c[3]] == coverage.DAYS_SINCE_SCALE.color(40) != colours[seeded.c[0]]
        executive = Viewer(None, "exec", "executive", None, scope_for("executive", None, []))
        shown, team_rows, people, note, *_rest = _page(app, executive)
        assert shown["planned"] == "5" and people == [] and "not shown" in note
    finally:
        rt.close()


def _get(client, token: str, path: str, **query):
    return client.get(path, query_string=query, headers={"Authorization": f"Bearer {token}"})


def test_the_api_answers_the_same_figures_and_pages_the_overdue_customers(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    try:
        seeded = seed_week(rt.db)
        token = issue(rt.db, "coverage", ["coverage:read"], None, 30, None)
        client = app.server.test_client()
        with time_machine.travel(NOW, tick=False):
            answer = _get(client, token, "/api/v1/coverage", **{"from": FIRST, "to": LAST})
            assert answer.status_code == 200, answer.get_data(as_text=True)
            body = answer.get_json()
            rows = coverage.person_counts(rt.db, Scope.everything(), FIRST, LAST, TZ, NOW)
            assert body["total"] == {k: coverage.total(rows)[k] for k in (*coverage.COUNTS, "done_rate")}
            person = next(e for e in body["employees"] if e["employee_id"] == seeded.first["id"])
            assert (person["figures"]["planned"], person["figures"]["missed"]) == (4, 2)
            assert sum(t["figures"]["planned"] for t in body["teams"]) == 5
            first = _get(client, token, "/api/v1/customers/overdue", limit=1).get_json()
            assert [c["id"] for c in first["data"]] == [min(seeded.c[1], seeded.c[3])]
            rest = _get(client, token, "/api/v1/customers/overdue", cursor=first["next_cursor"]).get_json()
            assert [c["id"] for c in rest["data"]] == [max(seeded.c[1], seeded.c[3])] and rest["next_cursor"] is None
            assert {c["overdue_by"] for c in first["data"] + rest["data"]} == {7, 10}
            only = _get(client, token, "/api/v1/customers/overdue", min_days=8).get_json()["data"]
            assert [c["id"] for c in only] == [seeded.c[3]]
            limited = issue(rt.db, "other team", ["coverage:read"], [seeded.second["team_id"]], 30, None)
            assert _get(client, limited, "/api/v1/customers/overdue").get_json()["data"] == []
            assert (
                _get(
                    client,
                    issue(rt.db, "m", ["metrics:read"], None, 30, None),
                    "/api/v1/coverage",
                    **{"from": FIRST, "to": LAST},
                ).status_code
                == 403
            )
            assert _get(client, token, "/api/v1/coverage", **{"from": LAST, "to": FIRST}).status_code == 400
    finally:
        rt.close()


def test_the_report_has_the_same_coverage_in_its_pdf_and_xlsx(seeded_rt, tmp_path):
    seeded = seed_week(seeded_rt.db)
    with time_machine.travel(NOW, tick=False):
        report_id = queue_report(seeded_rt, MANAGER, parse_period("2026-W24"), ["pdf", "xlsx"], "en", None)
        assert build_queued(seeded_rt, report_id) == report_id
    files = {row["name"]: bytes(row["content"]) for row in reports.report_files(seeded_rt.db, report_id)}
    book = load_workbook(io.BytesIO(next(v for k, v in files.items() if k.endswith(".xlsx"))))
    sheet = list(book["Coverage"].iter_rows(values_only=True))
    assert sheet[0] == ("Team", "Planned", "Done", "Missed", "To come", "Unplanned visits", "Done of planned (%)")
    teams = {row[0]: row[1:] for row in sheet[1:] if row and row[0] not in (None, "Customers overdue", "Customer")}
    north = seeded.first["team_name"]
    # A week still running covers its days so far (Monday to Wednesday): Friday's visit is not in it yet.
    assert teams[north] == (3, 1, 2, 0, 1, 33)
    names = {r["customer_id"]: r["customer_name"] for r in coverage.customers(seeded_rt.db, Scope(), TZ, NOW)}
    overdue_at = next(n for n, row in enumerate(sheet) if row and row[0] == "Customers overdue")
    assert [row[0] for row in sheet[overdue_at + 2 :]] == [names[seeded.c[3]], names[seeded.c[1]]]
    assert [row[4] for row in sheet[overdue_at + 2 :]] == [10, 7]
    pdf = next(v for k, v in files.items() if k.endswith(".pdf"))
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode().split()
    )
    assert "Visit coverage by team" in text and "Customers overdue" in text
    assert names[seeded.c[3]] in text and names[seeded.c[1]] in text
    (tmp_path / "coverage.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(tmp_path / "coverage.pdf"), screenshot_path("coverage-report")[:-4]],
        check=True,
    )


def test_the_overdue_rule_raises_about_the_owner_once_and_clears_after_a_visit(seeded_rt):
    from dashboard.writer.worker import Writer
    from tests.integration.test_alerts_data import make_rule

    rt = seeded_rt
    seeded = seed_week(rt.db)
    rule = make_rule(rt, "customer_overdue", params={"days": 8}, cooldown_min=0)
    with time_machine.travel(NOW, tick=False):
        writer = Writer(rt, "coverage-test")
        writer.start()
        engine = writer.pipeline.handlers[-1]
        now_ms = int(NOW.timestamp() * 1000)
        assert engine.tick(now_ms) == 1  # C4, overdue by 10; C2 (by 7) is under the rule's 8 days
        engine.tick(now_ms)  # within OVERDUE_EVERY_S: not looked at again
        engine._overdue_checked = float("-inf")
        assert engine.tick(now_ms) == 0  # looked at again: still open, not raised twice
        [alert] = rt.db.fetch_all(
            "SELECT employee_id, subject, state, detail, lat FROM alerts WHERE rule_id = %s", (rule["id"],)
        )
        assert (alert["employee_id"], alert["subject"], alert["state"]) == (
            seeded.first["id"],
            f"customer:{seeded.c[3]}",
            "open",
        )
        assert alert["detail"]["overdue_by"] == 10 and alert["detail"]["every_days"] == 30
        coverage_visit = phone_call(rt, seeded.first["id"], seeded.c[3])
        assert coverage_visit is not None
        engine._overdue_checked = float("-inf")
        engine.tick(now_ms + 60_000)
    [cleared] = rt.db.fetch_all("SELECT state, resolution FROM alerts WHERE rule_id = %s", (rule["id"],))
    assert (cleared["state"], cleared["resolution"]) == ("resolved", "cleared")


def phone_call(rt, employee_id: int, customer_id: int) -> int | None:
    """A phone call to the customer, as the phone records it (dashboard/work/phone.record_remote_visit)."""
    from dashboard.work.phone import record_remote_visit

    return record_remote_visit(rt, employee_id, customer_id, "phone", "", NOW - timedelta(minutes=5))
