"""Which employee a tracker belongs to, for every protocol and the native token.

Cached briefly, so a busy device costs no query per fix, and kept while PostgreSQL is down, so
known devices go on sending (their fixes wait in the Redis stream) during an outage. A change that must
take effect at once (a person deactivated, a device removed) calls `forget_devices`: it bumps an epoch in
Redis that every process compares with its own at most every EPOCH_CHECK_S, and drops its cache when it moved.

The ingest server (`fieldops ingest`) asks PostgreSQL nothing on a request's way: it holds the whole register
in memory (`DeviceRegister`), read again by a thread of its own every RELOAD_S and within WATCH_S of an epoch
move; `find_device` and `device_for_token` answer from it in a process that holds one.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable

import redis

from dashboard.core.errors import POSTGRES_DOWN, REDIS_DOWN, AppError, Outage
from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.geo.coords import SYSTEMS
from data import devices

CACHE_TTL_S = 10  # a device added takes effect within this time
EPOCH_CHECK_S = 1.0  # a device refused (forget_devices) takes effect within this time in every process
MAX_CACHED = 100_000  # a flood of invented identifiers cannot grow the cache forever
_cache: dict[tuple[str, str, str], tuple[float, dict | None]] = {}
_outages: dict[str, Outage] = {}  # per database: when to ask it again after a failure
_epochs: dict[str, tuple[float, bytes | None]] = {}  # per database: when the epoch was read, and its value
_lock = threading.Lock()
RELOAD_S = 5.0  # a device added reaches an ingest server within this
WATCH_S = 0.25  # how often an ingest server compares the epoch: a removed device is refused within about this
REGISTER = "device_register"  # the runtime extension holding a process's whole register
BEARER = re.compile(r"^Bearer\s+(\S+)$")

log = logging.getLogger(__name__)


def _epoch_key(rt: Runtime) -> str:
    return f"{rt.feed.prefix}devices:epoch"


def forget_devices(rt: Runtime) -> None:
    """Every process drops its cached devices within EPOCH_CHECK_S (this one at once): a deactivated person's or a
    removed device's next fix is refused."""
    rt.feed.client.incr(_epoch_key(rt))
    _drop(rt.db.url)


def _drop(url: str) -> None:
    with _lock:
        for key in [key for key in _cache if key[0] == url]:
            del _cache[key]
        _epochs.pop(url, None)


def _check_epoch(rt: Runtime, now: float) -> None:
    """Drop this database's cached devices when another process moved the epoch; while Redis cannot answer, keep
    them (the fixes could not be accepted anyway: they go through Redis)."""
    seen = _epochs.get(rt.db.url)
    if seen is not None and now - seen[0] < EPOCH_CHECK_S:
        return
    try:
        epoch = rt.feed.client.get(_epoch_key(rt))
    except redis.RedisError:
        return
    if seen is not None and seen[1] != epoch:
        _drop(rt.db.url)
    with _lock:
        _epochs[rt.db.url] = (now, epoch)


class DevicesUnavailable(RuntimeError):
    """PostgreSQL cannot be asked and this device is not known yet: the sender should retry."""


def find_device(rt: Runtime, protocol: str, identifier: str) -> dict | None:
    """The device row (employee_id, token_hash) for a protocol's identifier, or None if unknown."""
    if "\x00" in identifier:
        return None  # no device is registered so: PostgreSQL's text cannot hold a NUL, nor be asked for one
    if REGISTER in rt.extensions:
        return rt.extensions[REGISTER].find(protocol, identifier)
    return _cached(rt, protocol, identifier, lambda: devices.device_by_identifier(rt.db, protocol, identifier))


def device_for_token(rt: Runtime, token: str) -> dict | None:
    """The device a native bearer token belongs to, or None."""
    if REGISTER in rt.extensions:
        return rt.extensions[REGISTER].for_token(token)
    return _cached(rt, "token", devices.hash_token(token), lambda: devices.device_by_token(rt.db, token))


def authenticate_device(rt: Runtime, authorization: str) -> dict:
    """The device whose token the Authorization header carries (`Bearer <token>`), else 401."""
    match = BEARER.match(authorization)
    device = device_for_token(rt, match.group(1)) if match else None
    if device is None:
        raise AppError(
            401,
            "unauthorized",
            "a valid device token is required (Authorization: Bearer)",
            headers={"WWW-Authenticate": 'Bearer realm="fieldops"'},
        )
    return device


class DeviceRegister:
    """Every device of an active employee, held whole in memory (the ingest server's: no query on a request's
    way). `start` reads it and starts the thread that reads it again every RELOAD_S, and at once when
    forget_devices moved the epoch; while PostgreSQL cannot answer, the last copy is kept. Before the first
    read no device is known, and a request is told to retry (DevicesUnavailable)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._by_identifier: dict[tuple[str, str], dict] | None = None
        self._by_token: dict[str, dict] = {}
        self._epoch: bytes | None = None
        self._outage = Outage("device register")
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.loads = 0

    def find(self, protocol: str, identifier: str) -> dict | None:
        return self._loaded().get((protocol, identifier))

    def for_token(self, token: str) -> dict | None:
        self._loaded()
        return self._by_token.get(devices.hash_token(token))

    def _loaded(self) -> dict[tuple[str, str], dict]:
        by_identifier = self._by_identifier
        if by_identifier is None:
            raise DevicesUnavailable("the device register cannot be read now; retry later")
        return by_identifier

    def load(self) -> None:
        """Read the register whole and swap it in (the epoch first: a removal during the read reloads again)."""
        try:
            epoch = self.rt.feed.client.get(_epoch_key(self.rt))
        except REDIS_DOWN:
            epoch = self._epoch
        rows = devices.register(self.rt.db)
        by_token = {row["token_hash"]: row for row in rows if row["token_hash"]}
        self._by_token, self._by_identifier = by_token, {(row["protocol"], row["identifier"]): row for row in rows}
        self._epoch = epoch
        self.loads += 1

    def start(self) -> DeviceRegister:
        self._reload()
        self._thread = threading.Thread(target=self._run, name="device-register", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        due = time.monotonic() + RELOAD_S
        while not self._stopping.wait(WATCH_S):
            try:
                moved = self.rt.feed.client.get(_epoch_key(self.rt)) != self._epoch
            except REDIS_DOWN:
                moved = False
            if moved or time.monotonic() >= due:
                self._reload()
                due = time.monotonic() + RELOAD_S

    def _reload(self) -> None:
        try:
            self.load()
        except POSTGRES_DOWN as exc:
            self._outage.failed(exc, "known devices go on sending" if self._by_identifier else "none read yet")
        else:
            self._outage.passed()


def secret_matches(device: dict, secret: str) -> bool:
    stored = device.get("token_hash")
    return bool(stored) and hmac.compare_digest(stored, devices.hash_token(secret))


def _cached(rt: Runtime, kind: str, key: str, query: Callable[[], dict | None]) -> dict | None:
    cache_key = (rt.db.url, kind, key)
    now = time.monotonic()
    _check_epoch(rt, now)
    with _lock:
        cached = _cache.get(cache_key)
        outage = _outages.setdefault(rt.db.url, Outage("device register"))
    if cached and (cached[0] > now or not outage.due()):
        return cached[1]  # fresh, or PostgreSQL failed a moment ago: stale, but the same device it was
    try:
        device = query()
    except POSTGRES_DOWN as exc:
        outage.failed(exc, "known devices go on sending from the cache")
        if cached:
            return cached[1]  # stale, but the same device it was a moment ago: keep accepting it
        raise DevicesUnavailable("the device register cannot be read now; retry later") from exc
    outage.passed()
    with _lock:
        if len(_cache) > MAX_CACHED:
            _cache.clear()
        _cache[cache_key] = (now + CACHE_TTL_S, device)
    return device


def remove_device(rt: Runtime, identifier: str) -> bool:
    """Unregister a tracker: its next fix is refused, in every process within EPOCH_CHECK_S."""
    removed = devices.remove_device(rt.db, identifier)
    if removed:
        forget_devices(rt)
    return removed


class DeviceError(ValueError):
    """A device that cannot be registered, with the reason."""


def register_device(
    db, employee_code: str, protocol: str, identifier: str | None, coord_system: str = "wgs84"
) -> tuple[dict, str, str | None]:
    """Map a tracker to an employee; returns (employee, identifier, secret shown once or None).

    OsmAnd has no secret (the identifier is the credential); OwnTracks gets a password and our
    mobile page a token, both stored hashed. coord_system is what the tracker sends (a phone whose location
    service answers in GCJ-02, say): its fixes are converted to WGS-84 at ingest.
    """
    from data import employees

    employee = employees.employee_by_code(db, employee_code)
    if employee is None:
        raise DeviceError(_("No employee has the code {code}.", code=employee_code))
    identifier = (identifier or "").strip()
    if protocol == "native":
        identifier = identifier or employee["code"]
    elif protocol == "owntracks" and identifier.count("/") != 1:
        raise DeviceError(_("An OwnTracks device is USER/DEVICE."))
    elif protocol == "osmand" and not 4 <= len(identifier) <= 64:
        raise DeviceError(_("A Traccar Client identifier has 4 to 64 characters."))
    elif protocol not in ("native", "owntracks", "osmand"):
        raise DeviceError(_("Choose a protocol."))
    if len(identifier) > 128:
        raise DeviceError(_("An identifier has at most 128 characters."))
    if coord_system not in SYSTEMS:
        raise DeviceError(_("Choose the coordinates the tracker sends: WGS-84, GCJ-02 or BD-09."))
    secret = None if protocol == "osmand" else secrets.token_urlsafe(24)
    devices.add_device(db, identifier, employee["id"], protocol, secret, coord_system)
    return employee, identifier, secret
