"""The metrics bar's "group with highest load today", read from the ``group_loads`` table.

The contract counts, per group, the conversations assigned or transferred to it today, each
conversation once per group. ``group_loads`` holds one row per (group, conversation) with the
latest such assignment, so "assigned to g today" is "its latest assignment to g falls today"
— one range of the ``(group_pk, last_at)`` index per group, whatever the size of the store.
The one case that row cannot answer alone is a pair whose latest assignment lies after today
(a clock set in the past, an import from the future): such pairs, normally none, are checked
against the events themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from chatadmin.domain import EventKind
from chatadmin.store.models import EventRow, GroupLoadRow, GroupRow

ASSIGNING = (EventKind.ASSIGNED.value, EventKind.TRANSFERRED.value)
_table = GroupLoadRow.__table__


def _upsert(insert: Any, latest: Any) -> Any:
    """Insert the pair, or keep the later of the two instants; values come with each execution."""
    statement = insert(_table)
    return statement.on_conflict_do_update(
        index_elements=["group_pk", "conversation_pk"],
        set_={"last_at": latest(_table.c.last_at, statement.excluded.last_at)},
    )


@cache
def _upsert_for(dialect: str) -> Any:
    """Built once per dialect, importing only that dialect's module (the PostgreSQL one is a
    twentieth of a SQLite console's start); SQLAlchemy still compiles it on every execution (it
    never caches an INSERT … ON CONFLICT), which is why a PostgreSQL transfer writes its row in
    ``writes``' text."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return _upsert(pg_insert, func.greatest)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return _upsert(sqlite_insert, func.max)


def note_assignment(session: Session, group_pk: int, conversation_pk: int, at: datetime) -> None:
    """Record that a conversation was assigned (or transferred) to a group at ``at``."""
    statement = _upsert_for(session.get_bind().dialect.name)
    session.execute(statement, {"group_pk": group_pk, "conversation_pk": conversation_pk, "last_at": at})


def load_rows(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``group_loads`` rows of new conversations' event rows (``to_group_pk``, ``at``, ``kind``)."""
    latest: dict[tuple[int, int], Any] = {}
    for event in events:
        group_pk = event["to_group_pk"]
        if group_pk is None or event["kind"] not in ASSIGNING:
            continue
        key = (group_pk, event["conversation_pk"])
        if key not in latest or event["at"] > latest[key]:
            latest[key] = event["at"]
    return [{"group_pk": g, "conversation_pk": c, "last_at": at} for (g, c), at in latest.items()]


def _assigned(start: datetime, end: datetime) -> Any:
    """Per ``GroupRow``, correlated: how many conversations were assigned to it in [start, end)."""
    load = GroupLoadRow
    latest_in_range = (
        select(func.count())
        .where(load.group_pk == GroupRow.pk, load.last_at >= start, load.last_at < end)
        .scalar_subquery()
    )
    later_but_also_in_range = (
        select(func.count())
        .where(
            load.group_pk == GroupRow.pk,
            load.last_at >= end,
            exists().where(
                and_(
                    EventRow.conversation_pk == load.conversation_pk,
                    EventRow.to_group_pk == load.group_pk,
                    EventRow.kind.in_(ASSIGNING),
                    EventRow.at >= start,
                    EventRow.at < end,
                )
            ),
        )
        .scalar_subquery()
    )
    return (latest_in_range + later_but_also_in_range).label("assigned")


def assigned_per_group(session: Session, start: datetime, end: datetime, group_pks: list[int]) -> dict[int, int]:
    """Conversations assigned to each of these groups in [start, end), each counted once."""
    rows = session.execute(select(GroupRow.pk, _assigned(start, end)).where(GroupRow.pk.in_(group_pks)))
    return {pk: int(count) for pk, count in rows}


def highest_load(
    session: Session, start: datetime, end: datetime, scope: frozenset[int] | None
) -> tuple[str, str, int] | None:
    """(group id, name, conversations assigned in [start, end)) of the busiest group; ties: lowest id.

    Every group's count is read once (a handful of groups), and the busiest picked here: in a
    subquery, PostgreSQL counted every group twice (once to filter, once to order).
    """
    per_group = select(GroupRow.id, GroupRow.name, _assigned(start, end))
    if scope is not None:
        per_group = per_group.where(GroupRow.pk.in_(sorted(scope)))
    counted = [(int(n), gid, name) for gid, name, n in session.execute(per_group) if n]
    if not counted:
        return None
    assigned, gid, name = min(counted, key=lambda c: (-c[0], c[1]))
    return gid, name, assigned
