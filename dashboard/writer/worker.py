"""The writer: takes accepted fixes from the Redis stream into PostgreSQL, and turns them into zones,
stays, visits, task arrivals and alerts through its pipeline (dashboard/writer/pipeline.py); every loop the
pipeline's clock fires the alert rules' timers that are due (dashboard/writer/alerts.py).

At-least-once: entries are acknowledged only after the pipeline has committed their rows, so a crash
replays them; the (employee_id, ts) key makes the replay harmless. Imported history (source "gpx") is
stored only: it derives no visits, geofence events or stays.

Several writers may run in the group. One that dies leaves its entries pending; every writer
takes over entries idle for longer than claim_idle_ms (XAUTOCLAIM), so nothing waits for the
dead one to come back, and then forgets writers that hold nothing and have read nothing for
forget_idle_ms; a writer that stops cleanly leaves the group itself. Each writes a heartbeat every
loop (readiness and /metrics read it). A Redis that comes back without its data (NOGROUP) gets its
group again and the writer goes on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from dashboard.core.errors import POSTGRES_DOWN, REDIS_DOWN
from dashboard.core.runtime import Runtime
from dashboard.writer.alerts import Alerts
from dashboard.writer.pipeline import Batch, Pipeline
from dashboard.writer.stays import Stays
from dashboard.writer.store import Store
from dashboard.writer.tasks import Tasks
from dashboard.writer.upkeep import Upkeep
from dashboard.writer.visits import Visits
from dashboard.writer.zones import Zones
from data.feed import StreamEntry, WriterGroupLost

log = logging.getLogger(__name__)

BATCH = 20_000  # entries per read and per transaction: larger reads cost less per fix (docs/BENCHMARKS.md, issue 20)
CLAIM_IDLE_MS = 30_000  # a batch takes well under a second; 30 s without an ack means its writer died
CLAIM_EVERY_S = 5
FORGET_IDLE_MS = 10 * CLAIM_IDLE_MS  # 5 min without a read and holding nothing: that writer is gone


def pipeline(rt: Runtime) -> Pipeline:
    """The writer's handlers in their order: store → zones → stays → visits → tasks → alerts."""
    return Pipeline([Store(rt), Zones(rt), Stays(rt), Visits(rt), Tasks(rt), Alerts(rt)])


class Writer:
    def __init__(
        self,
        rt: Runtime,
        consumer: str | None = None,
        claim_idle_ms: int = CLAIM_IDLE_MS,
        forget_idle_ms: int = FORGET_IDLE_MS,
    ) -> None:
        self.rt = rt
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.claim_idle_ms = claim_idle_ms
        self.forget_idle_ms = max(forget_idle_ms, claim_idle_ms)  # never before its entries could be claimed
        self.pipeline = pipeline(rt)
        self.upkeep = Upkeep(rt)
        self._claimed_at = 0.0
        self.stored = 0
        self.started_ms = int(time.time() * 1000)
        self.last_batch_ms: int | None = None

    def start(self) -> None:
        self.rt.feed.ensure_writer_group()
        self.pipeline.restore()
        self.upkeep.run_if_due()

    def run(self, stop: threading.Event, block_ms: int = 1000) -> None:
        # First whatever this consumer was given but never acknowledged (a crash), then new entries.
        # Starting is retried like a batch: PostgreSQL or Redis may be down when the writer starts.
        pending, has_group, started = True, True, False
        while not stop.is_set():
            try:
                if not started:
                    self.start()
                    started = True
                if not has_group:
                    self.rt.feed.ensure_writer_group()
                    self.rt.feed.record_data_loss()
                    has_group = True
                self.rt.feed.beat(self.consumer, self.started_ms, self.last_batch_ms, self.stored)
                if time.monotonic() - self._claimed_at >= CLAIM_EVERY_S:
                    self._claimed_at = time.monotonic()
                    self.process(self.rt.feed.claim_stale(self.consumer, self.claim_idle_ms, BATCH))
                    self._forget_gone_writers()
                entries = self.rt.feed.read_stream(self.consumer, BATCH, block_ms, pending=pending)
                if pending and not entries:
                    pending = False
                    continue
                self.process(entries)
                self.pipeline.tick(int(time.time() * 1000))  # the alert rules' timers due by now
                self.upkeep.run_if_due()
            except WriterGroupLost:
                log.warning("Redis has no writer group (it restarted without its data?): creating it again")
                pending, has_group = True, False
            except Exception:  # keep the writer alive; the entries stay pending and are retried
                log.exception("Writer batch failed; retrying")
                pending = True
                stop.wait(2)
        self.leave()

    def leave(self) -> None:
        """A clean stop: leave the group (unless holding entries, which another writer will claim)."""
        try:
            self.rt.feed.forget_writers(0, [self.consumer])
        except Exception:  # Redis down at shutdown: the others forget this writer once it has been idle
            log.warning("Writer %s could not leave the group", self.consumer, exc_info=True)

    def _forget_gone_writers(self) -> None:
        forgotten = self.rt.feed.forget_writers(self.forget_idle_ms)
        if forgotten:
            log.info("Forgot writers idle for %d s holding nothing: %s", self.forget_idle_ms // 1000, forgotten)

    def process(self, entries: list[StreamEntry]) -> int:
        """Run a batch through the pipeline, then acknowledge it. Returns rows newly stored.

        A batch that fails for a reason of its own (PostgreSQL refuses a value), not an outage, is halved
        until the entries at fault are found; those are set aside with the reason (data/feed.py,
        `fieldops set-aside`) and the rest are stored: one bad entry never holds up the others."""
        if not entries:
            return 0
        try:
            return self._process(entries)
        except (*POSTGRES_DOWN, *REDIS_DOWN):
            raise  # an outage: the whole batch waits and is retried
        except Exception as exc:
            if len(entries) == 1:
                log.exception("Writer sets aside entry %s: it fails on its own", entries[0].entry_id)
                self.rt.feed.set_aside(entries, f"{type(exc).__name__}: {exc}")
                return 0
            half = len(entries) // 2
            return self.process(entries[:half]) + self.process(entries[half:])

    def _process(self, entries: list[StreamEntry]) -> int:
        batch = self.pipeline.run(Batch.of(entries))
        self.rt.feed.acknowledge([e.entry_id for e in entries])
        self.stored += batch.stored
        self.last_batch_ms = int(time.time() * 1000)
        log.debug(
            "Wrote %d entries: %s", len(entries), ", ".join(f"{n} {s * 1000:.1f} ms" for n, s in batch.seconds.items())
        )
        return batch.stored
