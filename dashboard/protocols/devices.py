"""Which employee a tracker belongs to, cached briefly so a busy device costs no query per fix."""

from __future__ import annotations

import hmac
import threading
import time

from dashboard.runtime import Runtime
from data import devices

CACHE_TTL_S = 10  # a device added or removed takes effect within this time
_cache: dict[tuple[str, str, str], tuple[float, dict | None]] = {}
_lock = threading.Lock()


def find_device(rt: Runtime, protocol: str, identifier: str) -> dict | None:
    """The device row (employee_id, token_hash) for a protocol's identifier, or None if unknown."""
    key = (rt.db.url, protocol, identifier)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached and cached[0] > now:
        return cached[1]
    device = devices.device_by_identifier(rt.db, protocol, identifier)
    with _lock:
        if len(_cache) > 100_000:
            _cache.clear()  # bounded: a flood of invented identifiers cannot grow it forever
        _cache[key] = (now + CACHE_TTL_S, device)
    return device


def secret_matches(device: dict, secret: str) -> bool:
    stored = device.get("token_hash")
    return bool(stored) and hmac.compare_digest(stored, devices.hash_token(secret))
