"""The wall display's figures (issue 8): KPI tiles and alerts, no individual's name anywhere.

Tiles are computed at most once per WALL_TTL_S per scope, alerts once per change of the alerts' version
(issue 17), and both are shared by every display in the process, so a room full of walls costs one set of
queries. The people tiles (active now = online, offline, paused, no position yet) and the map's legend are
one `Presence` (dashboard/live/presence.py) taken with the other tiles, so no two numbers on the wall can
disagree.
"""

from __future__ import annotations

import threading
from datetime import datetime
from math import cos, radians

from dashboard.analytics import metrics
from dashboard.analytics.efficiency import hexagon_geojson
from dashboard.analytics.scales import SCALES
from dashboard.core.runtime import Runtime
from dashboard.geo.tiles import map_frame
from dashboard.live.livemap import Expiring
from dashboard.live.presence import ONLINE, PAUSED
from data import alerts, analytics
from data.scope import Scope

WALL_TTL_S = 4.0
MIN_CYCLE_S, MAX_CYCLE_S = 5, 600
HEAT = "tracked_hours"  # the today layer's measure: hours per hexagon today, on the report map's scale
# The alerts that interrupt the rotation when newly raised (issue 17): those that need a person now, a warning
# at most once a rotation, a critical always (assets/wall.js). Info alerts never do; they, and every alert once
# it has interrupted, wait for the alerts panel's turn.
INTERRUPTING = frozenset({"warning", "critical"})
# Each panel's share of the rotation, in cycles (the organisation's `wall.cycle_s`): the room looks at the map
# and today's figures most of the time; the alerts panel takes its turn only while there are alerts.
PANELS = ("map", "kpis", "alerts", "heatmap")  # in the order of the rotation
SHARES = {"map": 2, "kpis": 2, "alerts": 1, "heatmap": 1}

_cache = Expiring(WALL_TTL_S)
_alerts_by_version: dict[tuple[int, Scope], tuple[int, list[dict]]] = {}  # (runtime, scope) -> the version's list
_alerts_lock = threading.Lock()


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
    there are neither): what the wall's maps frame, in the map's system (the live map's layers and positions
    already are)."""
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
    placed = rt.livemap.placed(board)
    shown = rt.livemap.roster(scope).keys() - set(rt.livemap.presence(scope).ids(PAUSED))  # as on the map
    for employee_id in shown & board.row.keys():
        lats.append(placed.lat[board.row[employee_id]])
        lons.append(placed.lon[board.row[employee_id]])
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


def interrupts(severity: str) -> bool:
    return severity in INTERRUPTING


def wall_alerts(rt: Runtime, scope: Scope, version: int) -> list[dict]:
    """The open (and acknowledged) alerts of the scope, the most severe first: kind, severity, time, team and
    place only, never a person. Read once per alerts' version and scope for every display of the process."""

    def compute() -> list[dict]:
        return [
            {
                "id": a["id"],
                "kind": a["kind"],
                "severity": a["severity"],
                "at": a["at"],
                "team": a["team_name"],
                "place": a["zone_name"] or a["customer_name"],
                "interrupts": interrupts(a["severity"]),
            }
            for a in alerts.open_alerts_placed(rt.db, scope)
        ]

    key = (id(rt), scope)
    with _alerts_lock:
        known = _alerts_by_version.get(key)
        if known is None or known[0] != version:
            known = _alerts_by_version[key] = (version, compute())
        return known[1]


def heat_today(rt: Runtime, scope: Scope) -> dict:
    """Today's tracked hours per res-9 cell from the analytics rollups, each with its `color` on the fixed
    tracked-hours scale (dashboard/analytics/scales.py) and its `level` 0..1 on that scale for the opacity; the
    hexagons' corners in the map's system (map_frame)."""
    today = datetime.now(rt.settings.tz).date()
    rows = analytics.heatmap(rt.db, scope, today, today, rt.settings.timezone)
    geojson = hexagon_geojson([{**row, "tracked_hours": (row["tracked_s"] or 0) / 3600} for row in rows], HEAT)
    scale = SCALES[HEAT]
    for feature in geojson["features"]:
        hours = feature["properties"]["value"]
        feature["properties"] = {"level": scale.fraction(hours), "color": feature["properties"]["color"]}
    return map_frame(rt).out_geojson(geojson)
