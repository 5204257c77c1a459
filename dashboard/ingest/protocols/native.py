"""The native batch protocol, `POST /api/v1/positions`, used by the phone page and the simulator:

    Authorization: Bearer <device token>
    {"positions": [{"ts": "2026-11-27T10:00:00Z" | epoch seconds | epoch ms,
                    "lat": 60.17, "lon": 24.94, "speed": 3.2, "heading": 90, "accuracy": 8}]}

Answers 200 {"accepted": n, "rejected": [{"index": i, "error": "..."}], "withheld": m} when at
least one fix was accepted (the rejected ones are named, never dropped silently; "withheld" counts
accepted fixes not stored because of working hours, a pause or no consent: not errors, not to be re-sent;
"no_consent" and "reason" say when the person's consent to tracking is withdrawn or not given),
400 with the reasons (`rejected`, beside the error) when none was, 413 for more than MAX_BATCH fixes,
503 with Retry-After while the writer's backlog is at its limit (FIELDOPS_MAX_BACKLOG).
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from dashboard.core.inputs import json_body
from dashboard.core.runtime import runtime
from dashboard.ingest.accept import accepting_batch, publish_inline

blueprint = Blueprint("native", __name__)


@blueprint.post("/api/v1/positions")
def receive_positions() -> Response:
    rt = runtime()
    outcome = publish_inline(
        rt, accepting_batch(rt, g.device["employee_id"], json_body(), "native", g.device["coord_system"])
    )
    return jsonify(outcome.answer())
