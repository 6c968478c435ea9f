"""Writing the demo store's rows fast: plain tuples, one executemany (or COPY) per table and chunk.

The importer's :class:`~chatadmin.store.bulk.BulkWriter` builds pydantic records, dicts and
SQLAlchemy bind parameters for every row: right for files, too slow for a million generated
conversations. Here rows are plain tuples with explicit primary keys, handed to the driver
(SQLite's executemany, of statements of many rows each where that is safe, or COPY on
PostgreSQL), into tables whose indexes and foreign keys :func:`defer_upkeep` set aside; the derived
columns still come from :mod:`chatadmin.store.derive` (``derive_seconds``, the same definitions
as every other write, on the demo's whole seconds instead of a datetime per message).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import Connection, Table

from chatadmin.demo.chats import ASSIGNED, TRANSFERRED, Chat, Event, Message, Note
from chatadmin.demo.world import GROUPS, DemoAgent
from chatadmin.domain import RoutingRule
from chatadmin.store.bulk import CHANGES, TAG_SEPARATOR
from chatadmin.store.derive import derive_seconds
from chatadmin.store.models import (
    AgentRow,
    ConversationRecord,
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
)
from chatadmin.text import fold

SECOND = 1_000_000
SQLITE_PARAMETERS = 999  # bound parameters a statement may take on any SQLite (3.32 raised it to 32766)
ASSIGNING = (ASSIGNED, TRANSFERRED)
ROUND_ROBIN = RoutingRule.ROUND_ROBIN.value

# the columns written, in tuple order; primary keys are given so that rows can point at each other
COLUMNS: dict[type, tuple[str, ...]] = {
    GroupRow: ("pk", "id", "name", "routing_rule", "only_available", "sticky"),
    AgentRow: ("pk", "id", "name", "role", "available", "max_active"),
    Membership: ("agent_pk", "group_pk", "position"),
    TagRow: ("pk", "name"),
    CustomerRow: ("pk", "phone", "wa_id", "name", "country", "name_fold", "digits"),
    ConversationRecord: (
        "pk", "id", "version", "customer_pk", "group_pk", "agent_pk", "status", "created_at", "assigned_at",
        "closed_at", "rating", "rating_comment", "country", "sent_by", "last_message_at", "last_message_from",
        "waiting_since", "first_reply_at", "response_creation_s", "response_assignment_s", "tag_list", "changed_seq",
    ),
    ConversationTag: ("conversation_pk", "tag_pk"),
    GroupLoadRow: ("group_pk", "conversation_pk", "last_at"),
    MessageRow: ("conversation_pk", "at", "sender", "agent_pk", "text"),
    NoteRow: ("conversation_pk", "at", "author", "text"),
    EventRow: (
        "conversation_pk", "at", "kind", "actor", "from_agent_pk", "from_group_pk", "to_agent_pk", "to_group_pk", "rule",
    ),
}
# tables whose primary keys are given here: PostgreSQL's sequences must be moved past them
EXPLICIT_PKS = (GroupRow, AgentRow, TagRow, CustomerRow, ConversationRecord)


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _referred(table: Table) -> bool:
    return any(key.column.table is table for other in table.metadata.tables.values() for key in other.foreign_keys)


# tables no table refers to (messages and events among them: most of the rows)
LEAVES = frozenset(model for model in COLUMNS if not _referred(_table(model)))


def _micros(seconds: int | None) -> int | None:
    return None if seconds is None else seconds * SECOND


class Inserter:
    """Many rows per statement: on SQLite, statements of many rows each (executemany), on
    PostgreSQL COPY."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        for model, cols in COLUMNS.items():
            missing = set(cols) - set(_table(model).c.keys())
            if missing:  # the schema moved on: fail loudly rather than write a wrong store
                raise RuntimeError(f"demo writer: {_table(model).name} has no column(s) {sorted(missing)}")
        self._copy = {
            model: f"COPY {_table(model).name} ({', '.join(cols)}) FROM STDIN" for model, cols in COLUMNS.items()
        }

    def insert(self, model: type, rows: Sequence[tuple[object, ...]]) -> None:
        if not rows:
            return
        if not self.postgres:
            self._insert_sqlite(model, rows)
            return
        driver = self.connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(self._copy[model]) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)

    def _insert_sqlite(self, model: type, rows: Sequence[tuple[object, ...]]) -> None:
        driver = self.connection.connection.driver_connection
        if model not in LEAVES:
            driver.executemany(self._values(model, 1), rows)  # type: ignore[union-attr]
            return
        # VALUES of as many rows as 999 parameters allow (the least any SQLite takes): each
        # statement's round through the driver is paid once for many rows (100k: 7.4 -> 6.9 s).
        # Only into tables no other table refers to: into the others, the build's closing
        # PRAGMA optimize then analyzes tables it otherwise leaves alone, and the store would
        # not have the statistics (so the plans) its queries were tuned and tested with
        width = len(COLUMNS[model])
        per = max(1, SQLITE_PARAMETERS // width)
        whole = len(rows) // per * per
        if whole:
            values = list(chain.from_iterable(rows[:whole]))
            step = per * width
            driver.executemany(self._values(model, per), (values[i : i + step] for i in range(0, len(values), step)))  # type: ignore[union-attr]
        if whole < len(rows):
            driver.execute(self._values(model, len(rows) - whole), list(chain.from_iterable(rows[whole:])))  # type: ignore[union-attr]

    @staticmethod
    def _values(model: type, count: int) -> str:
        cols = COLUMNS[model]
        row = f"({', '.join('?' * len(cols))})"
        return f"INSERT INTO {_table(model).name} ({', '.join(cols)}) VALUES {', '.join([row] * count)}"


@dataclass
class Chunk:
    """One batch of rows, per table, and how many conversations it holds."""

    conversations: int
    rows: dict[type, list[tuple[object, ...]]] = field(default_factory=dict)


@dataclass
class Tally:
    """What the writer learns on the way: the agents' last assignments, round robin positions."""

    last_assigned: dict[str, int] = field(default_factory=dict)
    round_robin: dict[str, tuple[int, str]] = field(default_factory=dict)


# A drawn conversation as it crosses from the drawing process: plain values, so that marshal
# can write them. (id, customer pk, the customer's (phone, wa_id, name) the first time they
# come (else None), their country, group, agent, status, created, assigned, closed, rating,
# comment, tags, messages, notes, events), as in :class:`Chat`.
Drawn = tuple[
    str, int, tuple[str, str, str] | None, str, str | None, str | None, str, int, int | None, int | None,
    int | None, str | None, tuple[str, ...], list[Message], list[Note], list[Event],
]


class Numbering:
    """Flattens drawn chats into :data:`Drawn` tuples, numbering customers as they first come."""

    def __init__(self) -> None:
        self.customers = 0

    def drawn(self, chat: Chat) -> Drawn:
        customer = chat.customer
        first = None
        if not customer.pk:
            self.customers += 1
            customer.pk = self.customers
            first = (customer.phone, customer.wa_id, customer.name)
        return (
            chat.id, customer.pk, first, customer.country, chat.group, chat.agent, chat.status, chat.created, chat.assigned,
            chat.closed, chat.rating, chat.comment, chat.tags, chat.messages, chat.notes, chat.events,
        )


class RowMaker:
    """Turns drawn conversations into table rows (primary keys counted from one)."""

    def __init__(self, agents: Sequence[DemoAgent]) -> None:
        self.agent_pk = {a.id: i for i, a in enumerate(agents, 1)}
        self.group_pk = {g.id: i for i, g in enumerate(GROUPS, 1)}
        self.tag_pk: dict[str, int] = {}
        self._folded: dict[str, str] = {}  # customers' names repeat: fold each one once
        self.customers = 0
        self.conversation_pk = 0
        self.tally = Tally()

    def chunk(self, drawn: Iterable[Drawn]) -> Chunk:
        agent_pk, group_pk, tag_pk = self.agent_pk, self.group_pk, self.tag_pk
        customers: list[tuple[object, ...]] = []
        conversations: list[tuple[object, ...]] = []
        messages: list[tuple[object, ...]] = []
        notes: list[tuple[object, ...]] = []
        events: list[tuple[object, ...]] = []
        group_loads: list[tuple[object, ...]] = []
        tags: list[tuple[object, ...]] = []
        new_tags: list[tuple[object, ...]] = []
        last_assigned = self.tally.last_assigned
        round_robin = self.tally.round_robin
        count = 0
        for (
            ident, customer_pk, first, country, group, agent, status, created, assigned, closed, rating, comment,
            chat_tags, chat_messages, chat_notes, chat_events,
        ) in drawn:
            count += 1
            self.conversation_pk += 1
            pk = self.conversation_pk
            if first is not None:
                phone, wa_id, name = first
                self.customers += 1
                folded = self._folded.get(name)
                if folded is None:
                    folded = self._folded[name] = fold(name)
                customers.append((customer_pk, phone, wa_id, name, country, folded, f"{phone[1:]} {wa_id}"))
            sent_by, last_at, last_from, waiting, first_reply, response_creation, response_assignment = derive_seconds(
                chat_messages, created, assigned
            )
            conversations.append(
                (pk, ident, 1, customer_pk, group_pk.get(group), agent_pk.get(agent), status,
                 created * SECOND, _micros(assigned), _micros(closed), rating, comment,
                 country, sent_by, _micros(last_at), last_from, _micros(waiting), _micros(first_reply),
                 response_creation, response_assignment, TAG_SEPARATOR.join(chat_tags), pk)
            )
            messages += [(pk, at * SECOND, sender, agent_pk.get(by), text) for at, sender, by, text in chat_messages]
            if chat_notes:
                notes += [(pk, at * SECOND, author, text) for at, author, text in chat_notes]
            loads: dict[int, int] = {}  # the latest assignment to each group
            for at, kind, actor, from_agent, from_group, to_agent, to_group, rule in chat_events:
                events.append(
                    (pk, at * SECOND, kind, actor, agent_pk.get(from_agent), group_pk.get(from_group),
                     agent_pk.get(to_agent), group_pk.get(to_group), rule)
                )
                if to_group is not None and kind in ASSIGNING:
                    g_pk = group_pk[to_group]
                    loads[g_pk] = max(loads.get(g_pk, 0), at * SECOND)
                if to_agent is not None and kind in ASSIGNING:
                    if last_assigned.get(to_agent, 0) < at:
                        last_assigned[to_agent] = at
                    if rule == ROUND_ROBIN and to_group is not None:
                        round_robin[to_group] = max(round_robin.get(to_group, (0, "")), (at, to_agent))
            group_loads += [(g_pk, pk, at) for g_pk, at in loads.items()]
            for tag in chat_tags:
                t_pk = tag_pk.get(tag)
                if t_pk is None:
                    t_pk = tag_pk[tag] = len(tag_pk) + 1
                    new_tags.append((t_pk, tag))
                tags.append((pk, t_pk))
        return Chunk(
            count,
            {
                TagRow: new_tags,
                CustomerRow: customers,
                ConversationRecord: conversations,
                MessageRow: messages,
                NoteRow: notes,
                EventRow: events,
                ConversationTag: tags,
                GroupLoadRow: group_loads,
            },
        )


def write_team(inserter: Inserter, agents: Sequence[DemoAgent]) -> None:
    inserter.insert(
        GroupRow,
        [(i, g.id, g.name, g.routing.rule.value, g.routing.only_available, g.routing.sticky) for i, g in enumerate(GROUPS, 1)],
    )
    inserter.insert(
        AgentRow, [(i, a.id, a.name, a.role.value, a.available, a.max_active) for i, a in enumerate(agents, 1)]
    )
    group_pk = {g.id: i for i, g in enumerate(GROUPS, 1)}
    inserter.insert(
        Membership,
        [(i, group_pk[g], position) for i, a in enumerate(agents, 1) for position, g in enumerate(a.groups)],
    )


def settle_team(connection: Connection, agents: Sequence[DemoAgent], tally: Tally, conversations: int) -> None:
    """The team's state at now, the round robin positions and the change counter, once all is written."""
    agents_table, groups_table = _table(AgentRow), _table(GroupRow)
    agent_pk = {a.id: i for i, a in enumerate(agents, 1)}
    for i, agent in enumerate(agents, 1):
        last = tally.last_assigned.get(agent.id)
        connection.execute(
            agents_table.update()
            .where(agents_table.c.pk == i)
            .values(available=agent.available, max_active=agent.max_active, last_assigned_at=_micros(last))
        )
    for i, group in enumerate(GROUPS, 1):
        if group.id in tally.round_robin:
            _, agent = tally.round_robin[group.id]
            connection.execute(groups_table.update().where(groups_table.c.pk == i).values(rr_last_agent_pk=agent_pk[agent]))
    connection.execute(_table(Counter).insert().values(name=CHANGES, value=conversations))
    if connection.dialect.name == "postgresql":
        for model in EXPLICIT_PKS:
            name = _table(model).name
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'pk'), COALESCE((SELECT MAX(pk) FROM {name}), 0) + 1, false)"
            )


class Upkeep:
    """What :func:`defer_upkeep` set aside: fed chunk by chunk where that is cheap, put back by
    :meth:`restore` (in the load's transaction)."""

    def __init__(self, connection: Connection, feeds: Sequence[tuple[str, str]], statements: Sequence[str]) -> None:
        self.connection = connection
        self._feeds = list(feeds)  # (INSERT … SELECT of the rows past a key, the query for the key reached)
        self._past = [0] * len(self._feeds)
        self._statements = statements

    def chunk_written(self) -> None:
        """Feed what the last chunk added to the structures kept up chunk by chunk."""
        for i, (sql, last) in enumerate(self._feeds):
            self.connection.exec_driver_sql(sql, (self._past[i],))
            self._past[i] = self.connection.exec_driver_sql(last).scalar() or 0

    def restore(self) -> None:
        """Build the indexes, put the triggers and foreign keys back."""
        for sql in self._statements:
            self.connection.exec_driver_sql(sql)


def defer_upkeep(connection: Connection) -> Upkeep:
    """Stop the per-row upkeep of an empty store's indexes, search structures and (PostgreSQL)
    foreign keys on the tables the demo fills, for a bulk load.

    A secondary index built once at the end costs a fraction of keeping it up row by row: at
    1M conversations SQLite spent about 140 s more inserting conversations with their indexes
    than without, against about 40 s to build them; PostgreSQL's row-by-row upkeep costs
    about 1.6 times the build even for indexes whose keys only grow. So they are all dropped
    and built by :meth:`Upkeep.restore`. SQLite: the triggers that feed the customer full-text
    search table one customer at a time go too (each statement flushes the search index,
    about five times the cost of building it); the table is fed instead with each chunk's new
    customers, one statement per chunk, which costs about what a rebuild at the end would but
    runs beside the drawing. PostgreSQL: the foreign keys as well (each copied row would look
    its parents up, two lookups a message, five an event); added back at the end, each is
    checked by one join over its whole table.
    """
    loaded = {_table(model).name for model in COLUMNS}
    feeds: list[tuple[str, str]] = []
    if connection.dialect.name == "sqlite":
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        ).all()
        indexes = [
            (name, sql)
            for name, table, sql in connection.exec_driver_sql(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY tbl_name, name"
            ).all()
            if table in loaded
        ]
        for name, sql in connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all():
            feed = _search_feed(connection, name, sql or "")
            if feed is not None:
                feeds.append(feed)
        for name, _ in triggers:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        statements = [sql for _, sql in indexes] + [sql for _, sql in triggers]
    elif connection.dialect.name == "postgresql":
        indexes = [
            (name, sql)
            for name, table, sql in connection.exec_driver_sql(
                "SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i"
                " WHERE i.schemaname = current_schema()"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname"
                " AND c.connamespace = current_schema()::regnamespace)"
                " ORDER BY i.indexname"
            ).all()
            if table in loaded
        ]
        keys = [
            (table, name, definition)
            for table, name, definition in connection.exec_driver_sql(
                "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " JOIN pg_class t ON t.oid = c.conrelid"
                " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
                " ORDER BY t.relname, c.conname"
            ).all()
            if table in loaded
        ]
        for table, name, _ in keys:
            connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        # the builds sort in memory (and in parallel, where the server allows) with room for a
        # million rows: raised for this transaction only, and never lowered
        statements = [
            (
                "SELECT set_config('maintenance_work_mem', '524288kB', true) FROM pg_settings"
                " WHERE name = 'maintenance_work_mem' AND setting::bigint < 524288"
            )
        ]
        statements += [sql for _, sql in indexes]
        statements += [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for table, name, definition in keys]
    else:
        statements = []
    return Upkeep(connection, feeds, statements)


def _search_feed(connection: Connection, name: str, sql: str) -> tuple[str, str] | None:
    """For an external-content FTS5 table: the statement that indexes its content's rows past a
    key, and the query for the key reached; None for any other table."""
    content = re.search(r"content\s*=\s*'([^']+)'", sql)
    if "fts5" not in sql.lower() or content is None:
        return None
    key = re.search(r"content_rowid\s*=\s*'([^']+)'", sql)
    rowid = key.group(1) if key else "rowid"
    columns = ", ".join(f'"{c}"' for c in connection.exec_driver_sql(f'SELECT name FROM pragma_table_info(\'{name}\')').scalars())
    source = f'"{content.group(1)}"'
    return (
        f'INSERT INTO "{name}"(rowid, {columns}) SELECT "{rowid}", {columns} FROM {source} WHERE "{rowid}" > ? ORDER BY "{rowid}"',
        f'SELECT max("{rowid}") FROM {source}',
    )


ORDER = (TagRow, CustomerRow, ConversationRecord, MessageRow, NoteRow, EventRow, ConversationTag, GroupLoadRow)


def write_chunk(inserter: Inserter, chunk: Chunk) -> None:
    """One chunk's rows, table by table in an order that satisfies the foreign keys."""
    for model in ORDER:
        inserter.insert(model, chunk.rows[model])
