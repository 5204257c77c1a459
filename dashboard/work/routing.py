"""Daily routes: the order of a person's open visits that keeps travel lowest within their time windows.

Google OR-Tools' routing solver on the street travel-time matrix of dashboard/work/dispatch.py. The route
starts where the person is (their fresh latest fix, else the customer they are on site at, else their home
base, issue 18, else the first stop) and may end anywhere. Arriving early means waiting for the window;
arriving late is allowed but costs, more for urgent tasks, so an infeasible day still gets the least bad
order. Each plan is stored with the travel of the order the tasks were entered in (task id order), so the
saving is known.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from dashboard.core.runtime import Runtime
from dashboard.work.dispatch import street_path, travel_matrix_s
from data import employees, route_plans, tasks
from data.scope import Scope

ROUTABLE_STATES = ("new", "assigned", "accepted", "en_route")
LATE_PENALTY_PER_S = {1: 100, 2: 20, 3: 5}  # seconds of extra travel worth one second less late, by priority
HORIZON_S = 2 * 24 * 3600
SOLVER_SECONDS = 0.3  # guided local search runs until this limit; a day of ~10 stops settles well before


@dataclass(frozen=True)
class RoutePlan:
    employee_id: int
    task_ids: list[int]
    entered_travel_s: int
    planned_travel_s: int
    late_tasks: int
    path: list[tuple[float, float]]

    @property
    def saved_s(self) -> int:
        return self.entered_travel_s - self.planned_travel_s


def _route_travel(matrix: list[list[float]], order: list[int]) -> float:
    """Travel from the start (node 0) through the nodes in order."""
    stops = [0, *order]
    return sum(matrix[a][b] for a, b in pairwise(stops))


def _late_count(matrix: list[list[float]], stops: list[dict], order: list[int], t0: datetime) -> int:
    clock, previous, late = 0.0, 0, 0
    for node in order:
        stop = stops[node - 1]
        clock += matrix[previous][node]
        if stop["window_start"]:
            clock = max(clock, (stop["window_start"] - t0).total_seconds())
        if stop["window_end"] and clock > (stop["window_end"] - t0).total_seconds():
            late += 1
        clock += stop["duration_min"] * 60
        previous = node
    return late


def solve_order(
    matrix: list[list[float]], stops: list[dict], t0: datetime, seconds: float = SOLVER_SECONDS
) -> list[int]:
    """Node order (1..n; node 0 is the start) minimising travel, windows as soft deadlines."""
    n = len(stops)
    if n <= 1:
        return list(range(1, n + 1))
    end = n + 1  # a free end: the route stops at its last visit
    manager = pywrapcp.RoutingIndexManager(n + 2, 1, [0], [end])
    routing = pywrapcp.RoutingModel(manager)

    def travel(from_index: int, to_index: int) -> int:
        a, b = manager.IndexToNode(from_index), manager.IndexToNode(to_index)
        return 0 if b == end or a == end else round(matrix[a][b])

    def elapsed(from_index: int, to_index: int) -> int:
        a = manager.IndexToNode(from_index)
        service = stops[a - 1]["duration_min"] * 60 if 1 <= a <= n else 0
        return travel(from_index, to_index) + service

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(travel))
    routing.AddDimension(routing.RegisterTransitCallback(elapsed), HORIZON_S, HORIZON_S, True, "time")
    clock = routing.GetDimensionOrDie("time")
    for node, stop in enumerate(stops, start=1):
        index = manager.NodeToIndex(node)
        if stop["window_start"]:
            clock.CumulVar(index).SetMin(max(0, int((stop["window_start"] - t0).total_seconds())))
        if stop["window_end"]:
            deadline = max(0, int((stop["window_end"] - t0).total_seconds()))
            clock.SetCumulVarSoftUpperBound(index, deadline, LATE_PENALTY_PER_S.get(stop["priority"], 20))
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    search.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    search.time_limit.FromMilliseconds(round(seconds * 1000))
    solution = routing.SolveWithParameters(search)
    if solution is None:
        return list(range(1, n + 1))
    order, index = [], routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node != 0:
            order.append(node)
        index = solution.Value(routing.NextVar(index))
    return order


def plan_route(
    rt: Runtime,
    employee_id: int,
    day: date | None = None,
    *,
    user_id: int | None = None,
    reason: str = "plan",
    seconds: float = SOLVER_SECONDS,
) -> RoutePlan | None:
    """Order the person's open visits of the day, store the order and the plan; None when nothing is open."""
    tz = rt.settings.tz
    day = day or datetime.now(tz).date()
    day_start = datetime.combine(day, datetime.min.time(), tz)
    route = tasks.planned_route(rt.db, employee_id, day_start, day_start + timedelta(days=1))
    stops = sorted((t for t in route if t["state"] in ROUTABLE_STATES), key=lambda t: t["id"])  # entered order
    if not stops:
        return None
    t0 = max(datetime.now(UTC), day_start.astimezone(UTC))
    start = _start_point(rt, employee_id, route, stops)
    matrix = travel_matrix_s([start, *((s["lat"], s["lon"]) for s in stops)])
    order = solve_order(matrix, stops, t0, seconds)
    entered = list(range(1, len(stops) + 1))
    # The solver's order never travels more than the entered one without being later less often.
    if _route_travel(matrix, entered) < _route_travel(matrix, order) and _late_count(
        matrix, stops, entered, t0
    ) <= _late_count(matrix, stops, order, t0):
        order = entered
    finished = [t["id"] for t in route if t["state"] not in ROUTABLE_STATES]
    plan = RoutePlan(
        employee_id,
        [stops[node - 1]["id"] for node in order],
        round(_route_travel(matrix, entered)),
        round(_route_travel(matrix, order)),
        _late_count(matrix, stops, order, t0),
        street_path([start, *((stops[node - 1]["lat"], stops[node - 1]["lon"]) for node in order)]),
    )
    route_plans.save_plan(
        rt.db,
        {
            "employee_id": employee_id,
            "day": day,
            "planned_by": user_id,
            "reason": reason,
            "task_ids": finished + plan.task_ids,
            "entered_travel_s": plan.entered_travel_s,
            "planned_travel_s": plan.planned_travel_s,
            "late_tasks": plan.late_tasks,
            "path": [[round(lat, 6), round(lon, 6)] for lat, lon in plan.path],
        },
    )
    return plan


def _start_point(rt: Runtime, employee_id: int, route: list[dict], stops: list[dict]) -> tuple[float, float]:
    fix = rt.feed.latest(employee_id)
    if fix is not None and time.time() * 1000 - fix.ts_ms <= rt.settings.offline_after_s * 1000:
        return fix.lat, fix.lon
    here = next((t for t in route if t["state"] == "on_site"), None)
    if here is None:
        person = employees.person(rt.db, Scope.everything(), employee_id)
        if person is not None and person["home_lat"] is not None:
            return person["home_lat"], person["home_lon"]
    here = here or stops[0]
    return here["lat"], here["lon"]
