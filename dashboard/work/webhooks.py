"""Webhook delivery (issue 9): signed POSTs from the outbox, retried with backoff, logged.

Events are written to `webhook_deliveries` in the transaction that records them (data/webhooks.py);
`Deliverer.run` (in `fieldops worker`) sends what is due. Signature: header
`FieldOps-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscription's secret>`.
A target on a private, loopback or link-local address is refused unless the organisation setting
`webhooks.allow_private_targets` allows it (no requests into our own network from a pasted URL).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import orjson
import requests

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from data import webhooks
from data.webhooks import EVENTS

log = logging.getLogger(__name__)

TIMEOUT_S = 10
FIRST_RETRY_S = 30
MAX_RETRY_S = 3600
MAX_ATTEMPTS = 8
RESPONSE_SNIPPET = 500
BATCH = 20
IDLE_WAIT_S = 2.0


class WebhookError(ValueError):
    """A subscription that cannot be made as asked, with the reason shown to the admin."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def retry_delay_s(attempts: int) -> int:
    """After the n-th failed attempt: 30 s, 60 s, 120 s, … at most an hour."""
    return min(FIRST_RETRY_S * 2 ** (attempts - 1), MAX_RETRY_S)


def target_refusal(url: str, allow_private: bool) -> str | None:
    """Why a URL may not receive webhooks, or None. Every address the host resolves to must be public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("The address must start with http:// or https:// and name a host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)}
    except (OSError, ValueError, UnicodeError):
        return _("The host name does not resolve.")
    if allow_private:
        return None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            return _("The host is on a private, loopback or link-local address; an admin must allow such targets.")
    return None


def subscribe(rt: Runtime, url: str, events: list[str], created_by: int | None) -> tuple[int, str]:
    """A new subscription and its signing secret (shown once to the admin, kept to sign deliveries)."""
    url = url.strip()
    chosen = [e for e in EVENTS if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise WebhookError(_("Choose at least one event."))
    if len(url) > 2000:
        raise WebhookError(_("The address is too long."))
    refusal = target_refusal(url, bool(rt.org_settings().get("webhooks.allow_private_targets")))
    if refusal:
        raise WebhookError(refusal)
    secret = "whsec_" + secrets.token_urlsafe(32)
    return webhooks.create_subscription(rt.db, url, chosen, secret, created_by), secret


def body_of(delivery: dict) -> bytes:
    """The bytes posted (and signed): the same on every attempt."""
    return orjson.dumps(
        {
            "id": delivery["id"],
            "event": delivery["event"],
            "created_at": delivery["created_at"].astimezone(UTC).isoformat(),
            "data": delivery["payload"],
        }
    )


class Deliverer:
    """Sends due deliveries; safe to run in several processes (claims are leased with SKIP LOCKED)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment: the target check must hold

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sent = self.deliver_due()
            except Exception:  # keep the loop alive; leased deliveries come due again
                log.exception("Webhook delivery failed; retrying")
                sent = 0
            if not sent:
                stop.wait(IDLE_WAIT_S)

    def deliver_due(self) -> int:
        due = webhooks.claim_due(self.rt.db, BATCH, datetime.now(UTC))
        for delivery in due:
            self.attempt(delivery)
        return len(due)

    def attempt(self, delivery: dict) -> bool:
        body = body_of(delivery)
        timestamp = int(time.time())
        status, response, error = None, None, None
        refusal = target_refusal(delivery["url"], bool(self.rt.org_settings().get("webhooks.allow_private_targets")))
        if refusal:
            error = refusal
        else:
            try:
                answer = self.session.post(
                    delivery["url"],
                    data=body,
                    timeout=TIMEOUT_S,
                    allow_redirects=False,
                    headers={
                        "Content-Type": "application/json",
                        "User-Agent": "FieldOps-Webhooks/1",
                        "FieldOps-Event": delivery["event"],
                        "FieldOps-Delivery": str(delivery["id"]),
                        "FieldOps-Signature": sign(delivery["secret"], timestamp, body),
                    },
                )
                status, response = answer.status_code, answer.text[:RESPONSE_SNIPPET]
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"[:RESPONSE_SNIPPET]
        delivered = status is not None and 200 <= status < 300
        attempts = delivery["attempts"] + 1
        retry_at = None
        if not delivered and attempts < MAX_ATTEMPTS:
            retry_at = datetime.now(UTC) + timedelta(seconds=retry_delay_s(attempts))
        webhooks.record_attempt(
            self.rt.db,
            delivery["id"],
            delivered=delivered,
            status=status,
            response=response,
            error=error,
            retry_at=retry_at,
        )
        return delivered


def send_test(rt: Runtime, subscription_id: int, username: str) -> int | None:
    """Queue a `test` event for one subscription; the worker sends it like any other."""
    return webhooks.enqueue_test(
        rt.db, subscription_id, {"message": "test event from FieldOps", "requested_by": username}
    )
