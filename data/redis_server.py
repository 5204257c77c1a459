"""The Redis server itself, not the feed's keys: what it keeps across a crash, and switching its
append-only file on.

Managed Redis services often rename CONFIG away; INFO persistence still tells whether the
append-only file is on (not its fsync policy), so it is the fallback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis


@dataclass(frozen=True)
class Persistence:
    """A Redis server's persistence settings as it reports them; None where it would not say."""

    appendonly: bool | None
    appendfsync: str | None = None  # always | everysec | no
    save: str | None = None  # RDB snapshot rules, "" for none
    maxmemory: int = 0  # bytes; 0: no limit, nothing is ever evicted
    maxmemory_policy: str = "noeviction"
    refused: str = ""  # why CONFIG GET (and, when appendonly is None, INFO too) was refused


def read_persistence(client: redis.Redis) -> Persistence:
    """CONFIG GET appendonly, appendfsync, save and maxmemory(-policy); INFO persistence when CONFIG is refused.
    Raises redis.ConnectionError (and its kin) when the server does not answer at all."""
    try:
        append = client.config_get("append*")
        save = client.config_get("save").get("save", "")
        memory = client.config_get("maxmemory*")
    except redis.ResponseError as exc:  # CONFIG renamed away, or an ACL without it
        refused = f"CONFIG GET refused: {exc}"
        try:
            enabled = client.info("persistence").get("aof_enabled")
        except redis.ResponseError as info_exc:
            return Persistence(None, refused=f"{refused}; INFO refused: {info_exc}")
        return Persistence(None if enabled is None else bool(int(enabled)), refused=refused)
    return Persistence(
        append.get("appendonly") == "yes",
        append.get("appendfsync"),
        save,
        int(memory.get("maxmemory", 0)),
        memory.get("maxmemory-policy", "noeviction"),
    )


def enable_append_only(client: redis.Redis, timeout_s: float = 120) -> None:
    """Switch the append-only file on in a running server, and wait until its first rewrite (the
    whole dataset) is on disk. Restarting with `appendonly yes` instead would start from an empty
    file and ignore the snapshot: the way Redis's documentation gives for moving from RDB to AOF."""
    client.config_set("appendonly", "yes")
    deadline = time.monotonic() + timeout_s
    while True:
        info = client.info("persistence")
        if not (int(info["aof_rewrite_in_progress"]) or int(info["aof_rewrite_scheduled"])):
            if info.get("aof_last_bgrewrite_status", "ok") != "ok":
                raise RuntimeError("Redis could not write its append-only file: see its log")
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"Redis did not finish writing its append-only file within {timeout_s:.0f} s")
        time.sleep(0.05)
