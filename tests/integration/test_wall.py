"""The wall display's figures and its one setting (issue 8), without a browser."""

from __future__ import annotations

from datetime import datetime, timedelta

import h3
import time_machine

from dashboard.analytics.efficiency import rebuild
from dashboard.analytics.scales import SCALES
from dashboard.demo.seed import plan_day
from dashboard.live.wall import HEAT, heat_today, tiles, wall_alerts
from data import alerts, org_settings
from data.positions import PositionRow, insert_positions
from data.scope import Scope
from tests.conftest import make_app, post_callback, signed_in_client


def test_alerts_name_no_one_and_overdue_tasks_count(seeded_settings):
    app = make_app(seeded_settings)
    rt = app.server.extensions["fieldops"]
    # A pinned morning: some of today's tasks are overdue (within an hour after midnight none could be).
    morning = datetime(2026, 11, 24, 10, 0, tzinfo=rt.settings.tz)
    try:
        with time_machine.travel(morning, tick=True):
            plan_day(rt.db, morning.date(), rt.settings.tz, start=morning - timedelta(hours=3))
            person = rt.db.fetch_one("SELECT id, name FROM employees ORDER BY id LIMIT 1")
            alerts.raise_help(rt.db, person["id"], 60.17, 24.94, 8.0)
            team = rt.db.fetch_one("SELECT team_id FROM employees WHERE id = %s", (person["id"],))["team_id"]
            scope = Scope(frozenset({team}))
            found = wall_alerts(rt, scope)
            assert len(found["help"]) == 1 and person["name"] not in str(found)
            assert found["overdue"] and all(t["team"] for t in found["overdue"])
            figures = tiles(rt, scope)
            assert figures["overdue_tasks"] == len(found["overdue"]) > 0
            assert wall_alerts(rt, Scope(frozenset({-1}))) == {"help": [], "overdue": [], "breaches": []}
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
