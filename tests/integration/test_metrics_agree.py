"""One truth (issue 15): each figure of dashboard/analytics/metrics.py, for one seeded week, is the same number on
every surface: the performance page's callbacks, the report (gathered, XLSX, CSV), the wall's tiles, the API and
the exports. The week is the demo's own (tasks, visits, surveys from dashboard/demo/history.seed_history), with
positions along each person's visits stored and rolled up by the real writer-side code, at a pinned instant."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, timedelta

import h3
import pytest
import time_machine
from flask import g
from openpyxl import load_workbook

from callbacks.analytics_performance import charts, overview
from callbacks.wall import tiles_view
from dashboard.analytics import metrics
from dashboard.analytics.efficiency import rebuild
from dashboard.core.permissions import Viewer, scope_for
from dashboard.demo.history import seed_history
from dashboard.live.wall import tiles
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.gather import gather
from dashboard.reports.periods import parse_period
from dashboard.reports.render.tables import figure_column
from dashboard.work.tokens import issue
from data import reports
from data.positions import PositionRow, insert_positions
from data.scope import Scope
from tests.conftest import make_app, signed_in_client

FIRST, LAST = date(2026, 6, 1), date(2026, 6, 5)  # Monday to Friday: the demo works weekdays
MANAGER = Viewer(None, "manager", "manager", None, scope_for("manager", None, []))
PAGE_KPIS = ("visits_per_person_day", "on_time_rate", "km_per_person_day", "visit_share", "satisfaction")
RANKED = ("person_days", "visits_per_person_day", "on_time_rate", "km_per_person_day", "visit_share", "idle_share")
TABLED = ("visits", "person_days", "visits_per_person_day", "tracked_hours", "km", "tasks_done", "overdue_tasks")


def _fix(employee_id: int, ts: datetime, lat: float, lon: float) -> PositionRow:
    return PositionRow(
        employee_id, ts, lat, lon, 0.0, None, 10.0, h3.str_to_int(h3.latlng_to_cell(lat, lon, 10)), "test"
    )


def walk_the_visits(rt) -> None:
    """A fix a minute at each visit's customer (from 5 min before it), and along the straight line to the next
    visit when it starts within two hours; then the analytics rebuild, as `fieldops rollup --rebuild` does."""
    tz = rt.settings.tz
    visits = rt.db.fetch_all(
        """SELECT a.employee_id, a.started_at, coalesce(a.ended_at, a.started_at + interval '20 minutes') AS ended_at,
                  c.lat, c.lon
           FROM activities a JOIN customers c ON c.id = a.customer_id
           WHERE a.kind = 'visit' AND a.started_at >= %s AND a.started_at < %s ORDER BY a.employee_id, a.started_at""",
        (datetime.combine(FIRST, datetime.min.time(), tz), datetime.combine(LAST, datetime.max.time(), tz)),
    )
    rows = []
    for n, visit in enumerate(visits):
        at = visit["started_at"] - timedelta(minutes=5)
        while at <= visit["ended_at"]:
            rows.append(_fix(visit["employee_id"], at, visit["lat"], visit["lon"]))
            at += timedelta(minutes=1)
        after = visits[n + 1] if n + 1 < len(visits) else None
        if after and after["employee_id"] == visit["employee_id"]:
            gap = (after["started_at"] - timedelta(minutes=5) - visit["ended_at"]).total_seconds() / 60
            for step in range(1, int(gap)) if 0 < gap <= 120 else ():
                part = step / gap
                lat = visit["lat"] + (after["lat"] - visit["lat"]) * part
                lon = visit["lon"] + (after["lon"] - visit["lon"]) * part
                rows.append(_fix(visit["employee_id"], visit["ended_at"] + timedelta(minutes=step), lat, lon))
    insert_positions(rt.db, rows)
    rebuild(rt.db, FIRST - timedelta(days=1), LAST + timedelta(days=1), rt.settings.timezone)


@pytest.fixture
def week(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    seed_history(rt.db, FIRST, LAST, rt.settings.tz, stay_min_s=rt.settings.stay_min_s)
    # One task of the last morning nobody went to stays open past its window: overdue on every surface.
    noon = datetime.combine(LAST, datetime.min.time(), rt.settings.tz).replace(hour=12)
    rt.db.execute(
        """UPDATE tasks SET state = 'assigned' WHERE id = (
               SELECT id FROM tasks WHERE state = 'failed' AND window_end < %s ORDER BY window_start DESC LIMIT 1)""",
        (noon,),
    )
    walk_the_visits(rt)
    app.metrics_token = issue(rt.db, "metrics", ["metrics:read"], None, 30, None)
    try:
        yield app, rt
    finally:
        rt.close()


def _api(app, first: date, last: date) -> dict:
    answer = app.server.test_client().get(
        "/api/v1/metrics",
        query_string={"from": first, "to": last},
        headers={"Authorization": f"Bearer {app.metrics_token}"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def _performance_page(app) -> tuple[dict, dict, list[dict], dict]:
    """The callbacks' output as the page gets it: KPI texts by figure, the team chart's bars, the ranking rows."""
    with app.server.test_request_context("/analytics/performance"):
        g.viewer = MANAGER
        cards, teams_figure, ranking, _note = overview(FIRST.isoformat(), LAST.isoformat(), None)
        day_charts = charts(FIRST.isoformat(), LAST.isoformat(), None, None)
    shown = {card.children[1].id.removeprefix("perf-kpi-"): card.children[1].children for card in cards}
    bars = {trace.name: dict(zip(trace.x, trace.y, strict=True)) for trace in teams_figure.data}
    daily_visits = dict(zip(day_charts[0].data[0].x, day_charts[0].data[0].y, strict=True))
    return shown, bars, ranking, daily_visits


def _sheet(rows: list[tuple]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def test_every_surface_shows_the_same_figures(week):
    app, rt = week
    now = datetime.combine(LAST, datetime.min.time(), rt.settings.tz).replace(hour=15)
    with time_machine.travel(now, tick=False):
        api = _api(app, FIRST, LAST)
        total = api["total"]
        employees = {e["employee_code"]: e["figures"] for e in api["employees"]}
        teams = {t["team_name"]: t["figures"] for t in api["teams"]}

        # The seeded week as stored: every visit counted, the weekend worked, some tasks still open and overdue.
        stored = rt.db.fetch_one(
            "SELECT count(*) AS n FROM activities WHERE kind = 'visit' AND started_at >= %s AND started_at < %s",
            (
                datetime.combine(FIRST, datetime.min.time(), rt.settings.tz),
                datetime.combine(LAST + timedelta(days=1), datetime.min.time(), rt.settings.tz),
            ),
        )["n"]
        assert total["visits"] == stored > 0
        assert total["person_days"] == 5 * total["staff"]  # every day worked by everyone
        assert total["overdue_tasks"] > 0 and total["tracked_hours"] > 0 and total["km_per_person_day"] > 0
        assert total["visits_per_person_day"] == pytest.approx(total["visits"] / total["person_days"])
        assert sum(e["visits"] for e in employees.values()) == total["visits"]
        assert sum(t["person_days"] for t in teams.values()) == total["person_days"]

        # The performance page: KPI cards, the team chart and the ranking.
        shown, bars, ranking, daily_visits = _performance_page(app)
        assert shown == {key: metrics.FIGURE[key].text(total[key]) for key in PAGE_KPIS}
        visits_bar = bars[metrics.FIGURE["visits_per_person_day"].label(None)]
        assert visits_bar == {name: teams[name]["visits_per_person_day"] for name in teams}
        assert {row["employee_code"]: {key: row[key] for key in RANKED} for row in ranking} == {
            code: {key: figures[key] for key in RANKED} for code, figures in employees.items()
        }
        by_day = {day["day"]: day for day in api_days(app)}
        assert daily_visits == {day: by_day[day]["visits_per_person_day"] for day in daily_visits}

        # The report: gathered figures, then its XLSX and CSV files.
        report_id = queue_report(rt, MANAGER, parse_period(f"{FIRST}..{LAST}"), ["xlsx", "csv"], "en")
        data = gather(rt, reports.claim_report(rt.db, report_id))
        share = {f.key for f in metrics.FIGURES if f.unit == "share"}
        for kpi in data.kpis:
            expected = total[kpi["key"]]
            assert kpi["value"] == pytest.approx(100 * expected if kpi["key"] in share else expected)
        assert {r["employee_code"]: {k: r[k] for k in TABLED} for r in data.employees} == {
            code: {k: figures[k] for k in TABLED} for code, figures in employees.items()
        }
        rt.db.execute("UPDATE reports SET state = 'queued' WHERE id = %s", (report_id,))
        assert build_queued(rt, report_id) == report_id
        files = {row["name"]: bytes(row["content"]) for row in reports.report_files(rt.db, report_id)}
        xlsx = next(content for name, content in files.items() if name.endswith(".xlsx"))
        sheet = _sheet(list(load_workbook(io.BytesIO(xlsx))["Employees"].iter_rows(values_only=True)))
        employee_csv = next(content for name, content in files.items() if name.endswith("-employees.csv"))
        from_csv = list(csv.DictReader(io.StringIO(employee_csv.decode("utf-8-sig"))))
        for key in TABLED:
            _key, header, get = figure_column(key, "en")
            expected = {code: get(figures) for code, figures in employees.items()}
            assert {row["Code"]: row[header] for row in sheet} == expected
            assert {row["Code"]: row[header] for row in from_csv} == {
                code: "" if value is None else str(value) for code, value in expected.items()
            }
        kpi_csv = next(content for name, content in files.items() if name.endswith("-kpis.csv"))
        kpi_values = {row[0]: row[1] for row in csv.reader(io.StringIO(kpi_csv.decode("utf-8-sig")))}
        visits_label = metrics.FIGURE["visits_per_person_day"].label("en")
        assert kpi_values[visits_label] == str(round(total["visits_per_person_day"], 1))

        # The exports: the visits export's rows are the visits counted; attendance's visits add up the same.
        client = signed_in_client(app, "manager")
        answer = client.get(f"/export/visits.csv?from={FIRST}&to={LAST}")
        assert answer.status_code == 200, (answer.status_code, answer.get_data(as_text=True)[:300])
        visits_csv = answer.get_data(as_text=True)
        per_person = Counter(row["employee_code"] for row in csv.DictReader(io.StringIO(visits_csv)))
        assert per_person == Counter({code: f["visits"] for code, f in employees.items() if f["visits"]})
        attendance_csv = client.get(f"/export/attendance.csv?from={FIRST}&to={LAST}").get_data(as_text=True)
        assert sum(int(row["visits"]) for row in csv.DictReader(io.StringIO(attendance_csv))) == total["visits"]

        # The wall: today's tiles (the pinned Friday afternoon) are the API's figures of that one day.
        today = _api(app, LAST, LAST)["total"]
        assert today["visits"] > 0 and today["overdue_tasks"] > 0
        wall = tiles(rt, Scope.everything())
        assert {key: wall[key] for key in ("visits", "tasks_done", "overdue_tasks", "satisfaction")} == {
            key: today[key] for key in ("visits", "tasks_done", "overdue_tasks", "satisfaction")
        }
        with app.server.test_request_context("/wall"):
            g.viewer = MANAGER
            _active, visits_tile, done_tile, overdue_tile, *_rest = tiles_view(0)
        assert (visits_tile, done_tile, overdue_tile) == (
            f"{today['visits']:,}",
            f"{today['tasks_done']:,}",
            f"{today['overdue_tasks']:,}",
        )


def api_days(app) -> list[dict]:
    """Each day of the week through the API, one call a day."""
    days = []
    for n in range((LAST - FIRST).days + 1):
        day = FIRST + timedelta(days=n)
        days.append({"day": day, **_api(app, day, day)["total"]})
    return days


def test_the_metrics_api_refuses_a_bad_period_with_a_reason(week):
    app, rt = week
    client = app.server.test_client()
    headers = {"Authorization": f"Bearer {app.metrics_token}"}
    backwards = client.get("/api/v1/metrics", query_string={"from": LAST, "to": FIRST}, headers=headers)
    assert backwards.status_code == 400 and backwards.get_json()["error"]["code"] == "invalid_period"
    assert client.get("/api/v1/metrics?from=2026-06-01&to=June", headers=headers).status_code == 400
    assert client.get("/api/v1/metrics?from=2026-06-01", headers=headers).status_code == 400
    other = issue(rt.db, "other", ["tasks:read"], None, 30, None)
    refused = client.get("/api/v1/metrics?from=2026-06-01&to=2026-06-07", headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 403
