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
  {k}:stream   XADD  shard k's accepted fixes, consumed by that stream's writer group; acknowledged entries are
                     trimmed (XTRIM MINID), so its length is the shard's backlog, and publishing refuses past the
                     limit, which applies to each shard
  {k}:lease    the writer owning shard k (SET NX PX, renewed by its owner): one writer at a time reads it
  {k}:handover hash  employee id -> JSON of the writer's per-person state (zones, stop, visit), written with
                     every batch, so the writer taking a shard over goes on where the last one stopped
Single keys (one slot each in a Cluster, only ever used alone):
  shards   int   the number of shards the streams were made with: fixed for a deployment (FIELDOPS_SHARDS)
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


class ShardsChanged(RuntimeError):
    """The configured number of shards differs from the one this Redis's streams were made with."""


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
    shard: int = 0  # the shard stream it was read from


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
        self.stream_keys = [self.shard_key(k, "stream") for k in range(shards)]
        self.shards_key = f"{prefix}shards"
        self.writers_key = f"{prefix}writers"
        self.data_lost_key = f"{prefix}data_lost_at"
        self.dead_letter_key = f"{prefix}deadletter"
        self._publish = client.register_script((LUA_DIR / "publish.lua").read_text())
        self._set_status = client.register_script((LUA_DIR / "set_status.lua").read_text())
        self._forget = client.register_script((LUA_DIR / "forget.lua").read_text())
        self._forget_writers = client.register_script((LUA_DIR / "forget_writers.lua").read_text())
        self._lease = client.register_script((LUA_DIR / "lease.lua").read_text())
        self._ack_trim = client.register_script((LUA_DIR / "ack_trim.lua").read_text())

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
        """Several requests' fixes, each batch with its source, in one round trip (the ingest server's
        micro-batching): the same rules as `publish` (the newest position wins, the backlog limit refuses).

        Each fix goes to its person's shard: one publish.lua call per shard touched (the shard's stream, latest
        hash, GEO set and version: one Cluster slot), pipelined. The limit applies to each shard, and each call
        checks its own shard: a call whose fixes all fall in one shard (a device's request) is published whole or
        (StreamFull) not at all; a micro-batch spanning shards, one of them full, has the other shards' fixes
        published before StreamFull is raised. The senders retry them (answered 503), which is harmless: the
        newest position wins and (employee_id, ts) stores a fix once."""
        by_shard: dict[int, list[object]] = {}
        for fixes, source in batches:
            for fix in fixes:
                compact = fix.compact()
                attributes = orjson.dumps(fix.attributes) if fix.attributes else b""
                args = by_shard.setdefault(self.shard_of(fix.employee_id), [max_backlog])
                args += [source, fix.employee_id, fix.ts_ms, compact, fix.lon, fix.lat, attributes]
        if not by_shard:
            return 0
        calls = [
            (self._publish, [self.shard_key(k, "latest"), self.shard_key(k, "geo"), self.stream_keys[k],
                             self.shard_key(k, "version")], args)
            for k, args in by_shard.items()
        ]  # fmt: skip
        answers = [int(answer) for answer in self._run_scripts(calls)]
        if min(answers) < 0:
            raise StreamFull(f"the writer's backlog is at its limit of {max_backlog} positions per shard")
        return sum(answer for answer in answers if answer > 0)

    def check_shards(self) -> int:
        """Record the number of shards at the first start; raise ShardsChanged when it differs from the one the
        streams were made with (people's fixes would go to other shards than their earlier, unstored ones)."""
        self.client.set(self.shards_key, self.shards, nx=True)
        recorded = int(self.client.get(self.shards_key))
        if recorded != self.shards:
            raise ShardsChanged(
                f"this Redis's writer streams have {recorded} shards, the configuration says {self.shards}:"
                f" set FIELDOPS_SHARDS={recorded}, or stop ingest, let the writers drain every stream, delete"
                f" {self.shards_key} and start again"
            )
        return recorded

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

    # The writers' side: the shard streams, each with its own group, each shard leased to one writer.

    def _all(self, shards: Iterable[int] | None) -> list[int]:
        return list(range(self.shards)) if shards is None else sorted(shards)

    def ensure_writer_group(self, shards: Iterable[int] | None = None) -> None:
        """Each shard stream and its writer group, from the stream's first entry: entries published while the
        group was missing (a Redis that came back empty) are read too."""
        pipe = self.client.pipeline(transaction=False)
        for shard in self._all(shards):
            pipe.xgroup_create(self.stream_keys[shard], WRITER_GROUP, id="0", mkstream=True)
        for answer in pipe.execute(raise_on_error=False):
            if isinstance(answer, Exception) and "BUSYGROUP" not in str(answer):
                raise answer

    def read_stream(
        self, consumer: str, count: int, block_ms: int, pending: bool = False, shards: Iterable[int] | None = None
    ) -> list[StreamEntry]:
        """New entries of the shards (all when None) for this consumer, or (pending=True) those it was given but
        never acknowledged; up to `count` per shard, each shard's in order. One XREADGROUP over the shards on a
        single Redis; on a Redis Cluster, whose multi-key commands stay within a slot, one per shard."""
        numbers = self._all(shards)
        if not numbers:
            return []
        start = "0" if pending else ">"
        try:
            if self.cluster:
                pipe = self.client.pipeline()
                for shard in numbers:
                    pipe.xreadgroup(WRITER_GROUP, consumer, {self.stream_keys[shard]: start}, count=count)
                replies = [item for reply in pipe.execute() for item in reply or []]
                if not replies and not pending:
                    time.sleep(min(block_ms, 100) / 1000)
            else:
                streams = {self.stream_keys[shard]: start for shard in numbers}
                replies = self.client.xreadgroup(
                    WRITER_GROUP, consumer, streams, count=count, block=None if pending else block_ms
                )
        except redis.ResponseError as exc:
            _raise_if_group_lost(exc)
            raise
        return [entry for key, messages in replies or [] for entry in _entries(messages, self._shard_of_key(key))]

    def _shard_of_key(self, key: bytes | str) -> int:
        name = key.decode() if isinstance(key, bytes) else key
        return int(name[len(self.prefix) + 1 : name.index("}", len(self.prefix))])

    def claim_stale(
        self, consumer: str, min_idle_ms: int, count: int, shards: Iterable[int] | None = None
    ) -> list[StreamEntry]:
        """Take over entries another consumer was given but has not acknowledged for min_idle_ms (a killed
        worker; min_idle_ms=0 on taking a shard over, whose lease says the old owner is gone), up to count per
        shard, each shard's in order, so they are stored by this one."""
        claimed: list[StreamEntry] = []
        for shard in self._all(shards):
            try:
                _next, messages, *_deleted = self.client.xautoclaim(
                    self.stream_keys[shard],
                    WRITER_GROUP,
                    consumer,
                    min_idle_time=min_idle_ms,
                    start_id="0-0",
                    count=count,
                )
            except redis.ResponseError as exc:
                _raise_if_group_lost(exc)
                raise
            claimed += _entries(messages, shard)
        return claimed

    def acknowledge(self, entries: Sequence[StreamEntry]) -> None:
        """Acknowledge entries once they are committed to PostgreSQL, and trim their shards' streams up to the
        oldest entry still pending (XTRIM MINID): one call per shard."""
        by_shard: dict[int, list[bytes]] = {}
        for entry in entries:
            by_shard.setdefault(entry.shard, []).append(entry.entry_id)
        if by_shard:
            self._run_scripts(
                [(self._ack_trim, [self.stream_keys[shard]], [WRITER_GROUP, *ids]) for shard, ids in by_shard.items()]
            )

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
        self.acknowledge(entries)

    def set_aside_count(self) -> int:
        return int(self.client.xlen(self.dead_letter_key))

    def set_aside_entries(self, count: int = 100) -> list[tuple[StreamEntry, str]]:
        """The oldest entries set aside, each with its reason."""
        messages = self.client.xrange(self.dead_letter_key, count=count)
        reasons = [fields[b"r"].decode() for _id, fields in messages]
        entries = [replace(e, shard=e.fix.employee_id % self.shards) for e in _entries(messages, 0)]
        return list(zip(entries, reasons, strict=True))

    def replay_set_aside(self) -> int:
        """Send every entry set aside through the writer again (after the cause was mended); returns how many.
        Each page is added to the stream before it leaves the dead letter (two slots in a cluster, no MULTI): a
        crash in between sends it twice, stored once."""
        moved = 0
        while messages := self.client.xrange(self.dead_letter_key, count=1000):
            pipe = self.client.pipeline(transaction=False)
            for _entry_id, fields in messages:
                shard = self.shard_of(int(fields[b"e"]))
                pipe.xadd(self.stream_keys[shard], {k: v for k, v in fields.items() if k != b"r"})
            pipe.execute()
            self.client.xdel(self.dead_letter_key, *[entry_id for entry_id, _fields in messages])
            moved += len(messages)
        return moved

    def stream_backlog(self) -> int:
        """Positions accepted and not yet stored, over every shard."""
        return sum(self.shard_backlogs())

    def shard_backlogs(self) -> list[int]:
        """Each shard's positions accepted and not yet stored (the limit applies to each)."""
        pipe = self.client.pipeline(transaction=False)
        for key in self.stream_keys:
            pipe.xlen(key)
        return [int(length) for length in pipe.execute()]

    def writer_consumers(self) -> list[dict]:
        """Each writer in the shards' groups: name, entries it holds unacknowledged (over the shards), ms since it
        last read any."""
        pipe = self.client.pipeline(transaction=False)
        for key in self.stream_keys:
            pipe.xinfo_consumers(key, WRITER_GROUP)
        merged: dict[str, dict] = {}
        for consumers in pipe.execute(raise_on_error=False):
            if isinstance(consumers, Exception):  # no stream or no group yet: no writer has started
                continue
            for c in consumers:
                name = c["name"].decode()
                seen = merged.setdefault(name, {"name": name, "pending": 0, "idle_ms": int(c["idle"])})
                seen["pending"] += int(c["pending"])
                seen["idle_ms"] = min(seen["idle_ms"], int(c["idle"]))
        return sorted(merged.values(), key=lambda c: c["name"])

    def forget_writers(self, min_idle_ms: int, names: Sequence[str] = ()) -> list[str]:
        """Delete writers (consumers) that hold no pending entry and have read nothing for min_idle_ms, from each
        shard's group, checked and deleted in one step per shard: a consumer holding entries is never deleted (its
        entries would never be delivered again). Returns those gone from every group, whose heartbeats are then
        deleted too (only if they beat min_idle_ms ago or earlier, or are named: a live writer owning none of the
        shards keeps its own)."""
        now_ms = int(time.time() * 1000)
        beats = self.heartbeats()
        stale = {name for name, beat in beats.items() if beat.get("at_ms", 0) <= now_ms - min_idle_ms}
        # Named: only those. Else every idle consumer but a live writer's (one beating now): a writer blocked on
        # shards with nothing new looks idle in their groups, and is no more gone than one busy elsewhere.
        chosen = ["only", *names] if names else ["keep", *(set(beats) - stale)]
        calls = [(self._forget_writers, [key], [WRITER_GROUP, min_idle_ms, *chosen]) for key in self.stream_keys]
        deleted = {name.decode() for names_deleted in self._run_scripts(calls) for name in names_deleted}
        remaining = {c["name"] for c in self.writer_consumers()}
        gone = [
            name
            for name in deleted | (set(names) if names else stale)
            if name not in remaining and (name in names or name in stale or name not in beats)
        ]
        if gone:
            self.client.hdel(self.writers_key, *gone)
        return sorted(gone)

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
        """Age of the oldest position not yet stored, over the shards: 0 when the writers have caught up."""
        pipe = self.client.pipeline(transaction=False)
        for key in self.stream_keys:
            pipe.xrange(key, count=1)
        firsts = [int(reply[0][0].split(b"-")[0]) for reply in pipe.execute() if reply]
        if not firsts:
            return 0.0
        return max(0.0, time.time() - min(firsts) / 1000)

    # The shards' leases and the state a writer hands over with a shard.

    def lease_key(self, shard: int) -> str:
        return self.shard_key(shard, "lease")

    def lease_owners(self) -> dict[int, str | None]:
        """Each shard's writer, or None for a shard no writer holds."""
        pipe = self.client.pipeline(transaction=False)
        for shard in range(self.shards):
            pipe.get(self.lease_key(shard))
        return {shard: owner.decode() if owner else None for shard, owner in enumerate(pipe.execute())}

    def take_leases(self, shards: Iterable[int], owner: str, ttl_ms: int) -> set[int]:
        """Try to take free shards (SET NX PX); returns those now held."""
        numbers = list(shards)
        pipe = self.client.pipeline(transaction=False)
        for shard in numbers:
            pipe.set(self.lease_key(shard), owner, nx=True, px=ttl_ms)
        return {shard for shard, taken in zip(numbers, pipe.execute(), strict=True) if taken}

    def renew_leases(self, shards: Iterable[int], owner: str, ttl_ms: int) -> set[int]:
        """Extend the leases the owner still holds (compare-and-extend); returns those it holds."""
        return self._leases(shards, owner, str(ttl_ms))

    def release_leases(self, shards: Iterable[int], owner: str) -> set[int]:
        """Give shards up (compare-and-delete): only the owner's own leases are released."""
        return self._leases(shards, owner, "release")

    def _leases(self, shards: Iterable[int], owner: str, action: str) -> set[int]:
        numbers = list(shards)
        if not numbers:
            return set()
        held = self._run_scripts([(self._lease, [self.lease_key(shard)], [owner, action]) for shard in numbers])
        return {shard for shard, kept in zip(numbers, held, strict=True) if int(kept)}

    def save_handover(self, states: dict[int, bytes]) -> None:
        """The writer's per-person state (employee id -> JSON), in the person's shard, with every batch."""
        by_shard: dict[int, dict[int, bytes]] = {}
        for employee_id, state in states.items():
            by_shard.setdefault(employee_id % self.shards, {})[employee_id] = state
        if by_shard:
            pipe = self.client.pipeline(transaction=False)
            for shard, mapping in by_shard.items():
                pipe.hset(self.shard_key(shard, "handover"), mapping=mapping)
            pipe.execute()

    def handover(self, shards: Iterable[int]) -> dict[int, object]:
        """The per-person state last saved in the shards, by employee id."""
        numbers = list(shards)
        pipe = self.client.pipeline(transaction=False)
        for shard in numbers:
            pipe.hgetall(self.shard_key(shard, "handover"))
        return {int(k): orjson.loads(v) for states in pipe.execute() for k, v in states.items()}


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


def _entries(messages: Iterable, shard: int) -> Iterable[StreamEntry]:
    for entry_id, fields in messages:
        if not fields:
            continue  # deleted after it was claimed: already stored and acknowledged
        fix = Fix.from_compact(int(fields[b"e"]), fields[b"p"])
        if b"a" in fields:
            fix = replace(fix, attributes=orjson.loads(fields[b"a"]))
        yield StreamEntry(entry_id, fields[b"s"].decode(), fix, shard)
