"""The promise about a position answered 200, and the Redis it needs (docs/OPERATIONS.md).

An accepted position lives only in Redis until the writer has committed it to PostgreSQL, so
Redis must keep what it acknowledged across a crash: an append-only file (`appendonly yes`) with
`appendfsync everysec` or `always`. Every command checks that at start (`dashboard/cli/boot.py`)
and refuses a Redis that could lose accepted positions, unless FIELDOPS_ACCEPT_VOLATILE_REDIS=1
(or `fieldops --accept-volatile-redis`) says so; then it warns, and readiness says so too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import redis
from redis.cluster import RedisCluster

from dashboard.core.config import ConfigError
from data.feed import connect
from data.redis_server import Persistence, read_persistence

log = logging.getLogger(__name__)

DURABLE = "durable"  # appendonly yes, appendfsync everysec or always
WEAK = "weak"  # appendonly yes, appendfsync no: a machine crash loses what the kernel had not flushed
VOLATILE = "volatile"  # no append-only file (a crash loses accepted positions), or it may evict them
UNKNOWN = "unknown"  # the server would not tell (CONFIG and INFO refused) or did not answer
WEAKEST_FIRST = (VOLATILE, UNKNOWN, WEAK, DURABLE)
ACCEPT_HINT = "FIELDOPS_ACCEPT_VOLATILE_REDIS=1 (or fieldops --accept-volatile-redis)"


class VolatileRedis(ConfigError):
    """Redis could lose positions already answered 200, and nobody accepted that."""


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str
    accepted: bool = False  # volatile, and FIELDOPS_ACCEPT_VOLATILE_REDIS accepts it

    @property
    def loses_positions(self) -> bool:
        """Not ready: Redis could lose accepted positions and nobody accepted that."""
        return self.state == VOLATILE and not self.accepted

    def as_dict(self) -> dict[str, object]:
        return {"state": self.state, "reason": self.reason, "accepted": self.accepted}


def judge(persistence: Persistence, accept_volatile: bool) -> Verdict:
    """What a Redis with these settings keeps of an accepted position across a crash."""
    p = persistence
    if p.appendonly is None:
        return Verdict(UNKNOWN, f"Redis would not tell its persistence ({p.refused}): make sure it runs appendonly yes")
    if p.maxmemory and p.maxmemory_policy.startswith("allkeys-"):  # volatile-* evict only keys with a TTL: none here
        reason = f"maxmemory-policy {p.maxmemory_policy} with maxmemory set: Redis may evict accepted positions"
        return Verdict(VOLATILE, reason, accepted=accept_volatile)
    if not p.appendonly:
        since = "since its last snapshot" if p.save else "not yet stored (snapshots are off too)"
        reason = f"Redis runs without an append-only file: a Redis crash loses every accepted position {since}"
        return Verdict(VOLATILE, reason, accepted=accept_volatile)
    if p.appendfsync is None:
        return Verdict(UNKNOWN, f"appendonly yes; appendfsync unknown ({p.refused}): everysec or always is needed")
    if p.appendfsync == "no":
        return Verdict(WEAK, "appendfsync no: a machine crash loses what the kernel had not yet written (~30 s)")
    return Verdict(DURABLE, f"appendonly yes, appendfsync {p.appendfsync}")


def check_redis(client: redis.Redis | RedisCluster, accept_volatile: bool) -> Verdict:
    """The verdict on a running server, or on a Redis Cluster's weakest primary (each holds some shards);
    UNKNOWN when it does not answer (readiness reports that)."""
    try:
        if isinstance(client, RedisCluster):
            verdicts = []
            for node in client.get_primaries():
                verdict = judge(read_persistence(client.get_redis_connection(node)), accept_volatile)
                verdicts.append(replace(verdict, reason=f"cluster primary {node.name}: {verdict.reason}"))
            return min(verdicts, key=lambda verdict: WEAKEST_FIRST.index(verdict.state))
        return judge(read_persistence(client), accept_volatile)
    except redis.RedisError as exc:
        return Verdict(UNKNOWN, f"Redis did not answer ({type(exc).__name__}): its persistence is not checked")


def require_durable_redis(redis_url: str, accept_volatile: bool) -> Verdict:
    """At start: refuse (VolatileRedis) a Redis that could lose accepted positions unless accepted; warn
    loudly when accepted, when the fsync policy is weak, and when the server will not say."""
    client = connect(redis_url)
    try:
        verdict = check_redis(client, accept_volatile)
    finally:
        client.close()
    if verdict.loses_positions:
        raise VolatileRedis(
            f"{verdict.reason}. Run Redis with `appendonly yes` and `appendfsync everysec` (docs/OPERATIONS.md), "
            f"or accept the loss with {ACCEPT_HINT}."
        )
    if verdict.state == VOLATILE:
        log.warning("ACCEPTED POSITIONS CAN BE LOST: %s (accepted by %s)", verdict.reason, ACCEPT_HINT)
    elif verdict.state != DURABLE:
        log.warning("Redis persistence %s: %s", verdict.state, verdict.reason)
    return verdict
