"""GET /photos/<note>/original: a visit photo's original bytes exactly as the phone sent them (issue 19), for the
roles that check photos (PHOTO_AUDIT_ROLES, admitted by the guard's VIEWER_PREFIXES) and only in their scope
(data/activities.photo_original checks it in SQL). The customer page shows the server's stamped copy; this is the
evidence behind it, its SHA-256 sent as a header to compare with the page's."""

from __future__ import annotations

from flask import Blueprint, Response, g

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import whole_number_in_text
from dashboard.core.permissions import may_see_individuals
from dashboard.core.runtime import runtime
from data import activities

blueprint = Blueprint("photos", __name__)
PREFIX = "/photos/"
NOTE_IDS = range(1, 2**63)  # activities.id is a bigserial


def original_path(note_id: int) -> str:
    return f"{PREFIX}{note_id}/original"


def _not_found() -> AppError:
    return AppError(404, "not_found", _("No such photo in your view."))


@blueprint.get("/photos/<note>/original")
def original(note: str) -> Response:
    rt = runtime()
    note_id = whole_number_in_text(note, NOTE_IDS)
    photo = activities.photo_original(rt.db, g.viewer.scope, note_id) if note_id else None
    if photo is None or not may_see_individuals(g.viewer, rt.org_settings()):
        raise _not_found()
    extension = "png" if photo["content_type"] == "image/png" else "jpg"
    return Response(
        bytes(photo["bytes"]),
        mimetype=photo["content_type"],
        headers={
            "Content-Disposition": f'inline; filename="photo-{note_id}-original.{extension}"',
            "X-Content-SHA256": photo["sha256"],
            "Cache-Control": "private, no-store",
        },
    )


@blueprint.get("/photos/<path:_rest>")
def elsewhere(_rest: str) -> Response:
    """Any other address under /photos/ is no photo (not the pages' catch-all)."""
    raise _not_found()
