"""GET /healthz: the state of PostgreSQL and Redis, for load balancers and the demo's start-up,
and the writer's backlog (positions accepted, not yet stored) and lag (age of the oldest of them)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from dashboard.core.runtime import runtime

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    rt = runtime()
    checks = {"postgres": _state(rt.db.ping), "redis": _state(rt.feed.client.ping)}
    healthy = all(state == "ok" for state in checks.values())
    writer: dict[str, object] = {}
    if checks["redis"] == "ok":
        writer = {
            "backlog": rt.feed.stream_backlog(),
            "lag_s": round(rt.feed.writer_lag_s(), 3),
            "backlog_limit": rt.settings.max_backlog,
        }
    response = jsonify(status="ok" if healthy else "degraded", **checks, writer=writer)
    response.status_code = 200 if healthy else 503
    return response


def _state(probe) -> str:
    try:
        probe()
    except Exception as exc:  # any failure of a probe means "down", with its kind named
        return f"down: {type(exc).__name__}"
    return "ok"
