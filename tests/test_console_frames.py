"""Frames the console spares: rows painted once read (not "…" first), no recount for another
sort, no layout of the whole screen for a letter typed in a filter field."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from textual import events
from textual.screen import Screen
from textual.widgets import Input, Select

from chatadmin.app import ChatAdminApp
from chatadmin.backend import Interrupt
from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, Sort
from chatadmin.widgets.table import ConversationTable
from tests.console_fixtures import NamedStore, open_store, settle, wait_until

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


class GatedStore(NamedStore):
    """Reads of rows past the first page wait for the test's gate; every count is noted."""

    gate: threading.Event
    waiting: threading.Event
    counted: list[ConversationFilter]

    def list_conversations(
        self, filters=None, sort=None, offset=0, limit=100, cursor=None
    ):  # type: ignore[no-untyped-def]
        if offset > 0:
            self.waiting.set()
            self.gate.wait(10)
        return super().list_conversations(
            filters or ConversationFilter(), sort or Sort(), offset, limit, cursor
        )

    def count_conversations(self, filters: ConversationFilter | None = None, interrupt: Interrupt | None = None) -> int:
        filters = filters or ConversationFilter()
        self.counted.append(filters)
        return super().count_conversations(filters, interrupt)


@pytest.fixture
def gated(sqlite_url: str, clock: Clock) -> Iterator[GatedStore]:
    store = open_store(
        sqlite_url, clock, count=700
    )  # more rows than the table keeps around the screen
    store.__class__ = GatedStore
    gated: GatedStore = store  # type: ignore[assignment]
    gated.gate, gated.waiting, gated.counted = threading.Event(), threading.Event(), []
    gated.gate.set()
    yield gated
    gated.gate.set()
    store.dispose()


async def until(pilot, condition) -> None:  # type: ignore[no-untyped-def]
    """Pause until ``condition()`` holds, without waiting on the workers (one waits at the gate)."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never held")


def shown(table: ConversationTable) -> list[str]:
    """The table's lines as the screen has them (through its line cache), as text."""
    return [
        "".join(segment.text for segment in strip if isinstance(segment, Segment))
        for strip in table.render_lines(table.size.region)
    ]


async def end_with_the_read_held(pilot, gated: GatedStore) -> None:  # type: ignore[no-untyped-def]
    """Press End while the read of the last rows waits at the gate."""
    gated.gate.clear()
    await pilot.press("end")
    await until(pilot, gated.waiting.is_set)


async def test_a_jump_past_the_rows_on_hand_keeps_the_last_frame_until_they_arrive(
    gated: GatedStore,
) -> None:
    app = ChatAdminApp(gated, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        before = shown(table)
        await end_with_the_read_held(pilot, gated)
        assert table.holding and table.cursor == 699
        assert shown(table) == before  # not a screen of "…"
        gated.gate.set()
        await wait_until(pilot, lambda: not table.holding)
        await settle(pilot)
        lines = shown(table)
        last = table.window.row(699)
        assert last is not None and last.customer_phone[-4:] in lines[-1]
        assert not any("…" == line.strip() for line in lines)


async def test_the_hold_ends_at_its_deadline_and_shows_what_is_missing(
    gated: GatedStore,
) -> None:
    app = ChatAdminApp(gated, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        await end_with_the_read_held(pilot, gated)
        await until(
            pilot, lambda: not table.holding
        )  # the read still waits at the gate
        assert gated.gate.is_set() is False
        assert "…" in shown(table)[-1]
        gated.gate.set()
        await wait_until(pilot, lambda: table.window.row(699) is not None)
        await settle(pilot)
        assert "…" not in shown(table)[-1]


async def test_another_sort_keeps_the_count_and_a_new_filter_is_counted(
    gated: GatedStore,
) -> None:
    app = ChatAdminApp(gated, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        counts = len(gated.counted)
        sort = table.sort
        await pilot.press("s")
        await settle(pilot)
        assert table.sort != sort and not table.pending
        assert (
            len(gated.counted) == counts
        )  # the same rows in another order: the count stands
        assert table.total == gated.count_conversations(table.filters) == 700
        counts = len(gated.counted)
        table.set_query(ConversationFilter(search="luis"), table.sort)
        await wait_until(
            pilot, lambda: table.filters.search == "luis" and not table.counting
        )
        await settle(pilot)
        assert gated.counted[counts:] == [table.filters]
        assert table.total == gated.count_conversations(table.filters) < 700


async def test_typing_in_the_search_lays_out_nothing_and_a_long_text_scrolls_in_its_field(
    gated: GatedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[Screen[object]] = []
    lay_out = Screen._refresh_layout

    def counted(screen: Screen[object], *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        layouts.append(screen)
        lay_out(screen, *args, **kwargs)

    app = ChatAdminApp(gated, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        text = "maria gonzalez de la cruz and a few more words"
        await pilot.press(*text)
        await settle(pilot)
        field = app.query_one("#filter-search", Input)
        assert field.value == text and app.table.filters.search == text
        assert layouts == []
        assert field.scroll_offset.x > 0  # the end of the text, where the cursor is, shows
        assert field.virtual_size.width == len(text) + 1


async def test_keys_that_arrive_together_go_where_the_one_before_them_sent_the_focus(gated: GatedStore) -> None:
    """"/" then a word, in one read from the terminal (fast typing over SSH, a paste): the word is
    the search, not a sort ("s") and the views ("v") of the list that had the focus."""
    app = ChatAdminApp(gated, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        sort = table.sort

        def arrive(*keys: tuple[str, str | None]) -> None:
            for key, character in keys:  # all queued before the first is handled
                app.post_message(events.Key(key, character))

        arrive(("slash", "/"), *((letter, letter) for letter in "silv"))
        await settle(pilot)
        assert app.query_one("#filter-search", Input).value == "silv"
        assert table.filters.search == "silv" and table.sort == sort
        assert app.screen is app.screen_stack[0]  # "v" opened no views
        arrive(("escape", None), ("s", "s"))
        await settle(pilot)
        assert app.focused is table
        assert app.query_one("#filter-search", Input).value == "silv" and table.sort != sort


async def test_escape_in_an_open_drop_down_closes_it_and_a_second_leaves_the_filters(gated: GatedStore) -> None:
    app = ChatAdminApp(gated, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        select = app.query_one("#filter-status", Select)
        select.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert select.expanded
        await pilot.press("escape")
        await settle(pilot)
        assert not select.expanded and app.focused is not app.table
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is app.table
