"""The SQL schema as SQLAlchemy 2.0 typed ORM classes.

Instants are stored as integer microseconds since the Unix epoch (UTC): compact, fast to
compare and to subtract in SQL on every database. The columns the list filters and sorts on
(first agent reply, last message, waiting since, response times, country, …) live on the
conversation row and are maintained by :mod:`chatadmin.store.derive` whenever messages,
assignments or closes change, so that no filter has to read the messages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(value: datetime) -> int:
    delta = value - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


class Instant(TypeDecorator[datetime]):
    """An aware datetime stored as UTC microseconds since the epoch."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | int | None, dialect: object) -> int | None:
        if value is None or isinstance(value, int):
            return value
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return to_micros(value)

    def process_result_value(self, value: int | None, dialect: object) -> datetime | None:
        return None if value is None else from_micros(value)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class GroupRow(Base):
    __tablename__ = "groups"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    routing_rule: Mapped[str] = mapped_column(String(20), default="round_robin")
    only_available: Mapped[bool] = mapped_column(Boolean, default=True)
    sticky: Mapped[bool] = mapped_column(Boolean, default=False)
    # round robin position: the member this group last assigned a chat to
    rr_last_agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.pk", use_alter=True))


class AgentRow(Base):
    __tablename__ = "agents"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="agent")
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    max_active: Mapped[int | None] = mapped_column(Integer)
    last_assigned_at: Mapped[datetime | None] = mapped_column(Instant)


class Membership(Base):
    __tablename__ = "memberships"

    agent_pk: Mapped[int] = mapped_column(ForeignKey("agents.pk", ondelete="CASCADE"), primary_key=True)
    group_pk: Mapped[int] = mapped_column(ForeignKey("groups.pk", ondelete="CASCADE"), primary_key=True)
    # the order the NDJSON file named the groups in, so that export gives them back as given
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    __table_args__ = (Index(None, "group_pk", "agent_pk"),)


class CustomerRow(Base):
    __tablename__ = "customers"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    wa_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    # search keys: the folded name, and the digits of phone and WhatsApp id
    name_fold: Mapped[str] = mapped_column(Text)
    digits: Mapped[str] = mapped_column(String(80))

    # the name order's index is on NULLIF(name_fold, '') (migration 0010): nameless customers last
    __table_args__ = (Index(None, "phone"),)


class ConversationRecord(Base):
    __tablename__ = "conversations"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.pk"))
    group_pk: Mapped[int | None] = mapped_column(ForeignKey("groups.pk"))
    agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.pk"))
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(Instant)
    assigned_at: Mapped[datetime | None] = mapped_column(Instant)
    closed_at: Mapped[datetime | None] = mapped_column(Instant)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    # copied from the customer so that the country filter and sort are one index
    country: Mapped[str | None] = mapped_column(String(2))
    # derived from messages and assignments (see chatadmin.store.derive)
    sent_by: Mapped[str | None] = mapped_column(String(10))
    last_message_at: Mapped[datetime | None] = mapped_column(Instant)
    last_message_from: Mapped[str | None] = mapped_column(String(10))
    waiting_since: Mapped[datetime | None] = mapped_column(Instant)
    first_reply_at: Mapped[datetime | None] = mapped_column(Instant)
    response_creation_s: Mapped[int | None] = mapped_column(Integer)
    response_assignment_s: Mapped[int | None] = mapped_column(Integer)
    # the tag names, sorted and joined by "\x1f", so that a page of rows needs no join
    tag_list: Mapped[str] = mapped_column(Text, default="")
    # a store-wide change counter, for live views that ask what changed since
    changed_seq: Mapped[int] = mapped_column(BigInteger, default=0)

    customer: Mapped[CustomerRow] = relationship(lazy="raise")

    __table_args__ = (
        # the list's default order; last_message_at lets "inactive for over …" test each row
        # on the index alone while it walks that order
        Index(None, "created_at", "pk", "last_message_at"),
        Index(None, "status", "created_at"),
        Index(None, "status", "group_pk", "created_at"),
        Index(None, "status", "pk"),
        Index(None, "rating", "pk"),
        Index(None, "agent_pk", "pk"),
        Index(None, "group_pk", "pk"),
        Index(None, "group_pk", "created_at"),
        Index(None, "agent_pk", "status"),
        Index(None, "agent_pk", "created_at"),
        Index(None, "country", "created_at"),
        Index(None, "country", "pk"),
        Index(None, "customer_pk"),
        # "completed today"; migration 0009 makes it partial (closed_at IS NOT NULL), so that "not
        # closed" is never looked up in it. Not said here: a dialect's index option imports that
        # dialect's module with the models, PostgreSQL's at every SQLite console's start.
        Index(None, "closed_at"),
        Index(None, "sent_by", "pk"),
        Index(None, "last_message_at"),
        Index(None, "waiting_since"),
        Index(None, "response_creation_s"),
        Index(None, "response_assignment_s"),
        Index(None, "changed_seq"),
    )


class TagRow(Base):
    __tablename__ = "tags"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class ConversationTag(Base):
    __tablename__ = "conversation_tags"

    conversation_pk: Mapped[int] = mapped_column(
        ForeignKey("conversations.pk", ondelete="CASCADE"), primary_key=True
    )
    tag_pk: Mapped[int] = mapped_column(ForeignKey("tags.pk", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index(None, "tag_pk", "conversation_pk"),)


class MessageRow(Base):
    __tablename__ = "messages"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_pk: Mapped[int] = mapped_column(ForeignKey("conversations.pk", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(Instant)
    sender: Mapped[str] = mapped_column(String(10))
    agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.pk"))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index(None, "conversation_pk", "at", "pk"),)


class NoteRow(Base):
    __tablename__ = "notes"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_pk: Mapped[int] = mapped_column(ForeignKey("conversations.pk", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(Instant)
    # an agent id, or "system"
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index(None, "conversation_pk", "at", "pk"),)


class EventRow(Base):
    """The audit trail: who moved which chat, from where to where, when, by which rule."""

    __tablename__ = "events"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_pk: Mapped[int] = mapped_column(ForeignKey("conversations.pk", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(Instant)
    kind: Mapped[str] = mapped_column(String(12))
    # an agent id, or "system"
    actor: Mapped[str] = mapped_column(String(64))
    from_agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.pk"))
    from_group_pk: Mapped[int | None] = mapped_column(ForeignKey("groups.pk"))
    to_agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.pk"))
    to_group_pk: Mapped[int | None] = mapped_column(ForeignKey("groups.pk"))
    rule: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        Index(None, "conversation_pk", "at", "pk"),
        Index(None, "at", "kind", "to_group_pk", "conversation_pk"),
    )


class GroupLoadRow(Base):
    """Each conversation's latest assignment (or transfer) to each group: "highest load today".

    The metric counts, per group, the conversations assigned to it today, each once. Counting
    distinct conversations among today's events sorted them in temporary B-trees (80 ms on the
    1M demo store); with one row per (group, conversation) a group's count is a range of
    ``(group_pk, last_at)``. Every write that records an assign or transfer event keeps it in
    step (``chatadmin.store.writes.change``, the importer, the demo writer).
    """

    __tablename__ = "group_loads"

    group_pk: Mapped[int] = mapped_column(ForeignKey("groups.pk", ondelete="CASCADE"), primary_key=True)
    conversation_pk: Mapped[int] = mapped_column(
        ForeignKey("conversations.pk", ondelete="CASCADE"), primary_key=True
    )
    last_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (Index(None, "group_pk", "last_at"),)


class Counter(Base):
    """Named store-wide counters (the change sequence for live views)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class RoutingChangeRow(Base):
    """The audit trail of routing configuration: who changed a rule, an availability, a cap or a membership."""

    __tablename__ = "routing_changes"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Instant)
    # an agent id, or "system"
    actor: Mapped[str] = mapped_column(String(64))
    group_pk: Mapped[int | None] = mapped_column(ForeignKey("groups.pk"))
    agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.pk"))
    # rule, only_available, sticky (of a group); available, max_active (of an agent); member (both)
    setting: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(40))
    new_value: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index(None, "at", "pk"),)


class ApiTokenRow(Base):
    """A bearer token of the HTTP server: only its SHA-256 is kept, never the token."""

    __tablename__ = "api_tokens"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the public handle shown by `token list` and taken by `token revoke` (also inside the token)
    id: Mapped[str] = mapped_column(String(16), unique=True)
    # the agent every request acts as; null: the operator (the local administrator)
    agent_pk: Mapped[int | None] = mapped_column(ForeignKey("agents.pk", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Instant)
    last_used_at: Mapped[datetime | None] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant)


class IdempotencyRow(Base):
    """The first answer to a write sent with an ``Idempotency-Key``, replayed to retries of it."""

    __tablename__ = "idempotency_keys"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    # whose key: an agent id, or "" for the operator (keys of different users never meet)
    subject: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of method, path and body: the same key with another request is refused
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (Index(None, "subject", "key", unique=True), Index(None, "created_at"))
