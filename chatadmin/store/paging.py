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

A page may also start at a row's key instead of an offset (keyset paging, :func:`read_from`):
the rows after (or before) that key's sort value and primary key, found by a range on the
sort order, so a walk neither skips nor repeats a row whose sort value did not change while
other rows came, went or moved.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Collection
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session

from chatadmin.domain import ConversationFilter, ConversationPage, Sort, SortKey
from chatadmin.errors import InvalidInput
from chatadmin.store import search
from chatadmin.store.cursor import (
    MAX_VALUE,
    ListCursor,
    encode,
    filter_digest,
    list_cursor,
)
from chatadmin.store.engine import PARALLEL_COUNT
from chatadmin.store.models import (
    AgentRow,
    ConversationTag,
    GroupRow,
    from_micros,
    to_micros,
)
from chatadmin.store.query import (
    ROW_COLUMNS,
    A,
    C,
    Cu,
    G,
    base_select,
    nullable_sort,
    sort_columns,
    sort_expression,
    sort_value,
    to_row,
)

# from this offset on, the list is counted and a page in its second half read from the end
DEEP_OFFSET = 2000
# counts kept per store (see count_rows): the lists a console has shown lately
COUNTS_KEPT = 32
_COUNTS_LOCK = threading.Lock()
_COUNTS: WeakKeyDictionary[Any, OrderedDict[Any, tuple[tuple[Any, ...], int]]] = WeakKeyDictionary()

# sorts on the name of a row another column points to: (that table, the pointing column)
_BLOCK_SORTS: dict[SortKey, tuple[type, Any]] = {
    SortKey.AGENT: (AgentRow, C.agent_pk),
    SortKey.GROUP: (GroupRow, C.group_pk),
}

Where = list[ColumnElement[bool]]
# a row's place in a sort order: its sort value (raw: text or number; None sorts last) and primary key
Key = tuple[Any, int]


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


def count_rows(session: Session, where: Where) -> int:
    """How many conversations meet ``where``: counted once while no conversation changes.

    A count of a long list is most of a deep page's cost (PostgreSQL reads about a million
    index entries for the whole list at 1M: 30 ms and more), and the console reads the pages
    near the end of one list again and again. A count is kept per store and statement with
    the newest key and change number when it was taken (one read of two index ends): every
    write of a conversation takes a new change number and conversations are never deleted,
    so while both are unchanged, so is every count. Conditions on the clock carry the instant
    as a parameter, which is part of the statement's key.
    """
    statement = count_select(where)
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # not cacheable: count every time
        return _count(session, statement)
    key = (cache_key.key, tuple(_hashable(p.effective_value) for p in cache_key.bindparams))
    # read before the count: a change committed in between leaves an older stamp on a newer
    # count, which the next read's stamp then refuses
    # (two subqueries: SQLite reads a lone max() from its index's end, two in one select by a scan)
    newest = (select(func.max(column)).scalar_subquery() for column in (C.pk, C.changed_seq))
    stamp = tuple(session.execute(select(*newest)).one())
    with _COUNTS_LOCK:  # the console reads pages in several threads
        counts = _COUNTS.setdefault(engine, OrderedDict())
        kept = counts.get(key)
        if kept is not None and kept[0] == stamp:
            counts.move_to_end(key)
            return kept[1]
    total = _count(session, statement)
    with _COUNTS_LOCK:
        counts[key] = (stamp, total)
        counts.move_to_end(key)
        while len(counts) > COUNTS_KEPT:
            counts.popitem(last=False)
    return total


def _count(session: Session, statement: Select[Any]) -> int:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(PARALLEL_COUNT))  # a whole list's count may use parallel workers
    return int(session.scalar(statement) or 0)


def forget_counts() -> None:
    """Drop every kept count (benchmarks time a count as the first one after a change)."""
    with _COUNTS_LOCK:
        _COUNTS.clear()


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_hashable(v) for v in value)
    return value


def read_page(session: Session, where: Where, sort: Sort, now: datetime, offset: int, limit: int) -> list[Row[Any]]:
    """Rows ``offset`` to ``offset + limit`` of the list (``ROW_COLUMNS``), in the order of ``sort``."""
    keys: Any
    total = count_rows(session, where) if offset >= DEEP_OFFSET else None
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
    elif sort.key is SortKey.DURATION:
        keys = _duration_keys(session, where, sort, now, first, size, backwards)
        if not keys:
            return []
    elif sort.key is SortKey.CUSTOMER_NAME and backwards:
        keys = _nameless_first_keys(session, where, sort, now, first, size)
        if not keys:
            return []
    else:
        keys = page_keys(where, sort, now, backwards).offset(first).limit(size)
    return _rows(session, keys, sort, now)


def list_page(
    session: Session,
    where: Where,
    filters: ConversationFilter,
    sort: Sort,
    now: datetime,
    offset: int,
    limit: int,
    cursor: str | None,
) -> ConversationPage:
    """A page at ``offset``, or right past the row ``cursor`` names, with the cursors on either side.

    A walk by cursors orders the duration sort at the instant of its first page (the cursor
    carries it): durations of open conversations grow with the clock, so computed afresh they
    would move rows across pages; computed at one instant, a row moves only when it is closed.
    """
    if cursor is None:
        order_now = now
        rows = read_page(session, where, sort, now, offset, limit + 1)
        more_after, more_before = len(rows) > limit, offset > 0
        rows = rows[:limit]
    else:
        if offset:
            raise InvalidInput("give an offset or a cursor, not both")
        start = list_cursor(cursor, filters, sort)
        order_now = from_micros(start.n)
        value = _value_of(session, sort, order_now, start.p) if start.r else start.k
        rows = read_from(session, where, sort, order_now, (value, start.p), start.b, limit + 1)
        if start.b:
            more_after, more_before = True, len(rows) > limit
            rows = rows[-limit:]
        else:
            more_after, more_before = len(rows) > limit, True
            rows = rows[:limit]

    def point(row: Row[Any], before: bool) -> str:
        value, pk = key_of(row)
        long = isinstance(value, str) and len(value) > MAX_VALUE
        k = None if long else value
        return encode(ListCursor(s=str(sort), f=filter_digest(filters), n=to_micros(order_now), k=k, p=pk, b=before, r=long))

    return ConversationPage(
        rows=tuple(to_row(r, now) for r in rows),
        offset=0 if cursor else offset,
        now=now,
        next_cursor=point(rows[-1], False) if rows and more_after else None,
        prev_cursor=point(rows[0], True) if rows and more_before else None,
    )


def _value_of(session: Session, sort: Sort, now: datetime, pk: int) -> Any:
    """The sort value of the row ``pk`` now (for a cursor whose value was too long to carry)."""
    found = session.execute(base_select(sort_value(sort.key, now)).where(C.pk == pk)).first()
    if found is None:
        raise InvalidInput("the row this cursor stands on is gone: start again without a cursor")
    return found[0]


def _rows(session: Session, keys: Any, sort: Sort, now: datetime) -> list[Row[Any]]:
    """The rows of these keys in the order of ``sort``: ``ROW_COLUMNS`` and their ``sort_value``."""
    columns = (*ROW_COLUMNS, sort_value(sort.key, now).label("sort_value"))
    statement = base_select(*columns).where(C.pk.in_(keys)).order_by(*sort_columns(sort, now))
    return list(session.execute(statement).all())


def key_of(row: Row[Any]) -> Key:
    """Where a row read by :func:`read_page` or :func:`read_from` stands in its sort order."""
    return row.sort_value, row.pk


def read_from(
    session: Session, where: Where, sort: Sort, now: datetime, key: Key, backwards: bool, limit: int
) -> list[Row[Any]]:
    """Up to ``limit`` rows right after ``key`` in the order of ``sort`` (``backwards``: right
    before it), in that order either way; the row of ``key`` itself is not one of them.

    ``now`` is the instant the sort is computed at (it matters to the duration sort only).
    """
    if sort.key in _BLOCK_SORTS:
        keys: Any = _block_keys(session, where, sort, 0, limit, backwards, start=key)
    else:
        keys = []
        for segment in _segments(sort, now, key, backwards):
            keys += session.scalars(page_keys([*where, *segment], sort, now, backwards).limit(limit - len(keys)))
            if len(keys) >= limit:
                break
    return _rows(session, keys, sort, now) if keys else []


def _duration_keys(
    session: Session, where: Where, sort: Sort, now: datetime, offset: int, limit: int, backwards: bool
) -> list[int]:
    """Keys of a page sorted by duration: two streams, each a walk of its index, merged.

    Not closed, a duration is ``now - created_at``: the longest first are the oldest created
    (``ix_conversations_duration_open``). Closed, it is ``closed_at - created_at``
    (``ix_conversations_duration_closed``). Each stream gives its first ``offset + limit``
    rows; merged in the order of ``sort_columns`` (ties by key), the page is their slice.
    """
    longest_first = sort.descending != backwards  # as sort_columns orders it
    wanted = offset + limit
    created = type_coerce(C.created_at, BigInteger)
    fixed = type_coerce(C.closed_at, BigInteger) - created
    by_key = C.pk.desc() if longest_first else C.pk.asc()
    growing = (
        select(literal(to_micros(now)) - created, C.pk)
        .where(*where, C.closed_at.is_(None))
        .order_by(created.asc() if longest_first else created.desc(), by_key)
        .limit(wanted)
    )
    ended = (
        select(fixed, C.pk)
        .where(*where, C.closed_at.is_not(None))
        .order_by(fixed.desc() if longest_first else fixed.asc(), by_key)
        .limit(wanted)
    )
    found = [tuple(r) for r in session.execute(growing)] + [tuple(r) for r in session.execute(ended)]
    found.sort(reverse=longest_first)  # (duration, pk): ties by key, the same way round
    return [pk for _, pk in found[offset:wanted]]


def _nameless_first_keys(
    session: Session, where: Where, sort: Sort, now: datetime, offset: int, limit: int
) -> list[int]:
    """Keys of a page of the customer-name order read backwards: the nameless block, then the names.

    Backwards, the nameless customers' conversations (NULL, about 4% of them) come first, in
    key order. In one statement PostgreSQL walked the name index into that block and sorted
    all of it (40,000 rows at 1M: 0.5 s) for the last page; on its own the block is a walk of
    the conversations' keys, each one's customer looked up. The names after it are a range
    of the name index, as before.
    """
    name = sort_value(sort.key, now)
    by_key = C.pk.desc() if not sort.descending else C.pk.asc()  # the reverse of sort_columns' tie-break
    nameless = [*where, name.is_(None)]
    keys = list(
        session.scalars(
            select(C.pk).join(Cu, Cu.pk == C.customer_pk).where(*nameless).order_by(by_key).offset(offset).limit(limit)
        )
    )
    if len(keys) >= limit:
        return keys
    if keys:
        skip = 0
    else:
        counted = select(func.count()).select_from(C).join(Cu, Cu.pk == C.customer_pk).where(*nameless)
        skip = max(0, offset - int(session.scalar(counted) or 0))
    named = page_keys([*where, name.is_not(None)], sort, now, backwards=True)
    return keys + list(session.scalars(named.offset(skip).limit(limit - len(keys))))


def _after_pk(sort: Sort, pk: int, backwards: bool) -> ColumnElement[bool]:
    """Rows of the same sort value that come after (``backwards``: before) primary key ``pk``."""
    return C.pk < pk if sort.descending != backwards else C.pk > pk


def _segments(sort: Sort, now: datetime, key: Key, backwards: bool) -> list[Where]:
    """The rows past ``key`` as conditions, one list per stretch of the order, read in turn.

    Values and NULLs (which sort last) are separate stretches, so that each one is a plain
    range on the sort's index: ``value >= v AND (value > v OR pk past p)``.
    """
    value, pk = key
    _, reverse = sort_expression(sort.key, now)
    raw = sort_value(sort.key, now)
    if value is None:
        nulls = [raw.is_(None), _after_pk(sort, pk, backwards)]
        return [nulls, [raw.is_not(None)]] if backwards else [nulls]
    upward = (sort.descending == reverse) != backwards  # the values grow along the reading order
    beyond = raw > value if upward else raw < value
    reach = raw >= value if upward else raw <= value
    values = [reach, or_(beyond, and_(raw == value, _after_pk(sort, pk, backwards)))]
    if backwards or not nullable_sort(sort.key):
        return [values]
    return [values, [raw.is_(None)]]


def _block_keys(
    session: Session,
    where: Where,
    sort: Sort,
    offset: int,
    limit: int,
    backwards: bool,
    start: Key | None = None,
) -> list[int]:
    """Keys of a page sorted by agent (group) name: name blocks in order, each in key order, NULL last.

    ``backwards``: the same order reversed (NULL block first), for a page near the end.

    A block is read from its index at the offset still to skip; only a block that ends before
    that offset is counted, so the first pages cost a read or two whatever the list's length.
    ``start``: only the rows after that key (``backwards``: before it), from the offset.
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
    extra: list[Where] = [[] for _ in blocks]
    if start is not None:
        blocks, extra = _blocks_past(session, model, sort, blocks, start, backwards)
    keys: list[int] = []
    skip, wanted = offset, limit
    order = C.pk.desc() if sort.descending != backwards else C.pk.asc()
    for members, more in zip(blocks, extra, strict=True):
        inside = pointer.is_(None) if members is None else pointer.in_(members)
        found = list(
            session.scalars(select(C.pk).where(*where, inside, *more).order_by(order).offset(skip).limit(wanted))
        )
        if found:
            keys += found
            wanted -= len(found)
            skip = 0
            if wanted <= 0:
                break
        elif skip:
            skip -= session.scalar(count_select([*where, inside, *more])) or 0
    return keys


def _blocks_past(
    session: Session, model: Any, sort: Sort, blocks: list[list[int] | None], start: Key, backwards: bool
) -> tuple[list[list[int] | None], list[Where]]:
    """The name blocks (in reading order) past ``start``, each with its extra conditions: the
    block of the start's own name keeps only the rows past its primary key.

    Which names come after the start's is the database's to say (its collation), as in the order.
    """
    name, pk = start
    if name is None:  # the start is in the NULL block, last in the order
        past: list[list[int] | None] = [None, *(b for b in blocks if b is not None)] if backwards else [None]
        return past, [[_after_pk(sort, pk, backwards)], *([] for _ in past[1:])]
    upward = sort.descending == backwards  # names grow along the reading order
    beyond = set(session.scalars(select(model.pk).where(model.name > name if upward else model.name < name)))
    same = set(session.scalars(select(model.pk).where(model.name == name)))
    kept: list[list[int] | None] = []
    extra: list[Where] = []
    for members in blocks:
        if members is None:
            if not backwards:  # NULLs come after every name
                kept.append(None)
                extra.append([])
        elif same.issuperset(members):
            kept.append(members)
            extra.append([_after_pk(sort, pk, backwards)])
        elif beyond.issuperset(members):
            kept.append(members)
            extra.append([])
    return kept, extra
