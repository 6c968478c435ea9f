"""The unassigned queue: open chats longest waiting first, waiting times coloured, transfer and go on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from chatadmin.config import Settings
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.screens.transfer import TransferScreen
from chatadmin.waiting import (
    DEFAULT_THRESHOLDS,
    WaitLevel,
    WaitThresholds,
    thresholds_for,
)
from chatadmin.widgets.columns import COLUMNS_BY_KEY
from chatadmin.widgets.status import StatusLine
from tests.console_fixtures import NamedStore, open_store, settle

SIZE = (120, 40)
pytestmark = pytest.mark.anyio
QUEUE = ConversationFilter(statuses=frozenset({Status.OPEN}))
LONGEST_WAITING = Sort(key=SortKey.NO_RESPONSE, descending=True)
# sales turns amber after 1 h and red after 10 h; the other groups after 20 h and 30 h
THRESHOLDS = {"sales": WaitThresholds(warn=3600, breach=36000), "*": WaitThresholds(warn=72000, breach=108000)}



@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    yield store
    store.dispose()


def held(app: ChatAdminApp) -> list:
    table = app.table
    assert table.total is not None
    return [table.window.row(i) for i in range(table.total)]


def waiting_cell(app: ChatAdminApp, row) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    return COLUMNS_BY_KEY["waiting"].cell(row, app.table.cell_context)


async def test_one_key_opens_the_queue_longest_waiting_first_and_goes_back(store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600, thresholds=THRESHOLDS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # some sort of the user's own, to come back to
        await settle(pilot)
        before = (app.table.filters, app.table.sort)
        await pilot.press("u")
        await settle(pilot)
        expected = store.list_conversations(QUEUE, LONGEST_WAITING, limit=100).rows
        assert (app.table.filters, app.table.sort) == (QUEUE, LONGEST_WAITING)
        rows = held(app)
        assert [r.id for r in rows] == [r.id for r in expected] and rows
        assert {r.status for r in rows} == {Status.OPEN}
        waits = [r.no_response_s for r in rows]
        assert waits == sorted(waits, reverse=True)
        assert not app.filter_bar.display
        assert "● live  ·  Unassigned queue" in str(app.query_one(StatusLine).visual)
        await pilot.press("u")
        await settle(pilot)
        assert (app.table.filters, app.table.sort) == before and app.filter_bar.display
        assert "Unassigned queue" not in str(app.query_one(StatusLine).visual)


def footer_line(app: ChatAdminApp) -> str:
    return app.screen._compositor.render_strips()[-1].text


async def test_escape_leaves_the_queue_once_no_marks_are_left_to_clear(store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600, thresholds=THRESHOLDS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = (app.table.filters, app.table.sort)
        assert "esc" not in footer_line(app)
        await pilot.press("u")
        await settle(pilot)
        assert app.queue_mode and "esc Leave queue" in footer_line(app)  # says how to leave
        await pilot.press("space")
        await settle(pilot)
        assert "esc Clear marks" in footer_line(app)
        await pilot.press("escape")  # marks first
        await settle(pilot)
        assert app.queue_mode and not app.table.marks and "esc Leave queue" in footer_line(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not app.queue_mode and (app.table.filters, app.table.sort) == before and app.filter_bar.display
        assert "Unassigned queue" not in str(app.query_one(StatusLine).visual)
        assert "esc" not in footer_line(app)
        await pilot.press("escape")  # nothing left to leave: nothing happens
        await settle(pilot)
        assert not app.queue_mode and (app.table.filters, app.table.sort) == before


async def test_waiting_times_are_coloured_against_each_groups_thresholds(store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600, thresholds=THRESHOLDS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        seen: set[tuple[str | None, str | None]] = set()
        for row in held(app):
            _, role = waiting_cell(app, row)
            limits = THRESHOLDS.get(row.group or "", THRESHOLDS["*"])
            seconds = row.no_response_s
            assert seconds is not None
            expected = "breach" if seconds >= limits.breach else "warn" if seconds >= limits.warn else "ok"
            assert role == f"wait-{expected}", (row.id, seconds, row.group)
            seen.add((row.group, role))
        # the same wait is red in sales and not yet elsewhere: both kinds are on the list
        assert ("sales", "wait-breach") in seen and any(g != "sales" and r != "wait-breach" for g, r in seen)
        # the main table colours the same way; a chat nobody waits on shows a dash
        await pilot.press("u")
        await settle(pilot)
        answered = next(r for r in held(app) if r.no_response_s is None)
        assert waiting_cell(app, answered) == ("—", "muted")


async def test_transfer_from_the_queue_goes_on_with_the_next_chat(store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        table = app.table
        first, second = table.window.row(0), table.window.row(1)
        assert first is not None and second is not None
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TransferScreen) and app.screen.row.id == first.id
        # to an agent: it leaves the queue
        await pilot.press(*"Carla", "enter")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert store.get_conversation(first.id).status is Status.IN_PROGRESS
        assert table.current_row is not None and table.current_row.id == second.id
        assert table.window.find(first.id) is None and table.cursor == 0
        # a transfer that leaves the chat in a queue keeps it listed: the cursor still goes on
        third = table.window.row(1)
        assert third is not None
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"Billing", "enter", "enter")
        await settle(pilot)
        if store.get_conversation(second.id).status is Status.OPEN:
            assert table.window.find(second.id) is not None
        assert table.current_row is not None and table.current_row.id == third.id


async def test_leaving_the_queue_by_a_filter_shows_that_filter(store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("ctrl+r")  # clear filters: back to every conversation
        await settle(pilot)
        assert not app.queue_mode and app.filter_bar.display
        assert app.table.filters == ConversationFilter() and app.table.total == 30


def test_thresholds_read_from_settings_per_group_with_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATADMIN_THRESHOLDS", '{"sales": {"warn": "2m", "breach": "1h30m"}, "*": {"warn": 60}}')
    table = Settings().thresholds
    assert table["sales"] == WaitThresholds(warn=120, breach=5400)
    assert thresholds_for(table, "sales").level(119) is WaitLevel.OK
    assert thresholds_for(table, "sales").level(120) is WaitLevel.WARN
    assert thresholds_for(table, "sales").level(5400) is WaitLevel.BREACH
    assert thresholds_for(table, "support") == WaitThresholds(warn=60, breach=900)
    assert thresholds_for({}, "sales") == DEFAULT_THRESHOLDS == WaitThresholds(warn=300, breach=900)
    monkeypatch.setenv("CHATADMIN_THRESHOLDS", '{"sales": {"warn": "20m", "breach": "10m"}}')
    with pytest.raises(ValueError, match="at most breach"):
        Settings()
    monkeypatch.setenv("CHATADMIN_THRESHOLDS", '{"sales": {"warn": "soon"}}')
    with pytest.raises(ValueError, match="not a duration"):
        Settings()
