"""Pictures of the agents panel with its per-hour chart on the fixed store and clock: wide and narrow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from tests.console_fixtures import NamedStore, open_store, settle


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    store.set_agent("dario", available=False)  # one away, to show both states
    yield store
    store.dispose()


async def agents_panel(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    await pilot.press("down")
    await pilot.pause()


def test_agents_panel_wide(snap_compare, store: NamedStore) -> None:
    assert snap_compare(ChatAdminApp(store, refresh_seconds=3600), terminal_size=(120, 40), run_before=agents_panel)


def test_agents_panel_narrow(snap_compare, store: NamedStore) -> None:
    assert snap_compare(ChatAdminApp(store, refresh_seconds=3600), terminal_size=(80, 24), run_before=agents_panel)
