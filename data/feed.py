"""The Redis live feed: latest position per employee, a GEO set, the writer's stream, versions.

The fleet is split into SHARDS shards by employee (employee_id mod SHARDS, issue 20). A shard's keys are named
`{prefix}{k}:name`: the shard number k is their hash tag, so a Redis Cluster keeps one shard's keys in one slot,
and every script and transaction touches one shard only. Per shard k:
  {k}:latest   hash  employee id -> compact JSON [ts_ms, lat, lon, speed, heading, accuracy, version]
  {k}:status   hash  employee id -> JSON {"visit": customer id or null, "since": ms, "v": version}
  {k}:geo      GEO   employee id at its latest position, for nearest-staff search
  {k}:zones    hash  employee id -> JSON list of the geofences the writer has the person inside
  {k}:version  int   incremented on every change of the shard a map must show; each value above carries
                     its shard's version of its last change, so a map fetches only what changed since its own
The feed's version is the vector of the shards' versions (a tuple, a list in JSON).
Single keys (one slot each in a Cluster, only ever used alone):
  stream   XADD  every accepted fix, consumed by the writer's group; entries are deleted once
                 stored, so its length is the backlog, and publishing refuses past a limit
  writers  hash  writer (consumer) name -> JSON heartbeat {"at_ms", "since_ms", "batch_ms", "stored"}, written
                 by each writer every loop; gone with the writer (clean stop, or forgotten when idle)
  deadletter, data_lost_at

`connect` gives a redis.cluster.RedisCluster for a `redis+cluster://` (or `rediss+cluster://`) address, a plain
client otherwise; every method here works with both (pipelines are never MULTI across shards, scripts take one
shard's keys).
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
import redis
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.exceptions import NoScriptError

LUA_DIR = Path(__file__).parent / "lua"
WRITER_GROUP = "writer"
SHARDS = 16  # the feed's shards (issue 20): a person's keys are those of shard employee_id mod SHARDS
UNBOUNDED = 2**62
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}

Version = tuple[int, ...]  # the feed's version: one counter per shard


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

    version: Version
    employee_ids: list[int]
    latest: list[list]  # [ts_ms, lat, lon, speed, heading, accuracy, version] per employee
    status: dict[int, dict]


def connect(url: str) -> redis.Redis | RedisCluster:
    """A client for `url`: a Redis Cluster's (any of its nodes) for `redis+cluster://host:port`, else one server's."""
    scheme, _, rest = url.partition("://")
    if scheme in CLUSTER_SCHEMES:
        return RedisCluster.from_url(f"{CLUSTER_SCHEMES[scheme]}://{rest}", socket_timeout=5, socket_connect_timeout=5)
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


class LiveFeed:
    def __init__(self, client: redis.Redis | RedisCluster, prefix: str = "fieldops:", shards: int = SHARDS) -> None:
        self.client = client
        self.prefix = prefix
        self.shards = shards
        self.cluster = isinstance(client, RedisCluster)
        self.stream_key = f"{prefix}stream"
        self.writers_key = f"{prefix}writers"
        self.data_lost_key = f"{prefix}data_lost_at"
        self.dead_letter_key = f"{prefix}deadletter"
        self._append = client.register_script((LUA_DIR / "append.lua").read_text())
        self._publish = client.register_script((LUA_DIR / "publish.lua").read_text())
        self._set_status = client.register_script((LUA_DIR / "set_status.lua").read_text())
        self._forget = client.register_script((LUA_DIR / "forget.lua").read_text())
        self._forget_writers = client.register_script((LUA_DIR / "forget_writers.lua").read_text())

    def shard_of(self, employee_id: int) -> int:
        """The shard whose keys hold a person's position, status and stream entries."""
        return employee_id % self.shards

    def shard_key(self, shard: int, name: str) -> str:
        """A shard's key: its number is the hash tag, so a Redis Cluster keeps a shard's keys in one slot."""
        return f"{self.prefix}{{{shard}}}:{name}"

    def _by_shard(self, employee_ids: Iterable[int]) -> dict[int, list[int]]:
        grouped: dict[int, list[int]] = defaultdict(list)
        for employee_id in employee_ids:
            grouped[self.shard_of(employee_id)].append(employee_id)
        return grouped

    def _run_scripts(self, calls: Sequence[tuple[Script, list[str], list[object]]]) -> list:
        """Each (script, keys, args) in one pipeline (a cluster's splits it per node), without MULTI: every call
        touches one shard. A node that lost its scripts (restarted, failed over) gets them again and runs the
        calls it refused; the others ran once."""
        if len(calls) == 1:  # one shard (a single position): no pipeline, far lighter for a cluster's client
            script, keys, args = calls[0]
            return [script(keys=keys, args=args)]
        pipe = self.client.pipeline(transaction=False)
        for script, keys, args in calls:
            # As a command, not pipe.evalsha: redis-py's cluster pipeline refuses that method. Given the node of the
            # shard's slot: else that pipeline asks a server for each EVALSHA's keys (COMMAND GETKEYS), one round
            # trip per script call. A slot moved meanwhile is followed as for any command (MOVED).
            route = {"target_nodes": self.client.get_node_from_key(keys[0])} if self.cluster else {}
            pipe.execute_command("EVALSHA", script.sha, len(keys), *keys, *args, **route)
        results = pipe.execute(raise_on_error=False)
        refused = [i for i, result in enumerate(results) if isinstance(result, NoScriptError)]
        if refused:
            for script in {calls[i][0].sha: calls[i][0] for i in refused}.values():
                self.client.script_load(script.script)  # a cluster's client loads it on every primary
            for i, result in zip(refused, self._run_scripts([calls[i] for i in refused]), strict=True):
                results[i] = result
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results

    def publish(self, fixes: Sequence[Fix], source: str, max_backlog: int = UNBOUNDED) -> int:
        """Send fixes to the stream and the latest map; return how many were newest.

        Raises StreamFull, having written nothing, when the stream already holds max_backlog entries.
        """
        return self.publish_many([(fixes, source)], max_backlog)

    def publish_many(self, batches: Sequence[tuple[Sequence[Fix], str]], max_backlog: int = UNBOUNDED) -> int:
        """Several requests' fixes, each batch with its source (the ingest server's micro-batching): the same
        rules as `publish` (the newest position wins, the backlog limit refuses the whole call), so every
        request of the call is published, or (StreamFull) none is.

        Two steps (issue 20, part b): the stream (one key, append.lua: the backlog check and every XADD), then
        the map, one publish.lua call per shard touched, pipelined. The stream goes first, so a position on the
        map is always on its way to PostgreSQL; a failure in between leaves fixes stored but not yet on the map,
        and the device's retry is stored once (the positions' primary key). When the stream is sharded too
        (part a: a stream per shard, in the shard's slot), each shard's XADDs join its publish.lua call and this
        is one round trip again."""
        stream_args: list[object] = [max_backlog]
        shard_args: dict[int, list[object]] = defaultdict(list)
        for fixes, source in batches:
            for fix in fixes:
                compact = fix.compact()
                attributes = orjson.dumps(fix.attributes) if fix.attributes else b""
                stream_args += [source, fix.employee_id, compact, attributes]
                shard_args[self.shard_of(fix.employee_id)] += [fix.employee_id, fix.ts_ms, compact, fix.lon, fix.lat]
        if not shard_args:
            return 0
        if int(self._append(keys=[self.stream_key], args=stream_args)) < 0:
            raise StreamFull(f"the writer's backlog is at its limit of {max_backlog} positions")
        calls = [
            (self._publish, [self.shard_key(k, "latest"), self.shard_key(k, "geo"), self.shard_key(k, "version")], args)
            for k, args in shard_args.items()
        ]
        return sum(int(newer) for newer in self._run_scripts(calls))

    def version(self) -> Version:
        """Every shard's version, in one round trip (GETs pipelined: an MGET would cross a cluster's slots)."""
        pipe = self.client.pipeline(transaction=False)
        for k in range(self.shards):
            pipe.get(self.shard_key(k, "version"))
        return tuple(int(value or 0) for value in pipe.execute())

    def snapshot(self) -> Snapshot:
        """Every latest position and status in one round trip: per shard its version, then its rows, pipelined
        (not MULTI: a cluster's shards live on several nodes). Each shard's version is read before its rows, so a
        row changed meanwhile carries a version above the one read and is sent again next time, never missed."""
        pipe = self.client.pipeline(transaction=False)
        for k in range(self.shards):
            pipe.get(self.shard_key(k, "version"))
            pipe.hgetall(self.shard_key(k, "latest"))
            pipe.hgetall(self.shard_key(k, "status"))
        replies = pipe.execute()
        version = tuple(int(value or 0) for value in replies[0::3])
        latest = [item for shard in replies[1::3] for item in shard.items()]
        ids = [int(key) for key, _value in latest]
        # One parse of the joined values is several times faster than one parse per value.
        rows = orjson.loads(b"[" + b",".join(value for _key, value in latest) + b"]") if latest else []
        statuses = {int(key): orjson.loads(value) for shard in replies[2::3] for key, value in shard.items()}
        return Snapshot(version, ids, rows, statuses)

    def latest(self, employee_id: int) -> Fix | None:
        value = self.client.hget(self.shard_key(self.shard_of(employee_id), "latest"), employee_id)
        return Fix.from_compact(employee_id, value) if value else None

    def set_status(self, employee_id: int, status: dict) -> int:
        """Store what the writer knows of the person now (a visit, or none); return their shard's version."""
        if not status:
            raise ValueError("a status has at least one field")
        shard = self.shard_of(employee_id)
        keys = [self.shard_key(shard, "status"), self.shard_key(shard, "version")]
        return int(self._set_status(keys=keys, args=[employee_id, orjson.dumps(status)]))

    def set_inside_zones(self, employee_id: int, zone_ids: Iterable[int]) -> None:
        """Remember which geofences a person is inside, so a restarted writer makes no false enters."""
        ids = sorted(zone_ids)
        key = self.shard_key(self.shard_of(employee_id), "zones")
        if ids:
            self.client.hset(key, employee_id, orjson.dumps(ids))
        else:
            self.client.hdel(key, employee_id)

    def _every_shard(self, name: str, shards: Iterable[int] | None) -> dict[int, object]:
        """A per-shard hash of every shard (or of `shards`), merged: one pipelined round trip."""
        pipe = self.client.pipeline(transaction=False)
        for k in range(self.shards) if shards is None else shards:
            pipe.hgetall(self.shard_key(k, name))
        return {int(key): orjson.loads(value) for shard in pipe.execute() for key, value in shard.items()}

    def inside_zones(self, shards: Iterable[int] | None = None) -> dict[int, list[int]]:
        """The geofences each person is inside: everyone's, or only those in `shards`."""
        return self._every_shard("zones", shards)

    def statuses(self, shards: Iterable[int] | None = None) -> dict[int, dict]:
        """Each person's status: everyone's, or only those in `shards`."""
        return self._every_shard("status", shards)

    def nearest(self, lat: float, lon: float, radius_m: float, count: int = 10) -> list[tuple[int, float]]:
        """Employees whose latest position is within radius_m, nearest first, with distances in metres: each
        shard's `count` nearest (GEOSEARCH, pipelined), merged."""
        pipe = self.client.pipeline(transaction=False)
        for k in range(self.shards):
            pipe.geosearch(
                self.shard_key(k, "geo"),
                longitude=lon,
                latitude=lat,
                radius=radius_m,
                unit="m",
                sort="ASC",
                count=count,
                withdist=True,
            )
        found = heapq.merge(*pipe.execute(), key=lambda hit: hit[1])
        return [(int(member), float(distance)) for member, distance in list(found)[:count]]

    def forget(self, employee_ids: Iterable[int]) -> None:
        """Take people off the map (their position, status and GEO member), one script call per shard."""
        calls = [
            (self._forget, [self.shard_key(k, name) for name in ("latest", "status", "geo", "version")], ids)
            for k, ids in self._by_shard(employee_ids).items()
        ]
        if calls:
            self._run_scripts(calls)

    def adopt_unsharded(self) -> int:
        """Move the feed of a Redis from before the shards (one `latest`, `status`, `zones` hash, one `geo` set, one
        `version`) into the shards' keys, once, at start: the map keeps its markers, the writer the visits and the
        geofences people are in. What a shard already holds (a fix published since) wins; each shard's version
        starts above every version the old rows carry. Returns how many people's positions moved."""
        old = {name: f"{self.prefix}{name}" for name in ("latest", "status", "zones", "geo", "version")}
        if not self.client.exists(old["version"]):
            return 0
        version = int(self.client.get(old["version"]) or 0)
        for k, current in enumerate(self.version()):  # up to every old row's version, by INCRBY: never backwards
            if current < version:
                self.client.incrby(self.shard_key(k, "version"), version - current)
        moved = 0
        for name in ("latest", "status", "zones"):
            values = self.client.hgetall(old[name])
            pipe = self.client.pipeline(transaction=False)
            for employee_id, value in values.items():
                pipe.hsetnx(self.shard_key(self.shard_of(int(employee_id)), name), employee_id, value)
            added = pipe.execute()
            moved += sum(added) if name == "latest" else 0
        pipe = self.client.pipeline(transaction=False)
        for member, score in self.client.zrange(old["geo"], 0, -1, withscores=True):
            pipe.zadd(self.shard_key(self.shard_of(int(member)), "geo"), {member: score}, nx=True)
        pipe.execute()
        for key in old.values():  # one at a time: in a cluster each is a slot of its own
            self.client.delete(key)
        return moved

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
        """Move entries PostgreSQL refuses for good (a dead letter) out of the writer's way, with the reason:
        kept, never dropped, until `replay_set_aside` sends them through again. Written to the dead letter first,
        then acknowledged (two keys: in a Redis Cluster two slots, so no MULTI): a crash in between sets them
        aside twice, and a replay stores them once (the positions' primary key)."""
        if not entries:
            return
        pipe = self.client.pipeline(transaction=False)
        for entry in entries:
            pipe.xadd(self.dead_letter_key, {**_fields(entry), b"r": reason[:500]})
        pipe.execute()
        self.acknowledge([entry.entry_id for entry in entries])

    def set_aside_count(self) -> int:
        return int(self.client.xlen(self.dead_letter_key))

    def set_aside_entries(self, count: int = 100) -> list[tuple[StreamEntry, str]]:
        """The oldest entries set aside, each with its reason."""
        messages = self.client.xrange(self.dead_letter_key, count=count)
        reasons = [fields[b"r"].decode() for _id, fields in messages]
        return list(zip(_entries(messages), reasons, strict=True))

    def replay_set_aside(self) -> int:
        """Send every entry set aside through the writer again (after the cause was mended); returns how many.
        Each page is added to the stream before it leaves the dead letter (two slots in a cluster, no MULTI): a
        crash in between sends it twice, stored once."""
        moved = 0
        while messages := self.client.xrange(self.dead_letter_key, count=1000):
            pipe = self.client.pipeline(transaction=False)
            for _entry_id, fields in messages:
                pipe.xadd(self.stream_key, {k: v for k, v in fields.items() if k != b"r"})
            pipe.execute()
            self.client.xdel(self.dead_letter_key, *[entry_id for entry_id, _fields in messages])
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
        forgotten = self._forget_writers(keys=[self.stream_key], args=[WRITER_GROUP, min_idle_ms, *names])
        if forgotten:  # their heartbeats: another key (a cluster's other slot), so not in the script
            self.client.hdel(self.writers_key, *forgotten)
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
