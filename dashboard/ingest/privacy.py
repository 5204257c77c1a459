"""Privacy at ingest: a fix is tracked only inside the person's working hours and while they share.

Outside working hours the organisation chooses to store nothing, or only a coarse H3 cell per hour
(resolution 7, about 5 km²) written straight to PostgreSQL: the exact point never reaches Redis.
While a person has paused sharing, nothing is stored at all; nor, where tracking needs consent
(privacy.legal_basis "consent" and a consent text published: dashboard/work/consent.py), while the person's
consent is withdrawn or not given.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import h3

from dashboard.core.errors import POSTGRES_DOWN, Outage, Unavailable
from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from data import consent, pauses, working_hours
from data.feed import Fix
from data.working_hours import Slot

COARSE_RESOLUTION = 7
REFRESH_S = 10.0  # a pause, a consent withdrawn or new hours reach every web process within this
MIDNIGHT = clock(0)


def in_slots(slots: list[Slot], local: datetime) -> bool:
    now = local.time()
    return any(
        day == local.weekday() and starts <= now and (ends == MIDNIGHT or now < ends) for day, starts, ends in slots
    )


def working_spans(slots: list[Slot], day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The working hours of one local day as instants, read as in_slots reads them (an end at 00:00 is the
    midnight that ends the day)."""
    return [
        (
            datetime.combine(day, starts, tz),
            datetime.combine(day + timedelta(days=1), MIDNIGHT, tz)
            if ends == MIDNIGHT
            else datetime.combine(day, ends, tz),
        )
        for weekday, starts, ends in slots
        if weekday == day.weekday()
    ]


@dataclass
class Decision:
    tracked: list[Fix] = field(default_factory=list)
    coarse: list[Fix] = field(default_factory=list)
    withheld: int = 0
    no_consent: int = 0  # of people whose consent tracking needs and who have not given it (or withdrew it)


@dataclass(frozen=True)
class Rules:
    """One reading of the rules, swapped whole so a request never sees half of a refresh."""

    schedules: dict[int, list[Slot]]
    paused: frozenset[int]
    off_hours: str
    unconsented: frozenset[int] = frozenset()  # empty unless tracking needs consent (consent_required)
    withdrawn: frozenset[int] = frozenset()  # of the unconsented, those who withdrew it (the others never gave it)


class TrackingPolicy:
    """Working hours, pauses and the off-hours rule, re-read every REFRESH_S seconds. One per runtime:
    take it from tracking_policy(rt).

    While PostgreSQL cannot answer, the last good rules are kept (devices go on sending into the stream)
    and the re-read is retried with backoff; a process that never read them cannot tell whether a person
    may be tracked, and answers 503 until it can."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._loaded = 0.0
        self._lock = threading.Lock()
        self._rules: Rules | None = None
        self._outage = Outage("privacy rules")
        # Set by a process that re-reads the rules in a thread of its own (`read_ahead`, the ingest server's):
        # a request then never reads them, only takes the copy.
        self.read_elsewhere = False

    def refresh(self, force: bool = False) -> Rules:
        """The rules, re-read when older than REFRESH_S (at once when forced). With a copy in hand no request
        waits: while another one re-reads them, or while PostgreSQL failed a moment ago, the copy answers."""
        copy = self._rules
        if copy is not None and not force:
            if self.read_elsewhere or time.monotonic() - self._loaded <= REFRESH_S or not self._outage.due():
                return copy
            if not self._lock.acquire(blocking=False):
                return copy
        else:
            self._lock.acquire()
        try:
            if copy is None and not force and self._rules is not None:
                return self._rules  # read by the request this one waited for
            return self._read(force)
        finally:
            self._lock.release()

    def read_ahead(self) -> None:
        """Re-read the rules now (a background thread's call; PostgreSQL down: the copy is kept)."""
        with self._lock:
            self._read(False)

    def _read(self, force: bool) -> Rules:
        try:
            if force:
                self.rt.forget_org_settings()  # forced: a setting saved a moment ago counts too
            # The tables first: while PostgreSQL is down they fail before the settings' kept copy is asked, so
            # an outage is logged once, as the privacy rules'.
            schedules = working_hours.schedules(self.rt.db)
            paused = frozenset(pauses.paused_employees(self.rt.db))
            settings = self.rt.org_settings()
            required = consent_required(self.rt)
            unconsented = consent.without_consent(self.rt.db) if required else set()
            withdrawn = consent.withdrawn(self.rt.db) if required else set()
            rules = Rules(
                schedules,
                paused,
                str(settings["privacy.off_hours"]),
                frozenset(unconsented),
                frozenset(withdrawn),
            )
        except POSTGRES_DOWN as exc:
            self._outage.failed(exc, "keeping the rules read before" if self._rules else "none read yet")
            if self._rules is None or force:
                raise Unavailable(
                    _("The privacy rules cannot be read while PostgreSQL is unavailable; retry later."),
                    dependency="postgresql",
                ) from exc
            return self._rules
        self._outage.passed()
        self._rules, self._loaded = rules, time.monotonic()
        return rules

    def tracks(self, employee_id: int, ts_ms: int) -> bool:
        """Whether this person may be tracked at that moment (consent where needed, working hours, not paused)."""
        return self._allowed(self.refresh(), employee_id, ts_ms)

    def untracked(self, employee_ids: Iterable[int], ts_ms: int) -> set[int]:
        """Of these people, those paused or outside working hours at that moment (the live map's paused; want of
        consent is `without_consent`)."""
        rules = self.refresh()
        local = datetime.fromtimestamp(ts_ms / 1000, self.rt.settings.tz)
        return {employee_id for employee_id in employee_ids if not _in_hours_and_sharing(rules, employee_id, local)}

    def without_consent(self, employee_ids: Iterable[int]) -> set[int]:
        """Of these people, those not tracked for want of consent (withdrawn, or not given where it is needed)."""
        unconsented = self.refresh().unconsented
        return {employee_id for employee_id in employee_ids if employee_id in unconsented}

    def consent_withdrawn(self, employee_ids: Iterable[int]) -> set[int]:
        """Of these people, those not tracked because they withdrew their consent (the live map says so)."""
        withdrawn = self.refresh().withdrawn
        return {employee_id for employee_id in employee_ids if employee_id in withdrawn}

    def _allowed(self, rules: Rules, employee_id: int, ts_ms: int) -> bool:
        return _allowed_at(rules, employee_id, datetime.fromtimestamp(ts_ms / 1000, self.rt.settings.tz))

    def split(self, fixes: list[Fix]) -> Decision:
        rules = self.refresh()
        decision = Decision()
        for fix in fixes:
            if fix.employee_id in rules.unconsented:
                decision.no_consent += 1
            elif fix.employee_id in rules.paused:
                decision.withheld += 1
            elif self._allowed(rules, fix.employee_id, fix.ts_ms):
                decision.tracked.append(fix)
            elif rules.off_hours == "coarse":
                decision.coarse.append(fix)
                decision.withheld += 1
            else:
                decision.withheld += 1
        return decision


def _allowed_at(rules: Rules, employee_id: int, local: datetime) -> bool:
    return employee_id not in rules.unconsented and _in_hours_and_sharing(rules, employee_id, local)


def _in_hours_and_sharing(rules: Rules, employee_id: int, local: datetime) -> bool:
    return employee_id not in rules.paused and in_slots(rules.schedules.get(employee_id, []), local)


def consent_required(rt: Runtime) -> bool:
    """Tracking waits for consent: the organisation chose consent as its legal basis and published a text.
    Before the first text nothing changes (an installation upgraded keeps tracking)."""
    return rt.org_settings()["privacy.legal_basis"] == "consent" and consent.current_version(rt.db) is not None


_making = threading.Lock()


def tracking_policy(rt: Runtime) -> TrackingPolicy:
    """The runtime's one tracking policy, made on first use in any process that ingests."""
    with _making:
        if "tracking_policy" not in rt.extensions:
            rt.extensions["tracking_policy"] = TrackingPolicy(rt)
        return rt.extensions["tracking_policy"]


def coarse_rows(fixes: list[Fix]) -> list[tuple[int, datetime, int]]:
    """(employee, hour, cell) per fix, for coarse_presence."""
    rows = []
    for fix in fixes:
        hour = datetime.fromtimestamp(fix.ts_ms / 1000, UTC).replace(minute=0, second=0, microsecond=0)
        rows.append((fix.employee_id, hour, h3.str_to_int(h3.latlng_to_cell(fix.lat, fix.lon, COARSE_RESOLUTION))))
    return rows


@dataclass(frozen=True)
class SharingState:
    """Whether a person's positions are kept at a moment: the one answer the phone page and My data show.
    `state` is "paused" (with since and reason), "outside_hours" (with the next start of working hours and
    whether a coarse area per hour is kept meanwhile) or "sharing"."""

    state: str
    since: datetime | None = None
    reason: str | None = None
    next_start: datetime | None = None
    coarse: bool = False


def sharing_state(rt: Runtime, employee_id: int, now: datetime) -> SharingState:
    """The person's sharing now, by the rules ingest applies (a pause, then working hours), read fresh."""
    pause = pauses.open_pause(rt.db, employee_id)
    if pause:
        return SharingState("paused", since=pause["started_at"], reason=pause["reason"])
    slots = working_hours.schedules(rt.db).get(employee_id, [])
    local = now.astimezone(rt.settings.tz)
    if in_slots(slots, local):
        return SharingState("sharing")
    coarse = str(rt.org_settings()["privacy.off_hours"]) == "coarse"
    return SharingState("outside_hours", next_start=next_slot_start(slots, local), coarse=coarse)


def next_slot_start(slots: list[Slot], local: datetime) -> datetime | None:
    """When working hours next begin after `local` (within a week), or None when the person has none."""
    starts = [
        datetime.combine(local.date() + timedelta(days=ahead), starts, local.tzinfo)
        for ahead in range(8)
        for day, starts, _ends in slots
        if day == (local.weekday() + ahead) % 7
    ]
    later = [moment for moment in starts if moment > local]
    return min(later) if later else None


def pause_sharing(rt: Runtime, employee_id: int, reason: str) -> None:
    """Stop storing the person's positions and take them off every live map until they resume."""
    pauses.pause(rt.db, employee_id, reason, datetime.now(UTC))
    rt.feed.forget([employee_id])
    rt.feed.set_status(employee_id, {"paused": True})
    tracking_policy(rt).refresh(force=True)


def resume_sharing(rt: Runtime, employee_id: int) -> None:
    pauses.resume(rt.db, employee_id, datetime.now(UTC))
    rt.feed.forget([employee_id])
    tracking_policy(rt).refresh(force=True)
