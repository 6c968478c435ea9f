"""What the API takes that is not a domain model: request bodies, list parameters, small answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chatadmin.domain import SORT_ALIASES, Cap, ConversationFilter, SortKey, Status
from chatadmin.durations import MAX_DURATION_S
from chatadmin.store.cursor import MAX_CURSOR
from chatadmin.store.sql import MAX_PAGE


def _storable(value: str) -> str:
    """Text the database can hold: no NUL, no lone surrogates (JSON can carry both)."""
    value.encode("utf-8")  # lone surrogates raise UnicodeEncodeError, a ValueError
    if "\x00" in value:
        raise ValueError("text cannot contain NUL characters")
    return value


Storable = AfterValidator(_storable)
NO_CONTROLS = r"^[^\x00-\x1f\x7f]+$"
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROLS), Storable]
MAX_SECONDS = 2**31 - 1
Seconds = Annotated[int | None, Query(ge=0, le=MAX_DURATION_S, description="seconds, up to 68 years")]
MAX_VERSION = 2**31 - 1

_SORT_NAMES = sorted({k.value for k in SortKey} | set(SORT_ALIASES), key=lambda n: (-len(n), n))
SORT_PATTERN = rf"^(?:{'|'.join(_SORT_NAMES)})(?::(?:asc|desc))?$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoteIn(Body):
    text: Annotated[str, Field(max_length=20_000), Storable]


class TransferIn(Body):
    group: Id
    agent: Id | None = None
    expected_version: Annotated[int, Field(ge=0, le=MAX_VERSION)] | None = Field(
        None, description="the version the transfer is based on; a stale one gives 409 and changes nothing"
    )


class VersionIn(Body):
    expected_version: Annotated[int, Field(ge=0, le=MAX_VERSION)] | None = None


class TagsIn(Body):
    tags: Annotated[list[Annotated[str, Field(max_length=200), Storable]], Field(max_length=200)]
    expected_version: Annotated[int, Field(ge=0, le=MAX_VERSION)] | None = None


class AgentChange(Body):
    """Only the fields given change; ``max_active: null`` means no cap."""

    available: bool | None = None
    max_active: Cap | None = None
    add_groups: Annotated[list[Id], Field(max_length=100)] = []
    remove_groups: Annotated[list[Id], Field(max_length=100)] = []


class Health(BaseModel):
    status: str


def conversation_filter(
    search: Annotated[
        str | None,
        Query(max_length=200, pattern=r"^[^\x00]*$", description="customer name, or digits of the number"),
    ] = None,
    status: Annotated[list[Status], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    group: Annotated[list[Id], Query(max_length=100)] = [],  # noqa: B006
    agent: Annotated[list[Id], Query(max_length=100)] = [],  # noqa: B006
    country: Annotated[list[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]], Query(max_length=300)] = [],  # noqa: B006
    tag: Annotated[list[Annotated[str, Field(max_length=100, pattern=NO_CONTROLS)]], Query(max_length=100)] = [],  # noqa: B006
    rating: Annotated[list[Annotated[int, Field(ge=1, le=5)]], Query(max_length=5)] = [],  # noqa: B006
    created_from: Annotated[date | None, Query(alias="from", description="created on or after (reporting zone)")] = None,
    created_to: Annotated[date | None, Query(alias="to", description="created on or before (reporting zone)")] = None,
    no_response_over: Seconds = None,
    inactive_over: Seconds = None,
    response_creation_over: Seconds = None,
    response_assignment_over: Seconds = None,
) -> ConversationFilter:
    """The contract's list filters as query parameters: repeat one to name a set (any of)."""
    return ConversationFilter(
        search=search,
        statuses=frozenset(status),
        groups=frozenset(group),
        agents=frozenset(agent),
        countries=frozenset(country),
        tags=frozenset(tag),
        ratings=frozenset(rating),
        created_from=created_from,
        created_to=created_to,
        no_response_over=no_response_over,
        inactive_over=inactive_over,
        response_creation_over=response_creation_over,
        response_assignment_over=response_assignment_over,
    )


SortParam = Annotated[str, Query(pattern=SORT_PATTERN, description="COL[:asc|desc]")]
Offset = Annotated[int, Query(ge=0, le=MAX_SECONDS)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def _cursor(description: str) -> Any:
    return Query(min_length=1, max_length=MAX_CURSOR, description=description)


CursorParam = Annotated[
    str | None, _cursor("a page's next_cursor or prev_cursor, with the same filter and sort (offset 0)")
]
AfterParam = Annotated[str | None, _cursor("a page's newer cursor: the messages right after it")]
BeforeParam = Annotated[str | None, _cursor("a page's older cursor: the messages right before it")]
