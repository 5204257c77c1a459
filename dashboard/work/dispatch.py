"""Travel over the street network, and who can get somewhere first: the ONE routing service.

Travel time is the shortest street route of the demo network (networkx, Dijkstra on edge length) at
city speed; a point more than OFF_NETWORK_M from any street node uses the straight line × 1.3.
Dispatch ranks people for a place: Redis GEOSEARCH picks candidates by straight line, then each is
timed over the streets from their latest fix and judged available from the live feed (fresh fix, not
paused, not on a visit), working hours (the privacy policy) and workload (open tasks of today).
Daily routes (OR-Tools) use the same matrix: dashboard/work/routing.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

import networkx as nx

from dashboard.core.runtime import Runtime
from dashboard.ingest.privacy import tracking_policy
from dashboard.work.streets import StreetNetwork, distance_m, helsinki_streets
from data import employees, tasks
from data.scope import Scope

TRAVEL_SPEED_MPS = 25 / 3.6  # city driving with stops
OFF_NETWORK_M = 300.0  # farther from any street node than this, a point is off the demo network
DETOUR_FACTOR = 1.3  # straight line to street distance, when there is no street route
CANDIDATE_RADIUS_M = 30_000.0
CANDIDATE_COUNT = 50  # GEOSEARCH's shortlist; the street routing then orders it


def _on_network(streets: StreetNetwork, lat: float, lon: float) -> int | None:
    node = streets.nearest_node(lat, lon)
    return node if distance_m(lat, lon, *streets.node_point(node)) <= OFF_NETWORK_M else None


def straight_travel_s(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Seconds at city speed over the straight line × DETOUR_FACTOR: what needs no street graph (the writer's
    task-at-risk rule times every fix with it)."""
    return distance_m(lat1, lon1, lat2, lon2) * DETOUR_FACTOR / TRAVEL_SPEED_MPS


def travel_time_s(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Street route length over the demo network at city speed; straight line × 1.3 when off it."""
    return travel_times_s([(lat1, lon1)], (lat2, lon2))[0]


def travel_times_s(origins: list[tuple[float, float]], target: tuple[float, float]) -> list[float]:
    """Seconds from each origin to one target: one Dijkstra from the target (the network is undirected),
    plus the straight metres between each point and its nearest street node."""
    streets = helsinki_streets()
    goal = _on_network(streets, *target)
    lengths = nx.single_source_dijkstra_path_length(streets.graph, goal, weight="length") if goal else {}
    last_metres = distance_m(*target, *streets.node_point(goal)) if goal else 0.0
    times = []
    for lat, lon in origins:
        node = _on_network(streets, lat, lon) if goal else None
        if node is None or node not in lengths:
            times.append(straight_travel_s(lat, lon, *target))
            continue
        first_metres = distance_m(lat, lon, *streets.node_point(node))
        times.append((first_metres + lengths[node] + last_metres) / TRAVEL_SPEED_MPS)
    return times


def travel_matrix_s(points: list[tuple[float, float]]) -> list[list[float]]:
    """Seconds between every pair of points (row: from, column: to), one Dijkstra per point."""
    return [list(row) for row in zip(*(travel_times_s(points, point) for point in points), strict=True)]


def street_path(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The street polyline through the points in order (straight segments where a point is off the network)."""
    streets = helsinki_streets()
    path: list[tuple[float, float]] = points[:1]
    for a, b in pairwise(points):
        u, v = _on_network(streets, *a), _on_network(streets, *b)
        leg = streets.route(u, v) if u is not None and v is not None else []
        path.extend([*leg, b])
    return path


@dataclass(frozen=True)
class Candidate:
    """One person who could go: how long it takes them, and whether they are free to."""

    employee_id: int
    name: str
    team_name: str | None
    travel_s: float
    straight_m: float
    open_today: int  # open tasks of the organisation's local day (data.tasks.ON_DAY)
    available: bool
    reason: str | None  # why not available: stale, paused, off_hours, on_visit
    code: str = ""  # the employee code: two people may share a name (issue 16)

    @property
    def minutes(self) -> int:
        return round(self.travel_s / 60)


def rank_candidates(
    rt: Runtime,
    scope: Scope,
    lat: float,
    lon: float,
    *,
    exclude: int | None = None,
    limit: int = 10,
    now: datetime | None = None,
) -> list[Candidate]:
    """People in the scope by estimated travel time to the point; available ones first, then fewer open tasks
    today. `now` (default: this process's clock) decides freshness and which local day is today."""
    now = (now or datetime.now(rt.settings.tz)).astimezone(rt.settings.tz)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    people = {p["id"]: p for p in employees.roster(rt.db, scope)}
    shortlist = [
        (eid, metres)
        for eid, metres in rt.feed.nearest(lat, lon, CANDIDATE_RADIUS_M, CANDIDATE_COUNT)
        if eid in people and eid != exclude
    ]
    fixes = {eid: rt.feed.latest(eid) for eid, _m in shortlist}
    shortlist = [(eid, metres) for eid, metres in shortlist if fixes[eid] is not None]
    if not shortlist:
        return []
    times = travel_times_s([(fixes[eid].lat, fixes[eid].lon) for eid, _m in shortlist], (lat, lon))
    workload = tasks.open_of_day(rt.db, [eid for eid, _m in shortlist], day_start, day_start + timedelta(days=1))
    statuses = rt.feed.statuses()
    now_ms = int(now.timestamp() * 1000)
    policy = tracking_policy(rt)
    found = []
    for (eid, metres), seconds in zip(shortlist, times, strict=True):
        status = statuses.get(eid, {})
        if now_ms - fixes[eid].ts_ms > rt.settings.offline_after_s * 1000:
            reason = "stale"
        elif status.get("paused"):
            reason = "paused"
        elif not policy.tracks(eid, now_ms):
            reason = "off_hours"
        elif status.get("visit"):
            reason = "on_visit"
        else:
            reason = None
        person = people[eid]
        found.append(
            Candidate(
                eid,
                person["name"],
                person["team_name"],
                seconds,
                metres,
                workload.get(eid, 0),
                reason is None,
                reason,
                person["code"],
            )
        )
    # Free people first; among them the quickest, then the least busy.
    found.sort(key=lambda c: (not c.available, c.travel_s, c.open_today))
    return found[:limit]
