"""Alert notifications by Web Push (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID) through pywebpush.

The payload, encrypted for the browser: {"title", "body", "url"}; assets/push-sw.js shows it and opens the url.
A push service that answers 404 or 410 has dropped the subscription: it is deleted.
"""

from __future__ import annotations

import base64
import binascii

import orjson
import requests
from pywebpush import WebPushException, webpush

from dashboard.core.config import Settings
from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.work.notify.messages import Notice
from dashboard.work.notify.vapid import contact, vapid_key
from dashboard.work.webhooks import target_refusal
from data import alerts, notifications

TTL_S = 12 * 3600  # a push waits this long for a browser that is off; an alert older than that is in the inbox
TIMEOUT_S = 10
GONE = (404, 410)
PRIVATE_SETTING = "webhooks.allow_private_targets"  # the same allowance as the webhooks' and the robots'
URGENCY = {"info": "normal", "warning": "high", "critical": "high"}  # RFC 8030 §5.3


class SubscriptionError(ValueError):
    """A subscription a browser sent that cannot be used, with the reason."""


def payload_of(notice: Notice) -> bytes:
    return orjson.dumps({"title": notice.title, "body": "\n".join(notice.lines), "url": notice.url})


def _key_bytes(value: object) -> bytes | None:
    if not isinstance(value, str) or not 0 < len(value) <= 200:
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def checked_subscription(value: object) -> tuple[str, str, str]:
    """(endpoint, p256dh, auth) of a browser's PushSubscription.toJSON(), or SubscriptionError."""
    if not isinstance(value, dict):
        raise SubscriptionError(_("A push subscription is an object with an endpoint and keys."))
    endpoint, keys = value.get("endpoint"), value.get("keys")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")) or len(endpoint) > 2000:
        raise SubscriptionError(_("The push endpoint must be an http(s) address of at most 2000 characters."))
    if not isinstance(keys, dict):
        raise SubscriptionError(_("A push subscription is an object with an endpoint and keys."))
    p256dh, auth = _key_bytes(keys.get("p256dh")), _key_bytes(keys.get("auth"))
    if p256dh is None or len(p256dh) != 65 or p256dh[0] != 4 or auth is None or len(auth) != 16:
        raise SubscriptionError(_("The subscription's keys are not a P-256 key and a 16-byte secret."))
    return endpoint, keys["p256dh"], keys["auth"]


def push(
    settings: Settings, session: requests.Session, subscription: dict, notice: Notice
) -> tuple[int | None, str | None]:
    """Send one encrypted push; (the push service's status, an error or None)."""
    keys = {"p256dh": subscription["p256dh"], "auth": subscription["auth"]}
    info = {"endpoint": subscription["endpoint"], "keys": keys}
    try:
        answer = webpush(
            info,
            data=payload_of(notice).decode(),
            vapid_private_key=vapid_key(settings),
            vapid_claims={"sub": contact(settings)},
            ttl=TTL_S,
            timeout=TIMEOUT_S,
            headers={"Urgency": URGENCY.get(notice.severity, "normal")},
            requests_session=session,
        )
    except WebPushException as exc:
        return exc.status_code, str(exc)[:500]
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return answer.status_code, None


def subscribe(rt: Runtime, user_id: int, value: object) -> str:
    """Keep a browser's subscription for this user; its endpoint, or SubscriptionError with the reason. The push
    service's address must be public (as a webhook's), unless the organisation allows private targets."""
    endpoint, p256dh, auth = checked_subscription(value)
    refusal = target_refusal(endpoint, bool(rt.org_settings().get(PRIVATE_SETTING)))
    if refusal:
        raise SubscriptionError(refusal)
    alerts.save_push_subscription(rt.db, user_id, endpoint, p256dh, auth)
    return endpoint


def unsubscribe(rt: Runtime, user_id: int, value: object) -> bool:
    """Forget one of this user's browsers (by its endpoint); False when it was not theirs or not known."""
    endpoint = value.get("endpoint") if isinstance(value, dict) else None
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 2000:
        raise SubscriptionError(_("Send the subscription's endpoint."))
    return notifications.delete_user_push_subscription(rt.db, user_id, endpoint)
