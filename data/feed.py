"""The Redis live feed: latest position per employee, a GEO set, the writer's stream, a version.

Keys (all under one prefix, so tests and tenants can share a server):
  latest   hash  employee id -> compact JSON [ts_ms, lat, lon, speed, heading, accuracy, version]
  status   hash  employee id -> JSON {"visit": customer id or null, "since": ms, "v": version}
  geo      GEO   employee id at its latest position, for nearest-staff search
  stream   XADD  every accepted fix, consumed by the writer's group; entries are deleted once
                 stored, so its length is the backlog, and publishing refuses past a limit
  zones    hash  employee id -> JSON list of the geofences the writer has the person inside
  writers  hash  writer (consumer) name -> JSON heartbeat {"at_ms", "since_ms", "batch_ms", "stored"}, written
                 by each writer every loop; gone with the writer (clean stop, or forgotten when idle)
  version  int   incremented on every change a map must show; each value above carries the
                 version of its last change, so a map fetches only what changed since its own
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
import redis

LUA_DIR = Path(__file__).parent / "lua"
WRITER_GROUP = "writer"
SHARDS = 16  # the feed's shards (issue 20): a person's keys are those of shard employee_id mod SHARDS
UNBOUNDED = 2**62


class StreamFull(RuntimeError):
    """The writer's backlog is at its limit: nothing was published; the sender should retry later."""


class WriterGroupLost(RuntimeError):
    """Redis has no writer group (NOGROUP): it came back without its data. ensure_writer_group() and read again."""


@dataclass(frozen=True, slots=True)
class Fix:
    """One accepted position, normalised: UTC epoch milliseconds, degrees, m/s, metres."""

    employee_id: int
    ts_ms: int
    lat: float
    lon: float
    speed: float | None = None
    heading: float | None = None
    accuracy: float | None = None
    attributes: dict | None = None  # a tracker's extra keys; stored with the row, not in the live feed

    def compact(self) -> bytes:
        return orjson.dumps([self.ts_ms, self.lat, self.lon, self.speed, self.heading, self.accuracy])

    @classmethod
    def from_compact(cls, employee_id: int, value: bytes | str) -> Fix:
        ts_ms, lat, lon, speed, heading, accuracy = orjson.loads(value)[:6]
        return cls(employee_id, ts_ms, lat, lon, speed, heading, accuracy)


@dataclass(frozen=True, slots=True)
class StreamEntry:
    entry_id: bytes
    source: str
    fix: Fix


@dataclass(frozen=True, slots=True)
class Snapshot:
    """All latest positions and statuses at one feed version, as parallel columns."""

    version: int
    employee_ids: list[int]
    latest: list[list]  # [ts_ms, lat, lon, speed, heading, accuracy, version] per employee
    status: dict[int, dict]


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


class LiveFeed:
    def __init__(self, client: redis.Redis, prefix: str = "fieldops:", shards: int = SHARDS) -> None:
        self.client = client
        self.prefix = prefix
        self.shards = shards
        self.latest_key = f"{prefix}latest"
        self.status_key = f"{prefix}status"
        self.geo_key = f"{prefix}geo"
        self.stream_key = f"{prefix}stream"
        self.version_key = f"{prefix}version"
        self.zones_key = f"{prefix}zones"
        self.writers_key = f"{prefix}writers"
        self.data_lost_key = f"{prefix}data_lost_at"
        self.dead_letter_key = f"{prefix}deadletter"
        self._publish = client.register_script((LUA_DIR / "publish.lua").read_text())
        self._set_status = client.register_script((LUA_DIR / "set_status.lua").read_text())
        self._forget_writers = client.register_script((LUA_DIR / "forget_writers.lua").read_text())

    def shard_of(self, employee_id: int) -> int:
        """The shard whose keys hold a person's position, status and stream entries."""
        return employee_id % self.shards

    def shard_key(self, shard: int, name: str) -> str:
        """A shard's key: its number is the hash tag, so a Redis Cluster keeps a shard's keys in one slot."""
        return f"{self.prefix}{{{shard}}}:{name}"

    def publish(self, fixes: Sequence[Fix], source: str, max_backlog: int = UNBOUNDED) -> int:
        """Send fixes to the stream and the latest map in one round trip; return how many were newest.

        Raises StreamFull, having written nothing, when the stream already holds max_backlog entries.
        """
        return self.publish_many([(fixes, source)], max_backlog)

    def publish_many(self, batches: Sequence[tuple[Sequence[Fix], str]], max_backlog: int = UNBOUNDED) -> int:
        """Several requests' fixes, each batch with its source, in one round trip (the ingest server's
        micro-batching): the same rules as `publish` (the newest position wins, the backlog limit refuses the
        whole call), so every request of the call is published, or (StreamFull) none is."""
        args: list[object] = [max_backlog]
        for fixes, source in batches:
            for fix in fixes:
                attributes = orjson.dumps(fix.attributes) if fix.attributes else b""
                args += [source, fix.employee_id, fix.ts_ms, fix.compact(), fix.lon, fix.lat, attributes]
        if len(args) == 1:
            return 0
        keys = [self.latest_key, self.geo_key, self.stream_key, self.version_key]
        newer = int(self._publish(keys=keys, args=args))
        if newer < 0:
            raise StreamFull(f"the writer's backlog is at its limit of {max_backlog} positions")
        return newer

    def version(self) -> int:
        return int(self.client.get(self.version_key) or 0)

    def snapshot(self) -> Snapshot:
        """Every latest position and status in one round trip."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(self.version_key)
        pipe.hgetall(self.latest_key)
        pipe.hgetall(self.status_key)
        version, latest, status = pipe.execute()
        ids = [int(key) for key in latest]
        # One parse of the joined values is several times faster than one parse per value.
        rows = orjson.loads(b"[" + b",".join(latest.values()) + b"]") if latest else []
        statuses = {int(key): orjson.loads(value) for key, value in status.items()}
        return Snapshot(int(version or 0), ids, rows, statuses)

    def latest(self, employee_id: int) -> Fix | None:
        value = self.client.hget(self.latest_key, employee_id)
        return Fix.from_compact(employee_id, value) if value else None

    def set_status(self, employee_id: int, status: dict) -> int:
        """Store what the writer knows of the person now (a visit, or none); return the feed version."""
        if not status:
            raise ValueError("a status has at least one field")
        return int(self._set_status(keys=[self.status_key, self.version_key], args=[employee_id, orjson.dumps(status)]))

    def set_inside_zones(self, employee_id: int, zone_ids: Iterable[int]) -> None:
        """Remember which geofences a person is inside, so a restarted writer makes no false enters."""
        ids = sorted(zone_ids)
        if ids:
            self.client.hset(self.zones_key, employee_id, orjson.dumps(ids))
        else:
            self.client.hdel(self.zones_key, employee_id)

    def inside_zones(self) -> dict[int, list[int]]:
        return {int(k): orjson.loads(v) for k, v in self.client.hgetall(self.zones_key).items()}

    def statuses(self) -> dict[int, dict]:
        return {int(k): orjson.loads(v) for k, v in self.client.hgetall(self.status_key).items()}

    def nearest(self, lat: float, lon: float, radius_m: float, count: int = 10) -> list[tuple[int, float]]:
        """Employees whose latest position is within radius_m, nearest first, with distances in metres."""
        found = self.client.geosearch(
            self.geo_key,
            longitude=lon,
            latitude=lat,
            radius=radius_m,
            unit="m",
            sort="ASC",
            count=count,
            withdist=True,
        )
        return [(int(member), float(distance)) for member, distance in found]

    def forget(self, employee_ids: Iterable[int]) -> None:
        ids = list(employee_ids)
        if ids:
            pipe = self.client.pipeline(transaction=True)
            pipe.hdel(self.latest_key, *ids)
            pipe.hdel(self.status_key, *ids)
            pipe.zrem(self.geo_key, *ids)
            pipe.incr(self.version_key)
            pipe.execute()

    # The writer's side of the stream.

    def ensure_writer_group(self) -> None:
        """The stream and its writer group, from the stream's first entry: entries published while the
        group was missing (a Redis that came back empty) are read too."""
        try:
            self.client.xgroup_create(self.stream_key, WRITER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read_stream(self, consumer: str, count: int, block_ms: int, pending: bool = False) -> list[StreamEntry]:
        """New entries for this consumer, or (pending=True) those it was given but never acknowledged."""
        try:
            reply = self.client.xreadgroup(
                WRITER_GROUP,
                consumer,
                {self.stream_key: "0" if pending else ">"},
                count=count,
                block=None if pending else block_ms,
            )
        except redis.ResponseError as exc:
            _raise_if_group_lost(exc)
            raise
        return [entry for _stream, messages in reply or [] for entry in _entries(messages)]

    def claim_stale(self, consumer: str, min_idle_ms: int, count: int) -> list[StreamEntry]:
        """Take over entries another consumer was given but has not acknowledged for min_idle_ms
        (a killed worker), so they are stored by this one."""
        try:
            _next, messages, *_deleted = self.client.xautoclaim(
                self.stream_key, WRITER_GROUP, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
            )
        except redis.ResponseError as exc:
            _raise_if_group_lost(exc)
            raise
        return list(_entries(messages))

    def acknowledge(self, entry_ids: Sequence[bytes]) -> None:
        """Acknowledge and drop entries once they are committed to PostgreSQL."""
        if entry_ids:
            pipe = self.client.pipeline(transaction=True)
            pipe.xack(self.stream_key, WRITER_GROUP, *entry_ids)
            pipe.xdel(self.stream_key, *entry_ids)
            pipe.execute()

    def set_aside(self, entries: Sequence[StreamEntry], reason: str) -> None:
        """Move entries PostgreSQL refuses for good (a dead letter) out of the writer's way, with the reason,
        in one transaction: kept, never dropped, until `replay_set_aside` sends them through again."""
        if not entries:
            return
        pipe = self.client.pipeline(transaction=True)
        for entry in entries:
            pipe.xadd(self.dead_letter_key, {**_fields(entry), b"r": reason[:500]})
        ids = [entry.entry_id for entry in entries]
        pipe.xack(self.stream_key, WRITER_GROUP, *ids)
        pipe.xdel(self.stream_key, *ids)
        pipe.execute()

    def set_aside_count(self) -> int:
        return int(self.client.xlen(self.dead_letter_key))

    def set_aside_entries(self, count: int = 100) -> list[tuple[StreamEntry, str]]:
        """The oldest entries set aside, each with its reason."""
        messages = self.client.xrange(self.dead_letter_key, count=count)
        reasons = [fields[b"r"].decode() for _id, fields in messages]
        return list(zip(_entries(messages), reasons, strict=True))

    def replay_set_aside(self) -> int:
        """Send every entry set aside through the writer again (after the cause was mended); returns how many."""
        moved = 0
        while messages := self.client.xrange(self.dead_letter_key, count=1000):
            pipe = self.client.pipeline(transaction=True)
            for entry_id, fields in messages:
                pipe.xadd(self.stream_key, {k: v for k, v in fields.items() if k != b"r"})
                pipe.xdel(self.dead_letter_key, entry_id)
            pipe.execute()
            moved += len(messages)
        return moved

    def stream_backlog(self) -> int:
        return int(self.client.xlen(self.stream_key))

    def writer_consumers(self) -> list[dict]:
        """Each writer in the group: name, entries it holds unacknowledged, ms since it last read."""
        try:
            consumers = self.client.xinfo_consumers(self.stream_key, WRITER_GROUP)
        except redis.ResponseError:  # no stream or no group yet: no writer has started
            return []
        return [
            {"name": c["name"].decode(), "pending": int(c["pending"]), "idle_ms": int(c["idle"])} for c in consumers
        ]

    def forget_writers(self, min_idle_ms: int, names: Sequence[str] = ()) -> list[str]:
        """Delete writers (consumers) that hold no pending entry and have read nothing for min_idle_ms,
        with their heartbeats; only those in `names` when given. Checked and deleted in one step: a
        consumer holding entries is never deleted (its entries would never be delivered again)."""
        keys = [self.stream_key, self.writers_key]
        forgotten = self._forget_writers(keys=keys, args=[WRITER_GROUP, min_idle_ms, *names])
        return [name.decode() for name in forgotten]

    def beat(self, consumer: str, since_ms: int, batch_ms: int | None, stored: int, now_ms: int | None = None) -> None:
        """A writer's heartbeat: now, when it started, when it last stored a batch, rows stored since it started."""
        at_ms = int(time.time() * 1000) if now_ms is None else now_ms
        beat = {"at_ms": at_ms, "since_ms": since_ms, "batch_ms": batch_ms, "stored": stored}
        self.client.hset(self.writers_key, consumer, orjson.dumps(beat))

    def record_data_loss(self, now_ms: int | None = None) -> None:
        """Note that Redis came back without its data (the writer found its group gone): positions accepted
        before then and not yet stored are lost. Kept in the new Redis, for health and metrics to tell."""
        self.client.set(self.data_lost_key, int(time.time() * 1000) if now_ms is None else now_ms)

    def data_lost_at_ms(self) -> int | None:
        """When Redis was last found to have lost its data, or None."""
        value = self.client.get(self.data_lost_key)
        return int(value) if value else None

    def heartbeats(self) -> dict[str, dict]:
        """Each writer's last heartbeat, by name."""
        return {name.decode(): orjson.loads(value) for name, value in self.client.hgetall(self.writers_key).items()}

    def writer_lag_s(self) -> float:
        """Age of the oldest position not yet stored: 0 when the writer has caught up."""
        oldest = self.client.xrange(self.stream_key, count=1)
        if not oldest:
            return 0.0
        accepted_ms = int(oldest[0][0].split(b"-")[0])
        return max(0.0, time.time() - accepted_ms / 1000)


def _raise_if_group_lost(exc: redis.ResponseError) -> None:
    if str(exc).startswith("NOGROUP"):
        raise WriterGroupLost(str(exc)) from exc


def _fields(entry: StreamEntry) -> dict[bytes, bytes | str | int]:
    """An entry's fields as publish.lua writes them."""
    fix = entry.fix
    fields: dict[bytes, bytes | str | int] = {b"e": fix.employee_id, b"p": fix.compact(), b"s": entry.source}
    if fix.attributes:
        fields[b"a"] = orjson.dumps(fix.attributes)
    return fields


def _entries(messages: Iterable) -> Iterable[StreamEntry]:
    for entry_id, fields in messages:
        if not fields:
            continue  # deleted after it was claimed: already stored and acknowledged
        fix = Fix.from_compact(int(fields[b"e"]), fields[b"p"])
        if b"a" in fields:
            fix = replace(fix, attributes=orjson.loads(fields[b"a"]))
        yield StreamEntry(entry_id, fields[b"s"].decode(), fix)
