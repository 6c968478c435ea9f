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
