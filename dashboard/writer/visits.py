"""The visits handler: a stay inside a customer's site becomes a visit.

A visit starts after a person has stayed inside a customer's site for ARRIVAL_DWELL_S and ends after
they have been outside it (with a margin) for DEPARTURE_DWELL_S, so GPS drift across the boundary
makes no false visits. Each arrival and departure is emitted (Arrived, Departed) before the visit is
recorded and the person's status (on a visit, or not) is set in Redis, where a restarted writer
finds the open visits again. The visit is the person's one open visit, shared with the phone's
check-in (data/activities.open_visit): an arrival where the phone already checked in keeps that visit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from dashboard.core.runtime import Runtime
from dashboard.writer.pipeline import EVERYONE, Arrived, Batch, Departed, Handler, MovesForward, People, Reloaded, utc
from data import activities, zones

ARRIVAL_DWELL_S = 60
DEPARTURE_DWELL_S = 60
DEPARTURE_MARGIN_M = 15


@dataclass
class Presence:
    """What the writer knows of one person's whereabouts between fixes."""

    candidate: int | None = None  # customer whose site the person is inside, not yet a visit
    candidate_since_ms: int = 0
    visit: int | None = None  # customer of the open visit
    task_id: int | None = None  # the task the open visit is for
    last_inside_ms: int = 0


class SiteIndex:
    """Customer site circles as arrays, so each fix is checked against all of them at once."""

    def __init__(self, sites: list[dict]) -> None:
        self.customer_ids = np.array([s["customer_id"] for s in sites], dtype=np.int64)
        self.lat = np.array([s["center_lat"] for s in sites], dtype=float)
        self.lon = np.array([s["center_lon"] for s in sites], dtype=float)
        self.radius = np.array([s["radius_m"] for s in sites], dtype=float)

    def distances_m(self, lat: float, lon: float) -> np.ndarray:
        dy = (self.lat - lat) * 111_320.0
        dx = (self.lon - lon) * 111_320.0 * math.cos(math.radians(lat))
        return np.hypot(dx, dy)

    def inside(self, lat: float, lon: float) -> int | None:
        """The customer whose site contains the point (the nearest centre if several do)."""
        if not len(self.customer_ids):
            return None
        d = self.distances_m(lat, lon)
        i = int(np.argmin(d - self.radius))
        return int(self.customer_ids[i]) if d[i] <= self.radius[i] else None

    def contains(self, customer_id: int, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        idx = np.flatnonzero(self.customer_ids == customer_id)
        if not len(idx):
            return False
        d = self.distances_m(lat, lon)[idx]
        return bool((d <= self.radius[idx] + margin_m).any())


class Visits(Handler):
    name = "visits"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.sites = Reloaded(lambda: SiteIndex(zones.customer_sites(rt.db)))
        self.presence: dict[int, Presence] = {}
        self.forward = MovesForward()

    def restore(self, people: People = EVERYONE) -> None:
        now_ms = int(time.time() * 1000)
        for employee_id, status in self.rt.feed.statuses().items():
            if status.get("visit") and employee_id in people:
                self.presence[employee_id] = Presence(
                    visit=status["visit"], task_id=status.get("task"), last_inside_ms=now_ms
                )

    def drop(self, people: People) -> None:
        self.presence = {e: presence for e, presence in self.presence.items() if e not in people}
        self.forward.drop(people)

    def hand_over(self, employee_id: int) -> object | None:
        p = self.presence.get(employee_id) or Presence()
        return {
            "p": [p.candidate, p.candidate_since_ms, p.visit, p.task_id, p.last_inside_ms],
            "t": self.forward.last(employee_id),
        }

    def take_over(self, employee_id: int, state: dict) -> None:
        self.presence[employee_id] = Presence(*state["p"])
        self.forward.went_to(employee_id, state["t"])

    def handle(self, batch: Batch) -> None:
        for entry in batch.live:
            fix = entry.fix
            person = self.presence.setdefault(fix.employee_id, Presence())
            if not self.forward(fix.employee_id, fix.ts_ms):
                continue
            sites = self.sites.get()
            if person.visit is not None:
                if sites.contains(person.visit, fix.lat, fix.lon, DEPARTURE_MARGIN_M):
                    person.last_inside_ms = fix.ts_ms
                elif fix.ts_ms - person.last_inside_ms >= DEPARTURE_DWELL_S * 1000:
                    self._depart(batch, fix.employee_id, person)
                continue
            # Customers' sites overlap in a city centre: stay with the site the stay began in while
            # the fixes remain inside it, so noise between two overlapping sites does not restart the clock.
            if person.candidate is not None and sites.contains(person.candidate, fix.lat, fix.lon):
                if fix.ts_ms - person.candidate_since_ms >= ARRIVAL_DWELL_S * 1000:
                    self._arrive(batch, fix.employee_id, person, person.candidate, fix.ts_ms)
                continue
            person.candidate, person.candidate_since_ms = sites.inside(fix.lat, fix.lon), fix.ts_ms

    def _arrive(self, batch: Batch, employee_id: int, person: Presence, customer_id: int, ts_ms: int) -> None:
        arrival = Arrived(employee_id, customer_id, person.candidate_since_ms)
        batch.emit(arrival)  # tasks names the task it is for before the visit is recorded
        # A phone check-in at this customer already opened the visit: it is kept, not doubled.
        visit = activities.open_visit(self.rt.db, employee_id, customer_id, arrival.task_id, utc(arrival.at_ms))
        closed = visit["closed"]
        if closed is not None:  # a visit the phone opened elsewhere ends here, and its task with it
            batch.emit(Departed(employee_id, closed["customer_id"], arrival.at_ms, closed["task_id"]))
        person.visit, person.task_id = customer_id, arrival.task_id
        person.last_inside_ms, person.candidate = ts_ms, None
        self.rt.feed.set_status(
            employee_id, {"visit": customer_id, "task": person.task_id, "since": person.candidate_since_ms}
        )

    def _depart(self, batch: Batch, employee_id: int, person: Presence) -> None:
        activities.close_visit(self.rt.db, employee_id, utc(person.last_inside_ms), customer_id=person.visit)
        batch.emit(Departed(employee_id, person.visit, person.last_inside_ms, person.task_id))
        person.visit, person.task_id = None, None
        self.rt.feed.set_status(employee_id, {"visit": None, "since": person.last_inside_ms})
