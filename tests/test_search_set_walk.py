"""The third shape of a search page, walking the list order against the matching customers collected once.

Whichever shape :func:`search.page_shape` picks, a page holds the same rows: here every
trigram search is forced to walk a set, on SQLite and PostgreSQL, and its pages are compared
with the whole list read in one plain statement; the query plans show the walk.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.store import paging, search
from chatadmin.store.sql import SqlStore

from .builders import load_store
from .test_scale_indexes import RECORDS, ids, pg_plans, sqlite_plans, using
from .test_scale_paging import assert_pages_match, dataset

ALWAYS_WALK = {"sqlite": (0.0, 1e6), "postgresql": (0.0, 1e6)}


@pytest.fixture
def store(db_url: str, clock: Clock) -> Any:
    opened: SqlStore = load_store(db_url, clock, dataset())
    yield opened
    opened.dispose()


@pytest.fixture
def sqlite_store(sqlite_url: str, clock: Clock) -> Any:
    opened: SqlStore = load_store(sqlite_url, clock, dataset())
    yield opened
    opened.dispose()


@pytest.fixture
def pg_store(pg_url: str, clock: Clock) -> Any:
    opened: SqlStore = load_store(pg_url, clock, dataset())
    yield opened
    opened.dispose()


@pytest.fixture
def small_store(db_url: str, clock: Clock) -> Any:
    """Three conversations with accents, punctuation and numbers."""
    opened: SqlStore = load_store(db_url, clock, RECORDS)
    yield opened
    opened.dispose()


@pytest.fixture
def walking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every search of a needle long enough for trigrams, with any match, walks the set."""
    monkeypatch.setattr(search, "SET_WALK", ALWAYS_WALK)


def shape(store: SqlStore, text: str) -> search.SearchShape:
    with Session(store.engine) as session:
        return search.page_shape(session, text)


def test_page_shape_walks_the_set_between_its_bounds(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    assert shape(store, "jo") is search.SearchShape.BY_ROW  # too short for trigrams
    monkeypatch.setattr(search, "SET_WALK", ALWAYS_WALK)
    assert shape(store, "bo twin") is search.SearchShape.SET_WALK
    assert shape(store, "zzzzqq") is search.SearchShape.BY_CUSTOMER  # nothing matches: nothing to walk
    monkeypatch.setattr(search, "SET_WALK", {"sqlite": (0.0, 0.0), "postgresql": (0.0, 0.0)})
    assert shape(store, "bo twin") is search.SearchShape.BY_ROW
    monkeypatch.setattr(search, "SET_WALK", {"sqlite": (1e6, 1e6), "postgresql": (1e6, 1e6)})
    assert shape(store, "bo twin") is search.SearchShape.BY_CUSTOMER


@pytest.mark.usefixtures("walking")
def test_searched_pages_walking_the_set_are_slices_of_the_whole_list(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "DEEP_OFFSET", 1)
    cases = [
        ConversationFilter(search="bo twin"),
        ConversationFilter(search="pérez"),
        ConversationFilter(search="%"),  # one character: by row, whatever the bounds
        ConversationFilter(search="55 1234"),
        ConversationFilter(search="(787) 555", statuses=frozenset({Status.OPEN, Status.CLOSED})),
        ConversationFilter(tags=frozenset({"queja"}), search="ana"),
    ]
    sorts = [
        Sort(),
        Sort(key=SortKey.AGENT, descending=False),
        Sort(key=SortKey.CUSTOMER_NAME, descending=False),
        Sort(key=SortKey.INACTIVITY, descending=True),
        Sort(key=SortKey.DURATION, descending=True),
    ]
    found = 0
    for filters in cases:
        found += store.count_conversations(filters)
        for sort in sorts:
            assert_pages_match(store, filters, sort)
    assert found > 10


@pytest.mark.usefixtures("walking")
def test_search_walking_the_set_is_exact(small_store: SqlStore) -> None:
    def found(text: str) -> list[str]:
        listed = ids(small_store.list_conversations(ConversationFilter(search=text)).rows)
        assert small_store.count_conversations(ConversationFilter(search=text)) == len(listed)
        return listed

    assert found("pérez") == ["c1"]
    assert found("JOAO CONCE") == ["c2"]
    assert found("(787) 555") == ["c3"]
    assert found("555") == ["c3"]
    assert found('z"z') == [] and found("%%%") == []


@pytest.mark.usefixtures("walking")
def test_sqlite_walking_the_set_reads_the_list_order_and_probes_the_trigram_rowids(sqlite_store: SqlStore) -> None:
    store = sqlite_store
    plans = sqlite_plans(store, lambda: store.list_conversations(ConversationFilter(search="bo twin")))
    keys = using(plans, "ix_conversations_created_at_pk")
    assert keys and "TEMP B-TREE" not in keys[0], plans
    assert "customer_search VIRTUAL TABLE" in keys[0] and "ix_conversations_customer_pk" not in keys[0], plans


@pytest.mark.usefixtures("walking")
def test_postgresql_walking_the_set_reads_the_list_order_with_a_hashed_set(pg_store: SqlStore) -> None:
    store = pg_store
    plans = pg_plans(store, lambda: store.list_conversations(ConversationFilter(search="bo twin")))
    keys = using(plans, "hashed SubPlan")
    assert keys and "Index Scan Backward using ix_conversations_created_at_pk" in keys[0], plans
    assert "Sort" not in keys[0] and "ix_conversations_customer_pk" not in keys[0], plans
