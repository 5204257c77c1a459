"""Web Push for signed-in users (issue 17): the server's VAPID public key, a browser's subscription kept or
forgotten (POST / DELETE, CSRF like every other form), and the push service worker at the site's root so its
scope is the whole app. assets/push.js drives them from the inbox's button."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from dashboard.core.config import ROOT
from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import json_body
from dashboard.core.runtime import runtime
from dashboard.work.notify import webpush
from dashboard.work.notify.vapid import application_server_key

blueprint = Blueprint("push", __name__)

KEY_PATH = "/push/key"
SUBSCRIPTION_PATH = "/push/subscription"
WORKER_PATH = "/push-sw.js"
WORKER_FILE = ROOT / "assets" / "push-sw.js"


@blueprint.get(KEY_PATH)
def public_key() -> Response:
    """The key browsers subscribe with, and the push button's words in the viewer's language."""
    labels = {
        "on": _("Browser notifications: on"),
        "off": _("Browser notifications: off"),
        "unsupported": _("Browser notifications: not supported by this browser"),
        "denied": _("Browser notifications: blocked in this browser's settings"),
    }
    return jsonify(public_key=application_server_key(runtime().settings), labels=labels)


@blueprint.post(SUBSCRIPTION_PATH)
def subscribe() -> tuple[Response, int]:
    try:
        endpoint = webpush.subscribe(runtime(), g.viewer.user_id, json_body(force=True))
    except webpush.SubscriptionError as exc:
        raise AppError(400, "invalid_subscription", str(exc)) from exc
    return jsonify(endpoint=endpoint), 201


@blueprint.delete(SUBSCRIPTION_PATH)
def unsubscribe() -> Response:
    try:
        removed = webpush.unsubscribe(runtime(), g.viewer.user_id, json_body(force=True))
    except webpush.SubscriptionError as exc:
        raise AppError(400, "invalid_subscription", str(exc)) from exc
    return jsonify(removed=removed)


@blueprint.get(WORKER_PATH)
def service_worker() -> Response:
    return Response(
        WORKER_FILE.read_bytes(),
        mimetype="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
