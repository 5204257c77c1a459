"""The alert rules' state in Redis (issue 17): timers and what each rule remembers about a person.

Timers (a person silent for N minutes, idle for N minutes, a task not arrived by its window's end) are one
sorted set, member → due epoch milliseconds: a fix re-arms a person's timer, and whoever takes a due timer
(`take_due`, ZREM is atomic) is the only one to evaluate it, so two writers never both fire it. A rule's
memory of a person (when they stopped moving, since when they speed) is a hash field, so a writer that
restarts, or another that takes over, goes on where the last one stopped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import orjson
import redis

# Takes up to ARGV[2] members due at or before ARGV[1], removing them: one caller gets each.
TAKE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #due, 2 do redis.call('ZREM', KEYS[1], due[i]) end
return due
"""


class AlertState:
    def __init__(self, client: redis.Redis, prefix: str = "fieldops:") -> None:
        self.client = client
        self.timers_key = f"{prefix}alerts:timers"
        self.memory_key = f"{prefix}alerts:memory"
        self.version_key = f"{prefix}alerts:version"
        self._take_due = client.register_script(TAKE_DUE)

    # ---- timers --------------------------------------------------------------------------------------------

    def arm(self, timers: Mapping[str, int]) -> None:
        """Set each timer (member → due epoch ms), replacing its earlier due time."""
        if timers:
            self.client.zadd(self.timers_key, dict(timers))

    def disarm(self, members: Iterable[str]) -> None:
        members = list(members)
        if members:
            self.client.zrem(self.timers_key, *members)

    def due_at(self, member: str) -> int | None:
        score = self.client.zscore(self.timers_key, member)
        return None if score is None else int(score)

    def take_due(self, now_ms: int, count: int = 500) -> list[tuple[str, int]]:
        """Remove and return the timers due by now_ms (member, due ms), oldest first."""
        reply = self._take_due(keys=[self.timers_key], args=[now_ms, count])
        return [(reply[i].decode(), int(float(reply[i + 1]))) for i in range(0, len(reply), 2)]

    def timer_count(self) -> int:
        return int(self.client.zcard(self.timers_key))

    # ---- memory --------------------------------------------------------------------------------------------

    def remember(self, values: Mapping[str, object]) -> None:
        if values:
            self.client.hset(self.memory_key, mapping={k: orjson.dumps(v) for k, v in values.items()})

    def forget(self, fields: Iterable[str]) -> None:
        fields = list(fields)
        if fields:
            self.client.hdel(self.memory_key, *fields)

    def recall_field(self, name: str) -> object | None:
        """One remembered value, or None."""
        value = self.client.hget(self.memory_key, name)
        return None if value is None else orjson.loads(value)

    def recall(self) -> dict[str, object]:
        """Everything remembered (read once at a writer's start)."""
        return {k.decode(): orjson.loads(v) for k, v in self.client.hgetall(self.memory_key).items()}

    # ---- the alerts' version: pages redraw their alert lists only when it moves ---------------------------------

    def bump(self) -> int:
        return int(self.client.incr(self.version_key))

    def version(self) -> int:
        return int(self.client.get(self.version_key) or 0)
