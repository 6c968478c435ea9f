"""Exporting the store as NDJSON: groups, agents, then conversations, streamed in batches."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Connection, Engine, Row, select
from sqlalchemy.sql.elements import ColumnElement

from chatadmin.clock import format_instant
from chatadmin.domain import Role, RoutingConfig, RoutingRule
from chatadmin.ndjson import AgentRecord, GroupRecord, dump_line, to_line
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
    canonical form of :func:`chatadmin.ndjson.to_line` (conversations go straight from rows
    to :func:`chatadmin.ndjson.dump_line`, without a model per line). One read transaction
    (a snapshot on PostgreSQL) covers the whole export; conversations stream through a
    server-side cursor and their messages, notes and events are read per batch, so memory
    stays bounded whatever the size of the store.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            groups = dict(connection.execute(select(GroupRow.pk, GroupRow.id)).tuples().all())
            agents = dict(connection.execute(select(AgentRow.pk, AgentRow.id)).tuples().all())
            lines = itertools.chain(
                map(to_line, _groups(connection)),
                map(to_line, _agents(connection, groups)),
                map(dump_line, _conversations(connection, groups, agents, batch_size)),
            )
            written = 0
            for line in lines:
                out.write(line + "\n")
                written += 1
            return written


def _groups(connection: Connection) -> Iterable[GroupRecord]:
    for row in connection.execute(select(GroupRow).order_by(_binary(GroupRow.id, connection))):
        routing = RoutingConfig(
            rule=RoutingRule(row.routing_rule), only_available=row.only_available, sticky=row.sticky
        )
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
) -> Iterable[dict[str, Any]]:
    c = ConversationTable.__table__.c
    customer = CustomerRow.__table__.c
    query = (
        select(
            c.pk, c.id, c.group_pk, c.agent_pk, c.status, c.created_at, c.assigned_at, c.closed_at,
            c.rating, c.rating_comment, c.tag_list, customer.phone, customer.wa_id, customer.name,
        )
        .join_from(ConversationTable.__table__, CustomerRow.__table__, c.customer_pk == customer.pk)
        .order_by(c.created_at, _binary(c.id, connection))
    )
    result = connection.execute(query.execution_options(yield_per=batch_size))
    for partition in result.partitions():
        yield from _batch(connection, partition, groups, agents)


def _children(
    connection: Connection, table: Any, columns: Sequence[Any], pks: list[int]
) -> dict[int, list[Row[Any]]]:
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
) -> Iterable[dict[str, Any]]:
    """The conversations of one batch as the data their records dump to (see ``ndjson.dump_line``)."""
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
    agents = {None: None, **agents}  # type: ignore[dict-item]
    groups = {None: None, **groups}  # type: ignore[dict-item]
    for row in rows:
        yield {
            "type": "conversation",
            "id": row.id,
            "customer": {"phone": row.phone, "wa_id": row.wa_id, "name": row.name},
            "group": groups[row.group_pk],
            "agent": agents[row.agent_pk],
            "status": row.status,
            "created_at": format_instant(row.created_at),
            "assigned_at": _instant(row.assigned_at),
            "closed_at": _instant(row.closed_at),
            "rating": row.rating,
            "rating_comment": row.rating_comment,
            "tags": row.tag_list.split(TAG_SEPARATOR) if row.tag_list else [],
            "messages": [
                {"at": format_instant(r.at), "from": r.sender, "agent": agents[r.agent_pk], "text": r.text}
                for r in messages.get(row.pk, ())
            ],
            "notes": [
                {"at": format_instant(r.at), "author": r.author, "text": r.text} for r in notes.get(row.pk, ())
            ],
            "events": [
                {
                    "at": format_instant(r.at),
                    "kind": r.kind,
                    "actor": r.actor,
                    "from_agent": agents[r.from_agent_pk],
                    "from_group": groups[r.from_group_pk],
                    "to_agent": agents[r.to_agent_pk],
                    "to_group": groups[r.to_group_pk],
                    "rule": r.rule,
                }
                for r in events.get(row.pk, ())
            ],
        }


def _instant(value: datetime | None) -> str | None:
    return None if value is None else format_instant(value)
