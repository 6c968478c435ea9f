"""Customer search in SQL: the contract's exact substring semantics, found through trigram indexes.

The condition is always the plain ``LIKE '%needle%'`` on the folded name (and on the digits of
phone and WhatsApp id when the needle reads as a number); the indexes of migration 0004 only
decide how fast the matching customers are found:

- PostgreSQL serves ``LIKE`` from the ``pg_trgm`` GIN indexes by itself;
- SQLite narrows the customers to the rows its FTS5 trigram table finds (``TrigramCandidates``)
  before the ``LIKE`` checks them.

Three shapes of the same condition suit three kinds of needle for a page. *By customer*: the
conversations of the matching customers (few matches: read them and sort). *Walking a set*:
the matching customers are collected once, from the trigram index, and the list walks its sort
order checking each row against them (a middling number of matches: the walk is long, but a
step costs a hash probe, not a customer read). *By row*: each conversation checks its own
customer while the list walks its sort order (many matches, or a needle too short for
trigrams: the first page fills after a few hundred rows). :func:`page_shape` picks one from
how many customers match. Counts and whole lists take the matching customers as a set.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.visitors import InternalTraversal

from chatadmin.phones import digits
from chatadmin.store.models import ConversationRecord, CustomerRow
from chatadmin.text import fold

C = ConversationRecord
Cu = CustomerRow

# digits typed with the punctuation people use in phone numbers
PHONE_PUNCTUATION = set("+ -().")
# the shortest needle the trigram indexes can look up
TRIGRAM = 3
# a page costs about 5 µs per matching conversation read by customer, and 1 µs per conversation
# walked by row (profiled at 1M); the two meet near sqrt(20 N) matches in a store of N
BY_ROW_FACTOR = 20
# Walking a set costs a step of the walk (SQLite 0.5 µs: the row is read for its customer;
# PostgreSQL 0.3 µs) per conversation passed, plus collecting the set (SQLite 0.4 µs a
# customer from the trigram table alone; PostgreSQL 1-2 µs, its trigram index rechecks each
# customer's name). Profiled at 1M (750k customers), it beats reading by customer from about
# 3,000 matching customers on SQLite and 1,600 on PostgreSQL (a conversation read by customer
# costs it 6 µs), and walking by row (1.5 µs a step on SQLite, 3-4 µs on PostgreSQL) up to
# about 13,000 and 12,000: the bounds below, as multiples of sqrt(BY_ROW_FACTOR × customers).
SET_WALK: dict[str, tuple[float, float]] = {"sqlite": (1.0, 3.5), "postgresql": (0.5, 3.0)}
# customers (the newest) whose names estimate how many match in all, past the exact count
SAMPLE = 4000

CUSTOMER_SEARCH = table("customer_search", column("rowid"), column("customer_search"))


class TrigramCandidates(ColumnElement[bool]):
    """``customers.pk`` among the rows SQLite's trigram table finds for an FTS5 query; TRUE elsewhere.

    Only narrows: the exact LIKE conditions stay beside it, so results never change.
    """

    type = Boolean()
    inherit_cache = True
    # a condition already: never compared with 1 on databases without a boolean type
    _is_implicitly_boolean = True
    _traverse_internals: ClassVar[list[tuple[str, Any]]] = [("query", InternalTraversal.dp_clauseelement)]

    def __init__(self, query: str) -> None:
        self.query = bindparam("trigram_query", query, type_=String(), unique=True)


@compiles(TrigramCandidates)
def _no_trigram_table(element: TrigramCandidates, compiler: Any, **kw: Any) -> str:
    return compiler.process(true(), **kw)  # type: ignore[no-any-return]


@compiles(TrigramCandidates, "sqlite")
def _sqlite_trigram_table(element: TrigramCandidates, compiler: Any, **kw: Any) -> str:
    fts = CUSTOMER_SEARCH.c
    candidates = select(fts.rowid).where(fts.customer_search.op("MATCH")(element.query))
    return compiler.process(Cu.pk.in_(candidates), **kw)  # type: ignore[no-any-return]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _phrase(column_name: str, needle: str) -> str:
    """An FTS5 phrase query on one column: the needle literally, as a substring."""
    return f'{column_name} : "{needle.replace(chr(34), chr(34) * 2)}"'


class Needle:
    """What a search text looks for: the folded name substring, and digits when it reads as a number."""

    def __init__(self, text: str) -> None:
        stripped = text.strip()
        self.name = fold(stripped)
        number = digits(stripped)
        numberish = bool(number) and all(ch.isdigit() or ch in PHONE_PUNCTUATION for ch in stripped)
        self.digits = number if numberish else None

    def conditions(self, customer: Any) -> ColumnElement[bool]:
        """The exact condition on a customers row (or alias): the contract's definition of a match."""
        found = [customer.name_fold.like(f"%{_like_escape(self.name)}%", escape="\\")]
        if self.digits:
            found.append(customer.digits.like(f"%{self.digits}%"))
        return or_(*found)

    @property
    def trigram_query(self) -> str | None:
        """The FTS5 query for the trigram table; None when a part is too short for trigrams."""
        phrases = [(Cu.name_fold.key, self.name)] + ([(Cu.digits.key, self.digits)] if self.digits else [])
        if any(len(phrase) < TRIGRAM for _, phrase in phrases):
            return None
        return " OR ".join(_phrase(name, phrase) for name, phrase in phrases)


class SearchShape(StrEnum):
    """How a search condition reaches the matching conversations (the rows are the same)."""

    SET = "set"  # conversations of the matching customers, as a set: counts, whole lists
    BY_CUSTOMER = "by_customer"  # a page of few matches: read the matching customers' conversations
    SET_WALK = "set_walk"  # a page of middling matches: walk the sort order, each row probing the set
    BY_ROW = "by_row"  # a page of many matches: each row checks its customer, walking the sort order


class AmongCustomers(ColumnElement[bool]):
    """``conversations.customer_pk`` among a subquery's customers, read first and then looked up.

    SQLite: ``IN (subquery)``, which it reads first. PostgreSQL: ``= ANY(ARRAY(subquery))``, one
    array computed before the rest; with ``IN`` its planner, misjudging how few customers a
    ``LIKE '%…%'`` keeps, may walk the whole list instead and test each row.
    """

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True
    _traverse_internals: ClassVar[list[tuple[str, Any]]] = [("customers", InternalTraversal.dp_clauseelement)]

    def __init__(self, customers: Select[Any]) -> None:
        self.customers = customers.scalar_subquery()


@compiles(AmongCustomers)
def _among_in(element: AmongCustomers, compiler: Any, **kw: Any) -> str:
    return compiler.process(C.customer_pk.in_(element.customers.element), **kw)  # type: ignore[no-any-return]


@compiles(AmongCustomers, "postgresql")
def _among_array(element: AmongCustomers, compiler: Any, **kw: Any) -> str:
    return compiler.process(C.customer_pk == func.any(func.array(element.customers)), **kw)  # type: ignore[no-any-return]


class WalkingSet(ColumnElement[bool]):
    """``conversations.customer_pk`` among the matching customers, probed row by row as the list walks.

    Nothing here may let the database look the conversations up by customer (that is the
    other shape), so the set is kept out of reach of the planner's join strategies:

    - PostgreSQL: ``(customer_pk IN (customers)) IS TRUE``, which it cannot turn into a join: a
      hashed subplan, the matching customers read once from the trigram index (its estimate of
      how many a ``LIKE '%…%'`` keeps is far off, so as a join it would read them by customer);
    - SQLite: ``customer_pk + 0 IN (the trigram table's rowids)``, one ephemeral index built once
      (``+ 0``: not the customer index), then the exact ``LIKE`` only for the rows that pass it,
      so the customers' rows are read for the page, not for every match.
    """

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True
    _traverse_internals: ClassVar[list[tuple[str, Any]]] = [
        ("query", InternalTraversal.dp_clauseelement),
        ("customers", InternalTraversal.dp_clauseelement),
        ("by_row", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, needle: Needle, query: str) -> None:
        self.query = bindparam("trigram_query", query, type_=String(), unique=True)
        self.customers = select(Cu.pk).where(needle.conditions(Cu)).scalar_subquery()
        self.by_row = _by_row(needle)


@compiles(WalkingSet)
def _walk_hashed(element: WalkingSet, compiler: Any, **kw: Any) -> str:
    return compiler.process(C.customer_pk.in_(element.customers.element).is_(true()), **kw)  # type: ignore[no-any-return]


@compiles(WalkingSet, "sqlite")
def _walk_trigram_rowids(element: WalkingSet, compiler: Any, **kw: Any) -> str:
    fts = CUSTOMER_SEARCH.c
    rowids = select(fts.rowid).where(fts.customer_search.op("MATCH")(element.query))
    probe = (C.customer_pk + literal_column("0")).in_(rowids)
    return compiler.process(and_(probe, element.by_row), **kw)  # type: ignore[no-any-return]


def _by_row(needle: Needle) -> ColumnElement[bool]:
    customer = aliased(Cu, name="searched")
    return exists().where(customer.pk == C.customer_pk, needle.conditions(customer))


def search_condition(text: str, shape: SearchShape = SearchShape.SET) -> ColumnElement[bool]:
    """Customer name (case- and accent-insensitive substring) or digits of phone / WhatsApp id."""
    needle = Needle(text)
    if shape is SearchShape.BY_ROW:
        return _by_row(needle)
    query = needle.trigram_query
    if shape is SearchShape.SET_WALK and query is not None:
        return WalkingSet(needle, query)
    where = [needle.conditions(Cu)]
    if query is not None:
        where.insert(0, TrigramCandidates(query))
    customers = select(Cu.pk).where(*where)
    if shape is SearchShape.BY_CUSTOMER:
        return AmongCustomers(customers)
    return C.customer_pk.in_(customers)


def page_shape(session: Session, text: str) -> SearchShape:
    """How to read a page of this search, from how many customers match (see ``SET_WALK``).

    A short needle is read by row. Otherwise the trigram index counts the matching customers
    exactly up to the lower bound (SQLite's FTS5 table, or PostgreSQL's GIN index under
    ``LIKE``): at most that many are read by customer. Past it, the newest ``SAMPLE`` customers
    estimate how many match in all: up to the upper bound the page walks the set, past it by row.
    """
    needle = Needle(text)
    query = needle.trigram_query
    if query is None:
        return SearchShape.BY_ROW
    customers = session.execute(select(func.max(Cu.pk))).scalar_one() or 0
    dialect = session.get_bind().dialect.name
    low, high = (math.isqrt(int(m * m * BY_ROW_FACTOR * customers)) for m in SET_WALK.get(dialect, (1.0, 1.0)))
    if dialect == "sqlite":
        found = session.execute(_PROBE, {"query": query, "bound": low + 1}).scalar_one()
    else:
        probe = select(Cu.pk).where(needle.conditions(Cu)).limit(low + 1).subquery()
        found = session.execute(select(func.count()).select_from(probe)).scalar_one()
    if int(found) <= low:
        return SearchShape.BY_CUSTOMER
    if high <= low:
        return SearchShape.BY_ROW
    newest = select(Cu.name_fold, Cu.digits).order_by(Cu.pk.desc()).limit(SAMPLE).subquery()
    sampled = session.execute(select(func.count()).where(needle.conditions(newest.c))).scalar_one()
    estimate = int(sampled) * customers // max(1, min(SAMPLE, customers))
    return SearchShape.SET_WALK if estimate <= high else SearchShape.BY_ROW


_PROBE = text("SELECT count(*) FROM (SELECT rowid FROM customer_search WHERE customer_search MATCH :query LIMIT :bound)")
