"""The writing endpoints: notes, transfers, close/reopen/unassign, tags, routing and agents.

Each takes an optional ``Idempotency-Key`` header (see :mod:`chatadmin.server.idempotency`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from chatadmin.backend import UNSET
from chatadmin.domain import (
    Agent,
    ConversationRow,
    Group,
    Note,
    RoutingConfig,
    TransferResult,
)
from chatadmin.server import idempotency
from chatadmin.server.deps import Auth, KnownQuery, Store
from chatadmin.server.errors import responses
from chatadmin.server.paths import ID_CONVERTOR  # noqa: F401 - paths below use {name:id}
from chatadmin.server.protocol import REPLAYED_HEADER
from chatadmin.server.reads import ConversationId
from chatadmin.server.schemas import (
    NO_CONTROLS,
    AgentChange,
    NoteIn,
    TagsIn,
    TransferIn,
    VersionIn,
)
from chatadmin.server.store import RequestStore

router = APIRouter(prefix="/v1", dependencies=[Auth, KnownQuery], responses=responses(400, 401, 403, 404, 413, 422, 503))

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        pattern=idempotency.KEY_PATTERN,
        description="makes the write safe to retry: the same key again returns the first answer, changing nothing",
    ),
]
GroupId = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_CONTROLS, description="group id")]
AgentId = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_CONTROLS, description="agent id")]
# how often expired idempotency keys are swept, in seconds
SWEEP_EVERY = 600.0
_last_sweep = [0.0]


def _answer(
    request: Request,
    store: RequestStore,
    key: str | None,
    payload: BaseModel | None,
    write: Callable[[RequestStore], BaseModel],
    status_code: int = 200,
) -> Response:
    if key is None:
        body = write(store).model_dump_json()
        return Response(body, status_code=status_code, media_type="application/json")
    data: Any = None if payload is None else payload.model_dump(mode="json", exclude_unset=True)
    print_ = idempotency.fingerprint(request.method, request.scope["path"], data)
    answer = idempotency.run_once(store, key, print_, lambda s: write(s).model_dump_json(), status_code)
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
    _sweep(store)
    return Response(answer.body, status_code=answer.status_code, media_type="application/json", headers=headers)


def _sweep(store: RequestStore) -> None:
    if time.monotonic() - _last_sweep[0] < SWEEP_EVERY:
        return
    _last_sweep[0] = time.monotonic()
    with Session(store.engine) as session, session.begin():
        idempotency.forget_expired(session, store.clock.now())


CONFLICT = responses(409)


@router.post(
    "/conversations/{conversation_id:id}/notes",
    response_model=Note,
    status_code=201,
    summary="Add a note as the token's user",
)
def add_note(request: Request, store: Store, conversation_id: ConversationId, note: NoteIn, key: IdempotencyKey = None) -> Response:
    return _answer(request, store, key, note, lambda s: s.add_note(conversation_id, note.text), 201)


@router.post(
    "/conversations/{conversation_id:id}/transfer",
    response_model=TransferResult,
    summary="Transfer to a group (its routing rule picks the agent) or to an agent of it",
    responses=CONFLICT,
)
def transfer(
    request: Request, store: Store, conversation_id: ConversationId, body: TransferIn, key: IdempotencyKey = None
) -> Response:
    return _answer(
        request, store, key, body, lambda s: s.transfer(conversation_id, body.group, body.agent, body.expected_version)
    )


OptionalVersion = Annotated[VersionIn | None, Body()]
ChangeCall = Callable[[RequestStore, str, int | None], ConversationRow]


def _change_route(action: str, summary: str, change: ChangeCall) -> None:
    """``POST /conversations/{id}/{action}`` with an optional ``{"expected_version"}`` body."""

    def endpoint(
        request: Request,
        store: Store,
        conversation_id: ConversationId,
        body: OptionalVersion = None,
        key: IdempotencyKey = None,
    ) -> Response:
        version = body.expected_version if body else None
        return _answer(request, store, key, body, lambda s: change(s, conversation_id, version))

    router.add_api_route(
        f"/conversations/{{conversation_id:id}}/{action}",
        endpoint,
        methods=["POST"],
        name=action,
        response_model=ConversationRow,
        summary=summary,
        responses=CONFLICT,
    )


_change_route("close", "Close", RequestStore.close_conversation)
_change_route("reopen", "Reopen", RequestStore.reopen_conversation)
_change_route("unassign", "Take the agent off: back to the group's queue", RequestStore.unassign_conversation)


@router.put(
    "/conversations/{conversation_id:id}/tags",
    response_model=ConversationRow,
    summary="Replace the tags",
    responses=CONFLICT,
)
def set_tags(request: Request, store: Store, conversation_id: ConversationId, body: TagsIn, key: IdempotencyKey = None) -> Response:
    return _answer(request, store, key, body, lambda s: s.set_tags(conversation_id, body.tags, body.expected_version))


@router.put("/groups/{group_id:id}/routing", response_model=Group, summary="Set a group's routing rule")
def set_routing(request: Request, store: Store, group_id: GroupId, body: RoutingConfig, key: IdempotencyKey = None) -> Response:
    return _answer(request, store, key, body, lambda s: s.set_routing(group_id, body))


@router.patch("/agents/{agent_id:id}", response_model=Agent, summary="Change an agent's availability, cap or groups")
def set_agent(request: Request, store: Store, agent_id: AgentId, body: AgentChange, key: IdempotencyKey = None) -> Response:
    max_active = body.max_active if "max_active" in body.model_fields_set else UNSET
    return _answer(
        request,
        store,
        key,
        body,
        lambda s: s.set_agent(
            agent_id, body.available, max_active, tuple(body.add_groups), tuple(body.remove_groups)
        ),
    )
