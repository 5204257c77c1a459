"""The consent register (issue 19, PIPL art. 28-29): each active person's consent to tracking, as the admin's
register page shows it (dashboard/work/consent.py)."""

from __future__ import annotations

from flask import Response, g

from dashboard.core.runtime import runtime
from dashboard.web.api.routes import (
    CURSOR,
    INT,
    INT_N,
    LIMIT,
    SCHEMAS,
    STR,
    STR_N,
    TIME_N,
    _cursor,
    _json,
    _next_cursor,
    _object,
    _page_of,
    _t,
    route,
)
from dashboard.work import consent

SCHEMAS["Consent"] = _object(
    employee_id=INT,
    code=STR,
    name=STR,
    team=STR_N,
    state=_t("string", enum=list(consent.STATES)),
    legal_basis=_t("string", enum=list(consent.BASES)),
    current_version=INT_N,
    decision=_t("string", True, enum=["given", "withdrawn", "acknowledged", None]),
    version=INT_N,
    language=STR_N,
    source=STR_N,
    decided_at=TIME_N,
)


@route(
    "GET",
    "/api/v1/consents",
    "consents:read",
    "The consent register: every person's consent to tracking",
    [LIMIT, CURSOR],
    _page_of("Consent"),
    individuals=True,
)
def list_consents(limit: int, cursor: str | None) -> Response:
    """Active employees of the token's teams by id, with their state (`needs_answer`: no answer to the current
    text's version; `unasked`: no text published) and their last decision: given, withdrawn, or acknowledged
    (where the organisation's legal basis is a notice, not consent), with its version, language, source and time."""
    rt = runtime()
    rows = consent.register(rt, g.viewer.scope, _cursor(cursor, "id") or 0, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    basis, version = consent.legal_basis(rt), consent.current_version(rt)
    data = [row | {"legal_basis": basis, "current_version": version} for row in rows]
    return _json({"data": data, "next_cursor": _next_cursor("id", rows[-1]["employee_id"]) if more else None})
