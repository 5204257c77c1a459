"""Failed sign-ins per address, counted in Redis under the feed's prefix (accounts lock in PostgreSQL)."""

from __future__ import annotations

from data.feed import LiveFeed


def _key(feed: LiveFeed, address: str) -> str:
    return f"{feed.prefix}login:failures:{address}"


def failures(feed: LiveFeed, address: str) -> int:
    return int(feed.client.get(_key(feed, address)) or 0)


def count_failure(feed: LiveFeed, address: str, window_s: int) -> None:
    pipe = feed.client.pipeline()
    pipe.set(_key(feed, address), 0, ex=window_s, nx=True)  # the window starts at the first failure
    pipe.incr(_key(feed, address))
    pipe.execute()
