"""The console's modal screens driven by keys over a real store: notes, transfers, tags, menus."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from chatadmin.clock import Clock, parse_instant
from chatadmin.domain import EventKind, Principal, Status, TransferResult
from chatadmin.screens import (
    DetailsScreen,
    ErrorScreen,
    HelpScreen,
    RowMenuScreen,
    TagsScreen,
    TransferScreen,
    help_entries,
)
from chatadmin.screens.layout import Entry, lay_out, wrap
from chatadmin.screens.row_menu import place
from chatadmin.screens.timeline import Timeline
from chatadmin.store.sql import SqlStore
from tests.screen_fixtures import (
    ADMIN,
    CONTROL,
    HOSTILE,
    HOSTILE_SHOWN,
    LINES,
    SUPERVISOR,
    Harness,
    open_store,
    records,
    settle,
    shown,
)

pytestmark = pytest.mark.anyio



@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[SqlStore]:
    backend = open_store(db_url, clock)
    yield backend
    backend.dispose()


@pytest.fixture
def sqlite_store(sqlite_url: str, clock: Clock) -> Iterator[SqlStore]:
    backend = open_store(sqlite_url, clock)
    yield backend
    backend.dispose()


# -- notes ---------------------------------------------------------------------------------------


async def test_add_note_saves_it_as_the_acting_user(store: SqlStore) -> None:
    app = Harness(lambda: DetailsScreen(store, "c-1001", tab="notes"))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, Input)
        await pilot.press(*"Called back, customer is happy", "enter")
        await settle(pilot)
        notes = store.conversation_detail("c-1001").notes
        assert [(n.author, n.text) for n in notes][-1] == ("alicia", "Called back, customer is happy")
        assert app.screen.query_one("#note-input", Input).value == ""
        assert "Called back, customer is happy" in app.screen.query_one("#notes-list", Timeline).plain_lines()[-1]
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [True]


async def test_the_local_administrators_notes_say_so_and_routings_events_stay_by_no_one(sqlite_url: str, clock: Clock) -> None:
    """The operator's notes are stored by "system"; none is written by routing, so they are the operator's."""
    operator = open_store(sqlite_url, clock, acting_as=None)
    try:
        app = Harness(lambda: DetailsScreen(operator, "c-1003", tab="notes"))
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press(*"Checked by the lead", "enter")
            await settle(pilot)
            assert [(n.author, n.text) for n in operator.conversation_detail("c-1003").notes] == [
                ("system", "Checked by the lead")
            ]
            notes = app.screen.query_one("#notes-list", Timeline).plain_lines()
            assert "local administrator" in notes[-2] and "Checked by the lead" in notes[-1], notes
            assert not any("System" in line for line in notes), notes
        app = Harness(lambda: DetailsScreen(operator, "c-1003"))  # routing's assignment names no one
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            events = "\n".join(app.screen.query_one("#history", Timeline).plain_lines())
            assert "Assigned to Ana Pérez in Sales (round robin)" in events and "local administrator" not in events
    finally:
        operator.dispose()


async def test_empty_note_is_refused_inline_and_nothing_is_stored(sqlite_store: SqlStore) -> None:
    app = Harness(lambda: DetailsScreen(sqlite_store, "c-1001", tab="notes"))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "enter")
        await settle(pilot)
        assert "A note needs some text." in str(app.screen.query_one("#note-status", Static).visual)
        assert len(sqlite_store.conversation_detail("c-1001").notes) == 1
        await pilot.press("escape")  # blank text is nothing to lose: Escape closes at once
        await pilot.pause()
    assert app.results == [False]


async def test_escape_warns_before_discarding_an_unsaved_note(sqlite_store: SqlStore) -> None:
    app = Harness(lambda: DetailsScreen(sqlite_store, "c-1001", tab="notes"))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press(*"half a thought", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        assert "Escape again discards it" in str(app.screen.query_one("#note-status", Static).visual)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [False]
    assert len(sqlite_store.conversation_detail("c-1001").notes) == 1


# -- details -------------------------------------------------------------------------------------


async def test_details_interleaves_messages_and_events_in_the_reporting_zone(sqlite_store: SqlStore) -> None:
    app = Harness(lambda: DetailsScreen(sqlite_store, "c-1003"))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        lines = app.screen.query_one("#history", Timeline).plain_lines()
        # 15:00Z is 09:00 in Mexico City; the assignment (15:01Z) sits between the two messages
        text = "\n".join(lines)
        assert "Monday 23 November 2026" in lines[0]
        order = [text.index(s) for s in ("09:00 ▍Marta Ríos", "09:01 · Assigned to Ana Pérez in Sales (round robin)",
                                          "09:02 ▍Ana Pérez", "10:00 · Closed · by Ana Pérez")]
        assert order == sorted(order)
        header = str(app.screen.query_one("#details-header", Static).visual)
        for part in ("Marta Ríos", "+52 33 1234 5678", "Closed", "Ana Pérez", "Sales", "★★★★☆", "Quick and kind"):
            assert part in header


async def test_details_of_a_conversation_the_user_may_not_see_says_why(sqlite_url: str, clock: Clock) -> None:
    backend = open_store(sqlite_url, clock, acting_as="sergio")  # supervisor of Sales only
    try:
        app = Harness(lambda: DetailsScreen(backend, "c-1002"))
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DetailsScreen)  # a user's mistake is no error modal
            header = str(app.screen.query_one("#details-header", Static).visual)
            assert header == "Cannot show this conversation: sergio is not a member of group 'support'"
            await pilot.press("t")  # nothing loaded: nothing to transfer
            await pilot.pause()
            assert isinstance(app.screen, DetailsScreen)
    finally:
        backend.dispose()


async def test_details_transfer_is_one_key_away_and_reloads(sqlite_store: SqlStore) -> None:
    app = Harness(lambda: DetailsScreen(sqlite_store, "c-1001"))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TransferScreen)
        await pilot.press(*"billing", "enter")  # Billing: manual routing, so it waits in the queue
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        await settle(pilot)
        assert "Transferred from Ana Pérez in Sales to the Billing queue" in "\n".join(
            app.screen.query_one("#history", Timeline).plain_lines()
        )
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [True]
    row = sqlite_store.get_conversation("c-1001")
    assert (row.group, row.agent, row.status) == ("billing", None, Status.OPEN)


async def test_five_thousand_messages_render_only_what_is_visible(sqlite_url: str, clock: Clock) -> None:
    start = parse_instant("2026-11-20T00:00:00Z")
    big = dict(records()[8], id="c-big", notes=[], tags=[], created_at="2026-11-20T00:00:00Z",
               assigned_at="2026-11-20T00:00:30Z")
    big["messages"] = [
        {"at": (start + timedelta(seconds=60 * i)).isoformat(), "from": "customer" if i % 2 == 0 else "agent",
         **({} if i % 2 == 0 else {"agent": "ana"}), "text": f"message number {i} " + "word " * (i % 30)}
        for i in range(5000)
    ]
    backend = open_store(sqlite_url, clock, lines=[*LINES, json.dumps(big)])
    try:
        app = Harness(lambda: DetailsScreen(backend, "c-big"))
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            timeline = app.screen.query_one("#history", Timeline)
            rendered: list[int] = []
            original = Timeline.render_line

            def counting(self: Timeline, y: int) -> Any:
                rendered.append(y)
                return original(self, y)

            Timeline.render_line = counting  # type: ignore[method-assign]
            try:
                timeline.refresh()
                await pilot.pause()
            finally:
                Timeline.render_line = original  # type: ignore[method-assign]
            assert sum(entry.role != "event" for entry in timeline.entries) == 5000
            assert timeline.line_count > 10000
            assert timeline.virtual_size.height == timeline.line_count
            assert 0 < len(rendered) <= timeline.size.height * 2
            # it opens at the newest message
            assert timeline.scroll_y == timeline.max_scroll_y > 0
            assert "message number 4999" in "\n".join(timeline.plain_lines()[-40:])
            await pilot.press("g")
            await pilot.pause()
            assert timeline.scroll_y == 0
            # a reader in the middle keeps the same message at the top when the width changes
            timeline.scroll_to(y=timeline.max_scroll_y // 2, animate=False, immediate=True)
            await pilot.pause()
            top = timeline.plain_lines()[round(timeline.scroll_y)]
            number = re.search(r"message number (\d+)", "\n".join(timeline.plain_lines()[round(timeline.scroll_y):][:4]))
            assert number is not None
            lines_before = timeline.line_count
            await pilot.resize_terminal(70, 32)
            await settle(pilot)
            assert timeline.line_count > lines_before  # narrower: more lines
            shown_now = "\n".join(timeline.plain_lines()[round(timeline.scroll_y):][:6])
            assert f"message number {number.group(1)} " in shown_now, (top, shown_now)
    finally:
        backend.dispose()


def test_wrap_keeps_every_character_and_fits_the_width() -> None:
    text = "a " * 30 + "x" * 50 + "\nsecond\tline " + "ñandú " * 10
    lines = wrap(text, 17)
    assert all(len(line) <= 17 for line in lines)
    assert "".join(lines).replace(" ", "") == text.expandtabs(4).replace(" ", "").replace("\n", "")


def test_a_new_day_starts_with_a_rule_and_events_break_sender_runs(clock: Clock) -> None:
    at = parse_instant
    entries = [
        Entry(at("2026-11-24T05:59:00Z"), "customer", "Luis", "late night"),  # 23:59 on the 23rd locally
        Entry(at("2026-11-24T06:01:00Z"), "customer", "Luis", "after midnight"),
        Entry(at("2026-11-24T06:02:00Z"), "customer", "Luis", "again"),
        Entry(at("2026-11-24T06:03:00Z"), "event", text="Assigned to Ana"),
        Entry(at("2026-11-24T06:04:00Z"), "customer", "Luis", "hello Ana"),
    ]
    layout = lay_out(entries, 60, clock.zone)
    text = ["".join(t for t, _ in line) for line in layout.lines]
    assert layout.owners == sorted(layout.owners) and layout.owners[0] == 0 and layout.owners[-1] == 4
    assert [i for i, line in enumerate(text) if "November 2026" in line] == [0, 3]
    assert text[1].startswith("23:59 ▍Luis") and text[4].startswith("00:01 ▍Luis")
    assert text[6].startswith("00:02 ▍ again")  # same sender: the time moves into the gutter
    assert text[7].startswith("00:03 · Assigned to Ana")
    assert text[8].startswith("00:04 ▍Luis")


# -- transfer ------------------------------------------------------------------------------------


async def test_transfer_to_a_group_lets_routing_pick_the_agent(store: SqlStore) -> None:
    row = store.get_conversation("c-1004")
    app = Harness(lambda: TransferScreen(store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press(*"sales", "enter")
        await pilot.pause()
        assert "Routing (round robin) picks the agent" in str(app.screen.query_one("#transfer-summary", Static).visual)
        await pilot.press("enter")
        await settle(pilot)
    [result] = app.results
    assert isinstance(result, TransferResult)
    after = store.get_conversation("c-1004")
    assert after.group == "sales" and after.status is Status.IN_PROGRESS
    assert after.agent in {"ana", "sergio"} and after.agent == result.agent  # carla is unavailable
    assert after.version == row.version + 1
    event = store.conversation_detail("c-1004").events[-1]
    assert (event.kind, event.actor, event.to_group, event.to_agent) == (
        EventKind.TRANSFERRED, "alicia", "sales", after.agent)


async def test_transfer_to_an_agent_then_one_of_their_groups(store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    app = Harness(lambda: TransferScreen(store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press(*"carla", "enter")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            "agent-group:sales", "agent-group:billing"]
        assert "unavailable" in str(app.screen.query_one("#transfer-warning", Static).visual)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert "to Carla Ruiz in Billing" in str(app.screen.query_one("#transfer-summary", Static).visual)
        await pilot.press("enter")
        await settle(pilot)
    [result] = app.results
    assert (result.agent, result.group, result.status) == ("carla", "billing", Status.IN_PROGRESS)
    after = store.get_conversation("c-1001")
    assert (after.agent, after.group, after.status) == ("carla", "billing", Status.IN_PROGRESS)
    event = store.conversation_detail("c-1001").events[-1]
    assert (event.kind, event.from_agent, event.from_group, event.to_agent, event.to_group, event.rule) == (
        EventKind.TRANSFERRED, "ana", "sales", "carla", "billing", "manual")


async def test_the_current_agent_cannot_be_chosen_where_the_conversation_already_is(sqlite_store: SqlStore) -> None:
    row = sqlite_store.get_conversation("c-1001")  # Ana Pérez in Sales
    app = Harness(lambda: TransferScreen(sqlite_store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press(*"ana", "enter")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        states = [(options.get_option_at_index(i).id, options.get_option_at_index(i).disabled)
                  for i in range(options.option_count)]
        assert states == [("agent-group:sales", True), ("agent-group:support", False)]
        await pilot.press("enter")
        await pilot.pause()
        assert "to Ana Pérez in Support" in str(app.screen.query_one("#transfer-summary", Static).visual)


async def test_escape_goes_back_a_step_then_cancels(sqlite_store: SqlStore) -> None:
    row = sqlite_store.get_conversation("c-1001")
    app = Harness(lambda: TransferScreen(sqlite_store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press(*"carla", "enter", "enter")
        await pilot.pause()
        assert app.screen.step.value == "confirm"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.step.value == "agent_group"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.step.value == "target"
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
    assert sqlite_store.get_conversation("c-1001") == row


async def test_over_cap_agent_is_warned_before_confirming_and_still_allowed(store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    app = Harness(lambda: TransferScreen(store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        bruno = next(str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
                     if options.get_option_at_index(i).id == "agent:bruno")
        assert "1/1 active" in bruno and "over cap" in bruno
        await pilot.press(*"bruno", "enter")
        await pilot.pause()
        warning = str(app.screen.query_one("#transfer-warning", Static).visual)
        assert "over cap" in warning and "1 of 1" in warning
        await pilot.press("enter")  # Support
        await pilot.pause()
        assert "over cap" in str(app.screen.query_one("#transfer-warning", Static).visual)
        await pilot.press("enter")
        await settle(pilot)
    [result] = app.results
    assert (result.agent, result.group, result.over_cap) == ("bruno", "support", True)


async def test_stale_version_shows_a_conflict_and_changes_nothing(store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    store.set_tags("c-1001", ["vip", "late"], expected_version=row.version)  # someone else, meanwhile
    before = store.conversation_detail("c-1001")
    app = Harness(lambda: TransferScreen(store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press(*"support", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TransferScreen)
        error = str(app.screen.query_one("#transfer-error", Static).visual)
        assert error.startswith("Not transferred: conversation c-1001 changed since it was shown")
        assert "nothing was changed" in error
    assert app.results == []
    assert store.conversation_detail("c-1001") == before


async def test_closed_conversation_transfer_is_refused_clearly(store: SqlStore) -> None:
    row = store.get_conversation("c-1003")
    before = store.conversation_detail("c-1003")
    app = Harness(lambda: TransferScreen(store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        notice = str(app.screen.query_one("#transfer-notice", Static).visual)
        assert notice == "This conversation is closed: reopen it before transferring it."
        await pilot.press(*"support", "enter", "enter")
        await settle(pilot)
        error = str(app.screen.query_one("#transfer-error", Static).visual)
        assert error == "Not transferred: conversation c-1003 is closed; reopen it before transferring it"
    assert app.results == []
    assert store.conversation_detail("c-1003") == before


async def test_supervisor_cannot_transfer_outside_their_groups(sqlite_url: str, clock: Clock) -> None:
    backend = open_store(sqlite_url, clock, acting_as="sergio")
    try:
        row = backend.get_conversation("c-1001")
        app = Harness(lambda: TransferScreen(backend, row))
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press(*"billing", "enter", "enter")
            await settle(pilot)
            error = str(app.screen.query_one("#transfer-error", Static).visual)
            assert error == "Not transferred: sergio is not a member of group 'billing'"
        assert backend.get_conversation("c-1001") == row
    finally:
        backend.dispose()


# -- tags ----------------------------------------------------------------------------------------


async def test_tags_are_saved_with_a_suggested_completion(store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    app = Harness(lambda: TagsScreen(store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        tag_input = app.screen.query_one(Input)
        assert tag_input.value == "vip"
        await pilot.press(*", $ac")
        await pilot.pause()
        await pilot.press("right")  # takes the suggestion: "$accent"
        await pilot.press(*", late ", "enter")
        await settle(pilot)
    [result] = app.results
    assert result.tags == ("$accent", "late", "vip")
    assert store.get_conversation("c-1001").tags == ("$accent", "late", "vip")
    assert store.get_conversation("c-1001").version == row.version + 1


async def test_tags_with_a_stale_version_are_refused_inline(store: SqlStore) -> None:
    row = store.get_conversation("c-1001")
    store.add_note("c-1001", "meanwhile")
    store.unassign_conversation("c-1001", expected_version=row.version)
    app = Harness(lambda: TagsScreen(store, row))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press(*", late", "enter")
        await settle(pilot)
        assert "changed since it was shown" in str(app.screen.query_one("#tags-error", Static).visual)
        assert app.screen.query_one(Input).value == "vip, late"  # what was typed is kept
    assert store.get_conversation("c-1001").tags == ("vip",)


# -- row menu ------------------------------------------------------------------------------------


async def _menu(backend: SqlStore, principal: Principal, conversation: str, keys: tuple[str, ...]) -> list[Any]:
    row = backend.get_conversation(conversation)
    app = Harness(lambda: RowMenuScreen(row, principal))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
    return app.results




@pytest.mark.parametrize(
    ("principal", "conversation", "keys", "expected"),
    [
        (ADMIN, "c-1001", ("enter",), "view"),
        (ADMIN, "c-1001", ("down", "enter"), "transfer"),
        (ADMIN, "c-1001", ("j", "j", "k", "enter"), "transfer"),
        (ADMIN, "c-1001", ("u",), "unassign"),
        (ADMIN, "c-1001", ("e",), "tags"),
        (ADMIN, "c-1001", ("r", "escape"), None),  # not closed: no reopen
        (ADMIN, "c-1003", ("r",), "reopen"),
        (ADMIN, "c-1003", ("t", "c", "escape"), None),  # closed: no transfer, no close
        (ADMIN, "c-1004", ("u", "c"), "close"),  # no agent: nothing to unassign
        (SUPERVISOR, "c-1001", ("c",), "close"),
        (SUPERVISOR, "c-1002", ("t", "c", "u", "e", "v", "r", "enter", "escape"), None),  # Support is not theirs
    ],
)
async def test_row_menu_keys(sqlite_store: SqlStore, principal: Principal, conversation: str,
                             keys: tuple[str, ...], expected: str | None) -> None:
    assert await _menu(sqlite_store, principal, conversation, keys) == [expected]


def test_row_menu_sits_under_the_row_or_above_it_near_the_bottom() -> None:
    screen = Region(0, 0, 100, 32)
    assert place(Region(0, 5, 100, 1), (32, 8), screen) == (68, 6)
    assert place(Region(0, 29, 100, 1), (32, 8), screen) == (68, 21)
    assert place(None, (32, 8), screen) is None


async def test_row_menu_is_anchored_to_the_row(sqlite_store: SqlStore) -> None:
    row = sqlite_store.get_conversation("c-1001")
    app = Harness(lambda: RowMenuScreen(row, ADMIN, anchor=Region(2, 10, 90, 1)))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#menu").region.offset == (92 - 32, 11)


# -- help and errors -----------------------------------------------------------------------------


async def test_help_lists_active_bindings_and_closes_with_question_mark(sqlite_store: SqlStore) -> None:
    app = Harness(lambda: DetailsScreen(sqlite_store, "c-1001"))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        entries = help_entries(app.screen.active_bindings, app)
        assert ("t", "Transfer", "General") in entries
        app.push_screen(HelpScreen(app.screen.active_bindings))
        await pilot.pause()
        assert "Transfer" in shown(app.screen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)


async def test_error_screen_shows_the_message_literally() -> None:
    app = Harness(lambda: ErrorScreen("Store unavailable", HOSTILE))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#error-message", Static).visual)
        assert all(part in text for part in HOSTILE_SHOWN) and not CONTROL.search(text)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [None]


# -- untrusted text ------------------------------------------------------------------------------


def _assert_literal(screen: Screen[Any], min_count: int, parts: tuple[str, ...] = HOSTILE_SHOWN) -> None:
    text = shown(screen)
    assert not CONTROL.search(text)
    assert text.count(parts[0]) >= min_count
    for part in parts:
        assert part in text


async def test_hostile_text_renders_literally_everywhere(sqlite_store: SqlStore) -> None:
    row = sqlite_store.get_conversation("c-1002")
    app = Harness(lambda: DetailsScreen(sqlite_store, "c-1002"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _assert_literal(app.screen, 3)  # header name, history sender and message
        await pilot.press("n")
        await pilot.pause()
        _assert_literal(app.screen, 4)  # and the note
        # what goes to the terminal (the composed screen) carries none of the controls
        painted = "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())
        assert not CONTROL.search(painted) and "[@click=app.quit]" in painted
        app.push_screen(RowMenuScreen(row, ADMIN))
        await pilot.pause()
        _assert_literal(app.screen, 1, ("[bold]x[/]", "[@click="))  # the name is cut to the menu's width
        app.push_screen(TransferScreen(sqlite_store, row))
        await settle(pilot)
        _assert_literal(app.screen, 1)
        app.push_screen(TagsScreen(sqlite_store, row))
        await settle(pilot)
        assert "[bold]x[/]" in str(app.screen.query_one("#tags-known", Static).visual)
        _assert_literal(app.screen, 1)
    assert app.return_value is None  # [@click=app.quit] never ran

