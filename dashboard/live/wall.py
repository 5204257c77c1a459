"""The wall display's figures (issue 8): KPI tiles and alerts, no individual's name anywhere.

Tiles and alerts are computed at most once per WALL_TTL_S per scope and shared by every display
in the process, so a room full of walls costs one set of queries. The people tiles (active now = online,
offline, paused, no position yet) and the map's legend are one `Presence` (dashboard/live/presence.py)
taken with the other tiles, so no two numbers on the wall can disagree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard.analytics import metrics
from dashboard.analytics.efficiency import hexagon_geojson
from dashboard.analytics.scales import SCALES
from dashboard.core.runtime import Runtime
from dashboard.live.livemap import Expiring
from dashboard.live.presence import ONLINE
from data import alerts, analytics, reports
from data.scope import Scope

WALL_TTL_S = 4.0
BREACH_WINDOW = timedelta(hours=2)  # work-area exits this recent are shown as alerts
MIN_CYCLE_S, MAX_CYCLE_S = 5, 600
HEAT = "tracked_hours"  # the today layer's measure: hours per hexagon today, on the report map's scale

_cache = Expiring(WALL_TTL_S)


def cycle_seconds(settings: dict) -> int:
    """The organisation's rotation cycle (from rt.org_settings()), kept within sane bounds."""
    try:
        seconds = int(settings.get("wall.cycle_s", 20))
    except (TypeError, ValueError):
        seconds = 20
    return max(MIN_CYCLE_S, min(MAX_CYCLE_S, seconds))


# The tiles' figures of today (dashboard/analytics/metrics.py), beside the presence counts.
TILE_FIGURES = ("visits", "tasks_done", "overdue_tasks", "satisfaction")


def tiles(rt: Runtime, scope: Scope) -> dict:
    def compute() -> dict:
        now = datetime.now(rt.settings.tz)  # one clock, this process's: not PostgreSQL's now()
        today = metrics.total(metrics.employee_days(rt.db, scope, now.date(), now.date(), rt.settings.timezone, now))
        people = rt.livemap.presence(scope, int(now.timestamp() * 1000)).counts()
        return {"active": people[ONLINE], "people": people, **{key: today[key] for key in TILE_FIGURES}}

    return _cache.get(("tiles", id(rt), scope), compute)


def wall_alerts(rt: Runtime, scope: Scope) -> dict:
    """Open help requests, overdue tasks of today and recent work-area exits: time, team and place only."""

    def compute() -> dict:
        now = datetime.now(rt.settings.tz)
        help_rows = alerts.open_alerts(rt.db, scope)
        return {
            "help": [{"id": f"h{a['id']}", "at": a["created_at"], "team": a["team_name"]} for a in help_rows],
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
