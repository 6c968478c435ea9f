"""Pictures of a bulk action: the confirmation that says how many and where, and a report of failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from chatadmin.screens.bulk import BulkScreen, Step
from tests.console_fixtures import NamedStore, open_store, settle, wait_until


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    yield store
    store.dispose()


async def marked(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("space", "space", "j", "space", "space")
    await pilot.press("b")
    await settle(pilot)


async def confirm_transfer(pilot: Pilot[None]) -> None:
    await marked(pilot)
    await pilot.press("enter", *"billing", "enter")
    await settle(pilot)


async def report(pilot: Pilot[None]) -> None:
    await marked(pilot)  # two of the four are closed: those cannot be transferred
    await pilot.press("enter", *"billing", "enter", "enter")
    screen = pilot.app.screen
    assert isinstance(screen, BulkScreen)
    await wait_until(pilot, lambda: screen.step is Step.DONE)
    await pilot.pause()


def test_bulk_transfer_confirmation(snap_compare, store: NamedStore) -> None:
    assert snap_compare(ChatAdminApp(store, refresh_seconds=3600), terminal_size=(120, 40), run_before=confirm_transfer)


def test_bulk_transfer_report_with_failures(snap_compare, store: NamedStore) -> None:
    assert snap_compare(ChatAdminApp(store, refresh_seconds=3600), terminal_size=(120, 40), run_before=report)
