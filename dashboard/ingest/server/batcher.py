"""Micro-batching (group commit) of the ingest server's Redis calls.

One publish call is in flight at a time; the requests that arrive meanwhile wait, and ride the next call
together (at most MAX_FIXES fixes a call: the rest the one after). A request is answered only after the call
carrying its fixes returned, so its answer still means "in Redis". No timer: an idle server publishes a lone
request at once, and a busy one a call's worth of requests per round trip. A failed call (the backlog full,
Redis down) fails every request it carried, each then answered 503 as alone.
"""

from __future__ import annotations

import asyncio
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from data.feed import Fix, LiveFeed

MAX_FIXES = 5000  # per Redis call: bounds a call's time (a publish costs Redis ~6-8 µs a fix)


class MicroBatcher:
    """Publish requests' fixes, many requests a Redis call. Owned by one event loop."""

    def __init__(self, feed: LiveFeed, max_backlog: int, max_fixes: int = MAX_FIXES) -> None:
        self.feed = feed
        self.max_backlog = max_backlog
        self.max_fixes = max_fixes
        self.calls = 0  # Redis calls made
        self.requests = 0  # requests they carried
        self._waiting: deque[tuple[list[Fix], str, asyncio.Future]] = deque()
        self._draining = False
        # The Redis call runs off the loop (redis-py blocks); one thread, since one call is in flight.
        self._redis = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-publish")

    async def publish(self, fixes: list[Fix], source: str) -> None:
        """Return once these fixes are in Redis; raise what the call raised (StreamFull, a Redis error)."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((fixes, source, done))
        if not self._draining:
            self._draining = True
            asyncio.get_running_loop().create_task(self._drain())
        await done

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                batch, size = [], 0
                while self._waiting and (not batch or size + len(self._waiting[0][0]) <= self.max_fixes):
                    fixes, source, done = self._waiting.popleft()
                    batch.append((fixes, source, done))
                    size += len(fixes)
                self.calls += 1
                self.requests += len(batch)
                groups = [(fixes, source) for fixes, source, _done in batch]
                try:
                    await loop.run_in_executor(self._redis, self.feed.publish_many, groups, self.max_backlog)
                except Exception as exc:  # every request of the call hears why
                    for _fixes, _source, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                else:
                    for _fixes, _source, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._draining = False

    def close(self) -> None:
        self._redis.shutdown(wait=True)
