"""Failed sign-ins counted in Redis under the feed's prefix: per address, and per user name whether or not an
account has that name (so a lock tells nothing about which names exist)."""

from __future__ import annotations

from data.feed import LiveFeed


def _key(feed: LiveFeed, counter: str, who: str) -> str:
    return f"{feed.prefix}login:failures:{counter}:{who}"


def failures(feed: LiveFeed, counter: str, who: str) -> int:
    return int(feed.client.get(_key(feed, counter, who)) or 0)


def count_failure(feed: LiveFeed, counter: str, who: str, window_s: int) -> None:
    pipe = feed.client.pipeline()
    pipe.set(_key(feed, counter, who), 0, ex=window_s, nx=True)  # the window starts at the first failure
    pipe.incr(_key(feed, counter, who))
    pipe.execute()


def forget(feed: LiveFeed, counter: str, who: str) -> None:
    feed.client.delete(_key(feed, counter, who))
