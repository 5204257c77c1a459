"""GPX import of an employee's past track (gpxpy): the API call POST /api/v1/gpx and the UI page.

Track points only (waypoints and routes are plans, not where someone was). A point without a
time is rejected and counted; times are checked by dashboard.ingest.accept like every other fix, so a
broken export (every point in 1901) is refused with its reason, never stored. History is exempt
from the age window of live trackers, and the writer stores it without deriving visits or stays.

API: `multipart/form-data` with `employee_id` and one or more `file` parts, or JSON
{"employee_id": 7, "files": [{"name": "run.gpx", "gpx": "<gpx ...>"}]}. Answers 200 with one
report per file: {"file", "points", "accepted", "untimed", "rejected": [{"reason", "count"}],
"error"}; 404 for an employee outside the viewer's scope; 400 for a body of neither kind; 503
while the writer's backlog is full — points sent before that are kept, and sending the file
again stores nothing twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC
from typing import Any

import gpxpy
import gpxpy.gpx
from flask import Blueprint, Response, g, jsonify, request

from dashboard.core.errors import AppError
from dashboard.core.inputs import json_body
from dashboard.core.runtime import Runtime, runtime
from dashboard.geo.coords import CoordSystemError, checked_system
from dashboard.ingest.accept import accept_fixes
from data import employees

log = logging.getLogger(__name__)

PATH = "/api/v1/gpx"
CHUNK = 2000  # fixes per publish: one Redis round trip each, short enough not to stall Redis

blueprint = Blueprint("gpx", __name__)


def read_track_points(text: str) -> tuple[list[dict], int]:
    """(plain fixes of the timed track points, number of untimed points); ValueError if not GPX."""
    try:
        parsed = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as exc:
        raise ValueError(f"not a GPX file: {str(exc)[:120]}") from exc
    fixes: list[dict] = []
    untimed = 0
    for track in parsed.tracks:
        for segment in track.segments:
            for point in segment.points:
                if point.time is None:
                    untimed += 1
                    continue
                at = point.time if point.time.tzinfo else point.time.replace(tzinfo=UTC)  # GPX times are UTC
                fixes.append(
                    {
                        "ts": at.timestamp(),
                        "lat": point.latitude,
                        "lon": point.longitude,
                        "speed": point.speed,
                        "heading": point.course,
                        "accuracy": None,
                        "attributes": None if point.elevation is None else {"altitude": point.elevation},
                    }
                )
    return fixes, untimed


def import_file(rt: Runtime, employee_id: int, name: str, data: bytes, coord_system: str = "wgs84") -> dict:
    """Import one GPX file for one employee; the report says what became of every track point. GPX is WGS-84 by
    its definition, but apps made for mainland China export GCJ-02 in it: coord_system says which."""
    report: dict[str, Any] = {"file": name, "points": 0, "accepted": 0, "untimed": 0, "rejected": [], "error": None}
    try:
        fixes, untimed = read_track_points(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        report["error"] = "the file is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
        return report
    reasons: Counter[str] = Counter()
    for start in range(0, len(fixes), CHUNK):
        outcome = accept_fixes(
            rt, employee_id, fixes[start : start + CHUNK], "gpx", history=True, coord_system=coord_system
        )
        report["accepted"] += outcome.accepted
        reasons.update(rejection["error"] for rejection in outcome.rejected)
    report.update(
        points=len(fixes) + untimed,
        untimed=untimed,
        rejected=[{"reason": reason, "count": count} for reason, count in reasons.most_common()],
    )
    if not fixes and not untimed:
        report["error"] = "the file has no track points"
    log.info(
        "GPX %s for employee %s: %s of %s points accepted", name, employee_id, report["accepted"], report["points"]
    )
    return report


def _files_from_request() -> tuple[Any, list[tuple[str, bytes]]] | None:
    if request.files:
        return request.form.get("employee_id"), [
            (upload.filename or "upload.gpx", upload.read()) for upload in request.files.getlist("file")
        ]
    body = json_body()
    if isinstance(body, dict) and isinstance(body.get("files"), list):
        files = [
            (str(item.get("name", "upload.gpx")), item["gpx"].encode())
            for item in body["files"]
            if isinstance(item, dict) and isinstance(item.get("gpx"), str)
        ]
        if len(files) == len(body["files"]):
            return body.get("employee_id"), files
    return None


@blueprint.post(PATH)
def receive() -> Response:
    found = _files_from_request()
    if found is None or not found[1]:
        raise AppError(
            400, "invalid_body", 'send multipart "file" parts, or JSON {"employee_id", "files": [{"name", "gpx"}]}'
        )
    employee_id, files = found
    try:
        employee_id = int(employee_id)
    except (TypeError, ValueError):
        raise AppError(400, "invalid_parameter", "employee_id must be a whole number") from None
    try:
        coord_system = checked_system(request.args.get("coord_system"))
    except CoordSystemError as exc:
        raise AppError(400, "invalid_parameter", str(exc)) from None
    rt = runtime()
    if employees.get_employee(rt.db, g.viewer.scope, employee_id) is None:
        raise AppError(404, "not_found", "no such employee in your view")
    return jsonify(files=[import_file(rt, employee_id, name, data, coord_system) for name, data in files])
