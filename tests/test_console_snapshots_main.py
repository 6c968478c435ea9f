"""Pictures of the main screen on the fixed store and clock: wide, narrow, and filtered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from tests.console_fixtures import NamedStore, open_store, settle


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    yield store
    store.dispose()


async def ready(pilot: Pilot[None]) -> None:
    await settle(pilot)


async def filtered(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("slash", *"a", "enter")
    select = pilot.app.query_one("#filter-status", Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*"In progress", "enter")
    await pilot.pause()
    pilot.app.query_one("#filter-created-from").focus()
    await pilot.press(*"2026-11-23", "enter", "escape")
    await settle(pilot)
    await pilot.press("j")
    await pilot.pause()


def test_main_screen_wide(snap_compare, store: NamedStore) -> None:
    assert snap_compare(ChatAdminApp(store, refresh_seconds=3600), terminal_size=(120, 40), run_before=ready)


def test_main_screen_narrow(snap_compare, store: NamedStore) -> None:
    assert snap_compare(ChatAdminApp(store, refresh_seconds=3600), terminal_size=(80, 24), run_before=ready)


def test_main_screen_with_active_filters(snap_compare, store: NamedStore) -> None:
    assert snap_compare(ChatAdminApp(store, refresh_seconds=3600), terminal_size=(120, 40), run_before=filtered)


async def agent_list_open(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.query_one("#filter-agent", Select).focus()
    await pilot.press("enter")
    await settle(pilot)


def test_narrow_agent_drop_down_shows_one_agent_a_line_and_the_focused_field(
    snap_compare, sqlite_url: str, clock: Clock
) -> None:
    """80 columns: a name longer than the drop-down is cut with "…", never wrapped into two agents."""
    long_name = {"type": "agent", "id": "max", "name": "Maximiliano Hernández Villalobos", "role": "agent",
                 "groups": ["sales"]}
    store = open_store(sqlite_url, clock, extra=[long_name])
    try:
        app = ChatAdminApp(store, refresh_seconds=3600)
        assert snap_compare(app, terminal_size=(80, 24), run_before=agent_list_open)
    finally:
        store.dispose()
