"""The agents panel: every agent's availability, load against cap, groups and last assignment; each group's queue and day.

It reads again on its own (a one-shot timer re-armed after each finished read, so reads never
overlap) and keeps the cursor on the same agent. Admins toggle an agent's availability here;
everyone else sees the panel read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Static

from chatadmin.backend import Backend
from chatadmin.clock import Clock
from chatadmin.domain import Agent, Group, GroupActivity, Principal, Role
from chatadmin.durations import format_duration
from chatadmin.screens.common import (
    WorkerOutcomes,
    is_unexpected,
    literal_line,
    over_cap,
    problem,
    zone_of,
)
from chatadmin.screens.error import ErrorScreen
from chatadmin.text import fold, one_line
from chatadmin.widgets.activity import GroupActivityList
from chatadmin.widgets.footer import KeyFooter

BAR_CELLS = 6
COLUMNS = (("name", "Agent"), ("available", "Availability"), ("load", "Load / cap"), ("last", "Last assigned"), ("groups", "Groups"))


@dataclass(frozen=True)
class Snapshot:
    principal: Principal
    agents: list[Agent]
    groups: list[Group]
    activity: list[GroupActivity]
    now: datetime


def now_of(backend: Backend) -> datetime:
    clock = getattr(backend, "clock", None)
    return clock.now() if isinstance(clock, Clock) else datetime.now(UTC)


def waiting(snapshot: Snapshot) -> int:
    return sum(group.queue_length for group in snapshot.activity)


def load_cell(agent: Agent) -> Text:
    """``███░░░ 3/5``: the load against the cap, red when full; without a cap, just the count."""
    if agent.max_active is None:
        return Text.assemble((f"{agent.load}", "bold"), (" · no cap", "dim"))
    cap = agent.max_active
    filled = BAR_CELLS if cap == 0 else min(BAR_CELLS, round(BAR_CELLS * agent.load / cap))
    style = "bold red" if over_cap(agent) else "green"
    return Text.assemble(("█" * filled, style), ("░" * (BAR_CELLS - filled), "dim"), f" {agent.load}/{cap}")


def availability_cell(agent: Agent) -> Text:
    return Text("● available", "green") if agent.available else Text("○ away", "yellow")


def since_cell(agent: Agent, now: datetime) -> Text:
    if agent.last_assigned_at is None:
        return Text("never", "dim")
    seconds = max(0, int((now - agent.last_assigned_at).total_seconds()))
    return Text(f"{format_duration(seconds)} ago")


def agent_cells(agent: Agent, group_names: dict[str, str], now: datetime) -> tuple[Text, ...]:
    """The table's cells for ``agent``: store text as plain ``Text``, never markup."""
    name = Text(one_line(agent.name))
    if agent.role is not Role.AGENT:
        name.append(f" ({agent.role.value})", "dim")
    groups = Text(one_line(", ".join(group_names.get(g, g) for g in agent.groups)) or "—", overflow="ellipsis")
    return (name, availability_cell(agent), load_cell(agent), since_cell(agent, now), groups)


class AgentsPanelScreen(WorkerOutcomes, Screen[None]):
    """Who is available and how loaded, and how each group's day goes, at a glance."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="agents.back"),
        Binding("a,space", "toggle_available", "Available / away", id="agents.available"),
        Binding("f5", "reload", "Reload", id="agents.reload"),
        Binding("j", "move(1)", "Down", id="agents.down", show=False),
        Binding("k", "move(-1)", "Up", id="agents.up", show=False),
    ]
    DEFAULT_CSS = """
    AgentsPanelScreen #agents { padding: 0 1; }
    AgentsPanelScreen .line { height: auto; }
    AgentsPanelScreen .heading { margin-top: 1; text-style: bold; }
    AgentsPanelScreen #agents-hint { color: $text-muted; }
    AgentsPanelScreen #agents-table { height: 1fr; min-height: 4; }
    AgentsPanelScreen #agents-status { color: $success; }
    AgentsPanelScreen #agents-status.error { color: $error; }
    AgentsPanelScreen.-narrow GroupLine > .peak { display: none; }
    """

    def __init__(self, backend: Backend, *, refresh_seconds: float = 5.0) -> None:
        super().__init__()
        self.backend = backend
        self.refresh_seconds = refresh_seconds
        self.zone = zone_of(backend)
        self.snapshot: Snapshot | None = None
        self.loads = 0  # finished reads, for tests and the status line
        self._reading = False
        self._timer: Timer | None = None
        self._busy = False  # a change in flight
        self._read_failed = False
        self._said: str | None = None  # the change just saved, said once the panel shows its effect

    @property
    def is_admin(self) -> bool:
        return self.snapshot is not None and self.snapshot.principal.role is Role.ADMIN

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="agents"):
            yield Static(Content.styled("Agents", "bold"), classes="line")
            yield Static(Content("Loading…"), id="agents-hint", classes="line")
            table: DataTable[Text] = DataTable(id="agents-table", cursor_type="row", zebra_stripes=True)
            for key, title in COLUMNS:
                table.add_column(title, key=key)
            yield table
            yield Static(Content("Groups today"), classes="line heading")
            yield GroupActivityList(self.zone, id="agents-groups")
            yield Static(id="agents-status", classes="line")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()

    # -- reading, again and again ----------------------------------------------------------------

    def reload(self) -> None:
        """Read now, unless a read is under way (its answer is as fresh)."""
        if self._reading:
            return
        if self._timer is not None:
            self._timer.stop()
        self._reading = True
        self.read()

    @work(thread=True, exit_on_error=False, exclusive=True, group="agents-read", name="read")
    def read(self) -> Snapshot:
        backend = self.backend
        principal = backend.whoami()
        return Snapshot(principal, backend.list_agents(), backend.list_groups(), backend.group_activity(), now_of(backend))

    @work(thread=True, exit_on_error=False, group="agents-change", name="change")
    def change(self, agent: Agent) -> Agent:
        return self.backend.set_agent(agent.id, available=not agent.available)

    def _again_later(self) -> None:
        self._reading = False
        self._timer = self.set_timer(self.refresh_seconds, self._on_timer)

    def _on_timer(self) -> None:
        if self.app.screen is not self:
            self._timer = self.set_timer(self.refresh_seconds, self._on_timer)  # covered: look again later
            return
        self.reload()

    def worker_done(self, name: str, result: Any) -> None:
        if name == "read":
            self.loads += 1
            before = self.snapshot
            if self._read_failed:
                self._read_failed = False
                self._status("")
            self._show(result)
            if self._said is not None and before is not None:
                drained = waiting(before) - waiting(result)
                assigned = f" · {drained} waiting chat{'s' if drained != 1 else ''} assigned" if drained > 0 else ""
                self._status(self._said + assigned)
                self._said = None
            self._again_later()
        elif name == "change":
            self._busy = False
            state = "available" if result.available else "away"
            self._said = f"{one_line(result.name)} is {state}"
            self.reload()

    def worker_failed(self, name: str, error: BaseException | None) -> None:
        if name == "read":
            self._again_later()
            self._status(f"Cannot read the agents: {problem(error)} (trying again)", error=True)
            if self._read_failed:
                return  # said once; the next answer clears it
            self._read_failed = True
        else:
            self._busy = False
            self._status(f"Not changed: {problem(error)}", error=True)
            self.reload()
        if is_unexpected(error):
            self.app.push_screen(ErrorScreen("Unexpected error", problem(error)))

    # -- showing ----------------------------------------------------------------------------------

    def _show(self, snapshot: Snapshot) -> None:
        first = self.snapshot is None
        self.snapshot = snapshot
        table: DataTable[Text] = self.query_one(DataTable)
        keep = self.current_agent.id if self.current_agent else None
        names = {g.id: g.name for g in snapshot.groups}
        agents = sorted(snapshot.agents, key=lambda a: (fold(a.name), a.id))
        table.clear()
        for agent in agents:
            table.add_row(*agent_cells(agent, names, snapshot.now), key=agent.id)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        available = sum(a.available for a in agents)
        full = sum(over_cap(a) for a in agents if a.available)
        summary = f"{len(agents)} agents · {available} available · {full} of them full"
        if self.is_admin:
            hint = f"{summary}  ·  a or space: available / away"
        else:
            hint = f"{summary}  ·  read-only: only admins change availability"
        self.query_one("#agents-hint", Static).update(Content(hint))
        self.query_one(GroupActivityList).show(snapshot.activity, snapshot.now)
        if first:
            self.refresh_bindings()

    @property
    def current_agent(self) -> Agent | None:
        if self.snapshot is None:
            return None
        table: DataTable[Text] = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((a for a in self.snapshot.agents if a.id == key), None)

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#agents-status", Static)
        status.update(literal_line(text))
        status.set_class(error, "error")

    # -- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_available":
            return self.is_admin and self.current_agent is not None
        return True

    def action_toggle_available(self) -> None:
        agent = self.current_agent
        if agent is None or not self.is_admin:
            return
        if self._busy:
            self.notify("Still saving the last change…", timeout=2)
            return
        self._busy = True
        self._status("Saving…")
        self.change(agent)

    def action_move(self, rows: int) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        (table.action_cursor_down if rows > 0 else table.action_cursor_up)()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)
