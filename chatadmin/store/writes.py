"""A change of a conversation, written: its new values, its version and the store's next change
number, its audit event, and for an assignment its ``group_loads`` row.

On PostgreSQL the four writes are one statement (data-modifying CTEs): one round trip instead
of four, and no unit-of-work flush. SQLite cannot modify data in a CTE; there they are four
statements, in the same order. Either way the conversation's ORM object is left holding the
values written, as if loaded with them, so the session never writes it again.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import TextClause, bindparam, insert, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from chatadmin.store.metrics import ASSIGNING, note_assignment
from chatadmin.store.models import ConversationRecord, Counter, EventRow, GroupLoadRow

_conversations = ConversationRecord.__table__
_counters = Counter.__table__
_events = EventRow.__table__
_loads = GroupLoadRow.__table__

EVENT_FIELDS = ("at", "kind", "actor", "from_agent_pk", "from_group_pk", "to_agent_pk", "to_group_pk", "rule")

# on the table, not the mapped class: an ORM-enabled UPDATE would also look for the counter
# among the session's objects to keep them in step (~1 ms of a transfer for a row never loaded)
NEXT_CHANGE = (
    update(_counters)
    .where(_counters.c.name == "changes")
    .values(value=_counters.c.value + 1)
    .returning(_counters.c.value)
)


def next_change(session: Session) -> int:
    """The store-wide change counter, incremented (the row lock orders concurrent writers)."""
    value = session.execute(NEXT_CHANGE).scalar()
    if value is None:
        session.execute(insert(_counters).values(name="changes", value=1))
        value = 1
    return int(value)


@cache
def _one_statement(columns: tuple[str, ...], event: bool, group_load: bool) -> TextClause:
    """PostgreSQL: the change counter, the conversation, its event and its group_loads row in one statement.

    The event and the row are inserted from the conversation's UPDATE, so nothing is written
    when there is no change counter yet (it returns no row, and the caller starts one). Text,
    not a Core construct: SQLAlchemy never caches an INSERT … ON CONFLICT (its dialects' Insert
    is ``inherit_cache = False``), so it would be compiled again on every call.
    """
    sets = "".join(f"{column} = :set_{column}, " for column in columns)
    parts = [
        "next_change AS (UPDATE counters SET value = value + 1 WHERE name = 'changes' RETURNING value)",
        (
            f"changed AS (UPDATE conversations SET {sets}version = version + 1,"
            " changed_seq = (SELECT value FROM next_change)"
            " WHERE pk = :key AND EXISTS (SELECT FROM next_change) RETURNING version, changed_seq)"
        ),
    ]
    binds = [bindparam("key", type_=_conversations.c.pk.type)]
    binds += [bindparam(f"set_{column}", type_=_conversations.c[column].type) for column in columns]
    if event:
        parts.append(
            f"event AS (INSERT INTO events (conversation_pk, {', '.join(EVENT_FIELDS)})"
            f" SELECT :key, {', '.join(f':event_{field}' for field in EVENT_FIELDS)} FROM changed)"
        )
        binds += [bindparam(f"event_{field}", type_=_events.c[field].type) for field in EVENT_FIELDS]
    if group_load:
        parts.append(
            "group_load AS (INSERT INTO group_loads (group_pk, conversation_pk, last_at)"
            " SELECT :event_to_group_pk, :key, :event_at FROM changed"
            " ON CONFLICT (group_pk, conversation_pk) DO UPDATE SET last_at = greatest(group_loads.last_at, excluded.last_at))"
        )
    return text("WITH " + ", ".join(parts) + " SELECT version, changed_seq FROM changed").bindparams(*binds)


@cache
def _update(columns: tuple[str, ...]) -> Any:
    """SQLite: the conversation's UPDATE, with the change number taken before it."""
    return (
        update(_conversations)
        .where(_conversations.c.pk == bindparam("key"))
        .values(
            {column: bindparam(f"set_{column}", type_=_conversations.c[column].type) for column in columns}
            | {"version": _conversations.c.version + 1, "changed_seq": bindparam("change_number")}
        )
    )


def change(
    session: Session, conversation: ConversationRecord, values: dict[str, Any], event: dict[str, Any] | None = None
) -> None:
    """Write ``values`` to the (locked) conversation, bump its version, take the next change
    number, and record ``event`` (``EVENT_FIELDS``) with, for an assignment to a group, its
    group_loads row."""
    columns = tuple(values)
    params = {"key": conversation.pk} | {f"set_{column}": value for column, value in values.items()}
    group_load = event is not None and event["kind"] in ASSIGNING and event["to_group_pk"] is not None
    if event is not None:
        params |= {f"event_{field}": event[field] for field in EVENT_FIELDS}
    if session.get_bind().dialect.name == "postgresql":
        statement = _one_statement(columns, event is not None, group_load)
        row = session.execute(statement, params).first()
        if row is None:  # a store without a change counter yet: start it, then write
            next_change(session)
            row = session.execute(statement, params).one()
        version, changed_seq = row
    else:
        changed_seq = next_change(session)
        session.execute(_update(columns), params | {"change_number": changed_seq})
        version = conversation.version + 1
        if event is not None:
            session.execute(insert(_events), {"conversation_pk": conversation.pk, **event})
        if group_load:
            assert event is not None
            note_assignment(session, event["to_group_pk"], conversation.pk, event["at"])
    for key, value in (*values.items(), ("version", version), ("changed_seq", changed_seq)):
        set_committed_value(conversation, key, value)
