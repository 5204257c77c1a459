"""The writer: takes accepted fixes from the Redis streams into PostgreSQL, and turns them into zones,
stays, visits, task arrivals and alerts through its pipeline (dashboard/writer/pipeline.py); every loop the
pipeline's clock fires the alert rules' timers that are due (dashboard/writer/alerts.py).

At-least-once: entries are acknowledged only after the pipeline has committed their rows, so a crash
replays them; the (employee_id, ts) key makes the replay harmless. Imported history (source "gpx") is
stored only: it derives no visits, geofence events or stays.

The stream is sharded by employee (data/feed.py): every fix of a person goes to shard employee_id mod S,
and each shard is owned by exactly one writer at a time through a lease in Redis (LEASE_MS, renewed by
its owner every loop), so one writer sees all of a person's fixes, in order, and derives their events
right. Writers balance: each takes free shards up to its fair share (S over the writers beating within
LIVE_MS, rounded up) and gives its extras up when more writers appear. Taking a shard, a writer first
restores the state of its people (the zones they are in, their open visits, the alert rules' memory, and
what the last owner handed over with its last batch), then claims the shard's pending entries at once
(XAUTOCLAIM, min idle 0: the lease says the old owner is gone) and stores them in order before new ones.
A writer whose renewal fails stops reading that shard at once and drops its people's state; before each
batch it checks it still holds the batch's shards (fencing; what remains possible: docs/SCALING.md).

Each writes a heartbeat every loop (readiness, /metrics and the balance read it); a writer that stops
cleanly releases its leases and leaves the groups. A Redis that comes back without its data (NOGROUP)
gets its groups again and the writer goes on.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time

from dashboard.core.errors import POSTGRES_DOWN, REDIS_DOWN
from dashboard.core.runtime import Runtime
from dashboard.writer.alerts import Alerts
from dashboard.writer.pipeline import Batch, People, Pipeline
from dashboard.writer.stays import Stays
from dashboard.writer.store import Store
from dashboard.writer.tasks import Tasks
from dashboard.writer.upkeep import Upkeep
from dashboard.writer.visits import Visits
from dashboard.writer.zones import Zones
from data.feed import ShardsChanged, StreamEntry, WriterGroupLost

log = logging.getLogger(__name__)

BATCH = 20_000  # entries per read (over the shards held) and per transaction: larger reads cost less per fix
CLAIM_IDLE_MS = 30_000  # a batch takes well under a second; 30 s without an ack means its writer died
CLAIM_EVERY_S = 5
FORGET_IDLE_MS = 10 * CLAIM_IDLE_MS  # 5 min without a read and holding nothing: that writer is gone
LEASE_MS = 5000  # a shard's lease: a dead writer's shards are free again within this
LIVE_MS = 2 * LEASE_MS  # a writer that beat within this counts in the fair share
BLOCK_MS = 1000  # the longest read wait: the leases are renewed at least this often (far below LEASE_MS)


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
        lease_ms: int = LEASE_MS,
    ) -> None:
        self.rt = rt
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.claim_idle_ms = claim_idle_ms
        self.forget_idle_ms = max(forget_idle_ms, claim_idle_ms)  # never before its entries could be claimed
        self.lease_ms = lease_ms
        self.pipeline = pipeline(rt)
        self.upkeep = Upkeep(rt)
        self.owned: set[int] = set()  # the shards whose leases this writer holds
        self.leasing = False  # run() reads only the shards it holds; process() is fenced by their leases
        self._claimed_at = 0.0
        self.stored = 0
        self.started_ms = int(time.time() * 1000)
        self.last_batch_ms: int | None = None

    def start(self, restore: bool = True) -> None:
        """Check the shards, make the groups; and (a writer used without leases: a test's, a tool's) restore
        everyone's state. A running writer restores each shard's people as it takes the shard."""
        self.rt.feed.check_shards()
        self.rt.feed.ensure_writer_group()
        if restore:
            self.pipeline.restore()
        self.upkeep.run_if_due()

    def run(self, stop: threading.Event, block_ms: int = BLOCK_MS) -> None:
        # First whatever this consumer was given but never acknowledged (a failed batch), then new entries.
        # Starting is retried like a batch: PostgreSQL or Redis may be down when the writer starts; a number of
        # shards other than the streams' is not, and stops the writer (ShardsChanged).
        pending, has_group, started = False, True, False
        while not stop.is_set():
            try:
                if not started:
                    self.start(restore=False)
                    started, self.leasing = True, True
                if not has_group:
                    self.rt.feed.ensure_writer_group()
                    self.rt.feed.record_data_loss()
                    has_group = True
                self.rt.feed.beat(self.consumer, self.started_ms, self.last_batch_ms, self.stored)
                if self.balance():
                    pending = True  # a first read of the shards taken (it also makes this writer one of their group)
                if time.monotonic() - self._claimed_at >= CLAIM_EVERY_S:
                    self._claimed_at = time.monotonic()
                    self.process(self.rt.feed.claim_stale(self.consumer, self.claim_idle_ms, BATCH, self.owned))
                    self._forget_gone_writers()
                if not self.owned:
                    stop.wait(block_ms / 1000)  # more writers than shards: this one waits for a free shard
                    continue
                count = max(100, BATCH // len(self.owned))
                entries = self.rt.feed.read_stream(self.consumer, count, block_ms, pending, self.owned)
                if pending and not entries:
                    pending = False
                    continue
                self.process(entries)
                self.pipeline.tick(int(time.time() * 1000))  # the alert rules' timers due by now
                self.upkeep.run_if_due()
            except WriterGroupLost:
                log.warning("Redis has no writer group (it restarted without its data?): creating it again")
                pending, has_group = True, False
            except ShardsChanged:
                log.error("Writer %s stops", self.consumer, exc_info=True)
                raise
            except Exception:  # keep the writer alive; the entries stay pending and are retried
                log.exception("Writer batch failed; retrying")
                pending = True
                stop.wait(2)
        self.leave()

    # ---- the shards' leases ----------------------------------------------------------------------------------------

    def balance(self, now_ms: int | None = None) -> set[int]:
        """Renew this writer's leases, drop the shards it lost, give up its extras beyond the fair share (more
        writers beat now) and take free shards up to it; returns those taken. Called every loop."""
        feed = self.rt.feed
        held = feed.renew_leases(self.owned, self.consumer, self.lease_ms)
        if lost := self.owned - held:
            log.warning("Writer %s lost shards %s (its lease expired): their state is dropped", self.consumer, lost)
            self._drop(lost)
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        live = {name for name, beat in feed.heartbeats().items() if beat["at_ms"] >= now_ms - LIVE_MS}
        fair = math.ceil(feed.shards / len(live | {self.consumer}))
        if len(self.owned) > fair:
            extras = set(sorted(self.owned)[fair:])
            feed.release_leases(extras, self.consumer)
            self._drop(extras)
            log.info("Writer %s gave up shards %s (its fair share is %d)", self.consumer, sorted(extras), fair)
        elif len(self.owned) < fair:
            free = [k for k, owner in feed.lease_owners().items() if owner is None]
            # Each writer starts looking at its own place, so writers starting together rarely race for a shard.
            offset = int.from_bytes(self.consumer.encode()[-4:], "big") % feed.shards
            free.sort(key=lambda k: (k - offset) % feed.shards)
            taken = feed.take_leases(free[: fair - len(self.owned)], self.consumer, self.lease_ms)
            if taken:
                self._take(taken)
                return taken
        return set()

    def _take(self, shards: set[int]) -> None:
        """Take shards over: their people's state, then their pending entries, in order, before new ones."""
        log.info("Writer %s takes shards %s", self.consumer, sorted(shards))
        feed = self.rt.feed
        # Should this fail (an outage), the shards are not this writer's yet: unrenewed, their leases expire.
        people = People(frozenset(shards), feed.shards)
        try:
            self.pipeline.restore(people, feed.handover(shards))
        except Exception:
            self.pipeline.drop(people)
            raise
        self.owned |= shards
        for shard in sorted(shards):
            while entries := feed.claim_stale(self.consumer, 0, BATCH, [shard]):
                self.process(entries)
                if shard not in self.owned:
                    break

    def _drop(self, shards: set[int]) -> None:
        self.owned -= shards
        self.pipeline.drop(People(frozenset(shards), self.rt.feed.shards))

    def leave(self) -> None:
        """A clean stop: release the leases, leave the groups (unless holding entries, which the next owner of
        their shard claims)."""
        try:
            self.rt.feed.release_leases(self.owned, self.consumer)
            self.owned = set()
            self.rt.feed.forget_writers(0, [self.consumer])
        except Exception:  # Redis down at shutdown: the leases expire, the others forget this writer once idle
            log.warning("Writer %s could not leave the group", self.consumer, exc_info=True)

    def _forget_gone_writers(self) -> None:
        forgotten = self.rt.feed.forget_writers(self.forget_idle_ms)
        if forgotten:
            log.info("Forgot writers idle for %d s holding nothing: %s", self.forget_idle_ms // 1000, forgotten)

    # ---- batches ---------------------------------------------------------------------------------------------------

    def process(self, entries: list[StreamEntry]) -> int:
        """Run a batch through the pipeline, then acknowledge it. Returns rows newly stored.

        A batch that fails for a reason of its own (PostgreSQL refuses a value), not an outage, is halved
        until the entries at fault are found; those are set aside with the reason (data/feed.py,
        `fieldops set-aside`) and the rest are stored: one bad entry never holds up the others."""
        if not entries:
            return 0
        entries = self._fenced(entries)
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

    def _fenced(self, entries: list[StreamEntry]) -> list[StreamEntry]:
        """The entries of shards this writer still holds, its leases renewed: a shard lost since the read is
        dropped at once, its entries left pending for the next owner. A writer owning no shard (a test's, or a
        tool's, reading the stream itself) is not fenced."""
        if not self.leasing:
            return entries
        shards = {entry.shard for entry in entries}
        held = self.rt.feed.renew_leases(shards & self.owned, self.consumer, self.lease_ms)
        if lost := shards - held:
            log.warning("Writer %s no longer holds shards %s: their entries are left", self.consumer, sorted(lost))
            self._drop(lost & self.owned)
            entries = [entry for entry in entries if entry.shard in held]
        return entries

    def _process(self, entries: list[StreamEntry]) -> int:
        batch = self.pipeline.run(Batch.of(entries))
        self.rt.feed.save_handover(self.pipeline.hand_over({entry.fix.employee_id for entry in batch.live}))
        self.rt.feed.acknowledge(entries)
        self.stored += batch.stored
        self.last_batch_ms = int(time.time() * 1000)
        log.debug(
            "Wrote %d entries: %s", len(entries), ", ".join(f"{n} {s * 1000:.1f} ms" for n, s in batch.seconds.items())
        )
        return batch.stored
