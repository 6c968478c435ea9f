"""The live view: polls that ask only what changed, never overlap, wait under a modal and keep the cursor."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock, format_instant
from chatadmin.screens.help import HelpScreen
from chatadmin.store.engine import make_engine
from chatadmin.store.load import import_ndjson
from chatadmin.widgets.live import PollRequest, poll
from chatadmin.widgets.metrics import MetricsBar
from chatadmin.widgets.status import StatusLine
from tests.console_fixtures import (
    NOW,
    NamedStore,
    conversation,
    open_store,
    settle,
    wait_until,
)

SIZE = (120, 40)
pytestmark = pytest.mark.anyio



@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    yield store
    store.dispose()


class Watched:
    """The real store behind a proxy that counts calls, notes when each starts and ends, can be
    slow, and notes overlapping polls."""

    def __init__(self, store: NamedStore, delay: float = 0.0) -> None:
        self.store = store
        self.delay = delay
        self.calls: dict[str, int] = {}
        self.events: list[tuple[str, str]] = []  # ("start" | "end", method), in order
        self._lock = threading.Lock()
        self.polling = 0
        self.most_at_once = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.store, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls[name] = self.calls.get(name, 0) + 1
                self.events.append(("start", name))
            try:
                return attribute(*args, **kwargs)
            finally:
                with self._lock:
                    self.events.append(("end", name))

        return call

    def changes_since(self, seq: int) -> Any:
        with self._lock:
            self.polling += 1
            self.most_at_once = max(self.most_at_once, self.polling)
        try:
            time.sleep(self.delay)  # a slow back end: the next poll must wait for this one
            return self.__getattr__("changes_since")(seq)
        finally:
            with self._lock:
                self.polling -= 1

    @property
    def clock(self) -> Clock:
        return self.store.clock

    @property
    def location(self) -> str:
        return self.store.location


def newer_chats(url: str, numbers: tuple[int, ...]) -> list[str]:
    """Open chats created after all others, written by another connection (an import)."""
    records = []
    for offset, number in enumerate(numbers):
        record = conversation(number)
        created = format_instant(NOW.replace(minute=50 + offset))
        record.update(status="open", created_at=created, messages=[{"at": created, "from": "customer", "text": "Hola"}])
        for key in ("agent", "assigned_at", "closed_at", "rating"):
            record.pop(key, None)
        records.append(record)
    engine = make_engine(url)
    try:
        import_ndjson(engine, [json.dumps(r) for r in records], "more.ndjson")
    finally:
        engine.dispose()
    return [str(r["id"]) for r in records]


def status_text(app: ChatAdminApp) -> str:
    return str(app.query_one(StatusLine).visual)


async def test_a_chat_from_another_connection_appears_within_one_refresh_and_the_cursor_stays(
    store: NamedStore, sqlite_url: str
) -> None:
    watched = Watched(store)
    app = ChatAdminApp(watched, refresh_seconds=3600)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        await pilot.press("j", "j", "space")  # mark the third row; the cursor moves on to the fourth
        watched_row = table.current_row
        marked = table.window.row(2)
        assert watched_row is not None and marked is not None and table.cursor == 3
        top_before = table.scroll_offset.y
        new_ids = newer_chats(sqlite_url, (101, 102))
        polls = watched.calls["changes_since"]
        app._on_poll_timer()  # the timer's own path: one refresh
        await wait_until(pilot, lambda: watched.calls["changes_since"] > polls)
        await settle(pilot)
        assert watched.calls["changes_since"] == polls + 1
        assert table.total == 32
        assert [table.window.row(i).id for i in (0, 1)] == sorted(new_ids, reverse=True)
        assert table.current_row.id == watched_row.id and table.cursor == 5
        assert table.scroll_offset.y == top_before  # the screen held still: the rows came above it
        assert table.marks.is_marked(marked.id, table.filters) and table.window.find(marked.id) == 4
        assert set(new_ids) <= table.changed_ids  # the new rows are marked for a moment
        assert app.query_one(MetricsBar).metrics == store.metrics()
        assert "32 conversations" in status_text(app)
        table.expire_changes(now=time.monotonic() + 60)
        assert not table.changed_ids


async def test_a_quiet_poll_asks_only_what_changed(store: NamedStore) -> None:
    watched = Watched(store)
    app = ChatAdminApp(watched, refresh_seconds=3600)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = dict(watched.calls)
        app._on_poll_timer()
        await settle(pilot)
        asked = {name: count - before.get(name, 0) for name, count in watched.calls.items()}
        assert {name: count for name, count in asked.items() if count} == {"changes_since": 1}


async def test_only_the_changed_row_is_painted_again(store: NamedStore, sqlite_url: str, clock: Clock) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        target = table.window.row(4)
        assert target is not None
        other = NamedStore.open(sqlite_url, clock)
        try:
            other.set_tags(target.id, ["changed-elsewhere"])
        finally:
            other.dispose()
        painted: list[int] = []
        render_line = table.render_line

        def spy(y: int) -> Any:
            painted.append(y)
            return render_line(y)

        table.render_line = spy  # type: ignore[method-assign]
        app._on_poll_timer()
        await wait_until(pilot, lambda: target.id in table.changed_ids)
        await settle(pilot)
        assert table.window.row(4).tags == ("changed-elsewhere",)
        assert set(painted) == {5}  # header is line 0: row 4 is line 5, and nothing else was painted


async def test_nothing_refreshes_under_a_modal(store: NamedStore, sqlite_url: str) -> None:
    watched = Watched(store)
    app = ChatAdminApp(watched, refresh_seconds=0.05)  # type: ignore[arg-type]
    fired = 0
    original = app._on_poll_timer

    def counting() -> None:
        nonlocal fired
        fired += 1
        original()

    app._on_poll_timer = counting  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await wait_until(pilot, lambda: not app._polling)
        polls, rows = watched.calls.get("changes_since", 0), app.table.total
        new_ids = newer_chats(sqlite_url, (103,))
        seen = fired
        await wait_until(pilot, lambda: fired >= seen + 3)  # the timer came round three times
        assert watched.calls.get("changes_since", 0) == polls and app.table.total == rows == 30
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.table.total == 31)
        assert app.table.window.row(0).id == new_ids[0]


async def test_polls_never_overlap_on_a_slow_back_end(store: NamedStore) -> None:
    watched = Watched(store, delay=0.05)
    app = ChatAdminApp(watched, refresh_seconds=0.01)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(6):
            await pilot.press("r")  # asked for while one runs: it waits for that one
        for _ in range(1000):  # polls follow one another without end here: wait for ten, not for quiet
            if watched.calls.get("changes_since", 0) >= 10:
                break
            await pilot.pause(0.02)
        assert watched.calls["changes_since"] >= 10
        assert watched.most_at_once == 1
        app.live_paused = True  # let the last one finish before the app closes
        await wait_until(pilot, lambda: not app._polling)


async def test_pause_stops_the_live_view_and_says_so(store: NamedStore) -> None:
    watched = Watched(store)
    app = ChatAdminApp(watched, refresh_seconds=3600)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "● live" in status_text(app)
        await pilot.press("p")
        await settle(pilot)
        assert app.live_paused and "paused" in status_text(app)
        polls = watched.calls["changes_since"]
        app._on_poll_timer()
        await settle(pilot)
        assert watched.calls["changes_since"] == polls
        await pilot.press("r")  # a refresh by hand still reads
        await settle(pilot)
        assert watched.calls["changes_since"] == polls + 1
        await pilot.press("p")
        await settle(pilot)
        assert not app.live_paused and "● live" in status_text(app)
        assert watched.calls["changes_since"] == polls + 2


async def test_the_first_frame_reads_the_page_and_the_metrics_alone_then_counts_once(store: NamedStore) -> None:
    watched = Watched(store)
    # pages of 5 on a short screen: the rows read around it are fewer than the list, so the
    # list has to be counted (on a screen as tall as the list the reads find its end, and the
    # console rightly counts nothing)
    app = ChatAdminApp(watched, refresh_seconds=3600, page_size=5)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        assert app.table.data.loaded_rows < 30
        events = watched.events
        first_frame = max(events.index(("end", "metrics")), events.index(("end", "list_conversations")))
        later = {"count_conversations", "list_groups", "list_agents", "list_countries", "list_tags"}
        assert not [name for kind, name in events[:first_frame] if name in later]
        started = [name for kind, name in events if kind == "start"]
        assert started.count("count_conversations") == 1  # the table's count; the first poll counts nothing
        assert later <= set(started)
        assert app.table.total == app.all_conversations == 30
        assert app.query_one(MetricsBar).metrics == store.metrics()
        assert "30 conversations" in status_text(app)
        assert app.filter_bar.names.get("group:sales") == "Sales"
        await pilot.press("slash", *"gomez")  # a filtered list says of how many
        await settle(pilot)
        assert app.table.total == 3 and "3 of 30" in status_text(app)


def test_the_first_poll_reads_everything_and_the_next_only_on_a_change(store: NamedStore) -> None:
    from chatadmin.domain import ConversationFilter

    first = poll(store, PollRequest(None, ConversationFilter(), 1, read_all=False))
    assert first.metrics == store.metrics() and first.all_conversations == first.filtered == 30
    quiet = poll(store, PollRequest(first.seq, ConversationFilter(), 1, read_all=False))
    assert quiet.quiet and quiet.seq == first.seq and quiet.changed == ()
    store.set_tags("c-1001", ["vip"])
    changed = poll(store, PollRequest(first.seq, ConversationFilter(), 1, read_all=False))
    assert changed.changed == ("c-1001",) and not changed.quiet and changed.seq > first.seq
    bare = poll(store, PollRequest(None, ConversationFilter(), 1, read_all=False, counts=False))
    assert bare.metrics == store.metrics() and bare.all_conversations is None and bare.filtered is None
