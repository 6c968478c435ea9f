"""Pages of the list at any depth, in every sort and both search shapes, against the whole list read in one go.

``list_conversations`` finds a page's keys first, from the nearer end of the list, block by
block for agent and group names, and shapes a search by row or by customer; none of that may
change which rows a page holds. The reference is ``iter_conversations``: one plain statement.
"""

from __future__ import annotations

from typing import Any

import pytest

from chatadmin.backend import Backend
from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.store import paging, search
from chatadmin.store.engine import make_engine
from chatadmin.store.load import import_ndjson
from chatadmin.store.sql import SqlStore

from .builders import agent, conversation, lines, load_store, msg
from .test_filters_property import make_dataset


@pytest.fixture
def store(db_url: str, clock: Clock) -> Any:
    """The local store on SQLite and PostgreSQL (in this process, so that the tests can tune it)."""
    opened: SqlStore = load_store(db_url, clock, dataset())
    yield opened
    opened.dispose()


def dataset() -> list[dict[str, Any]]:
    """Nulls and ties in every column: unassigned and groupless chats, unrated ones, two agents of one name."""
    records = make_dataset(seed=17, size=70)
    records.insert(len([r for r in records if r["type"] == "group"]), agent("bo2", ["sales"], name="Bo"))
    for index in range(8):
        records.append(
            conversation(
                f"t-{index}",
                "2026-11-24T12:00:00Z",  # one instant for all: ties broken by key only
                name="Bo Twin" if index % 2 else "bo twin",
                status="in_progress",
                group_id="sales",
                agent_id="bo2" if index % 3 else "bo",
                assigned_at="2026-11-24T12:01:00Z",
                messages=[msg("2026-11-24T12:00:00Z", "customer", "hola")],
            )
        )
    for index in range(6):  # nameless customers: the NULL block of the name order, read first backwards
        records.append(
            conversation(
                f"u-{index}",
                f"2026-11-2{index % 3}T0{index}:00:00Z",
                phone=f"+52551000000{index % 2}",
                name="",
                status="closed" if index % 2 else "open",
                group_id="sales",
                agent_id="bo" if index % 2 else None,
                assigned_at=f"2026-11-2{index % 3}T0{index}:05:00Z" if index % 2 else None,
                closed_at=f"2026-11-2{index % 3}T0{index}:30:00Z" if index % 2 else None,
                messages=[msg(f"2026-11-2{index % 3}T0{index}:00:00Z", "customer", "hola")],
            )
        )
    return records


def offsets(total: int) -> list[int]:
    middle = total // 2
    return sorted({0, 1, 7, middle - 3, middle, middle + 1, total - 10, total - 1, total, total + 5})


def assert_pages_match(backend: Backend, filters: ConversationFilter, sort: Sort) -> None:
    whole = [row.id for row in backend.iter_conversations(filters, sort)]
    for offset in offsets(len(whole)):
        for limit in (1, 9, 1000):
            page = backend.list_conversations(filters, sort, offset=max(0, offset), limit=limit)
            assert [row.id for row in page.rows] == whole[max(0, offset) : max(0, offset) + limit], (
                filters,
                sort,
                offset,
                limit,
            )


@pytest.mark.parametrize("deep_offset", [1, paging.DEEP_OFFSET])
def test_every_page_of_every_sort_is_the_slice_of_the_whole_list(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, deep_offset: int
) -> None:
    # with DEEP_OFFSET at 1, every page past the first is found by counting, and pages past the
    # middle walk the reverse order from the end
    monkeypatch.setattr(paging, "DEEP_OFFSET", deep_offset)
    for key in SortKey:
        for descending in (False, True):
            assert_pages_match(store, ConversationFilter(), Sort(key=key, descending=descending))


@pytest.mark.parametrize("factor", [0, 10**9], ids=["by-row", "by-set"])
def test_filtered_and_searched_pages_match_in_both_search_shapes(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, factor: int
) -> None:
    # factor 0: every trigram search and tag filter reads by row; a huge factor: every one by customer (tag)
    monkeypatch.setattr(search, "BY_ROW_FACTOR", factor)
    monkeypatch.setattr(paging, "DEEP_OFFSET", 1)
    cases = [
        ConversationFilter(search="bo twin"),
        ConversationFilter(search="pérez"),
        ConversationFilter(search="jo"),
        ConversationFilter(search="%"),
        ConversationFilter(search="55 1234"),
        ConversationFilter(search="(787) 555", statuses=frozenset({Status.OPEN, Status.CLOSED})),
        ConversationFilter(statuses=frozenset({Status.IN_PROGRESS}), groups=frozenset({"sales"})),
        ConversationFilter(agents=frozenset({"bo", "bo2"})),
        ConversationFilter(tags=frozenset({"vip", "lead"})),
        ConversationFilter(tags=frozenset({"queja"}), search="jo"),
        ConversationFilter(ratings=frozenset({5, 1})),
    ]
    sorts = [
        Sort(),
        Sort(key=SortKey.AGENT, descending=False),
        Sort(key=SortKey.GROUP, descending=True),
        Sort(key=SortKey.CUSTOMER_NAME, descending=False),
        Sort(key=SortKey.RATING, descending=True),
        Sort(key=SortKey.INACTIVITY, descending=True),
        Sort(key=SortKey.DURATION, descending=True),  # two streams merged: filters apply to both
        Sort(key=SortKey.DURATION, descending=False),
    ]
    found = 0
    for filters in cases:
        found += store.count_conversations(filters)
        for sort in sorts:
            assert_pages_match(store, filters, sort)
    assert found > 40  # the cases select rows, or the comparison proves little


def test_agents_of_one_name_share_one_block_ordered_by_key(store: SqlStore) -> None:
    rows = store.list_conversations(
        ConversationFilter(agents=frozenset({"bo", "bo2"})), Sort(key=SortKey.AGENT, descending=False), limit=1000
    ).rows
    assert {row.agent for row in rows} == {"bo", "bo2"}
    assert all(row.agent_name == "Bo" for row in rows)
    # one block: the two agents' conversations interleave in key (creation) order, not agent by agent
    twins = [row.id for row in rows if row.id.startswith("t-")]
    assert twins == [f"t-{i}" for i in range(8)]


def test_a_deep_page_counts_again_after_any_change_to_the_list(
    store: SqlStore, clock: Clock, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a deep page's count is kept while no conversation changes: a change here, one by
    # another store on the same data (another process) and new conversations all show at once
    monkeypatch.setattr(paging, "DEEP_OFFSET", 1)
    open_chats = ConversationFilter(statuses=frozenset({Status.OPEN}))
    sort = Sort(key=SortKey.CUSTOMER_NAME, descending=False)
    assert_pages_match(store, open_chats, sort)
    first = store.list_conversations(open_chats, sort, offset=1, limit=1000).rows[0]
    store.close_conversation(first.id)
    assert_pages_match(store, open_chats, sort)
    other = SqlStore.open(db_url, clock)
    try:
        other.reopen_conversation(first.id)
        assert_pages_match(store, open_chats, sort)
    finally:
        other.dispose()
    engine = make_engine(db_url)
    try:
        import_ndjson(engine, lines(conversation("late-1", "2026-11-24T17:00:00Z", name="")), "late.ndjson")
    finally:
        engine.dispose()
    assert_pages_match(store, open_chats, sort)
