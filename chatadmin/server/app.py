"""The FastAPI application: routers, middleware, error handlers and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from chatadmin import __version__
from chatadmin.clock import Clock
from chatadmin.server import errors, reads, writes
from chatadmin.server.middleware import Authenticate, BodyLimit, RequestLog
from chatadmin.server.paths import EncodedSlashes
from chatadmin.server.schemas import Health

MAX_BODY = 256 * 1024

DESCRIPTION = """\
The admin section of a WhatsApp agent platform over HTTP: the same operations as the
`chatadmin` command line and console, for a team that runs one server next to its database.

Every request but `/health` and `/openapi.json` needs `Authorization: Bearer <token>` (from
`chatadmin token create`) and acts as that token's agent, within the agent's role: an admin
does everything; a supervisor sees and acts on the conversations of their groups; an agent
gets 403. Errors are `{"error": {"code", "message"}}`. Writes take an `Idempotency-Key`
header: a retry with the same key returns the first answer and changes nothing more.
"""


def create_app(engine: Engine | None, clock: Clock | None) -> FastAPI:
    """The application over a store's engine; ``clock`` gives "now" and the default zone.

    Without an engine (for the OpenAPI document only) the application serves nothing useful.
    """
    app = FastAPI(
        title="chatadmin",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.clock = clock
    errors.install(app)
    app.include_router(reads.router)
    app.include_router(writes.router)

    @app.get("/health", response_model=Health, summary="Whether the server reaches its store (no token needed)",
             responses=errors.responses(503))
    def health(request: Request) -> Any:
        try:
            with request.app.state.engine.connect() as connection:
                connection.execute(text("select 1"))
        except OperationalError:
            return JSONResponse(
                {"error": {"code": "unavailable", "message": "the store cannot be reached"}}, status_code=503
            )
        return Health(status="ok")

    _errors_as_json(app)
    # outermost first: the log sees every answer, including the 401s
    app.add_middleware(Authenticate, engine=engine, clock=clock)
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.add_middleware(EncodedSlashes)
    app.add_middleware(RequestLog)
    return app


def _errors_as_json(app: FastAPI) -> None:
    """Error answers are JSON on every route, the NDJSON stream's included (FastAPI would
    document them in the route's own media type)."""
    build = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for item in schema["paths"].values():
                for operation in item.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if not status.startswith("2") and "application/x-ndjson" in content:
                            response["content"] = {"application/json": content.pop("application/x-ndjson")}
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = document  # type: ignore[method-assign]
