"""Transfer a conversation: to a group (routing picks the agent), or to an agent in one of their groups."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from chatadmin.backend import Backend
from chatadmin.domain import Agent, ConversationRow, Group, Status, TransferResult
from chatadmin.screens.common import (
    WorkerOutcomes,
    customer_label,
    is_unexpected,
    literal_line,
    load_label,
    problem,
    status_label,
)
from chatadmin.screens.error import ErrorScreen
from chatadmin.text import fold, one_line
from chatadmin.widgets.footer import KeyFooter

NAME_WIDTH = 24
LOAD_WIDTH = 18


class Step(Enum):
    TARGET = "target"  # a group, or an agent
    AGENT_GROUP = "agent_group"  # one of the chosen agent's groups
    CONFIRM = "confirm"


KEYS = {
    Step.TARGET: "Type to filter · ↑↓ move · Enter chooses · Escape cancels",
    Step.AGENT_GROUP: "Type to filter · ↑↓ move · Enter chooses · Escape goes back",
    Step.CONFIRM: "Enter transfers · Escape goes back",
}


@dataclass(frozen=True)
class Choice:
    group: Group
    agent: Agent | None = None


def agent_load(agent: Agent, row: ConversationRow) -> int:
    """The agent's load without this conversation (it does not count twice if they already hold it)."""
    holds = row.agent == agent.id and row.status is Status.IN_PROGRESS
    return agent.load - (1 if holds else 0)


def is_over_cap(agent: Agent, row: ConversationRow) -> bool:
    """True when taking this conversation puts the agent at or past their cap (allowed, but warned)."""
    return agent.max_active is not None and agent_load(agent, row) >= agent.max_active


def matches(query: str, *texts: str) -> bool:
    return not query or any(query in fold(text) for text in texts)


def _name(text: str) -> Content:
    return Content.styled(one_line(text)).truncate(NAME_WIDTH, ellipsis=True, pad=True)


def group_option(group: Group, row: ConversationRow, agent: Agent | None = None) -> Option:
    """A group to transfer to; with ``agent``, one of that agent's groups (where it is now is no choice)."""
    rule = group.routing.rule.value.replace("_", " ")
    members = len(group.members)
    details = f"{rule} · {members} agent{'' if members == 1 else 's'} · {group.queue_length} waiting"
    parts: list[Content | str | tuple[str, str]] = ["  ", _name(group.name), " "]
    here = row.group == group.id and (agent is None or row.agent == agent.id)
    if row.group == group.id:  # before the details: the end of a line is what a narrow screen cuts
        parts += [("already here" if here and agent else "current", "$accent"), (" · ", "$text-muted")]
    parts.append((details, "$text-muted"))
    prefix = "group" if agent is None else "agent-group"
    return Option(Content.assemble(*parts), id=f"{prefix}:{group.id}", disabled=here and agent is not None)


def agent_badges(agent: Agent, row: ConversationRow) -> Content:
    """``over cap``, ``unavailable``, ``current``: those that hold (each its own colour, a space apart)."""
    badges: list[tuple[str, str]] = []
    if is_over_cap(agent, row):
        badges.append(("over cap", "bold $error"))
    if not agent.available:
        badges.append(("unavailable", "$warning"))
    if row.agent == agent.id:
        badges.append(("current", "$accent"))
    return Content(" ").join(Content.styled(text, style) for text, style in badges)


def agent_option(agent: Agent, row: ConversationRow, groups: dict[str, Group], badge_width: int = 0) -> Option:
    """One agent; ``badge_width``: the widest badges of the agents listed, so that the groups line up."""
    dot = ("● ", "$success") if agent.available else ("○ ", "$text-muted")
    names = ", ".join(one_line(groups[g].name) if g in groups else g for g in agent.groups) or "no group"
    badge = agent_badges(agent, row)
    parts: list[Content | str | tuple[str, str]] = [
        dot, _name(agent.name), " ", load_label(agent).ljust(LOAD_WIDTH),
        badge.pad_right(max(badge_width - badge.cell_length, 0)), "  " if badge_width else "", (names, "$text-muted"),
    ]
    return Option(Content.assemble(*parts), id=f"agent:{agent.id}", disabled=not agent.groups)


def heading(text: str) -> Option:
    return Option(Content.styled(text, "bold $text-muted"), disabled=True)


class TransferScreen(WorkerOutcomes, ModalScreen[TransferResult | None]):
    """Choose a group or an agent (then one of the agent's groups), confirm, transfer.

    Dismisses with the TransferResult, or None when cancelled.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="transfer.cancel"),
        Binding("escape", "back", "Back", id="transfer.back"),
        Binding("enter", "confirm", "Transfer", id="transfer.confirm"),
        Binding("down", "cursor('down')", "Next", show=False, id="transfer.next"),
        Binding("up", "cursor('up')", "Previous", show=False, id="transfer.previous"),
        Binding("pagedown", "cursor('page_down')", "Page down", show=False, id="transfer.page_down"),
        Binding("pageup", "cursor('page_up')", "Page up", show=False, id="transfer.page_up"),
    ]
    DEFAULT_CSS = """
    TransferScreen { align: center middle; }
    TransferScreen > #transfer {
        width: 90%; max-width: 100; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    TransferScreen .line { height: auto; }
    TransferScreen #transfer-prompt { margin-top: 1; text-style: bold; }
    TransferScreen #transfer-notice { color: $warning; }
    TransferScreen OptionList {
        height: 1fr; border: none; padding: 0;
        text-wrap: nowrap; text-overflow: ellipsis;  /* one line an option: a long one is cut, not wrapped */
    }
    TransferScreen #transfer-summary { height: 1fr; margin-top: 1; }
    TransferScreen #transfer-warning { color: $warning; }
    TransferScreen #transfer-error { color: $error; }
    TransferScreen #transfer-keys { color: $text-muted; }
    TransferScreen .hidden { display: none; }
    """

    def __init__(self, backend: Backend, row: ConversationRow) -> None:
        super().__init__()
        self.backend = backend
        self.row = row
        self.step = Step.TARGET
        self.groups: dict[str, Group] = {}
        self.agents: dict[str, Agent] = {}
        self.agent: Agent | None = None
        self.choice: Choice | None = None
        self.busy = True  # until the groups and agents have loaded

    def compose(self) -> ComposeResult:
        with Vertical(id="transfer"):
            yield Static(self._title(), id="transfer-title", classes="line")
            yield Static(self._now(), id="transfer-now", classes="line")
            yield Static(id="transfer-notice", classes="line hidden")
            yield Static(id="transfer-prompt", classes="line")
            yield Static(id="transfer-warning", classes="line")
            yield Input(placeholder="Type to filter", id="transfer-filter")
            yield OptionList(id="transfer-options")
            yield Static(id="transfer-summary", classes="hidden")
            yield Static(id="transfer-error", classes="line")
            yield Static(id="transfer-keys", classes="line")
        yield KeyFooter()

    def _title(self) -> Content:
        return Content.assemble(("Transfer ", "bold"), customer_label(self.row), ("  ·  ", "$text-muted"), self.row.id)

    def _now(self) -> Content:
        agent = self.row.agent_name or self.row.agent
        group = self.row.group_name or self.row.group
        where = f"{agent} in {group}" if agent and group else agent or (f"the {group} queue" if group else "no group")
        return Content.assemble(("Now: ", "$text-muted"), status_label(self.row.status), " · ", literal_line(where))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.can_focus = False  # typing always goes to the filter; arrows move the list
        if self.row.status is Status.CLOSED:
            notice = self.query_one("#transfer-notice", Static)
            notice.update(Content("This conversation is closed: reopen it before transferring it."))
            notice.remove_class("hidden")
        self._prompt("Loading groups and agents…")
        self.query_one(Input).focus()
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="transfer-load", name="load")
    def load(self) -> tuple[list[Group], list[Agent]]:
        return self.backend.list_groups(), self.backend.list_agents()

    @work(thread=True, exit_on_error=False, exclusive=True, group="transfer-run", name="transfer")
    def run_transfer(self, choice: Choice) -> TransferResult:
        agent = choice.agent.id if choice.agent else None
        return self.backend.transfer(self.row.id, choice.group.id, agent, expected_version=self.row.version)

    def worker_done(self, name: str, result: Any) -> None:
        if name == "load":
            groups, agents = result
            self.groups = {group.id: group for group in groups}
            self.agents = {agent.id: agent for agent in agents}
            self.busy = False
            self._enter(Step.TARGET)
        elif name == "transfer":
            self.dismiss(result)

    def worker_failed(self, name: str, error: BaseException | None) -> None:
        self.busy = name == "load"  # nothing to choose from when the lists did not load
        if name == "transfer":
            self._prompt("Confirm the transfer")
            self._error(f"Not transferred: {problem(error)}")
        else:
            self._prompt("Cannot load the groups and agents")
            self._error(problem(error))
        self.refresh_bindings()
        if is_unexpected(error):
            self.app.push_screen(ErrorScreen("Unexpected error", problem(error)))

    # -- steps -------------------------------------------------------------------------------

    def _enter(self, step: Step) -> None:
        self.step = step
        choosing = step is not Step.CONFIRM
        filter_input = self.query_one(Input)
        filter_input.set_class(not choosing, "hidden")
        self.query_one(OptionList).set_class(not choosing, "hidden")
        self.query_one("#transfer-summary").set_class(choosing, "hidden")
        self._error("")
        self._warn(self._agent_warning(self.agent) if step is not Step.TARGET and self.agent else "")
        if choosing:
            filter_input.value = ""
            self._fill("")
            filter_input.focus()
        else:
            self.set_focus(None)
            self._summarise()
        self.query_one("#transfer-keys", Static).update(Content(KEYS[step]))
        if step is Step.TARGET:
            self._prompt("Choose a group (routing picks the agent) or an agent")
        elif step is Step.AGENT_GROUP and self.agent is not None:
            self._prompt(Content.assemble("Choose one of ", literal_line(self.agent.name, "$accent"), "'s groups"))
        else:
            self._prompt("Confirm the transfer")
        self.refresh_bindings()

    def _fill(self, query: str) -> None:
        """The options of this step that match ``query``; the first one highlighted."""
        key = fold(query.strip())
        options: list[Option] = []
        if self.step is Step.TARGET:
            groups = [g for g in self.groups.values() if matches(key, g.name, g.id)]
            agents = [a for a in self.agents.values() if matches(key, a.name, a.id)]
            if groups:
                options += [heading("Groups"), *(group_option(g, self.row) for g in groups)]
            if agents:
                width = max(agent_badges(a, self.row).cell_length for a in agents)
                options += [heading("Agents"), *(agent_option(a, self.row, self.groups, width) for a in agents)]
        elif self.agent is not None:
            mine = [self.groups[g] for g in self.agent.groups if g in self.groups]
            options += [group_option(g, self.row, self.agent) for g in mine if matches(key, g.name, g.id)]
        if not options:
            options.append(heading("Nothing matches" if key else "Nothing to choose from"))
        option_list = self.query_one(OptionList)
        option_list.set_options(options)
        option_list.action_first()

    @on(Input.Changed, "#transfer-filter")
    def _filter(self, event: Input.Changed) -> None:
        if not self.busy:
            self._fill(event.value)

    @on(Input.Submitted, "#transfer-filter")
    def _submitted(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            self._choose(option_list.get_option_at_index(option_list.highlighted))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option)

    def _choose(self, option: Option) -> None:
        if self.busy or option.disabled or not option.id:
            return
        kind, _, ident = option.id.partition(":")
        if kind == "agent":
            self.agent = self.agents[ident]
            self._enter(Step.AGENT_GROUP)
            return
        agent = self.agent if kind == "agent-group" else None
        self.choice = Choice(self.groups[ident], agent)
        self._enter(Step.CONFIRM)

    def _summarise(self) -> None:
        assert self.choice is not None
        group = literal_line(self.choice.group.name, "bold")
        if self.choice.agent is None:
            rule = self.choice.group.routing.rule.value.replace("_", " ")
            what = Content.assemble(
                "Transfer ", (self.row.id, "bold"), " to the ", group, " group.\n",
                (f"Routing ({rule}) picks the agent; when none can take it, it waits in the queue.", "$text-muted"),
            )
        else:
            what = Content.assemble(
                "Transfer ", (self.row.id, "bold"), " to ", literal_line(self.choice.agent.name, "bold"),
                " in ", group, ".",
            )
        self.query_one("#transfer-summary", Static).update(what)

    def _agent_warning(self, agent: Agent) -> Content | str:
        warnings: list[Content] = []
        if is_over_cap(agent, self.row):
            warnings.append(
                Content.assemble(
                    ("⚠ over cap: ", "bold"), literal_line(agent.name),
                    f" has {agent_load(agent, self.row)} of {agent.max_active} active; the transfer is still allowed",
                )
            )
        if not agent.available:
            warnings.append(Content.assemble(("⚠ unavailable: ", "bold"), literal_line(agent.name), " is not available"))
        return Content("\n").join(warnings) if warnings else ""

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.step is Step.CONFIRM and not self.busy
        if action == "cancel":
            return self.step is Step.TARGET
        if action == "back":
            if self.step is Step.TARGET:
                return False
            return None if self.busy and self.step is Step.CONFIRM else True
        return True

    def action_confirm(self) -> None:
        if self.step is Step.CONFIRM and self.choice is not None and not self.busy:
            self.busy = True
            self._error("")
            self._prompt("Transferring…")
            self.refresh_bindings()
            self.run_transfer(self.choice)

    def action_back(self) -> None:
        if self.step is Step.CONFIRM:
            if self.busy:
                return  # the transfer is running; its outcome decides
            self._enter(Step.AGENT_GROUP if self.choice and self.choice.agent else Step.TARGET)
        elif self.step is Step.AGENT_GROUP:
            self.agent = None
            self._enter(Step.TARGET)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_cursor(self, move: str) -> None:
        option_list = self.query_one(OptionList)
        {
            "down": option_list.action_cursor_down,
            "up": option_list.action_cursor_up,
            "page_down": option_list.action_page_down,
            "page_up": option_list.action_page_up,
        }[move]()

    # -- lines -------------------------------------------------------------------------------

    def _prompt(self, text: Content | str) -> None:
        self.query_one("#transfer-prompt", Static).update(Content(text) if isinstance(text, str) else text)

    def _warn(self, text: Content | str) -> None:
        self.query_one("#transfer-warning", Static).update(Content(text) if isinstance(text, str) else text)

    def _error(self, text: str) -> None:
        self.query_one("#transfer-error", Static).update(literal_line(text))
