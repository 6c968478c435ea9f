"""Reading one page of the conversation list fast at any depth: keys first, then only the page's rows.

Three ways to find a page's primary keys, all giving exactly the order of ``sort_columns``:

- in general, walk the sort order on the conversations alone (joining only the one table the
  sort reads), so that every row skipped to reach a deep page costs an index step, not a
  joined row;
- sorted by agent or group name, whose order no index of the conversations holds, walk the
  agents (groups) in name order instead, reading each one's block of conversations from an
  index on ``(agent_pk, pk)``.

Either way, a page in the second half of a long list is found walking the reverse order from
the end (the list is counted first, past ``DEEP_OFFSET``).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from chatadmin.domain import Sort, SortKey
from chatadmin.store.models import AgentRow, ConversationTag, GroupRow
from chatadmin.store.query import ROW_COLUMNS, A, C, Cu, G, base_select, sort_columns
from chatadmin.store import search

# from this offset on, the list is counted and a page in its second half read from the end
DEEP_OFFSET = 2000

# sorts on the name of a row another column points to: (that table, the pointing column)
_BLOCK_SORTS: dict[SortKey, tuple[type, Any]] = {
    SortKey.AGENT: (AgentRow, C.agent_pk),
    SortKey.GROUP: (GroupRow, C.group_pk),
}

Where = list[ColumnElement[bool]]


def tags_by_row(session: Session, tag_pks: Collection[int]) -> bool:
    """Whether a page filtered by these tags is best read by row: many tagged conversations.

    Counts them up to the same bound as a search (``sqrt(20 N)``) from the tags' index.
    """
    if not tag_pks:
        return False
    conversations = session.execute(select(func.max(C.pk))).scalar_one() or 0
    bound = math.isqrt(search.BY_ROW_FACTOR * conversations)
    tagged = select(ConversationTag.conversation_pk).where(ConversationTag.tag_pk.in_(sorted(tag_pks)))
    found = session.execute(select(func.count()).select_from(tagged.limit(bound + 1).subquery())).scalar_one()
    return int(found) > bound


def count_select(where: Where) -> Select[Any]:
    """How many conversations meet ``where`` (conditions on conversations alone: no join)."""
    return select(func.count()).select_from(C).where(*where)


def page_keys(where: Where, sort: Sort, now: datetime, backwards: bool = False) -> Select[Any]:
    """The primary keys of the list in order, joining only the table the sort reads."""
    keys = select(C.pk).select_from(C)
    if sort.key in (SortKey.CUSTOMER_PHONE, SortKey.CUSTOMER_NAME):
        keys = keys.join(Cu, Cu.pk == C.customer_pk)
    elif sort.key is SortKey.AGENT:
        keys = keys.outerjoin(A, A.pk == C.agent_pk)
    elif sort.key is SortKey.GROUP:
        keys = keys.outerjoin(G, G.pk == C.group_pk)
    return keys.where(*where).order_by(*sort_columns(sort, now, backwards))


def read_page(session: Session, where: Where, sort: Sort, now: datetime, offset: int, limit: int) -> list[Row[Any]]:
    """Rows ``offset`` to ``offset + limit`` of the list (``ROW_COLUMNS``), in the order of ``sort``."""
    keys: Any
    total = session.scalar(count_select(where)) if offset >= DEEP_OFFSET else None
    if total is not None and offset * 2 > total:
        # the page in the reverse order: rows total - end to total - offset
        end = min(offset + limit, total)
        if end <= offset:
            return []
        first, size, backwards = total - end, end - offset, True
    else:
        first, size, backwards = offset, limit, False
    if sort.key in _BLOCK_SORTS:
        keys = _block_keys(session, where, sort, first, size, backwards)
        if not keys:
            return []
    else:
        keys = page_keys(where, sort, now, backwards).offset(first).limit(size)
    statement = base_select(*ROW_COLUMNS).where(C.pk.in_(keys)).order_by(*sort_columns(sort, now))
    return list(session.execute(statement).all())


def _block_keys(session: Session, where: Where, sort: Sort, offset: int, limit: int, backwards: bool) -> list[int]:
    """Keys of a page sorted by agent (group) name: name blocks in order, each in key order, NULL last.

    ``backwards``: the same order reversed (NULL block first), for a page near the end.

    A block is read from its index at the offset still to skip; only a block that ends before
    that offset is counted, so the first pages cost a read or two whatever the list's length.
    """
    model, pointer = _BLOCK_SORTS[sort.key]
    # the database's own name order (its collation); agents of one name make one block
    named = session.execute(select(model.pk, model.name).order_by(model.name, model.pk)).tuples().all()
    blocks: list[list[int] | None] = []
    names: list[str] = []
    for pk, name in reversed(named) if sort.descending else named:
        if names and names[-1] == name:
            blocks[-1] = [*(blocks[-1] or []), pk]
        else:
            blocks.append([pk])
            names.append(name)
    blocks.append(None)
    if backwards:
        blocks.reverse()
    keys: list[int] = []
    skip, wanted = offset, limit
    order = C.pk.desc() if sort.descending != backwards else C.pk.asc()
    for members in blocks:
        inside = pointer.is_(None) if members is None else pointer.in_(members)
        found = list(session.scalars(select(C.pk).where(*where, inside).order_by(order).offset(skip).limit(wanted)))
        if found:
            keys += found
            wanted -= len(found)
            skip = 0
            if wanted <= 0:
                break
        elif skip:
            skip -= session.scalar(count_select([*where, inside])) or 0
    return keys
