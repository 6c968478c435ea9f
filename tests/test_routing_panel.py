"""The routing configuration panel over a real store: what it shows, and each change it makes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from chatadmin.clock import Clock
from chatadmin.domain import Group, RoutingRule
from chatadmin.errors import BackendUnavailable
from chatadmin.routing.changes import Setting
from chatadmin.screens.error import ErrorScreen
from chatadmin.screens.routing_panel import RoutingPanelScreen
from chatadmin.screens.routing_rows import find_agent, group_option, next_rule, parse_cap
from chatadmin.store.routing_log import routing_log
from chatadmin.store.sql import SqlStore

from .builders import agent, conversation, group, load_store

pytestmark = pytest.mark.anyio

HOSTILE = "[bold]Ventas[/] $accent \x1b]52;c;aGk=\x07\x9b2J"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SIZE = (110, 30)



def records() -> list[dict[str, Any]]:
    return [
        group("sales", "Sales"),
        group("support", "Support", routing={"rule": "least_busy", "sticky": True}),
        group("desk", HOSTILE, routing={"rule": "manual", "only_available": False}),
        agent("alicia", [], name="Alicia Admin", role="admin"),
        agent("sergio", ["sales"], name="Sergio Supervisor", role="supervisor"),
        agent("ana", ["sales", "support"], name="Ana Pérez", max_active=3),
        agent("bo", ["sales"], name="Bo Silva", max_active=1),
        agent("carla", ["sales", "desk"], name="Carla Ruiz", available=False),
        agent("dora", ["support"], name="Dora [red]Núñez[/]"),
        conversation(
            "h-1", "2026-11-24T08:00:00Z", status="in_progress", group_id="sales", agent_id="ana",
            assigned_at="2026-11-24T08:01:00Z",
        ),
        conversation(
            "h-2", "2026-11-24T08:30:00Z", status="in_progress", group_id="sales", agent_id="bo",
            assigned_at="2026-11-24T08:31:00Z",
        ),
        conversation("q-1", "2026-11-24T09:00:00Z", group_id="desk"),
        conversation("q-2", "2026-11-24T09:30:00Z", group_id="desk"),
        conversation("new-1", "2026-11-24T10:00:00Z"),
        conversation("new-2", "2026-11-24T10:05:00Z"),
    ]  # fmt: skip


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[SqlStore]:
    load_store(sqlite_url, clock, records()).dispose()
    backend = SqlStore.open(sqlite_url, clock, acting_as="alicia")
    yield backend
    backend.dispose()


class Harness(App[None]):
    """A bare app that shows the panel, as the console pushes it."""

    def __init__(self, backend: Any) -> None:
        super().__init__()
        self.backend = backend

    def on_mount(self) -> None:
        self.push_screen(RoutingPanelScreen(self.backend))


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the panel's workers (a change, then its reload) have finished and shown."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def panel(pilot: Pilot[Any]) -> RoutingPanelScreen:
    screen = pilot.app.screen
    assert isinstance(screen, RoutingPanelScreen)
    return screen


def status(pilot: Pilot[Any]) -> str:
    return str(panel(pilot).query_one("#routing-status", Static).visual)


def lines(pilot: Pilot[Any], list_id: str) -> list[str]:
    options = panel(pilot).query_one(list_id, OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def choose_group(pilot: Pilot[Any], group_id: str) -> None:
    options = panel(pilot).query_one("#routing-groups", OptionList)
    options.focus()
    options.highlighted = options.get_option_index(group_id)
    await pilot.pause()


async def choose_member(pilot: Pilot[Any], agent_id: str) -> None:
    options = panel(pilot).query_one("#routing-members", OptionList)
    options.focus()
    options.highlighted = options.get_option_index(agent_id)
    await pilot.pause()


# -- pure helpers ------------------------------------------------------------------------------------


def test_rules_cycle_and_caps_parse() -> None:
    assert [next_rule(r) for r in RoutingRule] == [RoutingRule.LEAST_BUSY, RoutingRule.MANUAL, RoutingRule.ROUND_ROBIN]
    assert (parse_cap(" 7 "), parse_cap("None"), parse_cap("0")) == (7, None, 0)
    for bad in ("-1", "lots", "", "2.5", "²", "99999999999999999999999", str(2**31), "9" * 5000):
        with pytest.raises(ValueError, match="whole number"):
            parse_cap(bad)
    assert parse_cap(str(2**31 - 1)) == 2**31 - 1


def test_a_long_queue_does_not_run_into_the_member_count() -> None:
    group = Group(id="g", name="General", members=["a"] * 10, queue_length=573)
    assert re.search(r"573 waiting +10 agents", group_option(group).prompt.plain)


def test_agents_are_found_by_id_name_or_one_prefix(store: SqlStore) -> None:
    agents = store.list_agents()
    assert find_agent("bo", agents).id == "bo"
    assert find_agent("ana perez", agents).id == "ana"
    assert find_agent("Carl", agents).id == "carla"
    with pytest.raises(ValueError, match="could be"):
        find_agent("a", agents)
    with pytest.raises(ValueError, match="no agent"):
        find_agent("zoe", agents)


# -- showing --------------------------------------------------------------------------------------------


async def test_the_panel_lists_groups_rules_and_members_with_load_and_cap(store: SqlStore) -> None:
    async with Harness(store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        groups = lines(pilot, "#routing-groups")
        assert [g.split()[0] for g in groups] == ["[bold]Ventas[/]", "Sales", "Support"]  # by id: desk, sales, support
        assert "manual" in groups[0] and "any agent" in groups[0] and "2 waiting" in groups[0]
        assert "least busy" in groups[2] and "sticky" in groups[2]
        assert all(not CONTROL.search(line) for line in groups)
        await choose_group(pilot, "sales")
        members = lines(pilot, "#routing-members")
        assert [m.split()[1] for m in members] == ["Ana", "Bo", "Carla", "Sergio"]
        assert "1/3 active" in members[0] and "available" in members[0]
        assert "1/1 active" in members[1] and "full" in members[1]
        assert "no cap" in members[2] and "away" in members[2]
        await choose_group(pilot, "support")
        assert "Dora [red]Núñez[/]" in lines(pilot, "#routing-members")[1]


async def test_only_admins_may_use_the_panel(sqlite_url: str, clock: Clock) -> None:
    load_store(sqlite_url, clock, records()).dispose()
    supervisor = SqlStore.open(sqlite_url, clock, acting_as="sergio")
    try:
        async with Harness(supervisor).run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "for admins; sergio is a supervisor" in status(pilot)
            await pilot.press("r", "o", "s")
            await settle(pilot)
            assert routing_log(supervisor) == []
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(pilot.app.screen, RoutingPanelScreen)
    finally:
        supervisor.dispose()


# -- changing -------------------------------------------------------------------------------------------


async def test_changing_a_rule_makes_the_next_transfer_follow_it(store: SqlStore) -> None:
    # in sales ana holds 1 of 3, sergio 0 (no cap), bo is full and carla away: round robin
    # would go ana, sergio; least busy goes sergio (the lowest load), then ana (the older assignment)
    async with Harness(store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_group(pilot, "sales")
        await pilot.press("r")  # round robin -> least busy
        await settle(pilot)
        assert status(pilot) == "Saved: Sales: rule least busy"
        assert "least busy" in lines(pilot, "#routing-groups")[1]
    results = [store.transfer(cid, "sales") for cid in ("new-1", "new-2")]
    assert [(r.agent, r.rule) for r in results] == [("sergio", "least_busy"), ("ana", "least_busy")]
    changes = routing_log(store, group="sales")
    assert [(c.actor, c.setting, c.old, c.new) for c in changes] == [
        ("alicia", Setting.RULE, "round_robin", "least_busy")
    ]


async def test_a_rule_change_from_manual_drains_the_queue_and_says_so(store: SqlStore) -> None:
    async with Harness(store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_group(pilot, "desk")
        await pilot.press("r")  # manual -> round robin; only_available is off: carla, away, takes both
        await settle(pilot)
        assert status(pilot).endswith("rule round robin · 2 waiting chats assigned")
        assert "0 waiting" in lines(pilot, "#routing-groups")[0]
    assert {store.get_conversation(c).agent for c in ("q-1", "q-2")} == {"carla"}


async def test_options_availability_cap_and_membership_each_go_through_the_backend(store: SqlStore) -> None:
    async with Harness(store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_group(pilot, "sales")
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert store.list_groups()[1].routing.model_dump() == {
            "rule": "round_robin",
            "only_available": False,
            "sticky": True,
        }

        await choose_member(pilot, "carla")
        await pilot.press("a")
        await settle(pilot)
        assert status(pilot) == "Saved: Carla Ruiz: available"

        await choose_member(pilot, "bo")
        await pilot.press("c")
        await pilot.pause()
        field = panel(pilot).query_one("#routing-ask-input", Input)
        assert field.has_focus and field.value == "1"
        field.value = ""
        await pilot.press(*"4", "enter")
        await settle(pilot)
        assert status(pilot) == "Saved: Bo Silva: cap 4"
        assert "1/4 active" in lines(pilot, "#routing-members")[1]

        await pilot.press("plus")
        await pilot.pause()
        await pilot.press(*"dora", "enter")
        await settle(pilot)
        assert status(pilot) == "Saved: Dora [red]Núñez[/] joined Sales"

        await choose_member(pilot, "sergio")
        await pilot.press("minus")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert status(pilot) == "Saved: Sergio Supervisor left Sales"
        assert [m.split()[1] for m in lines(pilot, "#routing-members")] == ["Ana", "Bo", "Carla", "Dora"]

    agents = {a.id: a for a in store.list_agents()}
    assert agents["carla"].available and agents["bo"].max_active == 4
    assert "sales" in agents["dora"].groups and "sales" not in agents["sergio"].groups
    assert [c.setting for c in routing_log(store)] == [
        Setting.ONLY_AVAILABLE, Setting.STICKY, Setting.AVAILABLE, Setting.MAX_ACTIVE, Setting.MEMBER, Setting.MEMBER,
    ]  # fmt: skip


async def test_a_bad_answer_is_refused_inline_and_changes_nothing(store: SqlStore) -> None:
    async with Harness(store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_group(pilot, "sales")
        await choose_member(pilot, "ana")
        await pilot.press("c")
        await pilot.pause()
        panel(pilot).query_one("#routing-ask-input", Input).value = "lots"
        await pilot.press("enter")
        await pilot.pause()
        assert "whole number" in status(pilot) and panel(pilot).query_one("#routing-status").has_class("error")
        await pilot.press("escape")  # closes the prompt, not the panel
        await pilot.pause()
        assert isinstance(pilot.app.screen, RoutingPanelScreen)
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press(*"nobody", "enter")
        await pilot.pause()
        assert "no agent outside this group" in status(pilot)
    assert routing_log(store) == []


class Unreachable:
    """The store, but its writes fail as they do when a server cannot be reached (or has a bug)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def set_routing(self, group: str, config: Any) -> Any:
        raise BackendUnavailable("cannot reach the server at https://chat.example [bold]now[/]")

    def set_agent(self, agent: str, **changes: Any) -> Any:
        raise RuntimeError("a bug")


async def test_a_failed_change_is_shown_inline_and_a_bug_in_the_error_screen(store: SqlStore) -> None:
    async with Harness(Unreachable(store)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_group(pilot, "sales")
        await pilot.press("r")
        await settle(pilot)
        assert status(pilot) == "Not saved: cannot reach the server at https://chat.example [bold]now[/]"
        assert panel(pilot).query_one("#routing-status").has_class("error")
        assert "round robin" in lines(pilot, "#routing-groups")[1]
        await choose_member(pilot, "ana")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ErrorScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert status(pilot) == "Not saved: RuntimeError: a bug"
    assert routing_log(store) == [] and store.list_groups()[1].routing.rule is RoutingRule.ROUND_ROBIN


async def test_tab_moves_to_the_members_and_agent_keys_work_only_there(store: SqlStore) -> None:
    async with Harness(store).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_group(pilot, "sales")
        await pilot.press("a", "c")  # on the groups list: not an agent's key
        await settle(pilot)
        assert routing_log(store) == [] and panel(pilot).asking is None
        await pilot.press("tab")
        assert panel(pilot).focused is panel(pilot).query_one("#routing-members", OptionList)
        await pilot.press("home", "down", "a")  # ana, then bo: away
        await settle(pilot)
        assert status(pilot) == "Saved: Bo Silva: away"


def test_snapshot(snap_compare: Any, store: SqlStore) -> None:
    async def loaded(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await choose_group(pilot, "sales")
        await choose_member(pilot, "bo")

    assert snap_compare(Harness(store), terminal_size=SIZE, run_before=loaded)
