"""The writer: takes accepted fixes from the Redis stream into PostgreSQL, and turns them into visits.

At-least-once: entries are acknowledged only after their rows are committed, so a crash replays
them; the (employee_id, ts) key makes the replay harmless. A visit starts after a person has
stayed inside a customer's site for ARRIVAL_DWELL_S and ends after they have been outside it
(with a margin) for DEPARTURE_DWELL_S, so GPS drift across the boundary makes no false visits.
Geofence enter/exit of every zone and stays come from dashboard/writer/geofences.py. Imported history
(source "gpx") is stored only: it derives no visits, geofence events or stays.

Several writers may run in the group. One that dies leaves its entries pending; every writer
takes over entries idle for longer than claim_idle_ms (XAUTOCLAIM), so nothing waits for the
dead one to come back.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import h3
import numpy as np
import orjson

from dashboard.core.runtime import Runtime
from dashboard.work import lifecycle as task_lifecycle
from dashboard.writer.geofences import Person, ZoneIndex, ZoneState, slack_m, track_stay, track_zones
from dashboard.writer.retention import purge_old_positions
from data import activities, positions, zones
from data.feed import StreamEntry
from data.positions import PositionRow

log = logging.getLogger(__name__)

H3_RESOLUTION = 10  # hexagons of ~15,000 m², about a city block
ARRIVAL_DWELL_S = 60
DEPARTURE_DWELL_S = 60
DEPARTURE_MARGIN_M = 15
BATCH = 5000
SITES_TTL_S = 60
PARTITION_DAYS_AHEAD = 7
CLAIM_IDLE_MS = 30_000  # a batch takes well under a second; 30 s without an ack means its writer died
CLAIM_EVERY_S = 5
HISTORY_SOURCES = ("gpx",)


@dataclass
class Presence:
    """What the writer knows of one person between fixes."""

    last_ts_ms: int = 0
    candidate: int | None = None  # customer whose site the person is inside, not yet a visit
    candidate_since_ms: int = 0
    visit: int | None = None  # customer of the open visit
    task_id: int | None = None
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


class Writer:
    def __init__(self, rt: Runtime, consumer: str | None = None, claim_idle_ms: int = CLAIM_IDLE_MS) -> None:
        self.rt = rt
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.claim_idle_ms = claim_idle_ms
        self.presence: dict[int, Presence] = {}
        self.people: dict[int, Person] = {}
        self._sites: SiteIndex | None = None
        self._sites_loaded = 0.0
        self._zones: ZoneIndex | None = None
        self._zones_loaded = 0.0
        self._claimed_at = 0.0
        self._partitions_checked: datetime | None = None
        self.stored = 0

    def start(self) -> None:
        self.rt.feed.ensure_writer_group()
        self._restore_presence()
        self._ensure_partitions_ahead()

    def run(self, stop: threading.Event, block_ms: int = 1000) -> None:
        self.start()
        # First whatever this consumer was given but never acknowledged (a crash), then new entries.
        pending = True
        while not stop.is_set():
            try:
                if time.monotonic() - self._claimed_at >= CLAIM_EVERY_S:
                    self._claimed_at = time.monotonic()
                    self.process(self.rt.feed.claim_stale(self.consumer, self.claim_idle_ms, BATCH))
                entries = self.rt.feed.read_stream(self.consumer, BATCH, block_ms, pending=pending)
                if pending and not entries:
                    pending = False
                    continue
                self.process(entries)
                self._ensure_partitions_ahead()
            except Exception:  # keep the writer alive; the entries stay pending and are retried
                log.exception("Writer batch failed; retrying")
                pending = True
                stop.wait(2)

    def process(self, entries: list[StreamEntry]) -> int:
        """Store a batch, update visits, then acknowledge it. Returns rows newly stored."""
        if not entries:
            return 0
        rows = [
            PositionRow(
                e.fix.employee_id,
                datetime.fromtimestamp(e.fix.ts_ms / 1000, UTC),
                e.fix.lat,
                e.fix.lon,
                e.fix.speed,
                e.fix.heading,
                e.fix.accuracy,
                h3.str_to_int(h3.latlng_to_cell(e.fix.lat, e.fix.lon, H3_RESOLUTION)),
                e.source,
                orjson.dumps(e.fix.attributes).decode() if e.fix.attributes else None,
            )
            for e in entries
        ]
        stored = positions.insert_positions(self.rt.db, rows)
        live = sorted(
            (e for e in entries if e.source not in HISTORY_SOURCES), key=lambda e: (e.fix.employee_id, e.fix.ts_ms)
        )
        self._track_geofences(live)
        for entry in live:
            self._track_visit(entry)
        self.rt.feed.acknowledge([e.entry_id for e in entries])
        self.stored += stored
        return stored

    def sites(self) -> SiteIndex:
        if self._sites is None or time.monotonic() - self._sites_loaded > SITES_TTL_S:
            self._sites = SiteIndex(zones.customer_sites(self.rt.db))
            self._sites_loaded = time.monotonic()
        return self._sites

    def zone_index(self) -> ZoneIndex:
        if self._zones is None or time.monotonic() - self._zones_loaded > SITES_TTL_S:
            self._zones = ZoneIndex(zones.geofences(self.rt.db))
            self._zones_loaded = time.monotonic()
        return self._zones

    def _track_geofences(self, entries: list[StreamEntry]) -> None:
        """Zone enters/exits and stays for a batch sorted by person and time; fixes older than the
        person's last one (a device's buffer arriving late) are stored but move no state back."""
        if not entries:
            return
        index = self.zone_index()
        margins = index.margins_m(np.array([e.fix.lat for e in entries]), np.array([e.fix.lon for e in entries]))
        slack = slack_m(np.array([e.fix.accuracy for e in entries], dtype=float))
        # Most fixes are in no zone at all: find those at once, so they cost no per-zone work below.
        in_any = (margins >= 0).any(axis=1).tolist()
        certainly_in_any = (margins >= slack[:, None]).any(axis=1).tolist()
        changed: set[int] = set()
        for row, entry in enumerate(entries):
            fix = entry.fix
            person = self.people.setdefault(fix.employee_id, Person())
            if fix.ts_ms <= person.last_ts_ms:
                continue
            person.last_ts_ms = fix.ts_ms
            events = (
                track_zones(person, index, margins[row], float(slack[row]), fix.ts_ms)
                if certainly_in_any[row] or person.zones
                else []
            )
            for event in events:
                activities.record_event(
                    self.rt.db,
                    fix.employee_id,
                    event.kind,
                    _utc(event.at_ms),
                    "geofence",
                    {"zone_id": event.zone.id, "zone": event.zone.name, "zone_kind": event.zone.kind},
                    customer_id=event.zone.customer_id,
                )
                changed.add(fix.employee_id)
            stay = track_stay(
                person,
                margins[row] if in_any[row] else None,
                fix.lat,
                fix.lon,
                fix.accuracy,
                fix.ts_ms,
                self.rt.settings.stay_min_s,
            )
            if stay is not None:
                zone = index.zones[stay.zone] if stay.zone is not None else None
                activities.record_event(
                    self.rt.db,
                    fix.employee_id,
                    "stay",
                    _utc(stay.since_ms),
                    "geofence",
                    {
                        "lat": stay.lat,
                        "lon": stay.lon,
                        "place": zone.name if zone else None,
                        "zone_id": zone.id if zone else None,
                    },
                    customer_id=zone.customer_id if zone else None,
                    ended_at=_utc(stay.last_ms),
                )
        for employee_id in changed:
            person = self.people[employee_id]
            self.rt.feed.set_inside_zones(employee_id, [z for z, state in person.zones.items() if state.inside])

    def _track_visit(self, entry: StreamEntry) -> None:
        fix = entry.fix
        person = self.presence.setdefault(fix.employee_id, Presence())
        if fix.ts_ms <= person.last_ts_ms:
            return  # a late fix from a device's buffer: stored, but visits move forward only
        person.last_ts_ms = fix.ts_ms
        sites = self.sites()
        if person.visit is not None:
            if sites.contains(person.visit, fix.lat, fix.lon, DEPARTURE_MARGIN_M):
                person.last_inside_ms = fix.ts_ms
            elif fix.ts_ms - person.last_inside_ms >= DEPARTURE_DWELL_S * 1000:
                self._depart(fix.employee_id, person)
            return
        # Customers' sites overlap in a city centre: stay with the site the stay began in while
        # the fixes remain inside it, so noise between two overlapping sites does not restart the clock.
        if person.candidate is not None and sites.contains(person.candidate, fix.lat, fix.lon):
            if fix.ts_ms - person.candidate_since_ms >= ARRIVAL_DWELL_S * 1000:
                self._arrive(fix.employee_id, person, person.candidate, fix.ts_ms)
            return
        person.candidate, person.candidate_since_ms = sites.inside(fix.lat, fix.lon), fix.ts_ms

    def _arrive(self, employee_id: int, person: Presence, customer_id: int, ts_ms: int) -> None:
        at = datetime.fromtimestamp(person.candidate_since_ms / 1000, UTC)
        person.task_id = task_lifecycle.arrive(self.rt, employee_id, customer_id, at)
        activities.open_visit(self.rt.db, employee_id, customer_id, person.task_id, at)
        person.visit, person.last_inside_ms, person.candidate = customer_id, ts_ms, None
        self.rt.feed.set_status(
            employee_id, {"visit": customer_id, "task": person.task_id, "since": person.candidate_since_ms}
        )

    def _depart(self, employee_id: int, person: Presence) -> None:
        at = datetime.fromtimestamp(person.last_inside_ms / 1000, UTC)
        activities.close_visit(self.rt.db, employee_id, at)
        if person.task_id is not None:
            task_lifecycle.depart(self.rt, person.task_id, at)
        person.visit, person.task_id = None, None
        self.rt.feed.set_status(employee_id, {"visit": None, "since": person.last_inside_ms})

    def _restore_presence(self) -> None:
        """Pick up open visits and the zones people are inside after a restart, from the feed."""
        for employee_id, zone_ids in self.rt.feed.inside_zones().items():
            self.people[employee_id] = Person(zones={z: ZoneState(inside=True) for z in zone_ids})
        now_ms = int(time.time() * 1000)
        for employee_id, status in self.rt.feed.statuses().items():
            if status.get("visit"):
                self.presence[employee_id] = Presence(
                    visit=status["visit"], task_id=status.get("task"), last_inside_ms=now_ms
                )

    def _ensure_partitions_ahead(self) -> None:
        now = datetime.now(UTC)
        if self._partitions_checked and now - self._partitions_checked < timedelta(hours=1):
            return
        positions.ensure_partitions(self.rt.db, now.date() - timedelta(days=1), PARTITION_DAYS_AHEAD + 1)
        purge_old_positions(self.rt.db, self.rt.org_settings()["privacy.retention_days"])
        self._partitions_checked = now


def _utc(ts_ms: int) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, UTC)
