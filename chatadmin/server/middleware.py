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
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            user = state(scope).get("user", "-")
            path = quote(scope["path"], safe="/:%@!$&'()*+,;=-._~")  # no control character reaches a log
            log.info("%s %s %s %d user=%s %.1fms", rid, scope["method"], path, status, user, elapsed)


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
