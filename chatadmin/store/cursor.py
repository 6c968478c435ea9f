"""Opaque keyset cursors: where a walk of a list stopped, bound to the list it belongs to.

A cursor is URL-safe base64 of a small JSON object: the key of one row (its sort value and
primary key), what it belongs to (a conversation list's filter and sort, or one
conversation's history) and a checksum. It is not a secret and not signed: editing one can
only move where a walk starts in a list its user may read anyway (every page applies the
filter and the user's scope again). Every field is checked, so a damaged, edited or foreign
cursor is :class:`~chatadmin.errors.InvalidInput`, never a crash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from chatadmin.domain import ConversationFilter, Sort
from chatadmin.errors import InvalidInput
from chatadmin.store.query import TEXT_SORTS, nullable_sort

MAX_CURSOR = 8192  # characters of a cursor
MAX_VALUE = 1000  # characters of a sort value a cursor carries; a longer one is read again from its row


def _storable(value: str) -> str:
    value.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError
    if "\x00" in value:
        raise ValueError("NUL in a cursor")
    return value


Int64 = Annotated[int, Field(strict=True, ge=-(2**63), lt=2**63)]
Text = Annotated[str, Field(strict=True, max_length=MAX_VALUE), AfterValidator(_storable)]


class _Cursor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class ListCursor(_Cursor):
    """A row of the conversation list: ``k`` its sort value, ``p`` its primary key.

    ``s`` and ``f`` name the sort and the filter it belongs to; ``n`` is the instant (UTC
    microseconds) the walk's first page was read at, which the duration sort is computed at on
    every later page; ``b``: the page wanted lies before this row (a previous page), not after;
    ``r``: the sort value was too long to carry (``k`` is null), read it again from the row.
    """

    s: Text
    f: Text
    n: Int64
    k: Int64 | Text | None
    p: Int64
    b: bool = False
    r: bool = False


class MessageCursor(_Cursor):
    """A message of one conversation's history: ``c`` the conversation's id, ``a`` the
    message's instant (UTC microseconds), ``p`` its primary key."""

    c: Text
    a: Int64
    p: Int64


C = TypeVar("C", bound=_Cursor)


def _checksum(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode(cursor: _Cursor) -> str:
    body = cursor.model_dump()
    body["x"] = _checksum(body)
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _not_a_cursor(what: str) -> InvalidInput:
    return InvalidInput(f"not a cursor of {what}: pass back a cursor a page gave, unchanged")


def decode(text: str, model: type[C], what: str) -> C:
    """The cursor ``text`` holds; :class:`InvalidInput` when it is not one of ``model``'s kind."""
    problem = _not_a_cursor(what)
    if not isinstance(text, str) or not 0 < len(text) <= MAX_CURSOR or not text.isascii():
        raise problem
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        body = json.loads(data.decode("utf-8"))
    except (binascii.Error, ValueError, RecursionError):
        raise problem from None
    if not isinstance(body, dict) or not isinstance(checksum := body.pop("x", None), str):
        raise problem
    try:
        cursor = model.model_validate(body)
    except ValidationError:
        raise problem from None
    if _checksum(cursor.model_dump()) != checksum:
        raise problem
    return cursor


def filter_digest(filters: ConversationFilter) -> str:
    """A filter's fingerprint, the same in every process (sets in sorted order)."""
    data = filters.model_dump(mode="json")
    canonical = {k: sorted(v, key=str) if isinstance(v, list) else v for k, v in data.items()}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def list_cursor(text: str, filters: ConversationFilter, sort: Sort) -> ListCursor:
    """The list cursor ``text`` holds, checked to belong to this filter and sort."""
    cursor = decode(text, ListCursor, "this list")
    if cursor.s != str(sort) or cursor.f != filter_digest(filters):
        raise InvalidInput("this cursor belongs to another filter or sort: start again without a cursor")
    text_value = sort.key in TEXT_SORTS
    if cursor.r and (cursor.k is not None or not text_value):
        raise _not_a_cursor("this list")
    if (cursor.k is None and not nullable_sort(sort.key) and not cursor.r) or (
        cursor.k is not None and isinstance(cursor.k, str) != text_value
    ):
        raise _not_a_cursor("this list")
    return cursor
