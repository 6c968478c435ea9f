"""Every error as JSON ``{"error": {"code", "message"}}`` with its HTTP status; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from chatadmin.errors import ChatAdminError
from chatadmin.server.protocol import STATUS_OF

log = logging.getLogger("chatadmin.server")


class Problem(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """What every error answer holds."""

    error: Problem


HTTP_CODES = {
    400: "invalid_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    503: "unavailable",
}

DESCRIPTIONS = {
    400: "Invalid input (an unknown group or agent, a closed conversation, a bad time zone…); nothing changed",
    401: "No token, or an unknown or revoked one",
    403: "The token's user may not do this (role or group)",
    404: "Unknown conversation (or path)",
    409: "The conversation changed since the given version; nothing changed",
    413: "Request body too large",
    422: "The request does not match this schema",
    503: "The store cannot be reached",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries for these error statuses."""
    return {code: {"model": ErrorResponse, "description": DESCRIPTIONS[code]} for code in codes}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def status_of(exc: ChatAdminError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


def describe_validation(errors: list[Any]) -> str:
    """The first problems, as ``where: what`` (never the input values, which may be large or private)."""
    parts = []
    for error in errors[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


def request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", "-"))


def install(app: FastAPI) -> None:
    @app.exception_handler(ChatAdminError)
    async def domain_error(request: Request, exc: ChatAdminError) -> JSONResponse:
        status = status_of(exc)
        if status == 503:
            log.warning("%s store unavailable: %s", request_id(request), exc.message)
            return error_response(503, exc.code, "the store cannot be reached; try again shortly")
        return error_response(status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "validation_error", describe_validation(list(exc.errors())))

    @app.exception_handler(ValidationError)
    async def model_invalid(request: Request, exc: ValidationError) -> JSONResponse:
        return error_response(422, "validation_error", describe_validation(exc.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, headers=exc.headers)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> JSONResponse:
        # a value the database cannot hold slipped past validation: the user's input, not a crash
        log.warning("%s store refused a value: %s", request_id(request), type(exc.orig).__name__)
        return error_response(400, "invalid_input", "the store cannot hold a value of this request")

    @app.exception_handler(PoolTimeout)
    async def busy(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("%s no database connection free", request_id(request))
        return error_response(503, "unavailable", "the server is busy; try again shortly", {"Retry-After": "1"})
