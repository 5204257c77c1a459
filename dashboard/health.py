"""GET /healthz: the state of PostgreSQL and Redis, for load balancers and the demo's start-up."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from dashboard.runtime import runtime

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    rt = runtime()
    checks = {"postgres": _state(rt.db.ping), "redis": _state(rt.feed.client.ping)}
    healthy = all(state == "ok" for state in checks.values())
    response = jsonify(status="ok" if healthy else "degraded", **checks)
    response.status_code = 200 if healthy else 503
    return response


def _state(probe) -> str:
    try:
        probe()
    except Exception as exc:  # any failure of a probe means "down", with its kind named
        return f"down: {type(exc).__name__}"
    return "ok"
