"""The console's main screen driven through keys and clicks, checked against a real store."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, Select, Static

from chatadmin.app import ChatAdminApp
from chatadmin.backend import Interrupt
from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.errors import Interrupted, InvalidInput
from chatadmin.screens.error import ErrorScreen
from chatadmin.screens.help import HelpScreen
from chatadmin.screens.row_menu import RowMenuScreen
from chatadmin.store.engine import make_engine
from chatadmin.store.load import import_ndjson
from chatadmin.widgets.filters import FilterBar
from chatadmin.widgets.metrics import MetricsBar
from chatadmin.widgets.table import ConversationTable
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


def console(store: NamedStore) -> ChatAdminApp:
    # polls only when a test asks (r), so nothing changes under an assertion
    return ChatAdminApp(store, refresh_seconds=3600)


def loaded_rows(table: ConversationTable) -> list:
    assert table.total is not None
    return [table.window.row(i) for i in range(table.total) if table.window.row(i) is not None]


def status_text(app: ChatAdminApp) -> str:
    return str(app.query_one("#status-line", Static).visual)


async def test_opens_on_the_newest_conversations_with_header_metrics_and_count(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        expected = store.list_conversations(limit=30).rows
        assert table.total == 30
        assert [row.id for row in loaded_rows(table)] == [row.id for row in expected]
        assert table.current_row is not None and table.current_row.id == expected[0].id
        assert app.sub_title == "fixture.sqlite3 · local administrator (admin)"
        assert app.query_one(MetricsBar).metrics == store.metrics()
        assert "30 conversations" in status_text(app)
        assert "America/Mexico_City" in status_text(app)


async def test_search_as_you_type_narrows_the_list(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        # letters that are also table keys (l, s, g, j) must reach the search field
        await pilot.press(*"luis g")
        search = app.query_one("#filter-search", Input)
        assert search.value == "luis g"
        expected = store.count_conversations(ConversationFilter(search="luis g"))
        await wait_until(pilot, lambda: app.table.filters.search == "luis g" and app.table.total is not None)
        assert app.table.total == expected > 0
        assert all("Luis G" in row.customer_name for row in loaded_rows(app.table))
        assert f"{expected} of 30 conversations" in status_text(app)


async def test_moving_the_cursor_repaints_the_line_it_left_and_the_line_it_reached(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table

        def lines() -> list[object]:
            region = table.size.region
            return list(table.render_lines(region))  # what the screen shows, through the line cache

        first = lines()
        await pilot.press("down")
        await settle(pilot)
        moved = lines()
        assert moved[1] != first[1] and moved[2] != first[2]  # row 0 lost the cursor, row 1 got it
        assert moved[3:] == first[3:]
        await pilot.press("up")
        await settle(pilot)
        assert lines() == first


class SlowCounts(NamedStore):
    """Counts of a search wait for the test's word; notes how many ran at once and for what."""

    gate: threading.Event
    searched: list[str]
    running = 0
    most = 0

    def count_conversations(self, filters: ConversationFilter = ConversationFilter(), interrupt: Interrupt | None = None) -> int:
        if filters.search is None:
            return super().count_conversations(filters, interrupt)
        self.searched.append(filters.search)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            self.gate.wait(10)
            return super().count_conversations(filters, interrupt)
        finally:
            self.running -= 1


async def test_typing_a_search_counts_one_query_at_a_time_and_shows_the_last_ones_count(
    sqlite_url: str, clock: Clock
) -> None:
    store = open_store(sqlite_url, clock)
    store.__class__ = SlowCounts
    slow: SlowCounts = store  # type: ignore[assignment]
    slow.gate, slow.searched = threading.Event(), []
    try:
        app = console(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await pilot.press("l")
            await wait_until(pilot, lambda: slow.searched == ["l"])  # counted once its rows are shown
            await pilot.press(*"uis g")  # each key a query of its own, while the first count waits
            await wait_until(pilot, lambda: app.table.filters.search == "luis g" and not app.table.pending)
            assert slow.searched == ["l"]  # the others wait their turn
            slow.gate.set()
            await wait_until(pilot, lambda: len(slow.searched) > 1 and not slow.running)
            await settle(pilot)
            assert slow.most == 1
            assert slow.searched == ["l", "luis g"]  # the keys between were never counted
            assert app.table.total == store.count_conversations(ConversationFilter(search="luis g")) > 0
    finally:
        slow.gate.set()
        store.dispose()


class CountsUntilInterrupted(NamedStore):
    """The count of the search "l" runs until it is interrupted, as a long count in the database would."""

    searched: list[str]
    interrupted: list[str]

    def count_conversations(self, filters: ConversationFilter = ConversationFilter(), interrupt: Interrupt | None = None) -> int:
        if filters.search != "l":
            return super().count_conversations(filters, interrupt)
        assert interrupt is not None
        self.searched.append(filters.search)
        stopped = threading.Event()
        with interrupt.armed(stopped.set):
            stopped.wait(10)
        self.interrupted.append(filters.search)
        raise Interrupted("the count was interrupted")


async def test_the_next_key_interrupts_the_count_of_the_search_before_it(sqlite_url: str, clock: Clock) -> None:
    store = open_store(sqlite_url, clock)
    store.__class__ = CountsUntilInterrupted
    stoppable: CountsUntilInterrupted = store  # type: ignore[assignment]
    stoppable.searched, stoppable.interrupted = [], []
    try:
        app = console(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash", "l")
            await wait_until(pilot, lambda: stoppable.searched == ["l"] and app.table.counting)
            await pilot.press(*"uis g")
            await wait_until(pilot, lambda: app.table.filters.search == "luis g" and not app.table.counting)
            assert stoppable.interrupted == ["l"]
            await settle(pilot)
            assert app.table.total == store.count_conversations(ConversationFilter(search="luis g")) > 0
    finally:
        store.dispose()


async def test_the_list_has_the_focus_before_the_first_key_is_read(store: NamedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys typed while the console starts ("/" and a name) come right after its mount. In a
    terminal Textual first focuses the search field (found in tmux: "/5512" typed at start was
    searched as text); the list must have the focus when the mount ends, not a turn later."""
    focused: list[object] = []
    mount = ChatAdminApp.on_mount

    def on_mount(app: ChatAdminApp) -> None:
        app.screen.set_focus(app.query_one("#filter-search"))  # as a terminal's start leaves it
        mount(app)
        focused.append(app.focused)

    monkeypatch.setattr(ChatAdminApp, "on_mount", on_mount)
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        assert focused == [app.table]
        await pilot.press("slash", *"5512")
        await settle(pilot)
        assert app.table.filters.search == "5512"
        assert app.all_conversations == 30  # "N of 30", though the whole list was never shown


async def test_the_filter_fields_take_rows_of_five_under_110_columns_and_follow_a_resize(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        fields = app.query_one("#filter-fields")
        assert fields.styles.grid_size_columns == 7 and fields.size.height == 2
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert fields.styles.grid_size_columns == 5 and fields.size.height == 3
        await pilot.resize_terminal(110, 30)
        await settle(pilot)
        assert fields.styles.grid_size_columns == 7


async def choose(pilot, select_id: str, label: str) -> None:
    """Open a drop-down with the keyboard, type the start of an option, pick it with enter."""
    select = pilot.app.query_one(select_id, Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*label)
    await pilot.press("enter")
    await pilot.pause()


async def test_status_country_and_group_filters_combine(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "#filter-status", "In progress")
        await settle(pilot)
        wanted = ConversationFilter(statuses=frozenset({Status.IN_PROGRESS}))
        assert app.table.filters == wanted
        assert app.table.total == store.count_conversations(wanted)
        assert {row.status for row in loaded_rows(app.table)} == {Status.IN_PROGRESS}

        await choose(pilot, "#filter-group", "Sales")
        await settle(pilot)
        wanted = wanted.model_copy(update={"groups": frozenset({"sales"})})
        assert app.table.filters == wanted
        assert app.table.total == store.count_conversations(wanted) > 0
        assert {row.group for row in loaded_rows(app.table)} == {"sales"}

        await choose(pilot, "#filter-country", "MX")
        await settle(pilot)
        wanted = wanted.model_copy(update={"countries": frozenset({"MX"})})
        assert app.table.filters == wanted
        rows = loaded_rows(app.table)
        assert [r.id for r in rows] == [r.id for r in store.list_conversations(wanted, limit=100).rows]
        assert rows and {row.country for row in rows} == {"MX"}
        summary = str(app.query_one("#filter-summary", Static).visual)
        assert "In progress" in summary and "group Sales" in summary and "country MX" in summary


async def test_clear_filters_with_one_key(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ana", "enter")
        await choose(pilot, "#filter-status", "Closed")
        await settle(pilot)
        assert app.table.total == store.count_conversations(
            ConversationFilter(search="ana", statuses=frozenset({Status.CLOSED}))
        )
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.table.filters.is_empty()
        assert app.table.total == 30
        assert app.query_one("#filter-search", Input).value == ""
        assert app.query_one("#filter-status", Select).value == Select.NULL


@pytest.mark.parametrize(
    ("field", "text"),
    [("#filter-created-from", "2026-13-40"), ("#filter-no-response-over", "-5m"), ("#filter-inactive-over", "1x")],
)
async def test_invalid_input_is_marked_and_keeps_the_last_valid_results(store: NamedStore, field: str, text: str) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "#filter-status", "Open")
        await settle(pilot)
        before = app.table.filters
        shown = [row.id for row in loaded_rows(app.table)]
        app.query_one(field, Input).focus()
        await pilot.press(*text, "enter")
        await settle(pilot)
        assert app.query_one(field, Input).has_class("-invalid")
        summary = app.query_one("#filter-summary", Static)
        assert summary.has_class("-error") and text in str(summary.visual)
        assert app.table.filters == before
        assert [row.id for row in loaded_rows(app.table)] == shown
        # fixing the field applies it
        await pilot.press(*["backspace"] * len(text))
        await settle(pilot)
        assert not app.query_one(field, Input).has_class("-invalid")


async def test_a_wait_longer_than_68_years_is_marked_in_the_field_not_read(store: NamedStore) -> None:
    """Typed, not entered: the field's own debounce applies it; no store read fails, no error dialog."""
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.table.filters
        shown = [row.id for row in loaded_rows(app.table)]
        field = app.query_one("#filter-no-response-over", Input)
        field.focus()
        await pilot.press(*"999999999999999h")
        await wait_until(pilot, lambda: field.has_class("-invalid"))
        await settle(pilot)
        summary = str(app.query_one("#filter-summary", Static).visual)
        assert "24855d" in summary and "showing the last valid results" in summary
        assert not isinstance(app.screen, ErrorScreen) and len(app.screen_stack) == 1
        assert app.table.filters == before and app.table.total is not None
        assert [row.id for row in loaded_rows(app.table)] == shown
        await pilot.press(*["backspace"] * 16, *"24855d")
        await wait_until(pilot, lambda: app.table.filters.no_response_over == 24855 * 86400)
        assert not field.has_class("-invalid")


def test_dates_and_durations_parse_into_the_filter() -> None:
    from chatadmin.widgets.filter_form import parse_form

    filters, errors = parse_form(
        {"created_from": "2026-11-01", "created_to": "2026-11-24", "no_response_over": "1h30m", "rating": "5"}
    )
    assert errors == {}
    assert filters is not None
    assert (filters.created_from.isoformat(), filters.created_to.isoformat()) == ("2026-11-01", "2026-11-24")
    assert filters.no_response_over == 5400 and filters.ratings == frozenset({5})
    filters, errors = parse_form({"created_from": "2026-11-24", "created_to": "2026-11-01"})
    assert filters is None and "before" in errors["created_to"]


async def test_sort_by_key_and_by_header_click(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        customer = next(p for p in table._columns() if p.column.key == "customer")
        await pilot.click(ConversationTable, offset=(customer.x + 1, 0))
        await settle(pilot)
        assert table.sort == Sort(key=SortKey.CUSTOMER_NAME, descending=False)
        expected = store.list_conversations(sort=table.sort, limit=30).rows
        assert [row.id for row in loaded_rows(table)] == [row.id for row in expected]
        await pilot.click(ConversationTable, offset=(customer.x + 1, 0))
        await settle(pilot)
        assert table.sort == Sort(key=SortKey.CUSTOMER_NAME, descending=True)
        assert loaded_rows(table)[0].id == store.list_conversations(sort=table.sort, limit=1).rows[0].id

        await pilot.press("S")
        await settle(pilot)
        assert table.sort == Sort(key=SortKey.CUSTOMER_NAME, descending=False)
        await pilot.press("s")
        await settle(pilot)
        following = table._columns()[[p.column.key for p in table._columns()].index("customer") + 1].column
        assert table.sort.key is following.sort
        expected = store.list_conversations(sort=table.sort, limit=30).rows
        assert [row.id for row in loaded_rows(table)] == [row.id for row in expected]
        assert "by " + following.title in status_text(app)


async def test_movement_keys(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        table = app.table
        await pilot.press("j", "j", "down")
        assert table.cursor == 3
        await pilot.press("k")
        assert table.cursor == 2
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor == 29
        assert table.current_row.id == store.list_conversations(offset=29, limit=1).rows[0].id
        assert table.scroll_offset.y > 0
        await pilot.press("g")
        assert table.cursor == 0 and table.scroll_offset.y == 0
        page = table.scrollable_content_region.height - 1
        await pilot.press("pagedown")
        assert table.cursor == page
        await pilot.press("pageup")
        assert table.cursor == 0


async def test_close_and_reopen_through_the_menu(db_url: str, clock: Clock) -> None:
    store = open_store(db_url, clock)
    try:
        app = console(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            table = app.table
            target = next(row for row in loaded_rows(table) if row.status is Status.IN_PROGRESS)
            assert table.select_conversation(target.id)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, RowMenuScreen)
            await pilot.press("c")
            await settle(pilot)
            assert store.get_conversation(target.id).status is Status.CLOSED
            shown = table.window.row(table.window.find(target.id))
            assert shown.status is Status.CLOSED and shown.version > target.version
            assert app.query_one(MetricsBar).metrics == store.metrics()
            assert any(f"{target.id} is closed" in n.message for n in app._notifications)

            await pilot.press("full_stop")
            await pilot.pause()
            assert isinstance(app.screen, RowMenuScreen)
            await pilot.press("r")
            await settle(pilot)
            assert store.get_conversation(target.id).status is not Status.CLOSED
            assert table.current_row.id == target.id
            assert table.current_row.status is store.get_conversation(target.id).status
    finally:
        store.dispose()


async def test_a_conflict_says_so_changes_nothing_and_reads_again(store: NamedStore, sqlite_url: str, clock: Clock) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        target = next(row for row in loaded_rows(table) if row.status is Status.IN_PROGRESS)
        table.select_conversation(target.id)
        other = NamedStore.open(sqlite_url, clock)  # someone else tags it meanwhile
        try:
            other.set_tags(target.id, ["changed-elsewhere"])
        finally:
            other.dispose()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c")
        await settle(pilot)
        after = store.get_conversation(target.id)
        assert after.status is Status.IN_PROGRESS and after.tags == ("changed-elsewhere",)
        assert any(n.severity == "warning" and "read again" in n.message for n in app._notifications)
        assert table.window.row(table.window.find(target.id)).version == after.version


async def test_cursor_stays_on_its_conversation_when_new_ones_arrive(store: NamedStore, sqlite_url: str) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        await pilot.press("j", "j", "j")
        watched = table.current_row
        assert watched is not None and table.cursor == 3
        newer = [conversation(n) for n in (101, 102)]
        for number, record in enumerate(newer):
            record["created_at"] = (NOW.replace(minute=50 + number)).isoformat().replace("+00:00", "Z")
            record["messages"][0]["at"] = record["created_at"]  # type: ignore[index]
            record.pop("assigned_at", None), record.pop("agent", None), record.pop("closed_at", None)
            record.pop("rating", None)
            record["status"] = "open"
            record["messages"] = record["messages"][:1]  # type: ignore[index]
        engine = make_engine(sqlite_url)
        try:
            import json

            import_ndjson(engine, [json.dumps(r) for r in newer], "more.ndjson")
        finally:
            engine.dispose()
        await pilot.press("r")
        await settle(pilot)
        assert table.total == 32
        assert table.current_row.id == watched.id
        assert table.cursor == 5


async def test_failures_never_end_the_console(store: NamedStore) -> None:
    class Broken(NamedStore):
        fail_with: Exception | None = None

        def metrics(self):  # type: ignore[no-untyped-def]
            if self.fail_with is not None:
                raise self.fail_with
            return super().metrics()

    broken = Broken(store.engine, store.clock)
    app = console(broken)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        broken.fail_with = InvalidInput("the store said no")
        await pilot.press("r")
        await settle(pilot)
        assert any(n.severity == "error" and n.message == "the store said no" for n in app._notifications)
        assert app.query_one(MetricsBar).stale
        broken.fail_with = None
        await pilot.press("r")
        await settle(pilot)
        assert not app.query_one(MetricsBar).stale

        broken.fail_with = RuntimeError("boom")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ErrorScreen)
        broken.fail_with = None
        await pilot.press("j")
        assert app.table.cursor == 1


async def test_no_poll_while_a_modal_covers_the_list(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        app._on_poll_timer()
        assert not app._polling and not any(w.group == "poll" for w in app.workers)
        await pilot.press("escape")
        await pilot.pause()
        app._on_poll_timer()
        assert app._polling
        await settle(pilot)


async def test_palette_sorts_and_clears(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sort: by customer (ascending)")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette) and palette_hits(app) > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert app.table.sort == Sort(key=SortKey.CUSTOMER_NAME, descending=False)
        assert loaded_rows(app.table)[0].id == store.list_conversations(sort=app.table.sort, limit=1).rows[0].id

        await pilot.press("slash", *"luis", "enter", "escape")
        await settle(pilot)
        assert app.table.filters.search == "luis"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"filter: clear")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette) and palette_hits(app) > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert app.table.filters.is_empty() and app.table.total == 30


def palette_hits(app: ChatAdminApp) -> int:
    return app.screen.query_one(CommandList).option_count


def test_every_binding_has_an_id_and_a_description() -> None:
    for owner in (ChatAdminApp, ConversationTable, FilterBar):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id and binding.description, (owner.__name__, binding.key)


HOSTILE = {
    "c-2001": "[bold]x[/]",
    "c-2002": "[@click=app.quit]y",
    "c-2003": "$accent z",
    "c-2004": "a\x1b]52;c;SGVsbG8=\x07b",
    "c-2005": "c\x1b[2Jd",
    "c-2006": "e\x9bf",
}
SHOWN = ["[bold]x[/]", "[@click=app.quit]y", "$accent z", "a]52;c;SGVsbG8=b", "c[2Jd", "ef"]
# what Textual itself writes: colours and cursor moves
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;?]*[mHlhJK]")


async def test_hostile_customer_text_is_shown_literally_and_never_reaches_the_terminal(sqlite_url: str, clock: Clock) -> None:
    extra: list[dict[str, object]] = [
        {"type": "group", "id": "evil", "name": "[b]G\x1b]0;t\x07"},
        {"type": "agent", "id": "mal", "name": "$primary\x9b", "groups": ["evil"]},
    ]
    for number, (ident, name) in enumerate(HOSTILE.items()):
        record = conversation(200 + number)
        record["id"] = ident
        record["customer"] = {"phone": "+525512345678", "name": name}
        record["tags"] = ["[red]t[/]"]
        record["group"] = "evil"
        if record.get("agent"):
            record["agent"] = "mal"
            for message in record["messages"]:  # type: ignore[union-attr]
                if message.get("agent"):
                    message["agent"] = "mal"
        extra.append(record)
    store = open_store(sqlite_url, clock, count=0, extra=extra)
    try:
        app = console(store)
        async with app.run_test(size=(200, 40)) as pilot:
            await settle(pilot)
            table = app.table
            lines = [table.render_line(y).text for y in range(1, 7)]
            for shown in SHOWN:
                assert any(shown in line for line in lines), shown
            assert any("[red]t[/]" in line for line in lines)
            assert all("[b]G]0;t" in line for line in lines) and any("$primary" in line for line in lines)
            # the whole screen as a terminal would receive it
            output = app.screen._compositor.render_update(full=True).render_segments(app.console)
            leftover = OWN_SEQUENCES.sub("", output)
            assert "\x1b" not in leftover and "\x07" not in leftover
            assert not re.search(r"[\x80-\x9f]", output)
            for shown in SHOWN:
                assert shown in leftover
            # a click on the row with the click markup only moves the cursor
            index = table.window.find("c-2002")
            await pilot.click(ConversationTable, offset=(20, index + 1 - round(table.scroll_offset.y)))
            await pilot.pause()
            assert app.is_running and table.cursor == index
            # markup typed into the search is a search, shown literally in the summary
            await pilot.press("slash", *"[bold", "enter")
            await settle(pilot)
            assert "“[bold”" in str(app.query_one("#filter-summary", Static).visual)
            assert table.total == 1
            # names in the drop-downs and the chips are literal too
            await choose(pilot, "#filter-group", "[b]G")
            await settle(pilot)
            assert "group [b]G" in str(app.query_one("#filter-summary", Static).visual)
            output = app.screen._compositor.render_update(full=True).render_segments(app.console)
            assert "\x1b" not in OWN_SEQUENCES.sub("", output) and not re.search(r"[\x80-\x9f]", output)
    finally:
        store.dispose()


async def test_transfer_from_the_list_moves_the_row_in_place_and_says_where(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        target = next(row for row in loaded_rows(table) if row.status is Status.IN_PROGRESS and row.group == "sales")
        table.select_conversation(target.id)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"billing", "enter", "enter")
        await settle(pilot)
        after = store.get_conversation(target.id)
        assert after.group == "billing"
        shown = table.window.row(table.window.find(target.id))
        assert (shown.group, shown.agent, shown.version) == (after.group, after.agent, after.version)
        if after.agent is None:
            expected = f"{target.id} waits in the Billing queue"
        else:
            expected = f"{target.id} → {after.agent_name} (Billing)"
        assert any(n.message.startswith(expected) for n in app._notifications)
        assert app.query_one(MetricsBar).metrics == store.metrics()
        assert table.current_row.id == target.id


async def test_tags_from_the_menu_update_the_row_and_the_tag_filter(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        table = app.table
        target = table.current_row
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+u", *"urgent, vip", "enter")
        await settle(pilot)
        assert store.get_conversation(target.id).tags == ("urgent", "vip")
        assert table.current_row.tags == ("urgent", "vip")
        assert any("urgent, vip" in line for line in [table.render_line(1).text])
        await choose(pilot, "#filter-tag", "urgent")
        await settle(pilot)
        assert [row.id for row in loaded_rows(table)] == [target.id]


async def test_details_opens_on_d_and_returns_to_the_same_row(store: NamedStore) -> None:
    from chatadmin.screens.details import DetailsScreen

    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "d")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.screen_stack[0]
        assert app.table.cursor == 2 and app.focused is app.table


async def test_keys_can_be_remapped_by_binding_id(store: NamedStore) -> None:
    app = console(store)
    app.set_keymap({"table.down": "n", "app.search": "f"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", "n")
        assert app.table.cursor == 2
        await pilot.press("f", *"ana")
        assert app.query_one("#filter-search", Input).value == "ana"


async def test_a_click_on_the_dots_opens_that_rows_menu(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        dots = next(p for p in table._columns() if p.column.key == "menu")
        await pilot.click(ConversationTable, offset=(dots.x, 4))  # the fourth row
        await pilot.pause()
        assert isinstance(app.screen, RowMenuScreen)
        assert app.screen.row.id == store.list_conversations(offset=3, limit=1).rows[0].id
        assert table.cursor == 3
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RowMenuScreen)
        await pilot.double_click(ConversationTable, offset=(25, 6))  # a double click anywhere on a row
        await pilot.pause()
        assert isinstance(app.screen, RowMenuScreen) and app.screen.row.id == table.window.row(5).id


async def test_the_footer_leaves_out_letter_keys_while_typing(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def shown() -> set[str]:
            return {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}

        assert {"quit", "focus_search", "menu"} <= shown()
        await pilot.press("slash")
        assert "quit" not in shown() and "focus_search" not in shown()
        assert {"clear_filters", "leave"} <= shown()
        await pilot.press("q", "escape")
        assert app.query_one("#filter-search", Input).value == "q"
        assert app.focused is app.table and "quit" in shown()
