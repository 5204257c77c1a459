"""The writer: takes accepted fixes from the Redis stream into PostgreSQL, and turns them into zones,
stays, visits and task arrivals through its pipeline (dashboard/writer/pipeline.py).

At-least-once: entries are acknowledged only after the pipeline has committed their rows, so a crash
replays them; the (employee_id, ts) key makes the replay harmless. Imported history (source "gpx") is
stored only: it derives no visits, geofence events or stays.

Several writers may run in the group. One that dies leaves its entries pending; every writer
takes over entries idle for longer than claim_idle_ms (XAUTOCLAIM), so nothing waits for the
dead one to come back.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from dashboard.core.runtime import Runtime
from dashboard.writer.pipeline import Batch, Pipeline
from dashboard.writer.stays import Stays
from dashboard.writer.store import Store
from dashboard.writer.tasks import Tasks
from dashboard.writer.upkeep import Upkeep
from dashboard.writer.visits import Visits
from dashboard.writer.zones import Zones
from data.feed import StreamEntry

log = logging.getLogger(__name__)

BATCH = 5000
CLAIM_IDLE_MS = 30_000  # a batch takes well under a second; 30 s without an ack means its writer died
CLAIM_EVERY_S = 5


def pipeline(rt: Runtime) -> Pipeline:
    """The writer's handlers in their order: store → zones → stays → visits → tasks."""
    return Pipeline([Store(rt), Zones(rt), Stays(rt), Visits(rt), Tasks(rt)])


class Writer:
    def __init__(self, rt: Runtime, consumer: str | None = None, claim_idle_ms: int = CLAIM_IDLE_MS) -> None:
        self.rt = rt
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.claim_idle_ms = claim_idle_ms
        self.pipeline = pipeline(rt)
        self.upkeep = Upkeep(rt)
        self._claimed_at = 0.0
        self.stored = 0

    def start(self) -> None:
        self.rt.feed.ensure_writer_group()
        self.pipeline.restore()
        self.upkeep.run_if_due()

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
                self.upkeep.run_if_due()
            except Exception:  # keep the writer alive; the entries stay pending and are retried
                log.exception("Writer batch failed; retrying")
                pending = True
                stop.wait(2)

    def process(self, entries: list[StreamEntry]) -> int:
        """Run a batch through the pipeline, then acknowledge it. Returns rows newly stored."""
        if not entries:
            return 0
        batch = self.pipeline.run(Batch.of(entries))
        self.rt.feed.acknowledge([e.entry_id for e in entries])
        self.stored += batch.stored
        log.debug(
            "Wrote %d entries: %s", len(entries), ", ".join(f"{n} {s * 1000:.1f} ms" for n, s in batch.seconds.items())
        )
        return batch.stored
