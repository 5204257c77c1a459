"""Issue 19: the history and planning maps (zones, customers, heatmap, day replay, tasks, the PDF's map) are given
points in the organisation's map system, and a zone drawn on a GCJ-02 map is stored in WGS-84. Each callback is
run as the browser runs it, under the AMap preset (GCJ-02), with a day's work in Beijing beside the Helsinki demo.
What a person sees is in tests/browser/test_china_maps_history.py."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import h3
import pytest

from dashboard.analytics import efficiency
from dashboard.core.permissions import Viewer, scope_for
from dashboard.geo.coords import from_wgs84, to_wgs84
from dashboard.geo.tiles import map_frame
from dashboard.reports.render.charts import cell_outlines
from dashboard.work.phone import PhoneFix, record_presence
from data import org_settings, route_plans, users, zones
from data.positions import PositionRow, insert_positions
from tests.conftest import callback_body, make_app, server_callbacks, signed_in_client

HELSINKI = (60.1699, 24.9384)
BEIJING = (39.9087, 116.3975)  # Tiananmen, WGS-84: a GCJ-02 map draws it some 600 m east and north
SITE_RADIUS_M = 80.0
CLOSE_M = 1.0


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return h3.great_circle_distance(tuple(a), tuple(b), "m")


def gcj(lat: float, lon: float) -> tuple[float, float]:
    return from_wgs84(lat, lon, "gcj02")


def use_amap(rt) -> None:
    org_settings.set_setting(rt.db, "maps.preset", "amap", None)
    rt.forget_org_settings()


def beijing_day(rt) -> dict:
    """The field account's person with a customer in Beijing (a site circle), today's task there in a planned
    route, and yesterday's hour of positions and a stay around it, rolled up for the heatmap."""
    db, tz = rt.db, rt.settings.tz
    user = users.get_user(db, users.user_by_name(db, "field")["id"])
    employee = user["employee_id"]
    lat, lon = BEIJING
    customer = db.fetch_one(
        "INSERT INTO customers (name, lat, lon, owner_employee_id) VALUES (%s, %s, %s, %s) RETURNING id",
        ("天安门 Beijing shop", lat, lon, employee),
    )["id"]
    site = zones.create_zone(
        db, "天安门 site", "customer_site", None, customer_id=customer, circle=(lat, lon, SITE_RADIUS_M)
    )
    now = datetime.now(tz)
    task = db.fetch_one(
        """INSERT INTO tasks (customer_id, employee_id, state, window_start, window_end)
           VALUES (%s, %s, 'assigned', %s, %s) RETURNING id""",
        (customer, employee, now, now + timedelta(hours=1)),
    )["id"]
    route = [[lat - 0.004, lon - 0.004], [lat, lon]]
    route_plans.save_plan(
        db,
        {
            "employee_id": employee,
            "day": now.date(),
            "planned_by": None,
            "reason": "plan",
            "task_ids": [task],
            "entered_travel_s": 600,
            "planned_travel_s": 600,
            "late_tasks": 0,
            "path": route,
        },
    )
    at_home = db.fetch_one("SELECT id, lat, lon FROM customers WHERE id <> %s ORDER BY id LIMIT 1", (customer,))
    colleague = db.fetch_one("SELECT id FROM employees WHERE id <> %s ORDER BY id LIMIT 1", (employee,))["id"]
    helsinki_task = db.fetch_one(
        """INSERT INTO tasks (customer_id, employee_id, state, window_start, window_end)
           VALUES (%s, %s, 'assigned', %s, %s) RETURNING id""",
        (at_home["id"], colleague, now, now + timedelta(hours=1)),
    )["id"]
    day = now.date() - timedelta(days=1)
    start = datetime.combine(day, datetime.min.time(), tz).replace(hour=10).astimezone(UTC)
    track = [(lat + 0.00002 * n, lon + 0.00003 * n) for n in range(120)]  # an hour, every 30 s, slowly east
    in_helsinki = [(HELSINKI[0] + 0.00002 * n, HELSINKI[1]) for n in range(120)]  # the same hour at home
    insert_positions(
        db,
        [
            PositionRow(
                person,
                start + timedelta(seconds=30 * n),
                p_lat,
                p_lon,
                0.5,
                None,
                5.0,
                h3.str_to_int(h3.latlng_to_cell(p_lat, p_lon, 10)),
                "native",
            )
            for person, points in ((employee, track), (colleague, in_helsinki))
            for n, (p_lat, p_lon) in enumerate(points)
        ],
    )
    db.execute(
        """INSERT INTO activities (employee_id, kind, started_at, ended_at, attributes)
           VALUES (%s, 'stay', %s, %s, %s)""",
        (employee, start, start + timedelta(minutes=20), f'{{"lat": {lat}, "lon": {lon}}}'),
    )
    efficiency.upkeep(db, rt.settings.timezone)
    field = Viewer(user["id"], "field", "field", employee, scope_for("field", employee, []))
    return {
        "employee": employee,
        "customer": customer,
        "site": site,
        "task": task,
        "route": route,
        "day": day,
        "track": track,
        "field": field,
        "colleague": colleague,
        "helsinki_task": (helsinki_task, at_home["lat"], at_home["lon"]),
        "helsinki_track": in_helsinki,
    }


def run(client, app, output: str, values: dict, changed: str | None = None) -> dict:
    """Run the callback that has `output` (id.property) as Dash's renderer does; its outputs by id, property."""
    name, spec = next((name, spec) for name, spec in server_callbacks(app) if output in name.strip(".").split("..."))
    keys = [f"{item['id']}.{item['property']}" for item in spec["inputs"]]
    body = callback_body(
        name, spec, lambda item: values.get(f"{item['id']}.{item['property']}"), keys.index(changed) if changed else 0
    )
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data
    return response.get_json()["response"]


def positions(geojson: dict) -> list[list[float]]:
    """Every [lon, lat] position of a GeoJSON object."""
    found: list[list[float]] = []

    def walk(node: object) -> None:
        if isinstance(node, list) and node and isinstance(node[0], int | float):
            found.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "coordinates" or isinstance(value, dict | list):
                    walk(value)

    walk(geojson)
    return found


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


@pytest.fixture
def rt(app):
    rt = app.server.extensions["fieldops"]
    use_amap(rt)
    return rt


@pytest.fixture
def day(rt) -> dict:
    return beijing_day(rt)


def test_the_amap_preset_draws_in_gcj02(rt):
    assert map_frame(rt).system == "gcj02"


def test_the_zones_map_is_given_beijing_sites_in_gcj02_and_helsinki_zones_unchanged(app, rt, day):
    shown = run(signed_in_client(app, "admin"), app, "zones-existing.data", {"zones-refresh.data": 0})
    features = {f["properties"]["id"]: f for f in shown["zones-existing"]["data"]["features"]}
    lon, lat = features[day["site"]]["geometry"]["coordinates"]
    assert metres((lat, lon), gcj(*BEIJING)) < CLOSE_M
    assert metres((lat, lon), BEIJING) > 100  # the offset is real here
    for zone in zones.list_zones(rt.db, scope_for("admin", None, [])):
        if zone["id"] != day["site"] and zone["geometry"] is not None:
            assert features[zone["id"]]["geometry"] == zone["geometry"]  # Helsinki: exactly as stored


def _zone_action(client, app, button: str, drawn: dict | None, **states: object) -> dict:
    values = {f"{button}.n_clicks": 1, "zones-draw.geojson": drawn, "zones-refresh.data": 0}
    values.update({f"zones-{key}.value": value for key, value in states.items()})
    return run(client, app, "zones-result.children", values, changed=f"{button}.n_clicks")


def test_a_polygon_drawn_on_a_gcj02_map_is_stored_in_wgs84_and_shown_where_it_was_drawn(app, rt, day):
    admin = signed_in_client(app, "admin")
    lat, lon = gcj(*BEIJING)
    drawn = [[lon, lat], [lon + 0.003, lat], [lon + 0.003, lat + 0.002], [lon, lat + 0.002], [lon, lat]]
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [drawn]}, "properties": {}}
    answer = _zone_action(admin, app, "zones-create", {"features": [feature]}, name="长安街 area", pick=None)
    assert "saved" in str(answer["zones-result"]["children"])
    zone = rt.db.fetch_one("SELECT id, geometry FROM zones WHERE name = '长安街 area'")
    stored = zone["geometry"]["coordinates"][0]
    for (d_lon, d_lat), (s_lon, s_lat) in zip(drawn, stored, strict=True):
        assert metres((s_lat, s_lon), to_wgs84(d_lat, d_lon, "gcj02")) < CLOSE_M
    loaded = _zone_action(admin, app, "zones-load", None, pick=zone["id"])
    back = loaded["zones-draw"]["geojson"]["features"][0]["geometry"]["coordinates"][0]
    for (d_lon, d_lat), (b_lon, b_lat) in zip(drawn, back, strict=True):
        assert metres((b_lat, b_lon), (d_lat, d_lon)) < 0.01  # there and back: where it was drawn


def test_a_site_circle_moved_on_a_gcj02_map_is_stored_in_wgs84_and_a_check_in_there_is_verified(app, rt, day):
    admin = signed_in_client(app, "admin")
    loaded = _zone_action(admin, app, "zones-load", None, pick=day["site"])
    (circle,) = loaded["zones-draw"]["geojson"]["features"]
    lon, lat = circle["geometry"]["coordinates"]
    assert metres((lat, lon), gcj(*BEIJING)) < CLOSE_M and circle["properties"]["_radius"] == SITE_RADIUS_M
    moved = {**circle, "geometry": {"type": "Point", "coordinates": [lon + 0.002, lat]}}
    answer = _zone_action(admin, app, "zones-reshape", {"features": [circle, moved]}, pick=day["site"])
    assert "Shape saved" in str(answer["zones-result"]["children"])
    site = zones.site_of_customer(rt.db, day["customer"])
    centre = (site["center_lat"], site["center_lon"])
    assert metres(centre, to_wgs84(lat, lon + 0.002, "gcj02")) < CLOSE_M
    now_ms = int(time.time() * 1000)
    unconverted = record_presence(rt, day["field"], day["task"], "check_in", PhoneFix(lat, lon + 0.002, 5.0, now_ms))
    assert unconverted["verified"] is False and unconverted["reason"] == "outside"  # the map's point is not there
    check = record_presence(rt, day["field"], day["task"], "check_in", PhoneFix(*centre, 5.0, now_ms))
    assert check["verified"] is True


def test_the_customers_map_is_given_beijing_in_gcj02_and_helsinki_unchanged(app, rt, day):
    shown = run(signed_in_client(app, "manager"), app, "customers-points.data", {"customers-grid.id": "customers-grid"})
    stored = {c["id"]: (c["lat"], c["lon"]) for c in rt.db.fetch_all("SELECT id, lat, lon FROM customers")}
    features = shown["customers-points"]["data"]["features"]
    assert len(features) == len(stored)
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        want = gcj(*BEIJING) if feature["properties"]["id"] == day["customer"] else stored[feature["properties"]["id"]]
        assert metres((lat, lon), want) < CLOSE_M
        if feature["properties"]["id"] != day["customer"]:
            assert (lat, lon) == want
    _low, (_high_lat, high_lon) = shown["customers-map"]["viewport"]["bounds"]
    assert high_lon == pytest.approx(gcj(*BEIJING)[1])  # framed around what the map draws


def test_the_tasks_map_is_given_the_task_and_its_route_in_gcj02(app, rt, day):
    shown = run(
        signed_in_client(app, "manager"),
        app,
        "tasks-points.data",
        {"tasks-team.value": None, "tasks-refresh.data": 0, "tasks-employee.data": None, "tasks-signature.data": None},
        changed="tasks-team.value",
    )
    points = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in shown["tasks-points"]["data"]["features"]}
    lon, lat = points[day["task"]]
    assert metres((lat, lon), gcj(*BEIJING)) < CLOSE_M
    at_home, home_lat, home_lon = day["helsinki_task"]
    assert points[at_home] == [home_lon, home_lat]  # Helsinki: exactly as stored
    routes = {f["properties"]["employee"]: f for f in shown["tasks-routes"]["data"]["features"]}
    line = routes[day["employee"]]["geometry"]["coordinates"]
    for (r_lon, r_lat), (w_lat, w_lon) in zip(line, day["route"], strict=True):
        assert metres((r_lat, r_lon), gcj(w_lat, w_lon)) < CLOSE_M


def test_the_day_replay_is_given_the_track_and_stops_in_gcj02(app, rt, day):
    shown = run(
        signed_in_client(app, "manager"),
        app,
        "day-track.data",
        {"day-employee.value": day["employee"], "day-date.date": day["day"].isoformat()},
    )
    store = shown["day-track"]["data"]
    assert len(store["lat"]) == len(day["track"])
    for lat, lon, wgs in zip(store["lat"], store["lon"], day["track"], strict=True):
        assert metres((lat, lon), gcj(*wgs)) < CLOSE_M
    path = shown["day-path"]["positions"]
    assert [tuple(p) for p in path] == list(zip(store["lat"], store["lon"], strict=True))
    (stop,) = shown["day-stops"]["children"]
    assert metres(tuple(stop["props"]["center"]), gcj(*BEIJING)) < CLOSE_M
    (low_lat, low_lon), _high = shown["day-map"]["viewport"]["bounds"]
    assert metres((low_lat, low_lon), gcj(*day["track"][0])) < CLOSE_M
    at_home = run(
        signed_in_client(app, "manager"),
        app,
        "day-track.data",
        {"day-employee.value": day["colleague"], "day-date.date": day["day"].isoformat()},
    )["day-path"]["positions"]
    assert [tuple(p) for p in at_home] == day["helsinki_track"]  # Helsinki: exactly as stored


def test_the_heatmap_is_given_beijing_hexagons_in_gcj02_and_helsinki_ones_unchanged(app, rt, day):
    start = (day["day"] - timedelta(days=1)).isoformat()
    shown = run(
        signed_in_client(app, "manager"),
        app,
        "heatmap-cells.data",
        {"heatmap-dates.start_date": start, "heatmap-dates.end_date": day["day"].isoformat()},
    )
    features = shown["heatmap-cells"]["data"]["features"]
    east = [f["geometry"]["coordinates"][0][0][0] > 100 for f in features]
    assert any(east) and not all(east), "the Beijing hour and the Helsinki hour are on the map"
    for feature in features:
        cell = h3.int_to_str(int(feature["properties"]["cell"]))
        outline = h3.cell_to_boundary(cell)
        for (lon, lat), (c_lat, c_lon) in zip(feature["geometry"]["coordinates"][0], outline, strict=False):
            want = gcj(c_lat, c_lon) if c_lon > 100 else (c_lat, c_lon)
            assert metres((lat, lon), want) < CLOSE_M


def test_the_reports_heatmap_draws_beijing_cells_in_the_organisations_system(rt):
    cell = h3.str_to_int(h3.latlng_to_cell(*BEIJING, 9))
    (outline,) = cell_outlines([cell], map_frame(rt))
    for (x, y), (lat, lon) in zip(outline, h3.cell_to_boundary(h3.int_to_str(cell)), strict=True):
        assert metres((y, x), gcj(lat, lon)) < CLOSE_M
    helsinki = h3.str_to_int(h3.latlng_to_cell(60.17, 24.94, 9))
    (plain,) = cell_outlines([helsinki], map_frame(rt))
    assert plain == [(lon, lat) for lat, lon in h3.cell_to_boundary(h3.int_to_str(helsinki))]
