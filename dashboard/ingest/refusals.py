"""What a request is answered when ingest cannot take it now, for the exceptions that are not an AppError:
the writer's backlog full, the device register unreadable, PostgreSQL or Redis not answering. All are a 503
with Retry-After (the tracker keeps its fixes and sends them again); the web app's error handler and the
ingest server both answer through `refusal`."""

from __future__ import annotations

from dashboard.core.errors import POSTGRES_DOWN, REDIS_DOWN, Unavailable
from dashboard.core.i18n import _
from dashboard.ingest.trackers import DevicesUnavailable
from data.feed import StreamFull


def refusal(exc: BaseException) -> Unavailable | None:
    """The 503 for an exception ingest expects from its dependencies, or None for any other (a bug: 500)."""
    if isinstance(exc, StreamFull):
        return Unavailable(f"{exc}; retry later")
    if isinstance(exc, DevicesUnavailable):
        return Unavailable(str(exc), dependency="postgresql")
    if isinstance(exc, POSTGRES_DOWN):
        message = _("The database (PostgreSQL) cannot be reached right now; retrying. Try again in a moment.")
        return Unavailable(message, dependency="postgresql")
    if isinstance(exc, REDIS_DOWN):
        message = _("The live feed (Redis) cannot be reached right now; retrying. Try again in a moment.")
        return Unavailable(message, dependency="redis")
    return None
