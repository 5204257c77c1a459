"""The wall display's figures (issue 8): KPI tiles and alerts, no individual's name anywhere.

Tiles and alerts are computed at most once per WALL_TTL_S per scope and shared by every display
in the process, so a room full of walls costs one set of queries. The people tiles (active now = online,
offline, paused, no position yet) and the map's legend are one `Presence` (dashboard/live/presence.py)
taken with the other tiles, so no two numbers on the wall can disagree.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from math import cos, radians

from dashboard.analytics import metrics
from dashboard.analytics.efficiency import hexagon_geojson
from dashboard.analytics.scales import SCALES
from dashboard.core.runtime import Runtime
from dashboard.live.livemap import Expiring
from dashboard.live.presence import ONLINE, PAUSED
from data import alerts, analytics, reports
from data.scope import Scope

WALL_TTL_S = 4.0
BREACH_WINDOW = timedelta(hours=2)  # work-area exits this recent are shown as alerts
MIN_CYCLE_S, MAX_CYCLE_S = 5, 600
HEAT = "tracked_hours"  # the today layer's measure: hours per hexagon today, on the report map's scale
# Which kinds of alert interrupt the rotation (the others wait for the alerts panel's turn): only those that
# need a person now. The one place issue 17's alert rules replace.
INTERRUPTS = {"help": True, "breaches": False, "overdue": False}

_cache = Expiring(WALL_TTL_S)


def cycle_seconds(settings: dict) -> int:
    """The organisation's rotation cycle (from rt.org_settings()), kept within sane bounds."""
    try:
        seconds = int(settings.get("wall.cycle_s", 20))
    except (TypeError, ValueError):
        seconds = 20
    return max(MIN_CYCLE_S, min(MAX_CYCLE_S, seconds))


# The tiles' figures of today (dashboard/analytics/metrics.py), beside the presence counts; each tile's colour
# is its figure's verdict (metrics.Figure.verdict).
TILE_FIGURES = ("visits", "tasks_done", "overdue_tasks", "satisfaction")


def tiles(rt: Runtime, scope: Scope) -> dict:
    def compute() -> dict:
        now = datetime.now(rt.settings.tz)  # one clock, this process's: not PostgreSQL's now()
        today = metrics.total(metrics.employee_days(rt.db, scope, now.date(), now.date(), rt.settings.timezone, now))
        people = rt.livemap.presence(scope, int(now.timestamp() * 1000)).counts()
        return {"active": people[ONLINE], "people": people, **{key: today[key] for key in TILE_FIGURES}}

    return _cache.get(("tiles", id(rt), scope), compute)


def verdicts(figures: dict, settings: dict) -> dict[str, str]:
    """Each tile figure's good | warning | neutral, by the figure's own rule and the organisation's targets."""
    return {key: metrics.FIGURE[key].verdict(figures[key], settings) for key in TILE_FIGURES}


def team_area(rt: Runtime, scope: Scope) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the work areas and the people in view (customers' sites when
    there are neither): what the wall's maps frame."""
    lats: list[float] = []
    lons: list[float] = []
    for zone in rt.livemap.zones_geojson(scope)["features"]:
        if zone["properties"]["kind"] != "work_area":
            continue
        geometry = zone["geometry"]
        if geometry["type"] == "Point":  # a circle: its centre, widened by its radius
            lon, lat = geometry["coordinates"]
            reach = zone["properties"]["radius"] / 111_320
            lats += [lat - reach, lat + reach]
            lons += [lon - reach / max(0.1, cos(radians(lat))), lon + reach / max(0.1, cos(radians(lat)))]
        else:
            for lon, lat in _points(geometry["coordinates"]):
                lats.append(lat)
                lons.append(lon)
    board = rt.livemap.board()
    shown = rt.livemap.roster(scope).keys() - set(rt.livemap.presence(scope).ids(PAUSED))  # as on the map
    for employee_id in shown & board.row.keys():
        lats.append(board.lat[board.row[employee_id]])
        lons.append(board.lon[board.row[employee_id]])
    if not lats:
        for site in rt.livemap.customers_geojson(scope)["features"]:
            lons.append(site["geometry"]["coordinates"][0])
            lats.append(site["geometry"]["coordinates"][1])
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _points(coordinates: list) -> list:
    """The [lon, lat] pairs of a GeoJSON geometry's nested coordinates."""
    if coordinates and isinstance(coordinates[0], int | float):
        return [coordinates]
    return [point for part in coordinates for point in _points(part)]


def wall_alerts(rt: Runtime, scope: Scope) -> dict:
    """Open help requests, overdue tasks of today and recent work-area exits: time, team and place only."""

    def compute() -> dict:
        now = datetime.now(rt.settings.tz)
        help_rows = alerts.open_alerts(rt.db, scope)
        return {
            "help": [{"id": f"h{a['id']}", "at": a["at"], "team": a["team_name"]} for a in help_rows],
            "overdue": [
                {"id": f"t{t['id']}", "at": t["window_end"], "customer": t["customer_name"], "team": t["team_name"]}
                for t in metrics.overdue_tasks(rt.db, scope, now.date(), now.date(), rt.settings.timezone, now)
            ],
            "breaches": [
                {"id": f"g{b['id']}", "at": b["started_at"], "zone": b["zone_name"], "team": b["team_name"]}
                for b in reports.geofence_breaches(rt.db, scope, now - BREACH_WINDOW)
            ],
        }

    return _cache.get(("alerts", id(rt), scope), compute)


def heat_today(rt: Runtime, scope: Scope) -> dict:
    """Today's tracked hours per res-9 cell from the analytics rollups, each with its `color` on the fixed
    tracked-hours scale (dashboard/analytics/scales.py) and its `level` 0..1 on that scale for the opacity."""
    today = datetime.now(rt.settings.tz).date()
    rows = analytics.heatmap(rt.db, scope, today, today, rt.settings.timezone)
    geojson = hexagon_geojson([{**row, "tracked_hours": (row["tracked_s"] or 0) / 3600} for row in rows], HEAT)
    scale = SCALES[HEAT]
    for feature in geojson["features"]:
        hours = feature["properties"]["value"]
        feature["properties"] = {"level": scale.fraction(hours), "color": feature["properties"]["color"]}
    return geojson
