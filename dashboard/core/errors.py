"""The one error type: whatever refuses a request raises `AppError`, and the one handler
(dashboard/web/errors.py) turns it into `{"error": {"code", "message"}, **extra}` or a small page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RETRY_AFTER_S = 30  # how long a tracker waits after a 503 before it sends again


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
    """A 503 that will pass: the writer's backlog is full or the device register cannot be read."""

    def __init__(self, message: str) -> None:
        super().__init__(503, "unavailable", message, headers={"Retry-After": str(RETRY_AFTER_S)})
