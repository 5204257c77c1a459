"""The wall display's figures, its alerts (issue 17: the alerts table's, warnings and criticals interrupting)
and its one setting (issue 8), without a browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import time_machine
from dash import no_update
from flask import g

from callbacks.wall import alerts_view
from dashboard.analytics import metrics
from dashboard.analytics.efficiency import rebuild
from dashboard.analytics.scales import SCALES
from dashboard.core.permissions import Viewer, scope_for
from dashboard.demo.seed import plan_day
from dashboard.live.wall import HEAT, heat_today, tiles, wall_alerts
from dashboard.work import alerting
from data import alerts, org_settings
from data.positions import PositionRow, insert_positions
from data.scope import Scope
from tests.conftest import make_app, post_callback, signed_in_client

ADMIN = Viewer(None, "admin", "admin", None, scope_for("admin", None, []))
WALL = Viewer(None, "wall", "wall", None, scope_for("wall", None, []))
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def make_rule(rt, kind: str, severity: str, name: str, **values) -> dict:
    """A rule as the rules page makes one: validated, then stored (data/alerts.create_rule)."""
    checked = alerting.validate_rule({"kind": kind, "name": name, "severity": severity, **values}, ADMIN)
    return alerts.rule(rt.db, alerts.create_rule(rt.db, checked, None))


def raise_now(rt, rule: dict, employee_id: int, **where) -> int:
    return alerting.raise_alert(rt, rule, employee_id, int(datetime.now(UTC).timestamp() * 1000), **where)


def wall_alerts_view(app, seen=None) -> tuple:
    with app.server.test_request_context("/wall"):
        g.viewer = WALL
        return alerts_view(0, seen)


def test_the_walls_alerts_are_the_open_alerts_and_only_warnings_and_criticals_interrupt(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    try:
        with time_machine.travel(TUESDAY_MORNING, tick=True):
            people = rt.db.fetch_all("SELECT id, name, team_id FROM employees ORDER BY id LIMIT 3")
            area = rt.db.fetch_one("SELECT id, name FROM zones WHERE kind = 'work_area' ORDER BY id LIMIT 1")
            entered = make_rule(rt, "zone_enter", "info", "Entered a work area")
            silent = make_rule(rt, "silent", "warning", "Silent 10 min")
            info = raise_now(rt, entered, people[0]["id"], subject=f"zone:{area['id']}", zone_id=area["id"])
            warning = raise_now(rt, silent, people[1]["id"])
            help_id = alerting.raise_help(rt, people[2]["id"], (60.17, 24.94, 8.0))

            panel, seen = wall_alerts_view(app)
            assert seen["alerts"] == [help_id, warning, info]  # the most severe first
            assert seen["interrupt"] == [help_id, warning] and seen["critical"] == [help_id]  # info never
            text = str(panel)
            assert "Help requested" in text and "Device silent" in text and "Entered a zone" in text
            assert area["name"] in text and "North" in text  # team and place
            assert not any(person["name"] in text for person in people)  # never a person

            # Nothing moved: nothing is read again or redrawn; a new alert moves the version and shows.
            assert wall_alerts_view(app, seen) == (no_update, no_update)
            later = raise_now(rt, make_rule(rt, "low_battery", "info", "Battery"), people[1]["id"])
            _panel, after = wall_alerts_view(app, seen)
            assert later in after["alerts"] and later not in after["interrupt"]
            # Resolved alerts leave the wall; an acknowledged one stays until resolved.
            manager = Viewer(None, "manager", "manager", None, scope_for("manager", None, []))
            assert alerting.acknowledge(rt, manager, warning) and alerting.resolve(rt, manager, help_id)
            _panel, after = wall_alerts_view(app, after)
            assert after["alerts"] == [warning, later, info] and after["critical"] == []
            assert wall_alerts(rt, Scope(frozenset({-1})), alerting.state(rt).version()) == []
    finally:
        rt.close()


def test_the_walls_alerts_are_read_once_per_version_for_every_display(seeded_rt):
    rt = seeded_rt
    person = rt.db.fetch_one("SELECT id FROM employees ORDER BY id LIMIT 1")["id"]
    alerting.raise_help(rt, person, (60.17, 24.94, 8.0))
    version = alerting.state(rt).version()
    first = wall_alerts(rt, Scope.everything(), version)
    rt.db.execute("UPDATE alerts SET state = 'resolved', resolution = 'resolved'")  # behind the version's back
    assert wall_alerts(rt, Scope.everything(), version) is first  # the same version: no query
    assert wall_alerts(rt, Scope.everything(), alerting.state(rt).bump()) == []


def test_the_overdue_tile_still_counts_todays_overdue_tasks(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    # A pinned morning: some of today's tasks are overdue (within an hour after midnight none could be).
    morning = datetime(2026, 11, 24, 10, 0, tzinfo=rt.settings.tz)
    try:
        with time_machine.travel(morning, tick=True):
            plan_day(rt.db, morning.date(), rt.settings.tz, start=morning - timedelta(hours=3))
            team = rt.db.fetch_one("SELECT id FROM teams ORDER BY id LIMIT 1")["id"]
            scope = Scope(frozenset({team}))
            overdue = metrics.overdue_tasks(rt.db, scope, morning.date(), morning.date(), rt.settings.timezone, morning)
            assert tiles(rt, scope)["overdue_tasks"] == len(overdue) > 0
    finally:
        rt.close()


def test_an_admin_sets_the_wall_rotation(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    try:
        admin = signed_in_client(app, "admin")
        inputs = {"privacy-wall-cycle-save.n_clicks": 1}
        refused = post_callback(admin, "privacy-wall-cycle-result.children", inputs, {"privacy-wall-cycle.value": 2})
        assert refused.status_code == 200 and "Between 5 and 600" in refused.get_data(as_text=True)
        saved = post_callback(admin, "privacy-wall-cycle-result.children", inputs, {"privacy-wall-cycle.value": 30})
        assert saved.status_code == 200
        assert org_settings.all_settings(rt.db)["wall.cycle_s"] == 30
        manager = signed_in_client(app, "manager")
        assert (
            post_callback(
                manager, "privacy-wall-cycle-result.children", inputs, {"privacy-wall-cycle.value": 9}
            ).status_code
            == 403
        )
    finally:
        rt.close()


def test_todays_heat_layer_is_coloured_on_the_fixed_tracked_hours_scale(seeded_rt):
    """Two hours in one hexagon are a quarter of the way up the 0–8 h scale, however empty the rest of the map."""
    rt = seeded_rt
    noon = datetime(2026, 6, 3, 12, 0, tzinfo=rt.settings.tz)
    person = rt.db.fetch_one("SELECT id FROM employees ORDER BY id LIMIT 1")["id"]
    lat, lon = 60.1699, 24.9384
    cell = h3.str_to_int(h3.latlng_to_cell(lat, lon, 10))
    start = noon - timedelta(hours=3)
    fixes = [
        PositionRow(person, start + timedelta(minutes=m), lat, lon, 0.0, None, 8.0, cell, "test") for m in range(121)
    ]
    insert_positions(rt.db, fixes)
    rebuild(rt.db, noon.date() - timedelta(days=1), noon.date() + timedelta(days=1), rt.settings.timezone)
    with time_machine.travel(noon, tick=True):
        features = heat_today(rt, Scope.everything())["features"]
    scale = SCALES[HEAT]
    assert [f["properties"] for f in features] == [{"level": 0.25, "color": scale.color(2.0)}]
    assert scale.color(2.0) == scale.colors[2]
