"""The agents panel over a real store: what it shows, availability changes, reading again, roles."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import DataTable, Sparkline, Static

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from chatadmin.domain import GroupActivity
from chatadmin.durations import format_duration
from chatadmin.screens.agents_panel import AgentsPanelScreen
from chatadmin.screens.export import ExportScreen
from chatadmin.screens.help import HelpScreen
from chatadmin.screens.routing_panel import RoutingPanelScreen
from chatadmin.screens.views import ViewsScreen
from chatadmin.store.sql import SqlStore
from chatadmin.widgets.activity import GroupLine, chart_data
from chatadmin.widgets.commands import ConsoleCommands
from tests.console_fixtures import NOW, NamedStore, open_store, settle

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    yield store
    store.dispose()


def console(store: SqlStore) -> ChatAdminApp:
    return ChatAdminApp(store, refresh_seconds=3600)


async def open_panel(pilot: Any) -> AgentsPanelScreen:
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AgentsPanelScreen)
    return screen


def row_text(screen: AgentsPanelScreen, agent_id: str) -> list[str]:
    table: DataTable[Any] = screen.query_one(DataTable)
    return [str(cell) for cell in table.get_row(agent_id)]


def status_text(screen: AgentsPanelScreen) -> str:
    return str(screen.query_one("#agents-status", Static).visual)


def shown_activity(screen: AgentsPanelScreen) -> list[GroupActivity]:
    return [line.activity for line in screen.query(GroupLine)]


async def test_every_agent_with_availability_load_groups_and_last_assignment(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        table: DataTable[Any] = screen.query_one(DataTable)
        agents = store.list_agents()
        names = {g.id: g.name for g in store.list_groups()}
        assert table.row_count == len(agents) == 5
        for agent in agents:
            name, available, load, last, groups = row_text(screen, agent.id)
            assert name.startswith(agent.name)
            assert available == "● available"
            assert load.endswith(f" {agent.load}/{agent.max_active}")
            assert groups == ", ".join(names[g] for g in agent.groups)
            if agent.last_assigned_at is None:
                assert last == "never"
            else:
                assert last == f"{format_duration(int((NOW - agent.last_assigned_at).total_seconds()))} ago"
        # agents holding chats are drawn as loaded; the lead (no chats) is marked as a supervisor
        assert any(store_agent.load > 0 for store_agent in agents)
        assert row_text(screen, "lead")[0] == "Lucía Lead (supervisor)"


async def test_each_group_shows_its_queue_longest_wait_and_todays_assignments_per_hour(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        expected = store.group_activity()
        assert shown_activity(screen) == expected
        assert sum(sum(g.assignments_per_hour) for g in expected) > 0  # the fixture assigns chats today
        for line, activity in zip(screen.query(GroupLine), expected, strict=True):
            chart = line.query_one(Sparkline)
            assert chart.data == chart_data(activity.assignments_per_hour)
            assert chart.size.width == len(activity.assignments_per_hour) == 13  # 00h to 12h in Mexico City
            numbers = str(line.query_one(".numbers", Static).visual)
            assert f"{activity.queue_length} waiting" in numbers
            assert f"{activity.assigned_today} chat" in numbers
            if activity.oldest_waiting_since is not None:
                waited = int((NOW - activity.oldest_waiting_since).total_seconds())
                assert format_duration(waited) in numbers


def test_the_chart_starts_at_zero_whatever_the_quietest_hour() -> None:
    # a Sparkline scales from its smallest value: each hour is paired with a zero
    assert chart_data([3, 4]) == [0, 3, 0, 4]
    assert min(chart_data([5, 5, 7])) == 0


async def test_an_admin_makes_an_agent_available_and_the_waiting_chats_are_assigned(store: NamedStore) -> None:
    store.set_agent("dario", available=False)
    billing_queue = next(g.queue_length for g in store.group_activity() if g.group == "billing")
    assert billing_queue > 0
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        table: DataTable[Any] = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("dario"))
        assert row_text(screen, "dario")[1] == "○ away"
        await pilot.press("a")
        await settle(pilot)
        dario = next(a for a in store.list_agents() if a.id == "dario")
        assert dario.available
        drained = billing_queue - next(g.queue_length for g in store.group_activity() if g.group == "billing")
        assert drained > 0
        assert status_text(screen) == f"Darío Ruiz is available · {drained} waiting chat{'s' if drained > 1 else ''} assigned"
        assert row_text(screen, "dario")[1] == "● available"
        assert row_text(screen, "dario")[2].endswith(f"{dario.load}/5")
        assert screen.current_agent is not None and screen.current_agent.id == "dario"

        await pilot.press("space")
        await settle(pilot)
        assert not next(a for a in store.list_agents() if a.id == "dario").available
        assert status_text(screen) == "Darío Ruiz is away"


async def test_a_supervisor_sees_their_groups_read_only(sqlite_url: str, clock: Clock) -> None:
    lead = open_store(sqlite_url, clock, acting_as="lead")
    try:
        app = console(lead)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_panel(pilot)
            assert [a.group for a in shown_activity(screen)] == ["sales", "support"]
            assert "read-only" in str(screen.query_one("#agents-hint", Static).visual)
            assert "toggle_available" not in {b.binding.action for b in screen.active_bindings.values() if b.enabled}
            before = lead.list_agents()
            await pilot.press("a", "space")
            await settle(pilot)
            assert lead.list_agents() == before
    finally:
        lead.dispose()


async def test_it_reads_again_on_its_own_and_keeps_the_cursor_on_its_agent(store: NamedStore, sqlite_url: str, clock: Clock) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        table: DataTable[Any] = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("carla"))
        other = SqlStore.open(sqlite_url, clock)  # another console changes carla meanwhile
        try:
            other.set_agent("carla", available=False)
        finally:
            other.dispose()
        reads = screen.loads
        screen._on_timer()  # what the timer does when it fires
        await settle(pilot)
        assert screen.loads == reads + 1
        assert row_text(screen, "carla")[1] == "○ away"
        assert screen.current_agent is not None and screen.current_agent.id == "carla"

        # under a dialog it does not read; it looks again later
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        screen._on_timer()
        await settle(pilot)
        assert screen.loads == reads + 1 and not screen._reading


async def test_reads_never_overlap(sqlite_url: str, clock: Clock) -> None:
    class Slow(NamedStore):
        calls = 0
        gate = threading.Event()

        def group_activity(self) -> list[GroupActivity]:
            Slow.calls += 1
            assert Slow.gate.wait(10)
            return super().group_activity()

    open_store(sqlite_url, clock).dispose()
    slow = Slow.open(sqlite_url, clock)
    try:
        app = console(slow)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AgentsPanelScreen) and screen._reading
            for _ in range(3):
                screen.reload()
                screen._on_timer()
                await pilot.press("f5")
            assert Slow.calls == 1
            Slow.gate.set()
            await settle(pilot)
            assert Slow.calls == 1 and screen.loads == 1 and not screen._reading
    finally:
        slow.dispose()


async def test_list_keys_do_nothing_under_the_panel_and_escape_goes_back(store: NamedStore) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        shown = {b.binding.action for b in screen.active_bindings.values() if b.binding.show and b.enabled}
        assert {"back", "toggle_available"} <= shown
        assert not shown & {"export", "views", "focus_search", "agents"}
        await pilot.press("e", "v")
        await pilot.pause()
        assert app.screen is screen
        # the palette opened over the panel offers none of the list's commands either
        assert ConsoleCommands(screen)._commands() == []
        assert "export: the list" in [c.text for c in ConsoleCommands(app.screen_stack[0])._commands()]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("escape", "v")
        await pilot.pause()
        assert isinstance(app.screen, ViewsScreen)
        await pilot.press("escape", "R")
        await pilot.pause()
        assert isinstance(app.screen, RoutingPanelScreen)


async def test_agent_and_group_names_are_shown_literally(sqlite_url: str, clock: Clock) -> None:
    hostile = "[bold]Ana[/] $accent \x1b]52;c;aGk=\x07\x9b2J"
    extra: list[dict[str, object]] = [
        {"type": "group", "id": "odd", "name": hostile},
        {"type": "agent", "id": "odd-1", "name": hostile, "role": "agent", "groups": ["odd"]},
    ]
    odd = open_store(sqlite_url, clock, extra=extra)
    try:
        app = console(odd)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_panel(pilot)
            shown = "[bold]Ana[/] $accent ]52;c;aGk=2J"
            name, *_, groups = row_text(screen, "odd-1")
            assert name == shown and groups == shown
            line = next(line for line in screen.query(GroupLine) if line.activity.group == "odd")
            assert str(line.query_one(".numbers", Static).visual).startswith(shown[:15])
    finally:
        odd.dispose()
