"""SVG snapshots of the console's modal screens over the fixed dataset (fixed clock, fixed size)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from chatadmin.clock import Clock
from chatadmin.screens import (
    DetailsScreen,
    ErrorScreen,
    HelpScreen,
    RowMenuScreen,
    TagsScreen,
    TransferScreen,
)
from chatadmin.store.sql import SqlStore
from tests.screen_fixtures import ADMIN, SUPERVISOR, Harness, open_store, settle

SIZE = (100, 32)


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[SqlStore]:
    backend = open_store(sqlite_url, clock)
    yield backend
    backend.dispose()


def snapshot_of(snap_compare: Any, make: Callable[[], Screen[Any]], press: tuple[str, ...] = (),
                size: tuple[int, int] = SIZE) -> bool:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in press:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return snap_compare(Harness(make), terminal_size=size, run_before=run_before)


def test_row_menu_admin(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    assert snapshot_of(snap_compare, lambda: RowMenuScreen(row, ADMIN, anchor=Region(2, 9, 96, 1)))


def test_row_menu_supervisor_outside_their_groups(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1002")
    assert snapshot_of(snap_compare, lambda: RowMenuScreen(row, SUPERVISOR, anchor=Region(2, 9, 96, 1)))


def test_row_menu_closed_conversation_near_the_bottom(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1003")
    assert snapshot_of(snap_compare, lambda: RowMenuScreen(row, ADMIN, anchor=Region(2, 29, 96, 1)), ("down",))


def test_details_conversation_tab(snap_compare: Any, store: SqlStore) -> None:
    assert snapshot_of(snap_compare, lambda: DetailsScreen(store, "c-1003"))


def test_details_notes_tab(snap_compare: Any, store: SqlStore) -> None:
    assert snapshot_of(snap_compare, lambda: DetailsScreen(store, "c-1001"), ("n", *"Promised a call at 5"))


def test_details_hostile_text(snap_compare: Any, store: SqlStore) -> None:
    assert snapshot_of(snap_compare, lambda: DetailsScreen(store, "c-1002"), size=(120, 40))


def test_transfer_choose_group_or_agent(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    assert snapshot_of(snap_compare, lambda: TransferScreen(store, row))


def test_transfer_group_confirm(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1004")
    assert snapshot_of(snap_compare, lambda: TransferScreen(store, row), (*"sales", "enter"))


def test_transfer_agent_groups_over_cap(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    assert snapshot_of(snap_compare, lambda: TransferScreen(store, row), (*"bruno", "enter"))


def test_transfer_agent_confirm_over_cap(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    assert snapshot_of(snap_compare, lambda: TransferScreen(store, row), (*"bruno", "enter", "down", "enter"))


def test_transfer_closed_refused(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1003")
    assert snapshot_of(snap_compare, lambda: TransferScreen(store, row), (*"support", "enter", "enter"))


def test_tags(snap_compare: Any, store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    assert snapshot_of(snap_compare, lambda: TagsScreen(store, row), (*", $", ))


def test_help(snap_compare: Any) -> None:
    keys = [
        ("↑↓ j k", "Move between conversations", "Conversations"),
        ("enter", "Open the ⋯ menu", "Conversations"),
        ("d", "View details", "Conversations"),
        ("t", "Transfer", "Conversations"),
        ("/", "Search by customer name or number", "Filters"),
        ("f", "Filters", "Filters"),
        ("?", "Keys", "General"),
        ("q", "Quit", "General"),
    ]
    assert snapshot_of(snap_compare, lambda: HelpScreen(keys))


def test_error(snap_compare: Any) -> None:
    message = "BackendUnavailable: the store cannot be read: database is locked\n[bold]not markup[/] \x1b[2J"
    assert snapshot_of(snap_compare, lambda: ErrorScreen("Unexpected error", message), size=(100, 24))
