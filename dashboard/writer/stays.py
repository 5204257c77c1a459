"""The stays handler: a stop of at least FIELDOPS_STAY_MIN_S becomes a stay when the person moves on,
with its place (the zone it was in, from the margins zones left on the batch)."""

from __future__ import annotations

from dashboard.core.runtime import Runtime
from dashboard.writer.geofences import Person, Stay, track_stay
from dashboard.writer.pipeline import Batch, Handler, MovesForward, People, StayEnded, utc
from data import activities


class Stays(Handler):
    name = "stays"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.people: dict[int, Person] = {}  # only their current stop: zones keep the zone states
        self.forward = MovesForward()

    def drop(self, people: People) -> None:
        self.people = {e: person for e, person in self.people.items() if e not in people}
        self.forward.drop(people)

    def hand_over(self, employee_id: int) -> object | None:
        person = self.people.get(employee_id)
        stay = person.stay if person else None
        kept = [stay.lat, stay.lon, stay.since_ms, stay.last_ms, stay.zone] if stay else None
        return {"s": kept, "t": self.forward.last(employee_id)}

    def take_over(self, employee_id: int, state: dict) -> None:
        self.people[employee_id] = Person(stay=Stay(*state["s"]) if state["s"] else None)
        self.forward.went_to(employee_id, state["t"])

    def handle(self, batch: Batch) -> None:
        if not batch.live:
            return
        index, margins = batch.zone_index, batch.zone_margins
        in_any = (margins >= 0).any(axis=1).tolist()
        for row, entry in enumerate(batch.live):
            fix = entry.fix
            person = self.people.setdefault(fix.employee_id, Person())
            if not self.forward(fix.employee_id, fix.ts_ms):
                continue
            stay = track_stay(
                person,
                margins[row] if in_any[row] else None,
                fix.lat,
                fix.lon,
                fix.accuracy,
                fix.ts_ms,
                self.rt.settings.stay_min_s,
            )
            if stay is None:
                continue
            zone = index.zones[stay.zone] if stay.zone is not None else None
            activities.record_event(
                self.rt.db,
                fix.employee_id,
                "stay",
                utc(stay.since_ms),
                "geofence",
                {
                    "lat": stay.lat,
                    "lon": stay.lon,
                    "place": zone.name if zone else None,
                    "zone_id": zone.id if zone else None,
                },
                customer_id=zone.customer_id if zone else None,
                ended_at=utc(stay.last_ms),
            )
            batch.emit(StayEnded(fix.employee_id, stay, zone))
