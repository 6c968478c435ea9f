"""The NDJSON import/export format: one record model per line ``type``.

These models check each line on its own (keys, types, phone numbers, timestamps with offsets,
status against agent and ``closed_at``, messages after creation, ratings 1–5). What needs the
whole file or the store (ids that resolve, duplicates, agent in the named group) is checked by
:mod:`chatadmin.store.load`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from chatadmin.clock import format_instant, parse_instant
from chatadmin.domain import EventKind, Role, RoutingConfig, Sender, Status
from chatadmin.errors import InvalidInput
from chatadmin.phones import digits, normalize_phone


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("timestamp has no offset")
        return value.astimezone(UTC)
    if not isinstance(value, str):
        raise ValueError("timestamp must be an ISO 8601 string")
    try:
        return parse_instant(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


Timestamp = Annotated[datetime, BeforeValidator(_instant), PlainSerializer(format_instant, return_type=str)]

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]


def _tag(value: str) -> str:
    if not value.strip():
        raise ValueError("a tag cannot be empty")
    return value


Tag = Annotated[str, Field(max_length=100), AfterValidator(_tag)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GroupRecord(Record):
    type: Literal["group"] = "group"
    id: Id
    name: str = Field(min_length=1, max_length=200)
    routing: RoutingConfig = RoutingConfig()


class AgentRecord(Record):
    type: Literal["agent"] = "agent"
    id: Id
    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.AGENT
    groups: tuple[Id, ...] = ()
    available: bool = True
    max_active: int | None = Field(None, ge=0)


class Customer(Record):
    phone: str
    wa_id: str | None = Field(None, pattern=r"^\d{5,32}$")
    name: str = Field("", max_length=500)

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("phone"), str):
            data = dict(data)
            given = data["phone"]
            try:
                data["phone"] = normalize_phone(given).e164
            except InvalidInput as exc:
                raise ValueError(exc.message) from None
            if data.get("wa_id") is None:
                data["wa_id"] = digits(given)
        return data


class MessageRecord(Record):
    at: Timestamp
    from_: Sender = Field(alias="from")
    agent: Id | None = None
    text: str

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)

    @model_validator(mode="after")
    def _agent_only_for_agents(self) -> MessageRecord:
        if self.from_ is Sender.AGENT and self.agent is None:
            raise ValueError("a message from an agent names the agent")
        if self.from_ is not Sender.AGENT and self.agent is not None:
            raise ValueError(f"a message from {self.from_.value} names no agent")
        return self


class NoteRecord(Record):
    at: Timestamp
    author: Id
    text: str


class EventRecord(Record):
    at: Timestamp
    kind: EventKind
    actor: Id
    from_agent: Id | None = None
    from_group: Id | None = None
    to_agent: Id | None = None
    to_group: Id | None = None
    rule: str | None = None


class ConversationRecord(Record):
    type: Literal["conversation"] = "conversation"
    id: Id
    customer: Customer
    group: Id | None = None
    agent: Id | None = None
    status: Status
    created_at: Timestamp
    assigned_at: Timestamp | None = None
    closed_at: Timestamp | None = None
    rating: int | None = Field(None, ge=1, le=5)
    rating_comment: str | None = None
    tags: tuple[Tag, ...] = ()
    messages: tuple[MessageRecord, ...] = ()
    notes: tuple[NoteRecord, ...] = ()
    events: tuple[EventRecord, ...] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ConversationRecord:
        if self.status is Status.OPEN and (self.agent is not None or self.closed_at is not None):
            raise ValueError("status open contradicts an agent or closed_at (open = no agent, not closed)")
        if self.status is Status.IN_PROGRESS and (self.agent is None or self.closed_at is not None):
            raise ValueError("status in_progress needs an agent and no closed_at")
        if self.status is Status.CLOSED and self.closed_at is None:
            raise ValueError("status closed needs closed_at")
        if self.agent is not None and self.group is None:
            raise ValueError("a conversation with an agent names the agent's group")
        if self.assigned_at is not None and self.agent is None:
            raise ValueError("assigned_at is set but no agent is assigned")
        if self.closed_at is not None and self.closed_at < self.created_at:
            raise ValueError("closed_at is before created_at")
        for message in self.messages:
            if message.at < self.created_at:
                raise ValueError(f"message at {format_instant(message.at)} is before created_at")
        return self


AnyRecord = Annotated[GroupRecord | AgentRecord | ConversationRecord, Field(discriminator="type")]
