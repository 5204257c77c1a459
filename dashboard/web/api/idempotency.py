"""Idempotency-Key on every POST of the token API (issue 18): a retried request is answered again, not done again.

The first request with a key claims it for its token (data/idempotency.py) with a hash of what it asks (method,
path, query, body), and its successful answer (status, body, Content-Type, Location, ETag) is kept 24 hours. Then:
the same key and the same request → the kept answer again, with `Idempotent-Replayed: true`, and nothing is created;
the same key with another request → 422 `idempotency_key_reused`; while the first is still being answered → 409
`idempotency_key_in_progress` with Retry-After. A refused or failed request (4xx, 5xx) keeps nothing: send it again,
mended, with the same key. Without the header a POST is handled as it comes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Response, g, request

from dashboard.core.errors import AppError
from dashboard.core.runtime import runtime
from data import idempotency

HEADER = "Idempotency-Key"
ABANDONED_AFTER = timedelta(minutes=5)  # a claim unanswered this long belongs to a process that died
RETRY_AFTER_S = 1
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII: a UUID is the usual key
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "any unique string (1–255 visible ASCII characters, a UUID is best) that makes a retry of this "
    "POST safe: the first successful answer is kept 24 hours and given again to a retry with the same key and body",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}


def answer_once(handle: Callable[[], Response]) -> Response:
    """Handle a POST at most once per (token, Idempotency-Key)."""
    key = request.headers.get(HEADER)
    if key is None:
        return handle()
    if not KEY.match(key):
        raise AppError(400, "invalid_idempotency_key", f"{HEADER} is 1 to 255 visible ASCII characters", header=HEADER)
    db, token_id, digest = runtime().db, g.api_token_id, _request_hash()
    now = datetime.now(UTC)
    if idempotency.claim(db, token_id, key, digest, now, now - ABANDONED_AFTER) is None:
        return _kept_answer(token_id, key, digest)
    try:
        answer = handle()
    except BaseException:
        idempotency.release(db, token_id, key)
        raise
    if answer.status_code >= 400:
        idempotency.release(db, token_id, key)
        return answer
    headers = {name: answer.headers[name] for name in KEPT_HEADERS if name in answer.headers}
    idempotency.answer(db, token_id, key, answer.status_code, answer.get_data(), headers)
    return answer


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode() + b"\n")
    digest.update(request.get_data())
    return digest.hexdigest()


def _kept_answer(token_id: int, key: str, digest: str) -> Response:
    kept = idempotency.stored(runtime().db, token_id, key)
    if kept is not None and kept["request_hash"] != digest:
        message = f"this {HEADER} was used for another request: use a new key for a new request"
        raise AppError(422, "idempotency_key_reused", message, header=HEADER)
    if kept is None or kept["status"] is None:  # still being answered (or refused a moment ago: try again)
        message = f"a request with this {HEADER} is being answered: retry after Retry-After seconds"
        raise AppError(409, "idempotency_key_in_progress", message, headers={"Retry-After": str(RETRY_AFTER_S)})
    answer = Response(kept["body"], status=kept["status"], headers=kept["headers"])
    answer.headers["Idempotent-Replayed"] = "true"
    return answer
