"""What wraps every request: its id and log line, and the bearer token."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatadmin.clock import Clock
from chatadmin.server.errors import error_response
from chatadmin.server.tokens import authenticate

log = logging.getLogger("chatadmin.server")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
PUBLIC_PATHS = frozenset({"/health", "/openapi.json"})
OPERATOR = "operator"


def state(scope: Scope) -> dict[str, Any]:
    return scope.setdefault("state", {})  # type: ignore[no-any-return]


class RequestLog:
    """Gives each request an id (``X-Request-ID``, kept when the client sent a sane one) and logs
    one line per request: id, method, path, status, user and latency. Never the query string
    (searches name customers) nor any header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        state(scope)["request_id"] = rid
        status = 0
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # a bug, not a user's mistake: the trace goes to the log, the caller gets the request id
            log.exception("%s internal error", rid)
            if not status:  # else the answer is cut off, which the client sees as a broken one
                message = f"internal error; the server log has the details (request {rid})"
                await error_response(500, "internal", message)(scope, receive, send_with_id)
            status = status or 500
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            user = state(scope).get("user", "-")
            path = quote(scope["path"], safe="/:%@!$&'()*+,;=-._~")  # no control character reaches a log
            log.info("%s %s %s %d user=%s %.1fms", rid, scope["method"], path, status, user, elapsed)


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413: at once when the length is declared,
    else as soon as the streamed body passes it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # FastAPI passes HTTPExceptions from body reading on to the error handlers
                    raise HTTPException(413, self.message)
            return message

        await self.app(scope, counting, send)

    @property
    def message(self) -> str:
        return f"the request body is over {self.limit // 1024} KiB"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(413, "too_large", self.message, {"Connection": "close"})(scope, receive, send)


class Authenticate:
    """Every path but the public ones needs ``Authorization: Bearer <token>`` of a live token."""

    def __init__(self, app: ASGIApp, engine: Engine | None, clock: Clock | None) -> None:
        self.app = app
        self.engine = engine
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            response = error_response(
                401, "unauthorized", "this server needs a token: Authorization: Bearer <token>",
                {"WWW-Authenticate": 'Bearer realm="chatadmin"'},
            )
            await response(scope, receive, send)
            return
        assert self.engine is not None and self.clock is not None
        try:
            bearer = await anyio.to_thread.run_sync(authenticate, self.engine, self.clock, token.strip())
        except OperationalError:
            log.warning("%s store unavailable while checking a token", state(scope).get("request_id"))
            response = error_response(503, "unavailable", "the store cannot be reached; try again shortly")
            await response(scope, receive, send)
            return
        if bearer is None:
            response = error_response(
                401, "unauthorized", "the token is unknown or revoked",
                {"WWW-Authenticate": 'Bearer realm="chatadmin", error="invalid_token"'},
            )
            await response(scope, receive, send)
            return
        state(scope).update(bearer=bearer, user=bearer.agent or OPERATOR)
        await self.app(scope, receive, send)
