"""The app factory: one Dash app on one Flask server, with the guard, the API and the pages."""

from __future__ import annotations

import logging
from collections.abc import Callable

from dash import Dash

from dashboard.core import i18n
from dashboard.core.config import ROOT, ConfigError, Settings
from dashboard.core.runtime import Runtime
from dashboard.ingest.protocols import gpx, native, osmand, owntracks
from dashboard.live.livemap import LiveMap
from dashboard.web import health
from dashboard.web.api import openapi
from dashboard.web.api import routes as api
from dashboard.web.auth import install_auth
from dashboard.web.errors import install_error_handler
from dashboard.web.guard import install_guard
from dashboard.web.routes import exports
from dashboard.web.routes import my_data as mydata
from dashboard.web.routes import phone as mobile_routes
from dashboard.web.routes import report_files as report_routes
from dashboard.web.routes import survey as survey_routes
from dashboard.web.shell import layout as shell_layout

log = logging.getLogger(__name__)


def create_app(settings: Settings, register_callbacks: Callable[[Dash], None]) -> Dash:
    """Build the app on running, migrated servers; `register_callbacks` wires the pages' callbacks."""
    if not (settings.database_url and settings.redis_url):
        raise ConfigError("create_app needs DATABASE_URL and REDIS_URL: start the servers and migrate first")
    rt = Runtime.open(settings)
    rt.livemap = LiveMap(rt)
    i18n.set_default_language(settings.language)

    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        suppress_callback_exceptions=True,
        compress=True,
        title="FieldOps",
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],  # phones (issue 7)
    )
    server = app.server
    server.config.update(
        SECRET_KEY=settings.secret_key, COMPRESS_MIN_SIZE=500, MAX_CONTENT_LENGTH=settings.max_body_bytes
    )
    install_auth(server, secure_cookies=settings.public_url.startswith("https://"))
    server.extensions["fieldops"] = rt
    server.extensions["dash"] = app
    for blueprint in (health.blueprint, native.blueprint, i18n.blueprint, mydata.blueprint):
        server.register_blueprint(blueprint)
    # Tracker protocols (issue 3): each its own blueprint; the OsmAnd port maps onto its path.
    for blueprint in (osmand.blueprint, owntracks.blueprint, gpx.blueprint, openapi.blueprint):
        server.register_blueprint(blueprint)
    server.register_blueprint(mobile_routes.blueprint)  # the phone page's routes (issue 7)
    server.register_blueprint(api.blueprint)  # the integrators' REST API and CSV exports (issue 9)
    server.register_blueprint(exports.blueprint)
    server.register_blueprint(survey_routes.blueprint)  # customers' satisfaction surveys (issue 6)
    server.register_blueprint(report_routes.blueprint)  # stored reports' files (issue 8)
    install_error_handler(server)
    server.wsgi_app = osmand.OsmAndPort(server.wsgi_app, settings.osmand_port)
    app.layout = shell_layout
    register_callbacks(app)
    install_guard(server)
    return app
