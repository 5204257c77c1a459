"""The one guard every request passes: which routes are open, which need a device, which a viewer.

Every Flask route and every Dash callback goes through `check_request`; a path that is not listed
here is refused. Each page and API handler then reads the viewer's scope from `flask.g`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask, Response, abort, g, jsonify, request

from dashboard.runtime import runtime
from dashboard.trackers import device_for_token
from data.scope import Scope

# Dash's own machinery and static files: no data in them.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
DASH_PLUMBING = ("/_dash-layout", "/_dash-dependencies", "/_reload-hash")
OPEN_PATHS = ("/healthz", "/api/v1/openapi.json")
OPEN_PREFIXES = ("/language/",)
DEVICE_PATHS = ("/api/v1/positions",)
# Tracker protocols authenticate their devices themselves, each its own way (dashboard/protocols/).
INGEST_PATHS = ("/ingest/osmand", "/ingest/owntracks")
# API calls made by a signed-in viewer, like pages.
VIEWER_API_PATHS = ("/api/v1/gpx",)
CALLBACK_PATH = "/_dash-update-component"
BEARER = re.compile(r"^Bearer\s+(\S+)$")


@dataclass(frozen=True)
class Viewer:
    """Who is looking, and the scope every data read of theirs is filtered by."""

    role: str
    scope: Scope


def install_guard(server: Flask, page_paths: frozenset[str]) -> None:
    server.before_request(lambda: check_request(server, page_paths))
    server.after_request(harden_response)


def check_request(server: Flask, page_paths: frozenset[str]) -> Response | None:
    path = request.path
    if path.startswith(STATIC_PREFIXES) or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return None
    if path in DEVICE_PATHS:
        return _authenticate_device()
    if path in INGEST_PATHS:
        return None
    # Until accounts exist (issue 4), everyone who reaches the dashboard sees every team.
    g.viewer = Viewer(role="manager", scope=Scope.everything())
    if path in DASH_PLUMBING or path in page_paths or path in VIEWER_API_PATHS:
        return None
    if path == CALLBACK_PATH:
        return _check_callback(server)
    abort(404)


def _authenticate_device() -> Response | None:
    match = BEARER.match(request.headers.get("Authorization", ""))
    device = device_for_token(runtime(), match.group(1)) if match else None
    if device is None:
        response = jsonify(error="unauthorized", reason="a valid device token is required (Authorization: Bearer)")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="fieldops"'
        return response
    g.device = device
    return None


def _check_callback(server: Flask) -> Response | None:
    """Only callbacks this app registered may run; anything else posted here is refused."""
    body = request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    dash_app = server.extensions["dash"]
    if not isinstance(output, str) or output not in dash_app.callback_map:
        response = jsonify(error="forbidden", reason="unknown callback")
        response.status_code = 403
        return response
    return None


def harden_response(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
