"""The reading endpoints: conversations (page, count, stream, changes, one, detail), metrics, agents, groups, activity."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from chatadmin.domain import (
    Agent,
    Changes,
    ConversationDetail,
    ConversationFilter,
    ConversationPage,
    ConversationRow,
    Group,
    GroupActivity,
    MessagePage,
    Metrics,
    Principal,
    Sort,
)
from chatadmin.routing.changes import MAX_LOG, RoutingChange
from chatadmin.server.deps import Auth, KnownQuery, Store
from chatadmin.server.errors import responses
from chatadmin.server.paths import ID_CONVERTOR  # noqa: F401 - paths below use {name:id}
from chatadmin.server.protocol import Count
from chatadmin.server.schemas import (
    NO_CONTROLS,
    AfterParam,
    BeforeParam,
    CursorParam,
    Id,
    Limit,
    Offset,
    SortParam,
    conversation_filter,
)

router = APIRouter(prefix="/v1", dependencies=[Auth, KnownQuery], responses=responses(400, 401, 403, 422, 503))

ConversationId = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_CONTROLS, description="conversation id")]
Filter = Annotated[ConversationFilter, Depends(conversation_filter)]
STREAM_CHUNK = 500

_strings = TypeAdapter(list[str])
_agents = TypeAdapter(list[Agent])
_groups = TypeAdapter(list[Group])
_activity = TypeAdapter(list[GroupActivity])
_changes = TypeAdapter(list[RoutingChange])


def json(data: bytes) -> Response:
    return Response(data, media_type="application/json")


class NdjsonResponse(StreamingResponse):
    media_type = "application/x-ndjson"


@router.get("/me", response_model=Principal, summary="Who the token acts as")
def whoami(store: Store) -> Response:
    return json(store.whoami().model_dump_json().encode())


@router.get(
    "/conversations",
    response_model=ConversationPage,
    summary="A page of the conversation list, at an offset or past a cursor",
)
def list_conversations(
    store: Store,
    filters: Filter,
    sort: SortParam = "created_at:desc",
    offset: Offset = 0,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    page = store.list_conversations(filters, Sort.parse(sort), offset, limit, cursor)
    return json(page.model_dump_json().encode())


@router.get("/conversations:count", response_model=Count, summary="How many conversations match")
def count_conversations(store: Store, filters: Filter) -> Response:
    return json(Count(count=store.count_conversations(filters)).model_dump_json().encode())


@router.get(
    "/conversations:stream",
    response_class=NdjsonResponse,
    summary="Every matching conversation, one JSON object a line (for exports)",
    responses={200: {"description": "ConversationRow objects, one a line, in the asked order"}},
)
def stream_conversations(
    store: Store,
    filters: Filter,
    sort: SortParam = "created_at:desc",
    limit: Annotated[int | None, Query(ge=0, le=2**31 - 1, description="at most this many")] = None,
) -> NdjsonResponse:
    rows = store.iter_conversations(filters, Sort.parse(sort), limit)
    first = next(rows, None)  # permission and filter errors surface here, before the 200 is sent
    return NdjsonResponse(_lines(rows, first))


def _lines(rows: Iterator[ConversationRow], first: ConversationRow | None) -> Iterator[bytes]:
    if first is None:
        return
    rows = chain([first], rows)
    while chunk := list(islice(rows, STREAM_CHUNK)):
        yield b"".join(row.model_dump_json().encode() + b"\n" for row in chunk)


@router.get(
    "/conversations:changes",
    response_model=Changes,
    summary="Conversations changed after a change number (a live view's poll; capped)",
)
def changes_since(
    store: Store,
    since: Annotated[int, Query(ge=0, le=2**63 - 1, description="the change number the last poll returned (0: ever)")] = 0,
) -> Response:
    return json(store.changes_since(since).model_dump_json().encode())


@router.get(
    "/conversations/{conversation_id:id}",
    response_model=ConversationRow,
    summary="One conversation's row",
    responses=responses(404),
)
def get_conversation(store: Store, conversation_id: ConversationId) -> Response:
    return json(store.get_conversation(conversation_id).model_dump_json().encode())


@router.get(
    "/conversations/{conversation_id:id}/detail",
    response_model=ConversationDetail,
    summary="History, notes and events of one conversation, oldest first",
    responses=responses(404),
)
def conversation_detail(store: Store, conversation_id: ConversationId) -> Response:
    return json(store.conversation_detail(conversation_id).model_dump_json().encode())


@router.get(
    "/conversations/{conversation_id:id}/messages",
    response_model=MessagePage,
    summary="A page of one conversation's history, oldest first, with cursors to older and newer messages",
    responses=responses(404),
)
def conversation_messages(
    store: Store,
    conversation_id: ConversationId,
    after: AfterParam = None,
    before: BeforeParam = None,
    limit: Limit = 50,
    newest: Annotated[bool, Query(description="the newest messages (no cursor with it)")] = False,
) -> Response:
    page = store.conversation_messages(conversation_id, after, before, limit, newest)
    return json(page.model_dump_json().encode())


@router.get("/metrics", response_model=Metrics, summary="The four metrics")
def metrics(store: Store) -> Response:
    return json(store.metrics().model_dump_json().encode())


@router.get("/agents", response_model=list[Agent], summary="Agents with their groups, load and cap")
def list_agents(store: Store) -> Response:
    return json(_agents.dump_json(store.list_agents()))


@router.get("/groups", response_model=list[Group], summary="Groups with their routing, members and queue")
def list_groups(store: Store) -> Response:
    return json(_groups.dump_json(store.list_groups()))


@router.get(
    "/groups:activity",
    response_model=list[GroupActivity],
    summary="Each group's queue and today's assignments per hour (reporting zone)",
)
def group_activity(store: Store) -> Response:
    return json(_activity.dump_json(store.group_activity()))


@router.get("/tags", response_model=list[str], summary="Every tag in use")
def list_tags(store: Store) -> Response:
    return json(_strings.dump_json(store.list_tags()))


@router.get("/countries", response_model=list[str], summary="Every customer country (ISO 3166-1 alpha-2)")
def list_countries(store: Store) -> Response:
    return json(_strings.dump_json(store.list_countries()))


@router.get(
    "/routing/log",
    response_model=list[RoutingChange],
    summary="Who changed the routing configuration, what and when: the newest changes, oldest first",
)
def routing_log(
    store: Store,
    group: Annotated[Id | None, Query(description="only this group's changes")] = None,
    agent: Annotated[Id | None, Query(description="only this agent's changes")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LOG)] = 50,
) -> Response:
    return json(_changes.dump_json(store.routing_log(group, agent, limit)))
