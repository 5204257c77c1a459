"""The one error handler: every refused request, ours (`AppError`) or werkzeug's (400, 404, 405, 413, ...)
or an outage's (a full writer backlog, an unreadable device register, PostgreSQL or Redis not answering),
is answered here.

Programs' paths (/api/, /ingest/ and Dash's own /_dash-) get JSON `{"error": {"code", "message"}, **extra}`;
under /api/ it is also RFC 9457 problem details (`application/problem+json`: type, title, status, detail
beside the same members). Every other path is a browser's, and gets a small page in the viewer's language
with a way home: inside the app's shell (its menu) for a signed-in viewer, styled as the sign-in page for
anyone else; or, while a dependency is down, a page that says so and tries again by itself.
Status codes and headers (Retry-After, WWW-Authenticate, Allow) are the error's own.
"""

from __future__ import annotations

from html import escape

from dash import html
from dash.development.base_component import Component
from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from dashboard.core.errors import (
    POSTGRES_DOWN,
    REDIS_DOWN,
    RETRY_AFTER_S,
    AppError,
    Outage,
    Unavailable,
    program_answer,
)
from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import safe_next
from dashboard.ingest.refusals import refusal
from dashboard.ingest.trackers import DevicesUnavailable
from dashboard.web.auth import _login_page  # the sign-in form: an outage shows in it, like a wrong password
from dashboard.web.shell import landing_path
from dashboard.web.shell import layout as shell_layout
from data.feed import StreamFull

JSON_PREFIXES = ("/api/", "/ingest/", "/_dash-", "/metrics")  # programs: Prometheus reads /metrics
# Each dependency's outage as this process's requests meet it: logged when it starts, not per request.
OUTAGES = {"postgresql": Outage("PostgreSQL"), "redis": Outage("Redis")}
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}
PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{status} · FieldOps</title>{refresh}
<link rel="stylesheet" href="/assets/bootstrap.min.css"><link rel="stylesheet" href="/assets/fieldops.css">
</head><body class="fo-login-body"><a class="fo-skip" href="#main-content">{skip}</a>
<main class="fo-login card shadow-sm" id="main-content" tabindex="-1"><div class="card-body">
<h1 class="h4 mb-3">FieldOps · {status}</h1><p id="error-message">{message}</p>{retrying}
<p><a href="{home}">{home_text}</a></p>
</div></main></body></html>"""
# The same page inside the app's shell (its menu, language switch and sign-out, drawn as Dash draws them).
SHELL_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{status} · FieldOps</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css"><link rel="stylesheet" href="/assets/fieldops.css">
<script src="/assets/session.js" defer></script>
</head><body>{shell}<main id="main-content" tabindex="-1"><div class="fo-page fo-error-page">
<h2>{heading}</h2><p id="error-message">{message}</p>
<p><a class="btn btn-primary" id="error-home" href="{home}">{home_text}</a></p>
</div></main></body></html>"""
STATIC_ATTRIBUTES = {"className": "class", "htmlFor": "for", "tabIndex": "tabindex"}  # React's names → HTML's


def install_error_handler(server: Flask) -> None:
    server.register_error_handler(AppError, answer_error)
    server.register_error_handler(HTTPException, _answer_http_error)
    for kind in (StreamFull, DevicesUnavailable):
        server.register_error_handler(kind, lambda exc: answer_error(refusal(exc)))
    for kind in (*POSTGRES_DOWN, *REDIS_DOWN):
        server.register_error_handler(kind, _answer_outage)


def _answer_outage(exc: Exception) -> Response:
    """PostgreSQL or Redis did not answer: 503 with Retry-After, naming which; logged once per outage."""
    error = refusal(exc)
    OUTAGES[error.extra["dependency"]].failed(exc, "requests that need it answer 503")
    return answer_error(error)


def answer_error(error: AppError) -> Response:
    if request.path.startswith(JSON_PREFIXES):
        body, content_type = program_answer(error, request.path)
        response = Response(body, status=error.status, mimetype=content_type)
    elif isinstance(error, Unavailable) and request.path == "/login":
        response = _login_page(error.message, (request.form.get("username") or "").strip()[:100], error.status)
    else:
        response = Response(_page(error), status=error.status, mimetype="text/html")
    response.headers.update(error.headers)
    return response


def _answer_http_error(exc: HTTPException) -> Response | HTTPException:
    if exc.code is None or exc.code < 400:
        return exc  # a redirect werkzeug raises while routing, not an error
    if not request.path.startswith(JSON_PREFIXES):
        message = _page_message(exc.code)
    elif isinstance(exc, RequestEntityTooLarge):
        message = f"the body is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes"
    elif isinstance(exc, MethodNotAllowed):
        message = f"use {', '.join(sorted(exc.valid_methods or []))}"
    else:
        message = exc.description or exc.name
    code = HTTP_CODES.get(exc.code, exc.name.lower().replace(" ", "_"))
    headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
    return answer_error(AppError(exc.code, code, message, headers=headers))


def _page_message(status: int) -> str:
    """What a person is told when werkzeug refused the request: its own texts are English and technical."""
    if status == 401:
        return _("Sign in first.")
    if status == 403:
        return _("You do not have access to this page.")
    if status == 404:
        return _("This page does not exist.")
    return _("The request could not be handled.")


def _page(error: AppError) -> str:
    refresh = retrying = ""
    viewer = g.get("viewer")
    if isinstance(error, Unavailable):
        # No way home that needs what is down: this same address again, by itself and by a link.
        link = (safe_next(request.full_path.rstrip("?")), _("Try again"))
        refresh = f'<meta http-equiv="refresh" content="{RETRY_AFTER_S}">'
        retrying = f'<p class="text-muted" id="error-retrying">{escape(_("This page tries again by itself."))}</p>'
    else:
        home = landing_path(viewer) if viewer is not None else None
        link = (home, _("Back to your home page")) if home else ("/login", _("Sign in"))
        if home and viewer.role != "wall":  # the wall display has no menu (issue 8)
            return _shell_page(error, link)
    return PAGE.format(
        lang=current_language(),
        skip=escape(_("Skip to main content")),
        status=error.status,
        refresh=refresh,
        message=escape(error.message),
        retrying=retrying,
        home=escape(link[0]),
        home_text=escape(link[1]),
    )


def _shell_page(error: AppError, link: tuple[str, str]) -> str:
    """A signed-in viewer's refusal or missing page: the app's own menu above it, so every other page is a
    click away, and the way to their home page."""
    shell = [part for part in shell_layout().children if not isinstance(part, html.Main)]
    return SHELL_PAGE.format(
        lang=current_language(),
        status=error.status,
        shell=_static_html(shell),
        heading=escape(_page_heading(error.status)),
        message=escape(error.message),
        home=escape(link[0]),
        home_text=escape(link[1]),
    )


def _page_heading(status: int) -> str:
    if status == 403:
        return _("No access")
    if status == 404:
        return _("Page not found")
    return _("Something went wrong")


def _static_html(component: object) -> str:
    """A tree of `dash.html` components as HTML, for a page Flask serves without Dash's renderer."""
    if component is None:
        return ""
    if isinstance(component, (list, tuple)):
        return "".join(_static_html(child) for child in component)
    if not isinstance(component, Component):
        return escape(str(component))
    if component._namespace != "dash_html_components":
        return ""  # Dash's own (dcc) parts do nothing without its renderer
    tag = component._type.lower()
    attributes = "".join(
        f' {STATIC_ATTRIBUTES.get(name, name)}="{escape(str(value))}"'
        for name, value in component.to_plotly_json()["props"].items()
        if name != "children" and value is not None
    )
    return f"<{tag}{attributes}>{_static_html(getattr(component, 'children', None))}</{tag}>"
