"""The NDJSON import/export format: one record model per line ``type``.

These models check each line on its own (keys, types, phone numbers, timestamps with offsets,
status against agent and ``closed_at``, messages after creation, ratings 1–5). What needs the
whole file or the store (ids that resolve, duplicates, agent in the named group) is checked by
:mod:`chatadmin.store.load`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    model_validator,
)

from chatadmin.clock import format_instant, parse_instant
from chatadmin.domain import MAX_CAP, EventKind, Role, RoutingConfig, Sender, Status
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


def _text(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refusing it here keeps both stores lossless
    if "\x00" in value:
        raise ValueError("text cannot contain a NUL character (\\u0000)")
    return value


Text = Annotated[str, AfterValidator(_text)]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _id(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("an id cannot contain control characters")
    return value


Id = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_id)]


def _tag(value: str) -> str:
    if not value.strip():
        raise ValueError("a tag cannot be empty")
    if _CONTROL.search(value):
        raise ValueError(f"a tag cannot contain control characters: {value!r}")
    return value


Tag = Annotated[str, Field(max_length=100), AfterValidator(_tag)]

StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GroupRecord(Record):
    type: Literal["group"] = "group"
    id: Id
    name: Text = Field(min_length=1, max_length=200)
    routing: RoutingConfig = RoutingConfig()


class AgentRecord(Record):
    type: Literal["agent"] = "agent"
    id: Id
    name: Text = Field(min_length=1, max_length=200)
    role: Role = Role.AGENT
    groups: tuple[Id, ...] = Field((), max_length=1000)
    available: StrictBool = True
    max_active: StrictInt | None = Field(None, ge=0, le=MAX_CAP)


def _wa_id(value: str) -> str:
    if not (value.isascii() and value.isdigit() and 5 <= len(value) <= 32):
        raise ValueError(f"a WhatsApp id is 5 to 32 digits, not {value!r}")
    return value


class Customer(Record):
    phone: str
    wa_id: Annotated[str, AfterValidator(_wa_id)] | None = None
    name: Text = Field("", max_length=500)

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
    text: Text

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
    text: Text


class EventRecord(Record):
    at: Timestamp
    kind: EventKind
    actor: Id
    from_agent: Id | None = None
    from_group: Id | None = None
    to_agent: Id | None = None
    to_group: Id | None = None
    rule: str | None = Field(None, min_length=1, max_length=20)


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
    rating: StrictInt | None = Field(None, ge=1, le=5)
    rating_comment: Text | None = None
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

RECORD_TYPES: dict[str, type[GroupRecord | AgentRecord | ConversationRecord]] = {
    "group": GroupRecord,
    "agent": AgentRecord,
    "conversation": ConversationRecord,
}

# Characters JSON may carry raw but that would drive a terminal (DEL, C1 such as the 8-bit CSI)
# or split a line for readers that honour Unicode line breaks (NEL, U+2028, U+2029).
_UNSAFE_RAW = re.compile("[\x7f-\x9f\u2028\u2029]")


def dump_line(data: Mapping[str, Any]) -> str:
    """The canonical NDJSON line (no newline) of a record's data, as ``model_dump(mode="json")`` gives it.

    Compact JSON with keys in field order and UTF-8 text; every control character, DEL, C1
    and U+2028/U+2029 is escaped as ``\\uXXXX``, so an export printed to a terminal cannot
    drive it and every line splitter sees one record per line. Export builds this data
    straight from rows (no model per line); the round-trip tests hold it to :func:`to_line`.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _UNSAFE_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_line(record: Record) -> str:
    """The canonical NDJSON line of a record (no newline): the form export writes."""
    return dump_line(record.model_dump(mode="json"))
