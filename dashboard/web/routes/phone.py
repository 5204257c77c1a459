"""The phone's Flask routes: its position batches, the PWA manifest and service worker, and the
public share-link page with the one position it polls."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import orjson
from flask import Blueprint, Response, g, jsonify, request

from dashboard.core.errors import AppError
from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import json_body, mapping, whole_number
from dashboard.core.runtime import runtime
from dashboard.ingest.accept import accept_batch
from dashboard.work.phone import (
    MAX_NOTE_CHARS,
    VISIT_IDS,
    MobileError,
    VisitNotOpen,
    photo_from_upload,
    save_visit_note,
)
from data import audit, share_links

blueprint = Blueprint("mobile", __name__)

MANIFEST = {
    "name": "FieldOps",
    "short_name": "FieldOps",
    "start_url": "/m",
    "scope": "/m",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": "#0d6efd",
    "icons": [{"src": "/m/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
}
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#0d6efd"/>'
    '<circle cx="32" cy="26" r="10" fill="#fff"/><path d="M32 58 18 32h28z" fill="#fff"/></svg>'
)
# Network first; when offline, the last /m page this phone loaded. Only /m and below (scope "/m" would also
# match "/me", so the path is checked).
SERVICE_WORKER = """
const SHELL = "fieldops-m-v1";
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
    const url = new URL(event.request.url);
    const mine = url.pathname === "/m" || url.pathname.startsWith("/m/");
    if (event.request.method !== "GET" || event.request.mode !== "navigate" || !mine) {
        return;
    }
    event.respondWith(
        fetch(event.request)
            .then((response) => {
                const copy = response.clone();
                if (response.ok) {
                    caches.open(SHELL).then((cache) => cache.put("/m", copy));
                }
                return response;
            })
            .catch(() => caches.match("/m"))
    );
});
"""
# The share page's one script: constant, so the Content-Security-Policy allows it by its hash.
SHARE_SCRIPT = """
(function () {
    const texts = JSON.parse(document.getElementById("share-texts").textContent);
    document.getElementById("share-title").textContent = texts.name;
    document.getElementById("share-expires").textContent = new Date(texts.expires).toLocaleString();
    function show(position) {
        const link = document.getElementById("share-map");
        if (!position) {
            document.getElementById("share-position").textContent = texts.none;
            return;
        }
        const where = position.lat.toFixed(5) + ", " + position.lon.toFixed(5);
        document.getElementById("share-position").textContent = where;
        document.getElementById("share-time").textContent = new Date(position.ts).toLocaleString();
        link.href = "https://www.openstreetmap.org/?mlat=" + position.lat + "&mlon=" + position.lon + "#map=17/"
            + position.lat + "/" + position.lon;
    }
    function poll() {
        fetch(window.location.pathname + "/position", {cache: "no-store"}).then(function (answer) {
            if (answer.status === 404) {
                document.getElementById("share-position").textContent = texts.expired;
                document.getElementById("share-time").textContent = "";
                document.getElementById("share-map").removeAttribute("href");
                document.body.dataset.expired = "1";
                return;
            }
            return answer.json().then(function (body) { show(body.position); setTimeout(poll, 5000); });
        }).catch(function () { setTimeout(poll, 5000); });
    }
    poll();
})();
"""
SHARE_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem;max-width:30rem}}
dt{{color:#4a4a4a}}a:focus-visible{{outline:3px solid #0a58ca;outline-offset:2px}}dd{{margin:0 0 .7rem}}</style>
</head><body><main id="main-content"><h1 id="share-title"></h1>
<dl><dt>{where}</dt><dd id="share-position">…</dd><dt>{when}</dt><dd id="share-time">…</dd>
<dt>{until}</dt><dd id="share-expires"></dd></dl>
<p><a id="share-map" rel="noopener" target="_blank">{open_map}</a></p>
</main><script type="application/json" id="share-texts">{texts}</script>
<script>{script}</script></body></html>"""


@blueprint.post("/api/v1/me/positions")
def my_positions() -> Response:
    """The signed-in field user's own fixes from the phone's browser, batched, in the native format."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        raise AppError(400, "not_linked", _("Your account is not linked to an employee."))
    outcome = accept_batch(runtime(), employee_id, json_body(), "mobile")
    return jsonify(outcome.answer())


@blueprint.post("/api/v1/me/notes")
def my_note() -> tuple[Response, int]:
    """A note on the visit the phone showed (`visit_id`; null for a plain note on no customer), with an optional
    photo as a data URL. 409 when that visit has ended meanwhile: a stale screen never notes another customer."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        raise AppError(400, "not_linked", _("Your account is not linked to an employee."))
    body = mapping(json_body())
    note = body.get("text")
    if not isinstance(note, str) or not note.strip() or len(note) > MAX_NOTE_CHARS:
        raise AppError(400, "no_text", _("Write a note first (up to 2000 characters)."))
    visit_id = whole_number(body.get("visit_id"), VISIT_IDS)
    if body.get("visit_id") is not None and visit_id is None:
        raise AppError(400, "bad_visit", _("visit_id is the number of the visit the phone showed, or null."))
    try:
        photo = photo_from_upload(body.get("photo"))
        note_id = save_visit_note(runtime(), employee_id, visit_id, note.strip(), photo, datetime.now(UTC))
    except VisitNotOpen as exc:
        raise AppError(409, "visit_not_open", str(exc)) from exc
    except MobileError as exc:
        raise AppError(400, "bad_photo", str(exc)) from exc
    return jsonify(id=note_id, visit_id=visit_id), 201


@blueprint.get("/m/manifest.webmanifest")
def manifest() -> Response:
    response = jsonify(MANIFEST)
    response.mimetype = "application/manifest+json"
    return response


@blueprint.get("/m/icon.svg")
def icon() -> Response:
    return Response(ICON, mimetype="image/svg+xml")


@blueprint.get("/m/sw.js")
def service_worker() -> Response:
    return Response(
        SERVICE_WORKER,
        mimetype="text/javascript",
        headers={"Service-Worker-Allowed": "/m", "Cache-Control": "no-cache"},
    )


def _link_gone() -> AppError:
    return AppError(404, "link_expired", _("This link has expired or was revoked."))


@blueprint.get("/share/<token>")
def shared_page(token: str) -> Response:
    rt = runtime()
    link = share_links.valid_link(rt.db, token, datetime.now(UTC))
    if link is None:
        raise _link_gone()
    audit.record(
        rt.db,
        user_id=None,
        username=_("share link"),
        role="public",
        action="view_shared_link",
        subject_ids=[link["employee_id"]],
        detail={"link": link["id"]},
        ip=request.remote_addr,
    )
    texts = {
        "name": link["name"],
        "expires": link["expires_at"].isoformat(),
        "none": _("No position shared yet."),
        "expired": _("This link has expired or was revoked."),
    }
    page = SHARE_PAGE.format(
        lang=current_language(),
        title=_("Live position"),
        where=_("Position"),
        when=_("Reported"),
        until=_("Link valid until"),
        open_map=_("Open on a map"),
        texts=orjson.dumps(texts).decode().replace("<", "\\u003c"),
        script=SHARE_SCRIPT,
    )
    return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store"})


@blueprint.get("/share/<token>/position")
def shared_position(token: str) -> Response:
    """Only the one person's latest position, and only while the link is valid."""
    rt = runtime()
    link = share_links.valid_link(rt.db, token, datetime.now(UTC))
    if link is None:
        raise _link_gone()
    fix = rt.feed.latest(link["employee_id"])
    position = {"lat": fix.lat, "lon": fix.lon, "ts": fix.ts_ms} if fix else None
    response = jsonify(position=position, expires_at=link["expires_at"].isoformat(), now=int(time.time() * 1000))
    response.headers["Cache-Control"] = "no-store"
    return response
