"""The app factory: one Dash app on one Flask server, with the guard, the API and the pages."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import orjson
from dash import Dash
from flask.json.provider import DefaultJSONProvider

from dashboard.core import i18n
from dashboard.core.config import ROOT, ConfigError, Settings
from dashboard.core.i18n import current_language
from dashboard.core.runtime import Runtime
from dashboard.ingest.protocols import gpx, native, osmand, owntracks
from dashboard.live.livemap import LiveMap
from dashboard.web import health, metrics, sso
from dashboard.web.api import openapi
from dashboard.web.api import routes as api_routes
from dashboard.web.auth import install_auth
from dashboard.web.errors import install_error_handler
from dashboard.web.guard import install_guard
from dashboard.web.routes import exports, forms, my_data, phone, photos, push, report_files, service_reports, survey
from dashboard.web.shell import layout as shell_layout

log = logging.getLogger(__name__)

# Dash's page with the viewer's language on <html lang>: screen readers pick their voice by it, and the
# browser its CJK font (Simplified Chinese glyphs, not Japanese ones). A language switch reloads the page.
INDEX = """<!DOCTYPE html>
<html lang="{%lang%}">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


class FieldOpsDash(Dash):
    _setup_lock = threading.Lock()

    def _setup_server(self) -> None:
        # Dash's first-request setup checks and sets its flag without a lock: two first requests at once (a
        # tracker's POST beside a browser's GET) both ran it, and one answered 500 (seen in CI).
        with self._setup_lock:
            super()._setup_server()

    def interpolate_index(self, **kwargs: str) -> str:
        return super().interpolate_index(**kwargs).replace("{%lang%}", current_language(), 1)


class RequestBodies(DefaultJSONProvider):
    """Flask's JSON for the bodies it parses itself (Dash's callbacks, and the guard's look at them) is orjson,
    as for ours (dashboard.core.inputs.json_body): a body nested deeper than 1024 levels is a 400, where the
    standard library recurses into a RecursionError (a 500)."""

    def loads(self, s: str | bytes, **kwargs: object) -> object:
        return orjson.loads(s)


def create_app(settings: Settings, register_callbacks: Callable[[Dash], None]) -> Dash:
    """Build the app on running, migrated servers; `register_callbacks` wires the pages' callbacks."""
    if not (settings.database_url and settings.redis_url):
        raise ConfigError("create_app needs DATABASE_URL and REDIS_URL: start the servers and migrate first")
    rt = Runtime.open(settings)
    rt.livemap = LiveMap(rt)
    i18n.set_default_language(settings.language)

    app = FieldOpsDash(
        __name__,
        index_string=INDEX,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        assets_ignore=r"^push-sw\.js$",  # the push service worker, served at /push-sw.js (routes/push.py), no page's
        suppress_callback_exceptions=True,
        compress=True,
        title="FieldOps",
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],  # phones (issue 7)
    )
    server = app.server
    server.json = RequestBodies(server)
    server.config.update(
        SECRET_KEY=settings.secret_key, COMPRESS_MIN_SIZE=500, MAX_CONTENT_LENGTH=settings.max_body_bytes
    )
    install_auth(server, secure_cookies=settings.public_url.startswith("https://"))
    server.extensions["fieldops"] = rt
    server.extensions["dash"] = app
    blueprints = (
        health.blueprint,
        metrics.blueprint,
        i18n.blueprint,
        # Tracker protocols: each its own blueprint; the OsmAnd port maps onto its path.
        native.blueprint,
        osmand.blueprint,
        owntracks.blueprint,
        gpx.blueprint,
        # Plain HTTP routes beside the pages: the phone's, surveys, report files, my data, CSV exports.
        phone.blueprint,
        survey.blueprint,
        report_files.blueprint,
        photos.blueprint,
        forms.blueprint,  # the phone's visit forms (issue 21)
        service_reports.blueprint,  # a visit's service report PDF (issue 21)
        my_data.blueprint,
        exports.blueprint,
        push.blueprint,  # Web Push: the VAPID key, browsers' subscriptions, the service worker (issue 17)
        sso.blueprint,  # single sign-on with the organisation's OpenID Provider (issue 18)
        # The integrators' REST API and its OpenAPI document.
        api_routes.blueprint,
        openapi.blueprint,
    )
    for blueprint in blueprints:
        server.register_blueprint(blueprint)
    install_error_handler(server)
    metrics.install_request_timing(server)
    server.wsgi_app = osmand.OsmAndPort(server.wsgi_app, settings.osmand_port)
    app.layout = shell_layout
    register_callbacks(app)
    install_guard(server)
    return app
