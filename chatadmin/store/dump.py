"""Exporting the store as NDJSON: groups, agents, then conversations, streamed in batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from sqlalchemy import Connection, Engine, Row, select
from sqlalchemy.sql.elements import ColumnElement

from chatadmin.domain import EventKind, Role, RoutingConfig, RoutingRule, Sender, Status
from chatadmin.ndjson import (
    AgentRecord,
    ConversationRecord,
    Customer,
    EventRecord,
    GroupRecord,
    MessageRecord,
    NoteRecord,
    to_line,
)
from chatadmin.store.models import (
    AgentRow,
    ConversationRecord as ConversationTable,
    CustomerRow,
    EventRow,
    GroupRow,
    Membership,
    MessageRow,
    NoteRow,
)
from chatadmin.store.query import TAG_SEPARATOR

BATCH_SIZE = 500


def _binary(column: Any, connection: Connection) -> ColumnElement[Any]:
    """The column compared by code point on every database (PostgreSQL's locale would not be)."""
    return column.collate("C" if connection.dialect.name == "postgresql" else "BINARY")  # type: ignore[no-any-return]


def export_ndjson(engine: Engine, out: TextIO, batch_size: int = BATCH_SIZE) -> int:
    """Write the whole store to ``out`` as NDJSON lines; the number of lines written.

    Groups and agents by id, then conversations by creation time then id, each in the
    canonical form of :func:`chatadmin.ndjson.to_line`. One read transaction (a snapshot on
    PostgreSQL) covers the whole export; conversations stream through a server-side cursor
    and their messages, notes and events are read per batch, so memory stays bounded.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            written = 0
            groups = {pk: gid for pk, gid in connection.execute(select(GroupRow.pk, GroupRow.id)).tuples()}
            agents = {pk: aid for pk, aid in connection.execute(select(AgentRow.pk, AgentRow.id)).tuples()}
            for record in _groups(connection):
                out.write(to_line(record) + "\n")
                written += 1
            for record in _agents(connection, groups):
                out.write(to_line(record) + "\n")
                written += 1
            for record in _conversations(connection, groups, agents, batch_size):
                out.write(to_line(record) + "\n")
                written += 1
            return written


def _groups(connection: Connection) -> Iterable[GroupRecord]:
    query = select(GroupRow).order_by(_binary(GroupRow.id, connection))
    for row in connection.execute(query):
        routing = RoutingConfig(rule=RoutingRule(row.routing_rule), only_available=row.only_available, sticky=row.sticky)
        yield GroupRecord.model_construct(id=row.id, name=row.name, routing=routing)


def _agents(connection: Connection, groups: dict[int, str]) -> Iterable[AgentRecord]:
    members: dict[int, list[str]] = defaultdict(list)
    for agent_pk, group_pk in connection.execute(
        select(Membership.agent_pk, Membership.group_pk).order_by(Membership.agent_pk, Membership.position)
    ):
        members[agent_pk].append(groups[group_pk])
    for row in connection.execute(select(AgentRow).order_by(_binary(AgentRow.id, connection))):
        yield AgentRecord.model_construct(
            id=row.id,
            name=row.name,
            role=Role(row.role),
            groups=tuple(members[row.pk]),
            available=row.available,
            max_active=row.max_active,
        )


def _conversations(
    connection: Connection, groups: dict[int, str], agents: dict[int, str], batch_size: int
) -> Iterable[ConversationRecord]:
    c = ConversationTable.__table__.c
    customer = CustomerRow.__table__.c
    query = (
        select(
            c.pk, c.id, c.group_pk, c.agent_pk, c.status, c.created_at, c.assigned_at, c.closed_at,
            c.rating, c.rating_comment, c.tag_list, customer.phone, customer.wa_id, customer.name,
        )
        .join_from(ConversationTable.__table__, CustomerRow.__table__, c.customer_pk == customer.pk)
        .order_by(c.created_at, _binary(c.id, connection))
    )  # fmt: skip
    result = connection.execute(query.execution_options(yield_per=batch_size))
    for partition in result.partitions():
        yield from _batch(connection, partition, groups, agents)


def _children(connection: Connection, table: Any, columns: Sequence[Any], pks: list[int]) -> dict[int, list[Row[Any]]]:
    """Rows of a child table for these conversations, grouped by conversation, oldest first."""
    query = (
        select(table.c.conversation_pk, *columns)
        .where(table.c.conversation_pk.in_(pks))
        .order_by(table.c.conversation_pk, table.c.at, table.c.pk)
    )
    grouped: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in connection.execute(query):
        grouped[row.conversation_pk].append(row)
    return grouped


def _batch(
    connection: Connection, rows: Sequence[Row[Any]], groups: dict[int, str], agents: dict[int, str]
) -> Iterable[ConversationRecord]:
    pks = [row.pk for row in rows]
    m = MessageRow.__table__.c
    n = NoteRow.__table__.c
    e = EventRow.__table__.c
    messages = _children(connection, MessageRow.__table__, [m.at, m.sender, m.agent_pk, m.text], pks)
    notes = _children(connection, NoteRow.__table__, [n.at, n.author, n.text], pks)
    events = _children(
        connection,
        EventRow.__table__,
        [e.at, e.kind, e.actor, e.from_agent_pk, e.from_group_pk, e.to_agent_pk, e.to_group_pk, e.rule],
        pks,
    )

    def agent(pk: int | None) -> str | None:
        return None if pk is None else agents[pk]

    def group(pk: int | None) -> str | None:
        return None if pk is None else groups[pk]

    for row in rows:
        yield ConversationRecord.model_construct(
            id=row.id,
            customer=Customer.model_construct(phone=row.phone, wa_id=row.wa_id, name=row.name),
            group=group(row.group_pk),
            agent=agent(row.agent_pk),
            status=Status(row.status),
            created_at=row.created_at,
            assigned_at=row.assigned_at,
            closed_at=row.closed_at,
            rating=row.rating,
            rating_comment=row.rating_comment,
            tags=tuple(row.tag_list.split(TAG_SEPARATOR)) if row.tag_list else (),
            messages=tuple(
                MessageRecord.model_construct(at=r.at, from_=Sender(r.sender), agent=agent(r.agent_pk), text=r.text)
                for r in messages.get(row.pk, ())
            ),
            notes=tuple(NoteRecord.model_construct(at=r.at, author=r.author, text=r.text) for r in notes.get(row.pk, ())),
            events=tuple(
                EventRecord.model_construct(
                    at=r.at,
                    kind=EventKind(r.kind),
                    actor=r.actor,
                    from_agent=agent(r.from_agent_pk),
                    from_group=group(r.from_group_pk),
                    to_agent=agent(r.to_agent_pk),
                    to_group=group(r.to_group_pk),
                    rule=r.rule,
                )
                for r in events.get(row.pk, ())
            ),
        )
