"""SVG snapshots of the console's modal screens over the fixed dataset (fixed clock, fixed size)."""

from __future__ import annotations

import json
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
from tests.screen_fixtures import ADMIN, SUPERVISOR, Harness, open_store, records, settle

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


def busy_transfer_lines() -> list[str]:
    """The fixed dataset, plus an agent in every one of many groups who is over their cap and away."""
    extra_groups = [("returns", "Returns & Exchanges"), ("wholesale", "Wholesale Accounts"), ("vip", "VIP Customers")]
    records_ = records()
    at = next(i for i, r in enumerate(records_) if r["type"] == "agent")
    records_[at:at] = [{"type": "group", "id": g, "name": name} for g, name in extra_groups]
    records_.insert(at + len(extra_groups), {
        "type": "agent", "id": "dora", "name": "Dora Maximiliana Villanueva", "max_active": 0, "available": False,
        "groups": ["sales", "support", "billing", *(g for g, _ in extra_groups)],
    })
    return [json.dumps(record, ensure_ascii=False) for record in records_]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_transfer_agents_one_line_each(snap_compare: Any, sqlite_url: str, clock: Clock, size: tuple[int, int]) -> None:
    """Each option one line, cut with an ellipsis; badges of any length keep the groups in one column."""
    backend = open_store(sqlite_url, clock, lines=busy_transfer_lines())
    try:
        row = backend.get_conversation("c-1001")
        assert snapshot_of(snap_compare, lambda: TransferScreen(backend, row), ("pagedown", "pagedown"), size=size)
    finally:
        backend.dispose()


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
