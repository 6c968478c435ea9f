"""Pictures of the unassigned queue: longest waiting first, waiting times amber and red per group."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from chatadmin.waiting import WaitThresholds
from tests.console_fixtures import NamedStore, open_store, settle

# sales: amber after 10 h, red after 20 h; every other group: amber after 1 h, red after 1 day
THRESHOLDS = {"sales": WaitThresholds(warn=36000, breach=72000), "*": WaitThresholds(warn=3600, breach=86400)}


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    yield store
    store.dispose()


async def queue(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("u")
    await settle(pilot)
    await pilot.press("j")
    await pilot.pause()


def test_queue_wide(snap_compare, store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600, thresholds=THRESHOLDS)
    assert snap_compare(app, terminal_size=(120, 40), run_before=queue)


def test_queue_narrow(snap_compare, store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600, thresholds=THRESHOLDS)
    assert snap_compare(app, terminal_size=(80, 24), run_before=queue)
