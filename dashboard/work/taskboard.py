"""The task progress page's data: today's tasks in the viewer's scope, each flagged overdue or at risk,
progress per team, the map's GeoJSON, and the day's planned routes. No Dash."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from dashboard.core.runtime import Runtime
from dashboard.work.dispatch import travel_times_s
from dashboard.work.lifecycle import FINAL_STATES, at_risk
from data import route_plans, tasks, teams
from data.scope import Scope

NEW_TASK_WINDOW = timedelta(hours=2)
QUARTER_HOUR_S = 15 * 60


def today(rt: Runtime) -> date:
    """Today in the organisation's zone, read when asked (never at import: a page stays open past midnight)."""
    return datetime.now(rt.settings.tz).date()


def new_task_window(rt: Runtime) -> tuple[datetime, datetime]:
    """A new task's suggested window: two hours from the next round quarter hour. Rounded in UTC, which is the
    organisation's quarter hour too (every zone's offset is a whole number of quarter hours)."""
    now_s = datetime.now(UTC).timestamp()
    start = datetime.fromtimestamp((now_s // QUARTER_HOUR_S + 1) * QUARTER_HOUR_S, UTC)
    return start, start + NEW_TASK_WINDOW


def day_bounds(rt: Runtime) -> tuple[datetime, datetime]:
    start = datetime.now(rt.settings.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def todays_tasks(rt: Runtime, scope: Scope) -> list[dict]:
    """Today's tasks, each with `risk`: overdue (window closed, not finished) or at_risk (the assignee's
    estimated arrival by street is after the window), for each person's next open task."""
    start, end = day_bounds(rt)
    rows = tasks.list_tasks(rt.db, scope, start, end)
    now = datetime.now(UTC)
    next_of: dict[int, dict] = {}
    for task in rows:
        if task["employee_id"] and task["state"] in ("assigned", "accepted", "en_route"):
            next_of.setdefault(task["employee_id"], task)
    eta: dict[int, float] = {}
    now_ms = time.time() * 1000
    for employee_id, task in next_of.items():
        fix = rt.feed.latest(employee_id)
        if fix is not None and now_ms - fix.ts_ms <= rt.settings.offline_after_s * 1000:
            eta[task["id"]] = travel_times_s([(fix.lat, fix.lon)], (task["lat"], task["lon"]))[0]
    for task in rows:
        task["risk"] = at_risk(task, now, eta.get(task["id"]))
        task["eta_s"] = eta.get(task["id"])
    return rows


def team_progress(rt: Runtime, scope: Scope, rows: list[dict]) -> list[dict]:
    """Per team: tasks done of all, open, overdue, at risk (unassigned tasks count under no team)."""
    names = {t["id"]: t["name"] for t in teams.list_teams(rt.db, scope)}
    totals: dict[int | None, dict] = defaultdict(lambda: {"total": 0, "done": 0, "open": 0, "overdue": 0, "at_risk": 0})
    for task in rows:
        row = totals[task["team_id"]]
        row["total"] += 1
        row["done"] += task["state"] == "done"
        row["open"] += task["state"] not in FINAL_STATES
        row["overdue"] += task["risk"] == "overdue"
        row["at_risk"] += task["risk"] == "at_risk"
    return [
        {"team_id": team_id, "team": names.get(team_id), **counts}
        for team_id, counts in sorted(totals.items(), key=lambda item: (item[0] is None, names.get(item[0]) or ""))
    ]


def tasks_geojson(rows: list[dict]) -> dict:
    features = [
        {
            "type": "Feature",
            "id": f"t{task['id']}",
            "geometry": {"type": "Point", "coordinates": [task["lon"], task["lat"]]},
            "properties": {
                "id": task["id"],
                "state": task["state"],
                "risk": task["risk"],
                "urgent": task["priority"] == 1,
                "name": f"{task['customer_name']} · {task['employee_name'] or '—'}",
            },
        }
        for task in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def routes_geojson(rt: Runtime, scope: Scope) -> dict:
    """Each person's latest planned route of today as a line."""
    features = [
        {
            "type": "Feature",
            "id": f"r{plan['employee_id']}",
            "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in plan["path"]]},
            "properties": {"name": plan["employee_name"], "employee": plan["employee_id"]},
        }
        for plan in route_plans.latest_plans(rt.db, scope, datetime.now(rt.settings.tz).date())
        if plan["path"] and len(plan["path"]) > 1
    ]
    return {"type": "FeatureCollection", "features": features}
