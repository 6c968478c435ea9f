"""The routing configuration panel: each group's rule and options, its members' availability, load and cap."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from chatadmin.backend import Backend
from chatadmin.domain import Agent, Group, Principal, Role, RoutingConfig
from chatadmin.screens.common import WorkerOutcomes, is_unexpected, literal_line, problem
from chatadmin.screens.error import ErrorScreen
from chatadmin.screens.routing_rows import find_agent, group_option, member_option, next_rule, parse_cap, rule_label
from chatadmin.text import one_line
from chatadmin.widgets.footer import KeyFooter


class Ask(Enum):
    """What the prompt line under the lists is asking for."""

    CAP = "cap"
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True)
class Loaded:
    principal: Principal
    groups: list[Group]
    agents: list[Agent]


@dataclass(frozen=True)
class Change:
    """A change to send: ``describe`` is what the status line says once it is saved."""

    describe: str
    group: str | None = None
    config: RoutingConfig | None = None
    agent: str | None = None
    fields: tuple[tuple[str, Any], ...] = ()


class RoutingPanelScreen(WorkerOutcomes, Screen[None]):
    """Admins set each group's routing rule, options and members, and agents' availability and caps.

    Every change goes through the Backend (``set_routing``, ``set_agent``), which audits it and
    drains the queues it frees; the panel then reloads to show loads and queues as they are.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="routing.back"),
        Binding("r", "next_rule", "Rule", id="routing.rule"),
        Binding("o", "toggle_only_available", "Only available", id="routing.only_available"),
        Binding("s", "toggle_sticky", "Sticky", id="routing.sticky"),
        Binding("a", "toggle_available", "Available", id="routing.available"),
        Binding("c", "ask_cap", "Cap", id="routing.cap"),
        Binding("plus", "ask_add", "Add member", key_display="+", id="routing.add_member"),
        Binding("minus,delete", "ask_remove", "Remove member", key_display="-", id="routing.remove_member"),
        Binding("f5", "reload", "Reload", show=False, id="routing.reload"),
    ]
    DEFAULT_CSS = """
    RoutingPanelScreen #routing { padding: 0 1; }
    RoutingPanelScreen .line { height: auto; }
    RoutingPanelScreen .heading { margin-top: 1; text-style: bold; }
    RoutingPanelScreen #routing-hint { color: $text-muted; }
    RoutingPanelScreen #routing-groups { height: auto; max-height: 45%; border: none; padding: 0; }
    RoutingPanelScreen #routing-members { height: 1fr; border: none; padding: 0; }
    RoutingPanelScreen #routing-ask { height: auto; margin-top: 1; }
    RoutingPanelScreen #routing-ask-label { width: auto; padding: 1 1 0 0; }
    RoutingPanelScreen #routing-ask Input { width: 1fr; }
    RoutingPanelScreen #routing-status { color: $success; }
    RoutingPanelScreen #routing-status.error { color: $error; }
    RoutingPanelScreen .hidden { display: none; }
    """

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.groups: dict[str, Group] = {}
        self.agents: dict[str, Agent] = {}
        self.allowed = False  # until whoami says this is an admin
        self.busy = True  # loading, or a change in flight
        self.asking: Ask | None = None
        self._said: str | None = None  # the change just saved, for the status line after the reload
        self._queued_before: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="routing"):
            yield Static(Content.styled("Routing configuration", "bold"), id="routing-title", classes="line")
            yield Static(
                Content("r rule · o only available · s sticky · Tab to members: a available · c cap · + add · - remove"),
                id="routing-hint", classes="line",
            )  # fmt: skip
            yield Static(Content("Groups"), classes="line heading")
            yield OptionList(id="routing-groups")
            yield Static(id="routing-members-heading", classes="line heading")
            yield OptionList(id="routing-members")
            with Horizontal(id="routing-ask", classes="hidden"):
                yield Static(id="routing-ask-label")
                yield Input(id="routing-ask-input")
            yield Static(Content("Loading…"), id="routing-status", classes="line")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#routing-groups", OptionList).focus()
        self.load()

    # -- workers ------------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, exclusive=True, group="routing-load", name="load")
    def load(self) -> Loaded:
        principal = self.backend.whoami()
        if principal.role is not Role.ADMIN:
            return Loaded(principal, [], [])
        return Loaded(principal, self.backend.list_groups(), self.backend.list_agents())

    @work(thread=True, exit_on_error=False, group="routing-change", name="change")
    def send(self, change: Change) -> Change:
        if change.config is not None and change.group is not None:
            self.backend.set_routing(change.group, change.config)
        elif change.agent is not None:
            self.backend.set_agent(change.agent, **dict(change.fields))
        return change

    def worker_done(self, name: str, result: Any) -> None:
        if name == "load":
            self._show(result)
        elif name == "change":
            self._said = f"Saved: {result.describe}"
            self.load()

    def worker_failed(self, name: str, error: BaseException | None) -> None:
        self.busy = False
        self.refresh_bindings()
        what = "Not saved: " if name == "change" else "Cannot load the routing configuration: "
        self._status(what + problem(error), error=True)
        if name == "change":
            self._queued_before = {}
            self.load()  # someone else may have changed it: show what is there now
        if is_unexpected(error):
            self.app.push_screen(ErrorScreen("Unexpected error", problem(error)))

    # -- showing ------------------------------------------------------------------------------

    def _show(self, loaded: Loaded) -> None:
        self.busy = False
        principal = loaded.principal
        self.allowed = principal.role is Role.ADMIN
        if not self.allowed:
            who = one_line(principal.agent_id or principal.name)
            self._status(
                f"The routing configuration is for admins; {who} is a {principal.role.value}. Escape goes back.",
                error=True,
            )
            self.query_one("#routing-groups", OptionList).set_options([Option(Content("(admins only)"), disabled=True)])
            self.refresh_bindings()
            return
        before = self._queued_before
        self.groups = {g.id: g for g in loaded.groups}
        self.agents = {a.id: a for a in loaded.agents}
        drained = sum(max(0, before.get(g.id, 0) - g.queue_length) for g in loaded.groups) if before else 0
        self._queued_before = {}
        groups = self.query_one("#routing-groups", OptionList)
        keep = self.group.id if self.group else None
        groups.set_options([group_option(g) for g in loaded.groups])
        if not loaded.groups:
            groups.set_options([Option(Content("No groups yet: import some (chatadmin import)"), disabled=True)])
        elif keep in self.groups:
            groups.highlighted = groups.get_option_index(keep)
        else:
            groups.highlighted = 0
        self._fill_members()
        if self._said is not None:
            assigned = f" · {drained} waiting chat{'s' if drained != 1 else ''} assigned" if drained else ""
            self._status(self._said + assigned)
            self._said = None
        elif not self.query_one("#routing-status", Static).has_class("error"):
            self._status("")
        self.refresh_bindings()

    @property
    def group(self) -> Group | None:
        options = self.query_one("#routing-groups", OptionList)
        option = options.highlighted_option
        return self.groups.get(option.id) if option is not None and option.id else None

    @property
    def member(self) -> Agent | None:
        options = self.query_one("#routing-members", OptionList)
        option = options.highlighted_option
        return self.agents.get(option.id) if option is not None and option.id else None

    def _fill_members(self) -> None:
        group = self.group
        heading = self.query_one("#routing-members-heading", Static)
        members = self.query_one("#routing-members", OptionList)
        keep = self.member.id if self.member else None
        if group is None:
            heading.update(Content("Members"))
            members.set_options([])
            return
        r = group.routing
        heading.update(
            Content.assemble(
                "Members of ", literal_line(group.name), (f"  ·  {rule_label(r.rule)}", "$accent"),
                (" · only available agents" if r.only_available else " · any agent", "$text-muted"),
                (" · sticky" if r.sticky else "", "$text-muted"),
            )
        )  # fmt: skip
        agents = [self.agents[a] for a in group.members if a in self.agents]
        members.set_options(
            [member_option(a) for a in agents] or [Option(Content("No members: + adds one"), disabled=True)]
        )
        if agents:
            members.highlighted = next((i for i, a in enumerate(agents) if a.id == keep), 0)

    @on(OptionList.OptionHighlighted, "#routing-groups")
    def _group_highlighted(self) -> None:
        self._fill_members()
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#routing-members")
    def _member_highlighted(self) -> None:
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#routing-status", Static)
        status.update(literal_line(text))
        status.set_class(error, "error")

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "reload"):
            return True
        if not self.allowed or self.asking is not None:
            return False
        if action in ("next_rule", "toggle_only_available", "toggle_sticky", "ask_add"):
            return self.group is not None
        if action in ("toggle_available", "ask_cap", "ask_remove"):
            in_members = self.focused is self.query_one("#routing-members", OptionList)
            return in_members and self.member is not None
        return True

    def _send(self, change: Change) -> None:
        if self.busy:
            self.notify("Still saving the last change…", timeout=2)
            return
        self.busy = True
        self._queued_before = {g.id: g.queue_length for g in self.groups.values()}
        self._status("Saving…")
        self.send(change)

    def _set_routing(self, group: Group, describe: str, **update: Any) -> None:
        config = group.routing.model_copy(update=update)
        self._send(Change(f"{one_line(group.name)}: {describe}", group=group.id, config=config))

    def action_next_rule(self) -> None:
        if (group := self.group) is not None:
            rule = next_rule(group.routing.rule)
            self._set_routing(group, f"rule {rule_label(rule)}", rule=rule)

    def action_toggle_only_available(self) -> None:
        if (group := self.group) is not None:
            on_ = not group.routing.only_available
            self._set_routing(group, "only available agents" if on_ else "any agent", only_available=on_)

    def action_toggle_sticky(self) -> None:
        if (group := self.group) is not None:
            on_ = not group.routing.sticky
            self._set_routing(group, "sticky" if on_ else "not sticky", sticky=on_)

    def action_toggle_available(self) -> None:
        if (agent := self.member) is not None:
            state = "available" if not agent.available else "away"
            self._send(
                Change(f"{one_line(agent.name)}: {state}", agent=agent.id, fields=(("available", not agent.available),))
            )

    def action_ask_cap(self) -> None:
        if (agent := self.member) is not None:
            current = "none" if agent.max_active is None else str(agent.max_active)
            self._ask(
                Ask.CAP,
                Content.assemble("Cap for ", literal_line(agent.name, "bold"), ":"),
                current,
                "a number, or none",
            )

    def action_ask_add(self) -> None:
        if (group := self.group) is not None:
            outside = sorted(a.id for a in self.agents.values() if a.id not in group.members)
            self._ask(
                Ask.ADD, Content.assemble("Add to ", literal_line(group.name, "bold"), ":"), "", "agent id or name",
                suggestions=outside,
            )  # fmt: skip

    def action_ask_remove(self) -> None:
        if (agent := self.member) is not None and (group := self.group) is not None:
            label = Content.assemble(
                "Remove ", literal_line(agent.name, "bold"), " from ", literal_line(group.name, "bold"), "?  Enter removes · Escape keeps"
            )  # fmt: skip
            self._ask(Ask.REMOVE, label, "", "")

    def action_back(self) -> None:
        if self.asking is not None:
            self._close_ask()
            return
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

    # -- the prompt line --------------------------------------------------------------------------

    def _ask(
        self, ask: Ask, label: Content, value: str, placeholder: str, suggestions: list[str] | None = None
    ) -> None:
        self.asking = ask
        self.query_one("#routing-ask-label", Static).update(label)
        field = self.query_one("#routing-ask-input", Input)
        field.value = value
        field.placeholder = placeholder
        field.suggester = SuggestFromList(suggestions, case_sensitive=False) if suggestions else None
        field.set_class(ask is Ask.REMOVE, "hidden")
        self.query_one("#routing-ask").remove_class("hidden")
        self._status("" if ask is Ask.REMOVE else "Enter saves · Escape cancels")
        if ask is Ask.REMOVE:
            self.set_focus(None)
        else:
            field.focus()
        self.refresh_bindings()

    def _close_ask(self) -> None:
        self.asking = None
        self.query_one("#routing-ask").add_class("hidden")
        self.query_one("#routing-members", OptionList).focus()
        self.refresh_bindings()

    def on_key(self, event: Any) -> None:
        # Enter confirms a removal (there is no input to submit)
        if self.asking is Ask.REMOVE and event.key == "enter":
            event.stop()
            self._answer("")

    @on(Input.Submitted, "#routing-ask-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer(event.value)

    def _answer(self, text: str) -> None:
        agent, group, ask = self.member, self.group, self.asking
        try:
            if ask is Ask.CAP and agent is not None:
                cap = parse_cap(text)
                if cap == agent.max_active:
                    self._close_ask()
                    return
                said = "no cap" if cap is None else f"cap {cap}"
                change = Change(f"{one_line(agent.name)}: {said}", agent=agent.id, fields=(("max_active", cap),))
            elif ask is Ask.ADD and group is not None:
                outside = [a for a in self.agents.values() if a.id not in group.members]
                found = find_agent(text, outside)
                change = Change(
                    f"{one_line(found.name)} joined {one_line(group.name)}", agent=found.id,
                    fields=(("add_groups", (group.id,)),),
                )  # fmt: skip
            elif ask is Ask.REMOVE and agent is not None and group is not None:
                change = Change(
                    f"{one_line(agent.name)} left {one_line(group.name)}", agent=agent.id,
                    fields=(("remove_groups", (group.id,)),),
                )  # fmt: skip
            else:
                return
        except ValueError as exc:
            self._status(str(exc), error=True)
            return
        self._close_ask()
        self._send(change)
