"""The one error type: whatever refuses a request raises `AppError`, and the one handler
(dashboard/web/errors.py) turns it into `{"error": {"code", "message"}, **extra}` or a small page.

`Outage` is how a process lives with a dependency that stopped answering: readers that keep a last
good copy (privacy rules, organisation settings, the device register) ask it when to try again, and
it logs when an outage starts and when it ends, never once per request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
import psycopg2
import redis
from psycopg2.pool import PoolError

PROBLEM_PREFIX = "/api/"  # programs' paths answered RFC 9457 problem details
RETRY_AFTER_S = 30  # how long a tracker waits after a 503 before it sends again

# What "the dependency cannot answer now" looks like from here: a broken or refused connection, a timeout,
# an exhausted pool; Redis loading its append-only file answers BusyLoadingError, a ConnectionError.
POSTGRES_DOWN = (psycopg2.OperationalError, psycopg2.InterfaceError, PoolError)
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)

log = logging.getLogger(__name__)


class AppError(Exception):
    """A refused request: its HTTP status, a stable code for programs, a message for people, and any
    extra fields of the answer (the native batch's `rejected`); `headers` go on the answer as they are."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})
        self.extra = extra


class Unavailable(AppError):
    """A 503 that will pass: the writer's backlog is full, or PostgreSQL or Redis cannot be reached
    (`dependency` names which, for programs)."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(503, "unavailable", message, headers={"Retry-After": str(RETRY_AFTER_S)}, **extra)


def program_answer(error: AppError, path: str) -> tuple[bytes, str]:
    """A program's refusal as (body, content type): `{"error": {"code", "message"}, **extra}`, and under /api/
    also RFC 9457 problem details. The web app's handler and the ingest server answer with it."""
    if path.startswith(PROBLEM_PREFIX):
        return orjson.dumps(problem(error), default=str), "application/problem+json"
    body = {"error": {"code": error.code, "message": error.message}, **error.extra}
    return orjson.dumps(body, default=str), "application/json"


def problem(error: AppError) -> dict:
    """RFC 9457 problem details, beside our own `error` member: one shape for every program."""
    try:
        title = HTTPStatus(error.status).phrase
    except ValueError:
        title = "Error"
    return {
        "type": "about:blank",
        "title": title,
        "status": error.status,
        "detail": error.message,
        "error": {"code": error.code, "message": error.message},
        **error.extra,
    }


class Outage:
    """One dependency as one reader of it sees it: after a failure, try again after 1 s, doubling up to
    RETRY_MAX_S; one warning when the outage starts and one line when it ends. Failures more than
    QUIET_S apart are separate outages (for the error handler, which never sees a success)."""

    RETRY_MIN_S = 1.0
    RETRY_MAX_S = 60.0
    QUIET_S = 120.0

    def __init__(self, what: str) -> None:
        self.what = what
        self._lock = threading.Lock()
        self._since: float | None = None
        self._last = 0.0
        self._failures = 0
        self._next_try = 0.0

    def due(self) -> bool:
        """Whether to ask the dependency now (always, unless it failed a moment ago)."""
        return time.monotonic() >= self._next_try

    def failed(self, exc: BaseException, keeping: str = "") -> None:
        now = time.monotonic()
        with self._lock:
            if self._since is not None and now - self._last > self.QUIET_S:
                self._since = None  # nothing failed for a long while: this is a new outage
            starts = self._since is None
            if starts:
                self._since, self._failures = now, 0
            self._last = now
            self._failures += 1
            backoff = self.RETRY_MIN_S * 2 ** min(self._failures - 1, 20)  # a float overflows past 2**1023
            self._next_try = now + min(backoff, self.RETRY_MAX_S)
        if starts:
            summary = (str(exc).strip().splitlines() or [""])[0][:200]
            log.warning(
                "%s failed (%s: %s)%s", self.what, type(exc).__name__, summary, f"; {keeping}" if keeping else ""
            )

    def passed(self) -> None:
        with self._lock:
            since, self._since, self._failures, self._next_try = self._since, None, 0, 0.0
        if since is not None:
            log.info("%s: working again after %.0f s", self.what, time.monotonic() - since)
