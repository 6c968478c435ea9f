"""Customer search in SQL: the contract's exact substring semantics, found through trigram indexes.

The condition is always the plain ``LIKE '%needle%'`` on the folded name (and on the digits of
phone and WhatsApp id when the needle reads as a number); the indexes of migration 0004 only
decide how fast the matching customers are found:

- PostgreSQL serves ``LIKE`` from the ``pg_trgm`` GIN indexes by itself;
- SQLite narrows the customers to the rows its FTS5 trigram table finds (``TrigramCandidates``)
  before the ``LIKE`` checks them.

Two shapes of the same condition suit two kinds of needle for a page. *By customer*: the
conversations of the matching customers (few matches: read them and sort). *By row*: each
conversation checks its own customer while the list walks its sort order (many matches, or a
needle too short for trigrams: the first page fills after a few hundred rows).
:func:`page_shape` picks one by asking the trigram index how many customers match, up to a
bound. Counts and whole lists take the matching customers as a set.
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
    bindparam,
    column,
    exists,
    func,
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


def search_condition(text: str, shape: SearchShape = SearchShape.SET) -> ColumnElement[bool]:
    """Customer name (case- and accent-insensitive substring) or digits of phone / WhatsApp id."""
    needle = Needle(text)
    if shape is SearchShape.BY_ROW:
        customer = aliased(Cu, name="searched")
        return exists().where(customer.pk == C.customer_pk, needle.conditions(customer))
    where = [needle.conditions(Cu)]
    query = needle.trigram_query
    if query is not None:
        where.insert(0, TrigramCandidates(query))
    customers = select(Cu.pk).where(*where)
    if shape is SearchShape.BY_CUSTOMER:
        return AmongCustomers(customers)
    return C.customer_pk.in_(customers)


def page_shape(session: Session, text: str) -> SearchShape:
    """How to read a page of this search: by row for a short needle or many matching customers.

    Counts the matching customers up to a bound (``sqrt(BY_ROW_FACTOR × customers)``), through
    the trigram index: SQLite's FTS5 table, or PostgreSQL's GIN index under ``LIKE``.
    """
    needle = Needle(text)
    query = needle.trigram_query
    if query is None:
        return SearchShape.BY_ROW
    customers = session.execute(select(func.max(Cu.pk))).scalar_one() or 0
    bound = math.isqrt(BY_ROW_FACTOR * customers)
    if session.get_bind().dialect.name == "sqlite":
        found = session.execute(_PROBE, {"query": query, "bound": bound + 1}).scalar_one()
    else:
        probe = select(Cu.pk).where(needle.conditions(Cu)).limit(bound + 1).subquery()
        found = session.execute(select(func.count()).select_from(probe)).scalar_one()
    return SearchShape.BY_ROW if int(found) > bound else SearchShape.BY_CUSTOMER


_PROBE = text("SELECT count(*) FROM (SELECT rowid FROM customer_search WHERE customer_search MATCH :query LIMIT :bound)")
