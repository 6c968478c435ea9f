"""Keyset cursors in the SQL store: the duration sort's instant, and sort values too long to carry."""

from __future__ import annotations

from datetime import timedelta

from chatadmin.clock import Clock
from chatadmin.domain import Sort, SortKey
from chatadmin.store.cursor import MAX_CURSOR
from chatadmin.store.sql import SqlStore

from .builders import conversation, load_store


def ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.id for r in page.rows]


def test_a_duration_walk_keeps_the_order_of_its_first_page_as_the_clock_moves(db_url: str, clock: Clock) -> None:
    # at 18:00: a (closed, 5 h) > b (open since 14:00, 4 h) > c (open since 15:00, 3 h)
    store = load_store(
        db_url,
        clock,
        [
            conversation("a", "2026-11-24T08:00:00Z", status="closed", closed_at="2026-11-24T13:00:00Z"),
            conversation("b", "2026-11-24T14:00:00Z"),
            conversation("c", "2026-11-24T15:00:00Z"),
        ],
    )
    longest = Sort(key=SortKey.DURATION, descending=True)
    first = store.list_conversations(sort=longest, limit=1)
    assert ids(first) == ["a"]
    assert first.rows[0].duration_s == 5 * 3600
    later = Clock(zone=clock.zone, fixed=clock.now() + timedelta(hours=2))  # b is 6 h old now, c 5 h
    moved = SqlStore(store.engine, later)
    try:
        assert ids(moved.list_conversations(sort=longest, limit=3)) == ["b", "c", "a"]
        rest = moved.list_conversations(sort=longest, limit=3, cursor=first.next_cursor)
        assert ids(rest) == ["b", "c"]  # after a, as at 18:00: b is not skipped for having grown past a
        assert rest.rows[0].duration_s == 6 * 3600  # the rows' own times are the page's
    finally:
        store.dispose()


def test_a_sort_value_too_long_to_carry_is_read_again_from_its_row(db_url: str, clock: Clock) -> None:
    ligature = "\ufdfa" * 500  # folds to 18 characters each: a 9000-character sort value
    store = load_store(
        db_url,
        clock,
        [conversation(f"n-{i}", f"2026-11-24T0{i}:00:00Z", name=ligature if i % 2 else "Ana") for i in range(1, 7)],
    )
    try:
        by_name = Sort(key=SortKey.CUSTOMER_NAME, descending=False)
        expected = [r.id for r in store.iter_conversations(sort=by_name)]
        seen: list[str] = []
        page = store.list_conversations(sort=by_name, limit=2)
        while True:
            seen += ids(page)
            for cursor in (page.next_cursor, page.prev_cursor):
                assert cursor is None or len(cursor) < MAX_CURSOR
            if page.next_cursor is None:
                break
            page = store.list_conversations(sort=by_name, limit=2, cursor=page.next_cursor)
        assert seen == expected and len(seen) == 6
        back = store.list_conversations(sort=by_name, limit=10, cursor=page.prev_cursor)
        assert ids(back) == expected[:-2]
    finally:
        store.dispose()
