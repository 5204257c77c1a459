"""The writer's pipeline: a batch of accepted fixes goes through an ordered list of small handlers.

    store → zones → stays → visits → tasks → alerts

Each handler does one thing (dashboard/writer/<name>.py) and can be read, tested and timed on its own;
a new rule (an alert, say) is a new handler, not an edit to the others. Handlers talk through the
batch: what one derives (the zone margins of its fixes, geofence crossings, stays, arrivals and
departures) it puts on the batch or emits as an event, and a later handler reads it or reacts to it.
An emitted event reaches the later handlers' `react` at once, before the emitter goes on, so a later
handler can answer it: tasks puts the task a person arrived for on the Arrived event before visits
records the visit with it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

import numpy as np
import orjson

from dashboard.writer.geofences import Stay, Zone, ZoneIndex
from data.feed import StreamEntry

HISTORY_SOURCES = ("gpx",)  # imported history: stored only, it derives no zones, stays or visits
INDEX_TTL_S = 60  # a zone or customer site drawn on the admin page reaches the writer within this

T = TypeVar("T")


@dataclass(frozen=True)
class ZoneCrossed:
    """A geofence enter or exit (kind geofence_enter | geofence_exit) after its dwell."""

    employee_id: int
    kind: str
    zone: Zone
    at_ms: int


@dataclass(frozen=True)
class StayEnded:
    employee_id: int
    stay: Stay
    zone: Zone | None  # the zone the stay was in, if any


@dataclass
class Arrived:
    """A visit begins at a customer's site; a reacting handler may name the task it is for."""

    employee_id: int
    customer_id: int
    at_ms: int
    task_id: int | None = None


@dataclass(frozen=True)
class Departed:
    employee_id: int
    customer_id: int
    at_ms: int
    task_id: int | None


Event = ZoneCrossed | StayEnded | Arrived | Departed


@dataclass(frozen=True)
class People:
    """The people of some of the feed's shards (employee_id mod count among `shards`), or everyone (None): whose
    state a handler restores when its writer takes the shards over, or drops when it loses them."""

    shards: frozenset[int] | None = None
    count: int = 1

    def __contains__(self, employee_id: int) -> bool:
        return self.shards is None or employee_id % self.count in self.shards


EVERYONE = People()


@dataclass
class Batch:
    """One read of the stream on its way through the pipeline."""

    entries: list[StreamEntry]
    live: list[StreamEntry]  # not imported history, sorted by person and time
    stored: int = 0  # rows newly stored (a replayed entry is stored once)
    zone_index: ZoneIndex | None = None  # set by zones: the zones the margins are measured against
    zone_margins: np.ndarray | None = None  # set by zones: metres inside (+) each zone, a row per live fix
    events: list[Event] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # time spent per handler
    _listeners: Sequence[Handler] = field(default=(), repr=False)
    _reacting_s: float = field(default=0.0, repr=False)

    @classmethod
    def of(cls, entries: list[StreamEntry]) -> Batch:
        live = sorted(
            (e for e in entries if e.source not in HISTORY_SOURCES), key=lambda e: (e.fix.employee_id, e.fix.ts_ms)
        )
        return cls(entries, live)

    def emit(self, event: Event) -> None:
        """Record an event and let every later handler react to it now."""
        self.events.append(event)
        for handler in self._listeners:
            started = time.perf_counter()
            handler.react(event, self)
            spent = time.perf_counter() - started
            self.seconds[handler.name] += spent
            self._reacting_s += spent


class Handler(Protocol):
    """One step of the pipeline. Subclasses get the do-nothing defaults below."""

    name: str

    def restore(self, people: People = EVERYONE) -> None:
        """Pick up the people's state kept in Redis after a restart or on taking their shards over (the zones
        people are in, open visits)."""

    def drop(self, people: People) -> None:
        """Forget what is held in memory of these people: their shards went to another writer."""

    def hand_over(self, employee_id: int) -> object | None:
        """What the next writer of the person's shard needs to go on exactly where this one is (JSON), or None."""

    def take_over(self, employee_id: int, state: object) -> None:
        """Go on from what hand_over gave, read back on taking the person's shard over."""

    def handle(self, batch: Batch) -> None:
        """Do this step to the batch."""

    def react(self, event: Event, batch: Batch) -> None:
        """Answer an event an earlier handler emits, at the moment it is emitted."""

    def tick(self, now_ms: int) -> None:
        """Do what the clock makes due (the alert rules' timers); the writer calls it once per loop."""


class Pipeline:
    """The handlers in order, with the time each has taken in total."""

    def __init__(self, handlers: Sequence[Handler]) -> None:
        self.handlers = list(handlers)
        self.seconds: dict[str, float] = {h.name: 0.0 for h in self.handlers}

    @property
    def names(self) -> list[str]:
        return [h.name for h in self.handlers]

    def restore(self, people: People = EVERYONE, handed_over: dict[int, dict] | None = None) -> None:
        """Each handler's state of these people from Redis, then from what their last writer handed over
        (employee id -> {handler name: state})."""
        for handler in self.handlers:
            handler.restore(people)
        for employee_id, states in (handed_over or {}).items():
            if employee_id in people:
                for handler in self.handlers:
                    if handler.name in states:
                        handler.take_over(employee_id, states[handler.name])

    def drop(self, people: People) -> None:
        for handler in self.handlers:
            handler.drop(people)

    def hand_over(self, employee_ids: Iterable[int]) -> dict[int, bytes]:
        """The handlers' state of these people, to save with the batch (employee id -> JSON)."""
        states = {}
        for employee_id in employee_ids:
            state = {h.name: s for h in self.handlers if (s := h.hand_over(employee_id)) is not None}
            states[employee_id] = orjson.dumps(state)
        return states

    def tick(self, now_ms: int) -> None:
        for handler in self.handlers:
            handler.tick(now_ms)

    def run(self, batch: Batch) -> Batch:
        for index, handler in enumerate(self.handlers):
            batch._listeners = self.handlers[index + 1 :]
            reacted_before = batch._reacting_s
            started = time.perf_counter()
            handler.handle(batch)
            # Time spent in later handlers' reactions is theirs, not this handler's.
            batch.seconds[handler.name] += time.perf_counter() - started - (batch._reacting_s - reacted_before)
        batch._listeners = ()
        for name, spent in batch.seconds.items():
            self.seconds[name] += spent
        return batch


class MovesForward:
    """Each person's latest fix a handler has taken: an older one (a device's buffer arriving late) is
    stored, but moves no state back."""

    def __init__(self) -> None:
        self._last_ms: dict[int, int] = {}

    def __call__(self, employee_id: int, ts_ms: int) -> bool:
        if ts_ms <= self._last_ms.get(employee_id, 0):
            return False
        self._last_ms[employee_id] = ts_ms
        return True

    def last(self, employee_id: int) -> int:
        return self._last_ms.get(employee_id, 0)

    def went_to(self, employee_id: int, ts_ms: int) -> None:
        self._last_ms[employee_id] = ts_ms

    def drop(self, people: People) -> None:
        self._last_ms = {e: ms for e, ms in self._last_ms.items() if e not in people}


class Reloaded(Generic[T]):
    """A value loaded again when older than ttl_s (the zones, the customer sites: INDEX_TTL_S)."""

    def __init__(self, load: Callable[[], T], ttl_s: float = INDEX_TTL_S) -> None:
        self._load = load
        self._ttl_s = ttl_s
        self._value: T | None = None
        self._loaded = 0.0

    def get(self) -> T:
        if self._value is None or time.monotonic() - self._loaded > self._ttl_s:
            self._value = self._load()
            self._loaded = time.monotonic()
        return self._value


def utc(ts_ms: int) -> datetime:
    """A fix's epoch milliseconds as the UTC time PostgreSQL stores."""
    return datetime.fromtimestamp(ts_ms / 1000, UTC)
