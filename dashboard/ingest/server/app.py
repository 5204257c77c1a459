"""The ingest server's ASGI application: no framework, three addresses.

- `/ingest/osmand` (GET, POST) and every path on the OsmAnd port, when it serves one (Traccar Client's
  default settings send there);
- `/ingest/owntracks` (POST, HTTP Basic);
- `/api/v1/positions` (POST, a device's Bearer token).

Each runs the web app's own handler (dashboard/ingest/protocols/) as steps; its `Publish` goes to the
micro-batcher, so the answers are the web app's: the same status codes, bodies and error JSON
(dashboard/core/errors.py `program_answer`), 503 + Retry-After while the backlog is full or a dependency is
down (dashboard/ingest/refusals.py). Nothing on a request's way asks PostgreSQL: the device register is held
whole in memory, and the privacy rules and organisation settings are re-read by a thread (`Refresher`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from base64 import b64decode
from binascii import Error as Base64Error
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import orjson

from dashboard.core.errors import POSTGRES_DOWN, AppError, program_answer
from dashboard.core.inputs import json_from
from dashboard.core.runtime import Runtime
from dashboard.ingest.accept import Steps
from dashboard.ingest.privacy import REFRESH_S, tracking_policy
from dashboard.ingest.protocols import native, osmand, owntracks
from dashboard.ingest.refusals import refusal
from dashboard.ingest.server.batcher import MicroBatcher
from dashboard.ingest.trackers import REGISTER, DeviceRegister, authenticate_device

log = logging.getLogger(__name__)

NATIVE_PATH = "/api/v1/positions"
METHODS = {osmand.PATH: ("GET", "HEAD", "OPTIONS", "POST"), owntracks.PATH: ("OPTIONS", "POST")}
METHODS[NATIVE_PATH] = ("OPTIONS", "POST")
NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL manually please check your spelling "
    "and try again."  # werkzeug's words, as the web app answers
)
FORM = "application/x-www-form-urlencoded"

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


class Answer:
    """A response: status, body, content type, extra headers."""

    __slots__ = ("body", "content_type", "headers", "status")

    def __init__(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8") -> None:
        self.status, self.body, self.content_type = status, body, content_type
        self.headers: dict[str, str] = {}


class Request:
    """What a handler reads of an HTTP request."""

    __slots__ = ("body", "headers", "method", "path", "query")

    def __init__(self, method: str, path: str, query: bytes, headers: dict[str, str], body: bytes) -> None:
        self.method, self.path, self.query, self.headers, self.body = method, path, query, headers, body

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        """werkzeug's rule: application/json, or application/*+json."""
        kind = self.mimetype
        return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))

    def args(self) -> dict[str, str]:
        return _first_values(self.query)

    def form(self) -> dict[str, str]:
        return _first_values(self.body) if self.mimetype == FORM else {}


def _first_values(encoded: bytes) -> dict[str, str]:
    """A query string or form body as werkzeug reads a key: its first value."""
    values: dict[str, str] = {}
    for key, value in parse_qsl(encoded.decode("utf-8", "replace"), keep_blank_values=True, errors="replace"):
        values.setdefault(key, value)
    return values


def basic_credentials(authorization: str) -> tuple[str, str] | None:
    """(user, password) from an HTTP Basic header, read as werkzeug reads it; None without a user name."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = b64decode(encoded.strip()).decode().partition(":")
    except (Base64Error, UnicodeError, ValueError):
        return None
    return (user, password) if user else None


class IngestApp:
    """The ASGI application of one ingest process. `start` loads what requests read (the device register,
    the privacy rules) and starts the threads that keep them fresh; `close` stops them."""

    def __init__(self, rt: Runtime, osmand_port: int | None = None) -> None:
        self.rt = rt
        self.osmand_port = osmand_port
        self.batcher = MicroBatcher(rt.feed, rt.settings.max_backlog)
        self.register = DeviceRegister(rt)
        self.refresher = Refresher(rt)

    def start(self) -> IngestApp:
        self.rt.extensions[REGISTER] = self.register.start()
        self.refresher.start()
        return self

    def close(self) -> None:
        self.refresher.stop()
        self.register.stop()
        self.rt.extensions.pop(REGISTER, None)
        self.batcher.close()

    async def __call__(self, scope: dict, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if self.osmand_port is not None and (scope.get("server") or (None, None))[1] == self.osmand_port:
            path = osmand.PATH  # the OsmAnd port: every request is an OsmAnd request, whatever its path
        try:
            answer = await self._answer(scope, path, receive)
        except AppError as error:
            answer = _refused(error, path)
        except Exception as exc:
            error = refusal(exc)
            if error is None:
                log.exception("ingest request %s %s failed", scope["method"], path)
                error = AppError(500, "internal_error", "the request could not be handled")
            answer = _refused(error, path)
        headers = [(b"content-type", answer.content_type.encode()), (b"content-length", b"%d" % len(answer.body))]
        headers += [(name.lower().encode(), value.encode()) for name, value in answer.headers.items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else answer.body})

    async def _answer(self, scope: dict, path: str, receive: Receive) -> Answer:
        methods = METHODS.get(path)
        if methods is None:
            raise AppError(404, "not_found", NOT_FOUND)
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        if path == NATIVE_PATH:  # the device first, as the web app's guard does, then the method
            device = authenticate_device(self.rt, headers.get("authorization", ""))
        method = scope["method"]
        if method not in methods:
            raise AppError(
                405, "method_not_allowed", f"use {', '.join(methods)}", headers={"Allow": ", ".join(methods)}
            )
        if method == "OPTIONS":
            answer = Answer(200)
            answer.headers["Allow"] = ", ".join(methods)
            return answer
        request = Request(method, path, scope["query_string"], headers, await self._body(headers, receive))
        if path == osmand.PATH:
            return await self._osmand(request)
        if path == owntracks.PATH:
            credentials = basic_credentials(headers.get("authorization", ""))
            user = headers.get("x-limit-u") or request.args().get("u")
            device_name = headers.get("x-limit-d") or request.args().get("d")
            body = request.body
            await self._publish(owntracks.receiving(self.rt, credentials, user, device_name, lambda: body))
            return Answer(200, b"[]\n", "application/json")
        body = json_from(request.body) if request.is_json else None
        steps = native.accepting_batch(self.rt, device["employee_id"], body, "native", device["coord_system"])
        outcome = await self._publish(steps)
        return Answer(200, orjson.dumps(outcome.answer()) + b"\n", "application/json")

    async def _osmand(self, request: Request) -> Answer:
        received_ms = int(time.time() * 1000)
        if request.method == "POST" and request.is_json:
            steps = osmand.receiving_json(self.rt, json_from(request.body), received_ms)
        else:
            steps = osmand.receiving_params(self.rt, request.args() or request.form(), received_ms)
        await self._publish(steps)
        return Answer(200)

    async def _body(self, headers: dict[str, str], receive: Receive) -> bytes:
        limit = self.rt.settings.max_body_bytes
        too_large = AppError(413, "too_large", f"the body is larger than {limit} bytes")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                raise too_large
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    async def _publish(self, steps: Steps[Any]) -> Any:
        """Drive a handler's steps: each Publish rides the micro-batcher's next Redis call."""
        try:
            step = next(steps)
            while True:
                try:
                    await self.batcher.publish(step.fixes, step.source)
                except Exception as exc:
                    step = steps.throw(exc)
                else:
                    step = steps.send(None)
        except StopIteration as done:
            return done.value


def _refused(error: AppError, path: str) -> Answer:
    body, content_type = program_answer(error, path)
    answer = Answer(error.status, body, content_type)
    answer.headers.update(error.headers)
    return answer


async def _lifespan(receive: Receive, send: Send) -> None:
    """The server's start and stop: the app is started before it is served (`serve` in cli)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class Refresher:
    """Re-reads the privacy rules and the organisation settings every REFRESH_S / 2 in a thread of its own, so
    a request only ever takes the copy (no PostgreSQL query on the event loop)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        policy = tracking_policy(self.rt)
        # The first reading, before any request; PostgreSQL down: requests answer 503 until one succeeds, as the
        # web app's do.
        with contextlib.suppress(AppError):
            policy.refresh()
        policy.read_elsewhere = True
        self._thread = threading.Thread(target=self._run, name="ingest-refresher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stopping.wait(REFRESH_S / 2):
            try:
                self.rt.forget_org_settings()
                self.rt.org_settings()
                tracking_policy(self.rt).read_ahead()
            except (*POSTGRES_DOWN, AppError):
                pass  # each keeps its last copy and logs the outage once
