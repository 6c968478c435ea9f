"""The table's row window: what a read of pages changes on screen (no Textual needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatadmin.clock import Clock
from chatadmin.domain import ConversationRow
from chatadmin.widgets.window import RowWindow
from tests.console_fixtures import open_store


@pytest.fixture
def listed(sqlite_url: str, clock: Clock) -> Iterator[list[ConversationRow]]:
    """The fixture store's first 30 conversations in list order."""
    store = open_store(sqlite_url, clock, count=30)
    try:
        yield list(store.list_conversations(limit=30).rows)
    finally:
        store.dispose()


def rows(store_rows: list[ConversationRow], first: int, count: int) -> tuple[ConversationRow, ...]:
    return tuple(store_rows[first : first + count])


def test_a_page_read_for_the_first_time_repaints_every_line_it_fills(listed: list[ConversationRow]) -> None:
    """After a jump, the screen shows "…" until the page comes; its lines must all repaint then,
    though nothing else moved (the console once kept the placeholders for good)."""
    window = RowWindow(page_size=10, max_pages=3)
    window.store(0, 1, 0, rows(listed, 0, 10))
    stored = window.store(2, 1, 0, rows(listed, 20, 10))
    assert stored.lines == list(range(20, 30))
    assert stored.changed == set()  # nothing was shown to compare with: no row flashes as changed


def test_a_page_read_again_repaints_only_the_lines_that_show_another_row(listed: list[ConversationRow]) -> None:
    window = RowWindow(page_size=10, max_pages=3)
    window.store(0, 1, 0, rows(listed, 0, 10))
    again = rows(listed, 0, 10)
    moved = (again[0], again[2], again[1], *again[3:])  # rows 1 and 2 swapped places
    stored = window.store(0, 1, 1, moved)
    assert stored.lines == [1, 2]
    assert stored.changed == set()  # the same conversations, unchanged
