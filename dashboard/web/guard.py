"""The one guard every request passes: which routes are open, which need a device, which a viewer.

Every Flask route and every Dash callback goes through `check_request`; a path that is not listed
here is refused. Pages and callbacks are allowed by `dashboard.core.permissions`; state-changing
requests from a browser must carry the session's CSRF token. A refusal is an `AppError`, answered by
dashboard/web/errors.py like every other. Handlers then read `g.viewer`, whose scope every data read takes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from urllib.parse import quote

import dash
from flask import Flask, Response, abort, current_app, g, redirect, request, session

from dashboard.core.errors import POSTGRES_DOWN, AppError
from dashboard.core.i18n import _
from dashboard.core.permissions import (
    CUSTOMER_ROLES,
    EXPORT_ROLES,
    HISTORY_IMPORT_ROLES,
    PAGE_ROUTER_OUTPUTS,
    PEOPLE_ROLES,
    PHONE_ROLES,
    PHOTO_AUDIT_ROLES,
    REPORT_ROLES,
    ROLES,
    may_open,
    may_run_callback,
    output_ids,
)
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import default_tiles, map_tiles
from dashboard.ingest.trackers import BEARER, authenticate_device
from dashboard.web.auth import csrf_ok, current_viewer
from dashboard.web.routes import forms, push
from dashboard.web.routes.phone import SHARE_SCRIPT
from dashboard.web.shell import landing_path
from dashboard.work import sso
from dashboard.work.tokens import token_viewer

# Dash's own machinery and static files: no data in them.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
OPEN_PATHS = ("/healthz", "/readyz", "/login", "/favicon.ico", "/api/v1/openapi.json")
# Prometheus scrapes /metrics: open, or with FIELDOPS_METRICS_TOKEN set, for that bearer token only (issue 14).
METRICS_PATH = "/metrics"
OPEN_PREFIXES = ("/language/", "/wall/login/")
# The phone page's PWA files carry no data; a share link's token is its own authentication (issue 7).
OPEN_PATHS += ("/m/manifest.webmanifest", "/m/sw.js", "/m/icon.svg")
OPEN_PREFIXES += ("/share/",)
OPEN_PREFIXES += ("/survey/",)  # a customer's satisfaction survey: the signed link is its own key (issue 6)
OPEN_PATHS += (sso.START_PATH, sso.CALLBACK_PATH)  # single sign-on: state, PKCE and the ID token are its keys
DEVICE_PATHS = ("/api/v1/positions",)
# Tracker protocols authenticate their devices themselves, each its own way (dashboard/ingest/protocols/).
INGEST_PATHS = ("/ingest/osmand", "/ingest/owntracks")
DASH_PLUMBING = ("/_dash-layout", "/_dash-dependencies", "/_reload-hash")
CALLBACK_PATH = "/_dash-update-component"
# Routes of signed-in viewers that are not pages, with the roles that may use them.
VIEWER_ROUTES = {"/logout": ROLES, "/me/export": PEOPLE_ROLES, "/api/v1/gpx": HISTORY_IMPORT_ROLES}
VIEWER_ROUTES["/api/v1/me/positions"] = PHONE_ROLES  # the phone page's location sharing (issue 7)
VIEWER_ROUTES["/api/v1/me/notes"] = PHONE_ROLES  # a note on the visit the phone showed (issue 15)
VIEWER_ROUTES |= {push.KEY_PATH: ROLES, push.SUBSCRIPTION_PATH: ROLES}  # Web Push of alerts (issue 17)
OPEN_PATHS += (push.WORKER_PATH,)  # the push service worker carries no data
# Issue 9: period exports (CSV) for the roles that read the field's day; the integrators' API (below).
VIEWER_ROUTES |= {
    path: EXPORT_ROLES
    for path in ("/export/attendance.csv", "/export/visits.csv", "/export/activities.csv", "/export/form-answers.xlsx")
}
OPEN_PATHS += ("/api/v1/docs",)
OPEN_PREFIXES += ("/api/v1/docs/",)
# Everything else under /api/v1/ is the token API: a bearer API token, never a session cookie, so no CSRF.
TOKEN_API_PREFIX = "/api/v1/"  # noqa: S105 - a path, not a secret
NOT_TOKEN_API = (
    *DEVICE_PATHS,
    "/api/v1/gpx",
    "/api/v1/me/positions",
    "/api/v1/me/notes",
    forms.FORMS_PREFIX,
    "/api/v1/openapi.json",
    "/api/v1/docs",
)
# Routes under a prefix, with the roles that may use them (issue 8: stored reports' files).
VIEWER_PREFIXES = {"/reports/file/": REPORT_ROLES}
VIEWER_PREFIXES["/photos/"] = PHOTO_AUDIT_ROLES  # issue 19: a visit photo's original (routes/photos.py)
VIEWER_PREFIXES[forms.FORMS_PREFIX] = PHONE_ROLES  # issue 21: the phone's visit forms (routes/forms.py)
VIEWER_PREFIXES["/service-reports/"] = CUSTOMER_ROLES  # issue 21: a visit's report (routes/service_reports.py)
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def install_guard(server: Flask) -> None:
    server.before_request(check_request)
    server.after_request(harden_response)


def check_request() -> Response | None:
    path = request.path
    if path.startswith(STATIC_PREFIXES):
        return None
    if path in DEVICE_PATHS:
        _authenticate_device()
        return None
    if path in INGEST_PATHS:
        return None
    if path == METRICS_PATH:
        _authenticate_metrics_reader()
        return None
    if is_token_api(path):
        _authenticate_api_token()
        return None
    if request.method in STATE_CHANGING and not csrf_ok():
        raise AppError(403, "csrf", _("This form has expired; reload the page and try again."))
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return None
    viewer = current_viewer()
    if viewer is None:
        if path in _page_paths() and request.method == "GET":
            # The whole address, query too (/customers?customer=7): a deep link survives the sign-in.
            return redirect(f"/login?next={quote(request.full_path.rstrip('?'), safe='/')}")
        if request.method == "GET" and not _viewers_path(path):
            abort(404)  # no such address for anyone: a page that says so, with the way to sign in
        raise AppError(401, "unauthenticated", _("Sign in first."))
    g.viewer = viewer
    if path in DASH_PLUMBING:
        return None
    prefix = next((p for p in VIEWER_PREFIXES if path.startswith(p)), None)
    roles = VIEWER_ROUTES.get(path) or VIEWER_PREFIXES.get(prefix)
    if roles is not None:
        if viewer.role not in roles:
            raise AppError(403, "forbidden", _("Your role may not use this address."))
        return None
    if path == CALLBACK_PATH:
        _check_callback()
        _check_router_location()
        return None
    page = _page_paths().get(path)
    if page is None:
        abort(404)
    if not may_open(viewer, page, runtime().org_settings()):
        home = landing_path(viewer) if path == "/" else None
        if home is not None:
            return redirect(home)
        raise AppError(403, "forbidden", _("You do not have access to this page."))
    return None


def _viewers_path(path: str) -> bool:
    """Whether `path` is an address of signed-in viewers: a page, a route or Dash's own requests."""
    return (
        path in _page_paths()
        or path in VIEWER_ROUTES
        or path.startswith(tuple(VIEWER_PREFIXES))
        or path in (*DASH_PLUMBING, CALLBACK_PATH)
    )


def _page_paths() -> dict[str, dict]:
    return {page["relative_path"]: page for page in dash.page_registry.values()}


def _authenticate_device() -> None:
    g.device = authenticate_device(runtime(), request.headers.get("Authorization", ""))


def _authenticate_metrics_reader() -> None:
    token = runtime().settings.metrics_token
    match = BEARER.match(request.headers.get("Authorization", ""))
    if token and not (match and hmac.compare_digest(match.group(1).encode(), token.encode())):
        raise AppError(
            401,
            "unauthorized",
            "this server's metrics need its metrics token (Authorization: Bearer)",
            headers={"WWW-Authenticate": 'Bearer realm="fieldops-metrics"'},
        )


def is_token_api(path: str) -> bool:
    return path.startswith(TOKEN_API_PREFIX) and not path.startswith(NOT_TOKEN_API)


def _authenticate_api_token() -> None:
    """An API token from the Authorization header becomes a Viewer with the token's scope (dashboard/work/tokens.py)."""
    match = BEARER.match(request.headers.get("Authorization", ""))
    found = token_viewer(runtime().db, match.group(1)) if match else None
    if found is None:
        code, message = (
            ("invalid_token", "the token is unknown, revoked or expired")
            if match
            else ("token_required", "send an API token: Authorization: Bearer fop_...")
        )
        raise AppError(401, code, message, headers={"WWW-Authenticate": 'Bearer realm="fieldops-api"'})
    g.viewer, g.api_scopes, g.api_token_id = found
    rule = request.url_rule
    if rule is not None and not rule.endpoint.startswith("api."):  # Dash's catch-all page route, not an API route
        raise AppError(404, "not_found", "no such API path; see /api/v1/openapi.json")


def _check_callback() -> None:
    """Only callbacks this app registered, sent as they were declared, and only those of pages the viewer may open."""
    body = request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    spec = current_app.extensions["dash"].callback_map.get(output) if isinstance(output, str) else None
    if spec is None or "callback" not in spec:  # unknown, or a clientside callback the server never runs
        raise AppError(403, "forbidden", "unknown callback")
    for part in ("inputs", "state"):
        if not _as_declared(spec[part], body.get(part, [])):
            raise AppError(400, "invalid_callback", f"the callback's {part} differ from its declaration")
    pages = list(dash.page_registry.values())
    if not may_run_callback(g.viewer, output, pages, runtime().org_settings(), _bound_pathname(spec, body)):
        raise AppError(403, "forbidden", _("Your role may not use this address."))


def _as_declared(declared: list[dict], sent: object) -> bool:
    """Whether a request's inputs (or state) are the declared ones, in their order: Dash binds them by position,
    so what the guard reads must be what the callback gets."""
    return (
        isinstance(sent, list)
        and len(sent) == len(declared)
        and all(_is_input(spec, item) for spec, item in zip(declared, sent, strict=True))
    )


def _is_input(declared: dict, sent: object) -> bool:
    pattern = _pattern(declared["id"])
    if isinstance(sent, list):  # a wildcard (ALL, ALLSMALLER): one item per matching component
        return pattern is not None and all(isinstance(item, dict) and _is_input(declared, item) for item in sent)
    if not isinstance(sent, dict) or sent.get("property") != declared["property"]:
        return False
    sent_id = sent.get("id")
    if sent_id == declared["id"]:
        return True
    return (
        pattern is not None
        and isinstance(sent_id, dict)
        and sent_id.keys() == pattern.keys()
        and all(sent_id[key] == value for key, value in pattern.items() if not isinstance(value, list))
    )


def _pattern(component_id: str) -> dict | None:
    """A pattern-matching id (Dash writes it as JSON, its wildcards as ["ALL"], ["MATCH"], ...), else None."""
    if not component_id.startswith("{"):
        return None
    try:
        pattern = json.loads(component_id)
    except ValueError:
        return None
    return pattern if isinstance(pattern, dict) else None


def _bound_pathname(spec: dict, body: dict) -> str | None:
    """The value Dash binds to the callback's first declared `pathname` input (the page router's)."""
    for declared, sent in zip(spec["inputs"], body.get("inputs", []), strict=True):
        if declared["property"] == "pathname":
            value = sent.get("value") if isinstance(sent, dict) else None
            return value if isinstance(value, str) else None
    return None


def _check_router_location() -> None:
    """Dash's page router reads its location's pathname and search as text, the pathname from "/" on, and
    fails on anything else."""
    body = request.get_json(silent=True)
    if not set(output_ids(body["output"])) <= PAGE_ROUTER_OUTPUTS:
        return
    for item in body.get("inputs") or []:
        if not isinstance(item, dict) or item.get("value") is None:
            continue
        value = item["value"]
        if not isinstance(value, str) or (item.get("property") == "pathname" and not value.startswith("/")):
            raise AppError(400, "invalid_callback", "the page's address must be a path on this site")


def script_hash(script: str) -> str:
    """An inline script's CSP source expression, as Dash's own `csp_hashes` writes them."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


def content_security_policy(tile_origins: list[str], script_hashes: list[str]) -> str:
    """Scripts only from this site or by the hash of an inline script we wrote (Dash's renderer
    start-up, the share page); map tiles from the organisation's tile servers; no framing, no plugins."""
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *sorted(set(script_hashes))]),
        "style-src": "'self' 'unsafe-inline'",  # Dash, Plotly and Leaflet set element styles
        "img-src": " ".join(["'self' data: blob:", *tile_origins]),
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _policy(page: bool) -> str:
    """The script hashes are settled at the first response: Dash adds inline scripts of its own (the pages'
    title) as it serves its first request, after the app factory has returned. A page's tile origins follow the
    admin's preset (while the settings cannot be read, the environment's); any other answer (the API's JSON, a
    tracker's empty 200) loads no image, so it allows none and reads no setting: ingest stays lean."""
    hashes = current_app.config.get("FIELDOPS_CSP_HASHES")
    if hashes is None:
        hashes = current_app.config["FIELDOPS_CSP_HASHES"] = [
            *current_app.extensions["dash"].csp_hashes(),
            script_hash(SHARE_SCRIPT),
        ]
    if not page:
        return _policy_for((), tuple(hashes))
    rt = runtime()
    try:
        tiles = map_tiles(rt, "en")
    except POSTGRES_DOWN:  # PostgreSQL never answered this process: the environment's tiles
        tiles = default_tiles(rt.settings, "en")
    return _policy_for(tuple(tiles.origins), tuple(hashes))


@functools.lru_cache(maxsize=16)
def _policy_for(origins: tuple[str, ...], hashes: tuple[str, ...]) -> str:
    return content_security_policy(list(origins), list(hashes))


def harden_response(response: Response) -> Response:
    page = (
        response.mimetype == "text/html" and request.path not in INGEST_PATHS and not request.path.startswith("/api/")
    )
    response.headers.setdefault("Content-Security-Policy", _policy(page))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # A session that names a user (flask-login's key): asked without loading the user, which needs
    # PostgreSQL, so the answer to a request that met an outage is hardened too.
    if session.get("_user_id"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
