"""The zones handler: geofence enter/exit of every zone (work areas, depots, customer sites), after the
dwell and beyond the fix's accuracy (the rules are in dashboard/writer/geofences.py).

It measures every live fix against every zone at once and leaves the margins on the batch for stays.
The zones each person is inside are kept in Redis, so a restarted writer makes no false enters.
"""

from __future__ import annotations

import numpy as np

from dashboard.core.runtime import Runtime
from dashboard.writer.geofences import Person, ZoneIndex, ZoneState, slack_m, track_zones
from dashboard.writer.pipeline import EVERYONE, Batch, Handler, MovesForward, People, Reloaded, ZoneCrossed, utc
from data import activities, zones


class Zones(Handler):
    name = "zones"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.index = Reloaded(lambda: ZoneIndex(zones.geofences(rt.db)))
        self.people: dict[int, Person] = {}  # only their zone states: stays keep their own
        self.forward = MovesForward()

    def restore(self, people: People = EVERYONE) -> None:
        for employee_id, zone_ids in self.rt.feed.inside_zones().items():
            if employee_id in people:
                self.people[employee_id] = Person(zones={z: ZoneState(inside=True) for z in zone_ids})

    def drop(self, people: People) -> None:
        self.people = {e: person for e, person in self.people.items() if e not in people}
        self.forward.drop(people)

    def hand_over(self, employee_id: int) -> object | None:
        person = self.people.get(employee_id)
        zones_now = [[z, state.inside, state.change_since_ms] for z, state in person.zones.items()] if person else []
        return {"z": zones_now, "t": self.forward.last(employee_id)}

    def take_over(self, employee_id: int, state: dict) -> None:
        zone_states = {z: ZoneState(inside, since) for z, inside, since in state["z"]}
        self.people[employee_id] = Person(zones=zone_states)
        self.forward.went_to(employee_id, state["t"])

    def handle(self, batch: Batch) -> None:
        if not batch.live:
            return
        index = self.index.get()
        margins = index.margins_m(np.array([e.fix.lat for e in batch.live]), np.array([e.fix.lon for e in batch.live]))
        batch.zone_index, batch.zone_margins = index, margins
        slack = slack_m(np.array([e.fix.accuracy for e in batch.live], dtype=float))
        # Most fixes are in no zone at all: find those at once, so they cost no per-zone work below.
        certainly_in_any = (margins >= slack[:, None]).any(axis=1).tolist()
        changed: set[int] = set()
        for row, entry in enumerate(batch.live):
            fix = entry.fix
            person = self.people.setdefault(fix.employee_id, Person())
            if not self.forward(fix.employee_id, fix.ts_ms):
                continue
            if not (certainly_in_any[row] or person.zones):
                continue
            for event in track_zones(person, index, margins[row], float(slack[row]), fix.ts_ms):
                activities.record_event(
                    self.rt.db,
                    fix.employee_id,
                    event.kind,
                    utc(event.at_ms),
                    "geofence",
                    {"zone_id": event.zone.id, "zone": event.zone.name, "zone_kind": event.zone.kind},
                    customer_id=event.zone.customer_id,
                )
                batch.emit(ZoneCrossed(fix.employee_id, event.kind, event.zone, event.at_ms))
                changed.add(fix.employee_id)
        for employee_id in changed:
            inside = [z for z, state in self.people[employee_id].zones.items() if state.inside]
            self.rt.feed.set_inside_zones(employee_id, inside)
