"""Bulk writes of NDJSON records into the store: the importer's and the demo generator's writer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from psycopg import sql as pg_sql
from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update

from chatadmin.domain import SYSTEM_ACTOR, EventKind
from chatadmin.ndjson import AgentRecord, ConversationRecord, EventRecord, GroupRecord
from chatadmin.phones import country_of, digits
from chatadmin.store.derive import MessageFact, derive
from chatadmin.store.metrics import load_rows
from chatadmin.store.models import (
    AgentRow,
    ConversationRecord as ConversationTable,
    ConversationTag,
    Counter,
    CustomerRow,
    EventRow,
    GroupLoadRow,
    GroupRow,
    Membership,
    MessageRow,
    NoteRow,
    TagRow,
    to_micros,
)
from chatadmin.store.query import TAG_SEPARATOR
from chatadmin.text import fold

CHUNK_SIZE = 2000
CHANGES = "changes"  # the counter row behind conversations.changed_seq
ASSIGNING = (EventKind.ASSIGNED, EventKind.TRANSFERRED)

Record = GroupRecord | AgentRecord | ConversationRecord
CustomerKey = tuple[str, str, str]  # phone, WhatsApp id, name: what makes two customers one


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


@dataclass
class ImportSummary:
    """How many of each kind of record were written."""

    groups: int = 0
    agents: int = 0
    conversations: int = 0
    messages: int = 0
    notes: int = 0
    events: int = 0

    def __str__(self) -> str:
        counts = [(getattr(self, f.name), f.name) for f in fields(self)]
        return ", ".join(f"{n} {name if n != 1 else name.removesuffix('s')}" for n, name in counts)


def implied_events(record: ConversationRecord) -> tuple[EventRecord, ...]:
    """The conversation's events; without any given, the ``assigned`` event ``assigned_at`` implies."""
    if record.events is not None:
        return record.events
    if record.assigned_at is None:
        return ()
    return (
        EventRecord.model_construct(
            at=record.assigned_at,
            kind=EventKind.ASSIGNED,
            actor=SYSTEM_ACTOR,
            to_agent=record.agent,
            to_group=record.group,
            from_agent=None,
            from_group=None,
            rule=None,
        ),
    )


class BulkWriter:
    """Writes groups, agents and conversations in bulk (executemany, or COPY on PostgreSQL), in chunks.

    ``BulkWriter(connection, chunk_size=CHUNK_SIZE)`` works inside the caller's transaction
    (``with engine.begin() as connection``); it never commits. ``add(record)`` buffers a
    :class:`GroupRecord`, :class:`AgentRecord` or :class:`ConversationRecord` and writes the
    buffer every ``chunk_size`` conversations; ``finish()`` writes the rest, sets the agents'
    ``last_assigned_at`` and returns the :class:`ImportSummary`. ``progress(n)``, when given,
    is called with the number of conversations written so far after each chunk.

    Records must already obey the file rules (:mod:`chatadmin.store.load` checks them): ids
    new and resolving, phones in E.164 as stored (``+52…``, never ``+521…``). Records made with
    ``model_construct`` are fine when the caller guarantees that (the demo generator); then
    ``customer.wa_id`` may be None (the phone's digits) and ``events`` None (implied from
    ``assigned_at``). Derived columns, customers (shared on phone, WhatsApp id and name, also
    with the store), tags, the change counter and ``changed_seq`` are all filled in here.
    """

    def __init__(
        self,
        connection: Connection,
        chunk_size: int = CHUNK_SIZE,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.connection = connection
        self.chunk_size = chunk_size
        self.progress = progress
        self._postgres = connection.dialect.name == "postgresql"
        self.summary = ImportSummary()
        self._groups: list[GroupRecord] = []
        self._agents: list[AgentRecord] = []
        self._conversations: list[ConversationRecord] = []
        self._group_pk: dict[str, int] = dict(connection.execute(select(GroupRow.id, GroupRow.pk)).tuples().all())
        self._agent_pk: dict[str, int] = dict(connection.execute(select(AgentRow.id, AgentRow.pk)).tuples().all())
        self._tag_pk: dict[str, int] = dict(connection.execute(select(TagRow.name, TagRow.pk)).tuples().all())
        self._last_assigned: dict[int, datetime] = {}

    def add(self, record: Record) -> None:
        if isinstance(record, ConversationRecord):
            self._conversations.append(record)
            if len(self._conversations) >= self.chunk_size:
                self.flush()
        elif isinstance(record, AgentRecord):
            self._agents.append(record)
        else:
            self._groups.append(record)

    def flush(self) -> None:
        """Write what is buffered: groups first, then agents, then conversations."""
        if self._groups:
            self._write_groups(self._groups)
            self._groups = []
        if self._agents:
            self._write_agents(self._agents)
            self._agents = []
        if self._conversations:
            self._write_conversations(self._conversations)
            self._conversations = []

    def finish(self) -> ImportSummary:
        self.flush()
        if self._last_assigned:
            table = _table(AgentRow)
            self.connection.execute(
                update(table)
                .where(table.c.pk == bindparam("b_pk"))
                .where((table.c.last_assigned_at.is_(None)) | (table.c.last_assigned_at < bindparam("b_at")))
                .values(last_assigned_at=bindparam("b_at")),
                [{"b_pk": pk, "b_at": at} for pk, at in self._last_assigned.items()],
            )
            self._last_assigned = {}
        return self.summary

    # -- groups and agents ------------------------------------------------------------------

    def _write_groups(self, records: Sequence[GroupRecord]) -> None:
        rows = [
            {
                "id": g.id,
                "name": g.name,
                "routing_rule": g.routing.rule.value,
                "only_available": g.routing.only_available,
                "sticky": g.routing.sticky,
            }
            for g in records
        ]
        pks = self._insert_new(_table(GroupRow), rows)
        self._group_pk.update(zip((g.id for g in records), pks, strict=True))
        self.summary.groups += len(records)

    def _write_agents(self, records: Sequence[AgentRecord]) -> None:
        rows = [
            {"id": a.id, "name": a.name, "role": a.role.value, "available": a.available, "max_active": a.max_active}
            for a in records
        ]
        pks = self._insert_new(_table(AgentRow), rows)
        memberships = []
        for agent, pk in zip(records, pks, strict=True):
            self._agent_pk[agent.id] = pk
            memberships += [
                {"agent_pk": pk, "group_pk": self._group_pk[group], "position": position}
                for position, group in enumerate(agent.groups)
            ]
        self._insert(_table(Membership), memberships)
        self.summary.agents += len(records)

    # -- conversations ----------------------------------------------------------------------

    def _write_conversations(self, records: Sequence[ConversationRecord]) -> None:
        customers = self._customer_pks(records)
        first_seq = self._bump_changes(len(records))
        rows = [self._conversation_row(c, customers, first_seq + i) for i, c in enumerate(records)]
        pks = self._insert_new(_table(ConversationTable), rows)
        self._ensure_tags({tag for c in records for tag in c.tags})
        messages: list[dict[str, object]] = []
        notes: list[dict[str, object]] = []
        events: list[dict[str, object]] = []
        tags: list[dict[str, object]] = []
        for record, pk in zip(records, pks, strict=True):
            messages += [
                {
                    "conversation_pk": pk,
                    "at": m.at,
                    "sender": m.from_.value,
                    "agent_pk": None if m.agent is None else self._agent_pk[m.agent],
                    "text": m.text,
                }
                for m in record.messages
            ]
            notes += [{"conversation_pk": pk, "at": n.at, "author": n.author, "text": n.text} for n in record.notes]
            events += [self._event_row(pk, e) for e in implied_events(record)]
            tags += [{"conversation_pk": pk, "tag_pk": self._tag_pk[t]} for t in set(record.tags)]
        self._insert(_table(MessageRow), messages)
        self._insert(_table(NoteRow), notes)
        self._insert(_table(EventRow), events)
        self._insert(_table(GroupLoadRow), load_rows(events))
        self._insert(_table(ConversationTag), tags)
        self.summary.conversations += len(records)
        self.summary.messages += len(messages)
        self.summary.notes += len(notes)
        self.summary.events += len(events)
        if self.progress is not None:
            self.progress(self.summary.conversations)

    def _conversation_row(
        self, record: ConversationRecord, customers: dict[CustomerKey, tuple[int, str | None]], seq: int
    ) -> dict[str, object]:
        customer_pk, country = customers[_customer_key(record)]
        # time order, then the order of the file (sorted() is stable)
        ordered = sorted(record.messages, key=lambda m: m.at)
        derived = derive([MessageFact(m.at, m.from_.value) for m in ordered], record.created_at, record.assigned_at)
        return {
            "id": record.id,
            "version": 1,
            "customer_pk": customer_pk,
            "group_pk": None if record.group is None else self._group_pk[record.group],
            "agent_pk": None if record.agent is None else self._agent_pk[record.agent],
            "status": record.status.value,
            "created_at": record.created_at,
            "assigned_at": record.assigned_at,
            "closed_at": record.closed_at,
            "rating": record.rating,
            "rating_comment": record.rating_comment,
            "country": country,
            "tag_list": TAG_SEPARATOR.join(sorted(set(record.tags))),
            "changed_seq": seq,
            **derived.as_columns(),
        }

    def _event_row(self, conversation_pk: int, event: EventRecord) -> dict[str, object]:
        to_agent = None if event.to_agent is None else self._agent_pk[event.to_agent]
        if to_agent is not None and event.kind in ASSIGNING:
            latest = self._last_assigned.get(to_agent)
            if latest is None or event.at > latest:
                self._last_assigned[to_agent] = event.at
        return {
            "conversation_pk": conversation_pk,
            "at": event.at,
            "kind": event.kind.value,
            "actor": event.actor,
            "from_agent_pk": None if event.from_agent is None else self._agent_pk[event.from_agent],
            "from_group_pk": None if event.from_group is None else self._group_pk[event.from_group],
            "to_agent_pk": to_agent,
            "to_group_pk": None if event.to_group is None else self._group_pk[event.to_group],
            "rule": event.rule,
        }

    def _customer_pks(self, records: Sequence[ConversationRecord]) -> dict[CustomerKey, tuple[int, str | None]]:
        """Customer pk and country per (phone, wa_id, name): found in the store or inserted."""
        wanted = {_customer_key(c) for c in records}
        found: dict[CustomerKey, tuple[int, str | None]] = {}
        phones = sorted({key[0] for key in wanted})
        table = _table(CustomerRow)
        for start in range(0, len(phones), 1000):
            query = select(table.c.phone, table.c.wa_id, table.c.name, table.c.pk, table.c.country).where(
                table.c.phone.in_(phones[start : start + 1000])
            )
            for phone, wa_id, name, pk, country in self.connection.execute(query):
                if (phone, wa_id, name) in wanted:
                    found.setdefault((phone, wa_id, name), (pk, country))
        new = sorted(wanted - found.keys())
        rows = [
            {
                "phone": phone,
                "wa_id": wa_id,
                "name": name,
                "country": country_of(phone),
                "name_fold": fold(name),
                "digits": f"{digits(phone)} {wa_id}",
            }
            for phone, wa_id, name in new
        ]
        pks = self._insert_new(table, rows)
        for key, pk, row in zip(new, pks, rows, strict=True):
            found[key] = (pk, row["country"])  # type: ignore[assignment]
        return found

    def _ensure_tags(self, names: set[str]) -> None:
        new = sorted(names - self._tag_pk.keys())
        pks = self._insert_new(_table(TagRow), [{"name": name} for name in new])
        self._tag_pk.update(zip(new, pks, strict=True))

    def _bump_changes(self, count: int) -> int:
        """Advance the store's change counter by ``count``; the first of the new numbers."""
        table = _table(Counter)
        last = self.connection.execute(
            update(table).where(table.c.name == CHANGES).values(value=table.c.value + count).returning(table.c.value)
        ).scalar()
        if last is None:
            self.connection.execute(insert(table).values(name=CHANGES, value=count))
            last = count
        return int(last) - count + 1

    # -- plumbing ---------------------------------------------------------------------------

    def _insert_new(self, table: Table, rows: list[dict[str, object]]) -> list[int]:
        """Insert ``rows`` with primary keys allocated up front; the keys, in row order.

        Known keys keep the insert a plain bulk load (``INSERT … RETURNING`` in bulk is many
        times slower). PostgreSQL hands the keys out from the table's sequence, so concurrent
        writers never collide; on SQLite the writer holds the write lock, so keys past the
        largest are free.
        """
        if not rows:
            return []
        if self._postgres:
            query = text("SELECT nextval(pg_get_serial_sequence(:table, 'pk')) FROM generate_series(1, :count)")
            pks = sorted(self.connection.execute(query, {"table": table.name, "count": len(rows)}).scalars())
        else:
            start = self.connection.execute(select(func.coalesce(func.max(table.c.pk), 0))).scalar_one() + 1
            pks = list(range(start, start + len(rows)))
        for row, pk in zip(rows, pks, strict=True):
            row["pk"] = pk
        self._insert(table, rows)
        return pks

    def _insert(self, table: Table, rows: list[dict[str, object]]) -> None:
        """Core ``insert()`` executemany; on PostgreSQL ``COPY``, about five times faster."""
        if not rows:
            return
        if not self._postgres:
            self.connection.execute(insert(table), rows)
            return
        columns = list(rows[0])
        statement = pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
            pg_sql.Identifier(table.name), pg_sql.SQL(", ").join(map(pg_sql.Identifier, columns))
        )
        driver = self.connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([_plain(row[column]) for column in columns])


def _plain(value: object) -> object:
    """A value as the column stores it: instants as UTC microseconds (see models.Instant)."""
    return to_micros(value) if isinstance(value, datetime) else value


def _customer_key(record: ConversationRecord) -> CustomerKey:
    customer = record.customer
    return customer.phone, customer.wa_id or digits(customer.phone), customer.name


def write_records(
    connection: Connection,
    records: Iterable[Record],
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Write ``records`` (groups and agents before what names them) through a :class:`BulkWriter`.

    Runs inside the caller's transaction on ``connection`` and never commits; ``progress(n)``
    is called with the number of conversations written so far after each chunk.
    """
    writer = BulkWriter(connection, chunk_size, progress)
    for record in records:
        writer.add(record)
    return writer.finish()
