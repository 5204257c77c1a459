"""The phone's Flask routes: its position batches, the PWA manifest and service worker, and the
public share-link page with the one position it polls."""

from __future__ import annotations

import html
import logging
import re
import time
from datetime import UTC, datetime

import orjson
from flask import Blueprint, Response, g, jsonify, request

from dashboard.core.errors import AppError
from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import json_body, mapping, whole_number
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_frame, map_tiles
from dashboard.ingest.accept import accept_batch
from dashboard.web.filing import filing_footer
from dashboard.web.maps import open_on_a_map
from dashboard.work.phone import (
    MAX_NOTE_CHARS,
    VISIT_IDS,
    MobileError,
    VisitNotOpen,
    phone_fix,
    photo_from_upload,
    save_visit_note,
    score_shared_position,
)
from data import audit, share_links

blueprint = Blueprint("mobile", __name__)
log = logging.getLogger(__name__)

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
# The share page's one script: constant, so the Content-Security-Policy allows it by its hash. The map is the
# organisation's tiles around the person (SHARE_ZOOM, 3 x 3 tiles under a pin), placed with the position in the
# map's system that /position gives beside the stored one; no map library, so nothing more to load or to allow.
SHARE_SCRIPT = """
(function () {
    const texts = JSON.parse(document.getElementById("share-texts").textContent);
    document.getElementById("share-title").textContent = texts.name;
    document.getElementById("share-expires").textContent = new Date(texts.expires).toLocaleString();
    document.getElementById("share-attribution").textContent = texts.attribution;
    const tiles = document.getElementById("share-tiles");
    if (!texts.tiles.length) { tiles.hidden = true; }
    function tileUrl(layer, x, y, z) {
        const row = layer.tms ? Math.pow(2, z) - 1 - y : y;
        const sub = layer.subdomains.charAt((x + y) % layer.subdomains.length);
        return layer.url.replace("{s}", sub).replace("{x}", x).replace("{y}", row).replace("{z}", z);
    }
    function draw(at) {
        if (!texts.tiles.length) { return; }
        const z = texts.zoom, scale = 256 * Math.pow(2, z), rad = at.lat * Math.PI / 180;
        const px = (at.lon + 180) / 360 * scale;
        const py = (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2 * scale;
        const tx = Math.floor(px / 256), ty = Math.floor(py / 256), n = Math.pow(2, z);
        const width = tiles.clientWidth, height = tiles.clientHeight;
        tiles.replaceChildren();
        texts.tiles.forEach(function (layer) {
            for (let dy = -1; dy <= 1; dy++) {
                for (let dx = -1; dx <= 1; dx++) {
                    const x = ((tx + dx) % n + n) % n, y = ty + dy;
                    if (y < 0 || y >= n) { continue; }
                    const img = document.createElement("img");
                    img.alt = "";
                    img.className = "share-tile";
                    img.addEventListener("error", function () { img.style.visibility = "hidden"; });
                    img.src = tileUrl(layer, x, y, z);
                    img.style.left = Math.round((tx + dx) * 256 - px + width / 2) + "px";
                    img.style.top = Math.round(y * 256 - py + height / 2) + "px";
                    tiles.appendChild(img);
                }
            }
        });
        const pin = document.createElement("div");
        pin.id = "share-pin";
        pin.dataset.lat = at.lat;
        pin.dataset.lon = at.lon;
        tiles.appendChild(pin);
    }
    function show(body) {
        const position = body.position, link = document.getElementById("share-map");
        if (!position) {
            document.getElementById("share-position").textContent = texts.none;
            return;
        }
        const where = position.lat.toFixed(5) + ", " + position.lon.toFixed(5);
        document.getElementById("share-position").textContent = where;
        document.getElementById("share-time").textContent = new Date(position.ts).toLocaleString();
        link.href = body.link;
        draw(body.map);
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
            return answer.json().then(function (body) { show(body); setTimeout(poll, 5000); });
        }).catch(function () { setTimeout(poll, 5000); });
    }
    poll();
})();
"""
SHARE_ZOOM = 16
SHARE_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem;max-width:30rem}}
dt{{color:#4a4a4a}}a:focus-visible{{outline:3px solid #0a58ca;outline-offset:2px}}dd{{margin:0 0 .7rem}}
#share-tiles{{position:relative;overflow:hidden;height:16rem;background:#e8e8e8;border-radius:.4rem}}
.share-tile{{position:absolute;width:256px;height:256px}}
#share-pin{{position:absolute;left:50%;top:50%;width:18px;height:18px;margin:-9px 0 0 -9px;border-radius:50%;
background:#0072B2;border:3px solid #fff;box-shadow:0 0 0 1px #000}}
#share-attribution{{font-size:.75rem;color:#4a4a4a}}.fo-filing{{font-size:.8rem;color:#4a4a4a;margin-top:1.5rem}}
.fo-filing a{{color:inherit}}</style>
</head><body><main id="main-content"><h1 id="share-title"></h1>
<dl><dt>{where}</dt><dd id="share-position">…</dd><dt>{when}</dt><dd id="share-time">…</dd>
<dt>{until}</dt><dd id="share-expires"></dd></dl>
<div id="share-tiles" role="img" aria-label="{map_label}"></div><p id="share-attribution"></p>
<p><a id="share-map" rel="noopener" target="_blank">{open_map}</a></p>
</main>{filing}<script type="application/json" id="share-texts">{texts}</script>
<script>{script}</script></body></html>"""


@blueprint.post("/api/v1/me/positions")
def my_positions() -> Response:
    """The signed-in field user's own fixes from the phone's browser, batched, in the native format."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        raise AppError(400, "not_linked", _("Your account is not linked to an employee."))
    rt = runtime()
    outcome = accept_batch(rt, employee_id, json_body(), "mobile")
    if outcome.accepted:
        try:
            score_shared_position(rt, employee_id, int(time.time() * 1000))
        except Exception:  # the fixes are accepted: a score that fails is logged, never the phone's error
            log.exception("Trust score of a shared position of employee %s failed", employee_id)
    return jsonify(outcome.answer())


@blueprint.post("/api/v1/me/notes")
def my_note() -> tuple[Response, int]:
    """A note on the visit the phone showed (`visit_id`; null for a plain note on no customer), with an optional
    photo as a data URL and the phone's `fix` ({lat, lon, accuracy, ts}) for the photo's stamp. 409 when that visit
    has ended meanwhile: a stale screen never notes another customer."""
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
        fix = phone_fix(body.get("fix"))
        note_id = save_visit_note(runtime(), employee_id, visit_id, note.strip(), photo, datetime.now(UTC), fix)
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
    tiles = map_tiles(rt)
    texts = {
        "name": link["name"],
        "expires": link["expires_at"].isoformat(),
        "none": _("No position shared yet."),
        "expired": _("This link has expired or was revoked."),
        "tiles": [{"url": t.url, "subdomains": t.subdomains, "tms": t.tms} for t in tiles.layers],
        "attribution": html.unescape(re.sub(r"<[^>]+>", "", tiles.attribution)),  # as text
        "zoom": SHARE_ZOOM,
    }
    page = SHARE_PAGE.format(
        lang=current_language(),
        title=_("Live position"),
        where=_("Position"),
        when=_("Reported"),
        until=_("Link valid until"),
        open_map=_("Open on a map"),
        map_label=_("Map of the position"),
        texts=orjson.dumps(texts).decode().replace("<", "\\u003c"),
        script=SHARE_SCRIPT,
        filing=filing_footer(),
    )
    return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store"})


@blueprint.get("/share/<token>/position")
def shared_position(token: str) -> Response:
    """Only the one person's latest position, and only while the link is valid: as stored (WGS-84) and, as `map`,
    where the organisation's map draws it (map_frame), with the link to open it elsewhere."""
    rt = runtime()
    link = share_links.valid_link(rt.db, token, datetime.now(UTC))
    if link is None:
        raise _link_gone()
    fix = rt.feed.latest(link["employee_id"])
    position = on_map = opener = None
    if fix:
        position = {"lat": fix.lat, "lon": fix.lon, "ts": fix.ts_ms}
        placed = map_frame(rt).out(fix.lat, fix.lon)
        on_map = {"lat": placed[0], "lon": placed[1]}
        opener = open_on_a_map(map_tiles(rt).preset, (fix.lat, fix.lon), placed)
    response = jsonify(
        position=position,
        map=on_map,
        link=opener,
        expires_at=link["expires_at"].isoformat(),
        now=int(time.time() * 1000),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
