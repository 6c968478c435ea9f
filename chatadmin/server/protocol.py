"""The wire conventions the server and the client share (no FastAPI here: the client imports it)."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel

from chatadmin.errors import (
    BackendUnavailable,
    ChatAdminError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)

ZONE_HEADER = "Chatadmin-Timezone"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


# each error class of chatadmin.errors travels as its ``code`` with this status
STATUS_OF: dict[type[ChatAdminError], int] = {
    InvalidInput: 400,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    BackendUnavailable: 503,
}


class Count(BaseModel):
    count: int


def segment(value: str) -> str:
    """An id as one path segment: every reserved character escaped, and dots, so that no id
    (``a/b``, ``50%``, ``..``) changes the path's shape."""
    return quote(value, safe="").replace(".", "%2E")
