"""Bulk actions on the marked conversations: choose, confirm (how many, to where), run with progress, report."""

from __future__ import annotations

import threading
from enum import Enum
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from chatadmin.backend import Backend
from chatadmin.domain import Agent, Group, Sort
from chatadmin.screens.bulk_run import BulkAction, BulkKind, BulkReport, run_bulk
from chatadmin.screens.common import (
    WorkerOutcomes,
    is_unexpected,
    literal_line,
    problem,
)
from chatadmin.screens.error import ErrorScreen
from chatadmin.screens.tags import parse_tags
from chatadmin.text import fold, one_line
from chatadmin.widgets.footer import KeyFooter
from chatadmin.widgets.marks import Marks

MAX_TAG = 100
SHOWN_FAILURES = 500  # the report lists this many failures; the count says how many more


class Step(Enum):
    ACTION = "action"
    TARGET = "target"  # a group or an agent in one of their groups
    TAGS = "tags"
    CONFIRM = "confirm"
    RUNNING = "running"
    DONE = "done"


KEYS = {
    Step.ACTION: "↑↓ move · Enter chooses · Escape cancels",
    Step.TARGET: "Type to filter · ↑↓ move · Enter chooses · Escape goes back",
    Step.TAGS: "Tags separated by commas · Enter goes on · Escape goes back",
    Step.CONFIRM: "Enter starts · Escape goes back",
    Step.RUNNING: "Escape stops after the conversation under way (the ones done stay done)",
    Step.DONE: "Enter or Escape closes",
}


class BulkProgress(Message):
    """How far the run is (posted from the worker thread)."""

    def __init__(self, done: int, failed: int) -> None:
        super().__init__()
        self.done = done
        self.failed = failed


def target_options(groups: list[Group], agents: list[Agent], query: str) -> list[Option]:
    """Groups (routing picks each chat's agent), then each agent in each of their groups."""
    key = fold(query.strip())
    names = {group.id: group.name for group in groups}
    options: list[Option] = []
    shown = [g for g in groups if not key or key in fold(g.name) or key in fold(g.id)]
    if shown:
        options.append(Option(Content.styled("Groups: routing picks an agent for each chat", "bold $text-muted"), disabled=True))
        options += [Option(literal_line(g.name), id=f"group:{g.id}") for g in shown]
    pairs = [
        (agent, group)
        for agent in agents
        for group in agent.groups
        if group in names and (not key or any(key in fold(t) for t in (agent.name, agent.id, names[group])))
    ]
    if pairs:
        options.append(Option(Content.styled("Agents, in one of their groups", "bold $text-muted"), disabled=True))
        options += [
            Option(Content.assemble(literal_line(a.name), ("  in  ", "$text-muted"), literal_line(names[g])), id=f"agent:{a.id}:{g}")
            for a, g in pairs
        ]
    return options or [Option(Content.styled("Nothing matches", "$text-muted"), disabled=True)]


class BulkScreen(WorkerOutcomes, ModalScreen[BulkReport | None]):
    """Transfer, close or tag the marked conversations; dismisses with the report (None: cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="bulk.back"),
        Binding("enter", "confirm", "OK", id="bulk.confirm"),
        Binding("down", "cursor('down')", "Next", show=False, id="bulk.next"),
        Binding("up", "cursor('up')", "Previous", show=False, id="bulk.previous"),
    ]
    DEFAULT_CSS = """
    BulkScreen { align: center middle; }
    BulkScreen > #bulk {
        width: 90%; max-width: 100; height: 80%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    BulkScreen .line { height: auto; }
    BulkScreen #bulk-title { text-style: bold; }
    BulkScreen #bulk-prompt { margin-top: 1; text-style: bold; }
    BulkScreen OptionList { height: 1fr; border: none; padding: 0; }
    BulkScreen #bulk-summary { margin-top: 1; }
    BulkScreen #bulk-failures { height: 1fr; margin-top: 1; }
    BulkScreen #bulk-error { color: $error; }
    BulkScreen #bulk-keys { color: $text-muted; dock: bottom; }
    BulkScreen .hidden { display: none; }
    """

    def __init__(self, backend: Backend, marks: Marks, sort: Sort, names: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.marks = marks
        self.sort = sort
        self.step = Step.ACTION
        self.action: BulkAction | None = None
        self.report: BulkReport | None = None
        self.groups: list[Group] = []
        self.agents: list[Agent] = []
        self._stop = threading.Event()
        self._running: BulkReport | None = None  # filled by the worker as it goes
        self._total = marks.count  # how many the run covers (known once their ids are read)

    @property
    def count(self) -> int:
        return self.marks.count

    def compose(self) -> ComposeResult:
        every = "every one of the " if self.marks.all_matching else ""
        with Vertical(id="bulk"):
            yield Static(Content(f"Bulk action on {every}{self.count:,} marked conversations"), id="bulk-title", classes="line")
            yield Static(id="bulk-prompt", classes="line")
            yield Input(id="bulk-input")
            yield OptionList(id="bulk-options")
            yield Static(id="bulk-summary", classes="line")
            yield ProgressBar(id="bulk-progress", show_eta=False)
            with VerticalScroll(id="bulk-failures"):
                yield Static(id="bulk-failure-list")
            yield Static(id="bulk-error", classes="line")
            yield Static(id="bulk-keys", classes="line")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False  # typing goes to the input; arrows move the list
        self._enter(Step.ACTION)
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="bulk-load", name="load")
    def load(self) -> tuple[list[Group], list[Agent]]:
        return self.backend.list_groups(), self.backend.list_agents()

    @work(thread=True, exit_on_error=False, exclusive=True, group="bulk-run", name="run")
    def run(self, action: BulkAction) -> BulkReport:
        ids = list(self.marks.resolve(self.backend, self.sort))
        self._total = len(ids)
        self.post_message(BulkProgress(0, 0))
        return run_bulk(
            self.backend,
            action,
            ids,
            report=self._running,
            progress=lambda report: self.post_message(BulkProgress(len(report.done), len(report.failures))),
            stop=self._stop.is_set,
        )

    def worker_done(self, name: str, result: Any) -> None:
        if name == "load":
            self.groups, self.agents = result
            if self.step is Step.TARGET:
                self._fill()
        elif name == "run":
            self.report = result
            self._enter(Step.DONE)

    def worker_failed(self, name: str, error: BaseException | None) -> None:
        self._error(("Cannot load the groups and agents: " if name == "load" else "Stopped: ") + problem(error))
        if name == "run":
            self.report = self._running  # what was done before it failed stays done
            self._enter(Step.DONE)
        if is_unexpected(error):
            self.app.push_screen(ErrorScreen("Unexpected error", problem(error)))

    @on(BulkProgress)
    def _progress(self, message: BulkProgress) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(self._total, 1), progress=message.done + message.failed)
        failed = f" · {message.failed:,} failed" if message.failed else ""
        self._summary(Content(f"{message.done + message.failed:,} of {self._total:,} done{failed}"))

    # -- steps -------------------------------------------------------------------------------

    def _enter(self, step: Step) -> None:
        self.step = step
        entry = self.query_one(Input)
        options = self.query_one(OptionList)
        entry.set_class(step not in (Step.TARGET, Step.TAGS), "hidden")
        options.set_class(step not in (Step.ACTION, Step.TARGET), "hidden")
        self.query_one(ProgressBar).set_class(step not in (Step.RUNNING, Step.DONE), "hidden")
        self.query_one("#bulk-failures").set_class(step is not Step.DONE, "hidden")
        self.query_one("#bulk-keys", Static).update(Content(KEYS[step]))
        self._error("")
        self._summary("")
        if step is Step.ACTION:
            self._prompt("What to do with them")
            options.set_options(
                [
                    Option("Transfer to a group or an agent…", id="transfer"),
                    Option("Close", id="close"),
                    Option("Add tags…", id="tag"),
                ]
            )
            options.highlighted = 0
            self.set_focus(None)
        elif step is Step.TARGET:
            self._prompt("Transfer to: a group (routing picks each chat's agent) or an agent")
            entry.placeholder, entry.value = "Type to filter", ""
            self._fill()
            entry.focus()
        elif step is Step.TAGS:
            self._prompt("Tags to add to each (its other tags stay)")
            entry.placeholder, entry.value = "vip, refund", ""
            entry.focus()
        elif step is Step.CONFIRM:
            assert self.action is not None
            self._prompt("Confirm")
            self._summary(self._confirmation(self.action))
            self.set_focus(None)
        elif step is Step.RUNNING:
            assert self.action is not None
            self._prompt(self.action.describe(self.count) + "…")
            self.query_one(ProgressBar).update(total=max(self.count, 1), progress=0)
            self.set_focus(None)
        else:
            self._show_report()
        self.refresh_bindings()

    def _confirmation(self, action: BulkAction) -> Content:
        lines = [Content.assemble((action.describe(self.count) + "?", "bold"))]
        if action.kind is BulkKind.TRANSFER and action.agent is None:
            lines.append(Content("Routing picks an agent for each one; those no one can take wait in the group's queue."))
        if self.marks.all_matching:
            lines.append(Content("Every conversation matching the filter now, on every page, but the ones unmarked."))
        lines.append(Content.styled("Each one is changed, checked and recorded on its own: one that fails is listed, and the others stay done.", "$text-muted"))
        return Content("\n").join(lines)

    def _show_report(self) -> None:
        report = self.report
        if report is None:
            self._prompt("Nothing was done")
            return
        self._prompt(report.action.describe(len(report.done) + len(report.failures)) + ": " + report.summary())
        bar = self.query_one(ProgressBar)
        bar.update(total=max(len(report.done) + len(report.failures), 1), progress=len(report.done) + len(report.failures))
        failures = report.failures
        if not failures:
            self._summary(Content.styled("Every one of them is done.", "$text-success"))
            self.query_one("#bulk-failure-list", Static).update("")
            return
        self._summary(Content.styled(f"{len(failures):,} failed; they stay marked, the others are done:", "bold $text-error"))
        width = max(len(one_line(f.id)) for f in failures[:SHOWN_FAILURES]) + 2
        lines = [
            Content.assemble((one_line(f.id).ljust(width), "bold"), literal_line(f.reason))
            for f in failures[:SHOWN_FAILURES]
        ]
        if len(failures) > SHOWN_FAILURES:
            lines.append(Content.styled(f"… and {len(failures) - SHOWN_FAILURES:,} more", "$text-muted"))
        self.query_one("#bulk-failure-list", Static).update(Content("\n").join(lines))

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        options.set_options(target_options(self.groups, self.agents, self.query_one(Input).value))
        options.action_first()

    @on(Input.Changed, "#bulk-input")
    def _typed(self) -> None:
        if self.step is Step.TARGET:
            self._fill()

    @on(Input.Submitted, "#bulk-input")
    def _submitted(self) -> None:
        self.action_confirm()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option)

    def _choose(self, option: Option) -> None:
        if option.disabled or not option.id:
            return
        if self.step is Step.ACTION:
            kind = BulkKind(option.id)
            if kind is BulkKind.CLOSE:
                self.action = BulkAction(BulkKind.CLOSE)
                self._enter(Step.CONFIRM)
            else:
                self._enter(Step.TARGET if kind is BulkKind.TRANSFER else Step.TAGS)
            return
        kind, _, rest = option.id.partition(":")
        groups = {group.id: group for group in self.groups}
        if kind == "group":
            where = f"the {one_line(groups[rest].name)} group"
            self.action = BulkAction(BulkKind.TRANSFER, group=rest, where=where)
        else:
            agent_id, _, group_id = rest.partition(":")
            agent = next(a for a in self.agents if a.id == agent_id)
            where = f"{one_line(agent.name)} in {one_line(groups[group_id].name)}"
            self.action = BulkAction(BulkKind.TRANSFER, group=group_id, agent=agent_id, where=where)
        self._enter(Step.CONFIRM)

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.step is not Step.RUNNING
        if action == "cursor":
            return self.step in (Step.ACTION, Step.TARGET)
        return True

    def action_confirm(self) -> None:
        if self.step in (Step.ACTION, Step.TARGET):
            options = self.query_one(OptionList)
            if options.highlighted is not None:
                self._choose(options.get_option_at_index(options.highlighted))
        elif self.step is Step.TAGS:
            tags = parse_tags(self.query_one(Input).value)
            if not tags:
                self._error("Type at least one tag")
            elif any(len(tag) > MAX_TAG for tag in tags):
                self._error(f"A tag is at most {MAX_TAG} characters")
            else:
                self.action = BulkAction(BulkKind.TAG, tags=tuple(one_line(tag) for tag in tags))
                self._enter(Step.CONFIRM)
        elif self.step is Step.CONFIRM and self.action is not None:
            self._running = BulkReport(self.action)
            self._enter(Step.RUNNING)
            self.run(self.action)
        elif self.step is Step.DONE:
            self.dismiss(self.report)

    def action_back(self) -> None:
        if self.step is Step.ACTION:
            self.dismiss(None)
        elif self.step in (Step.TARGET, Step.TAGS):
            self._enter(Step.ACTION)
        elif self.step is Step.CONFIRM:
            assert self.action is not None
            kind = self.action.kind
            self._enter({BulkKind.TRANSFER: Step.TARGET, BulkKind.TAG: Step.TAGS}.get(kind, Step.ACTION))
        elif self.step is Step.RUNNING:
            self._stop.set()
            self._prompt("Stopping after the conversation under way…")
        else:
            self.dismiss(self.report)

    def action_cursor(self, move: str) -> None:
        options = self.query_one(OptionList)
        (options.action_cursor_down if move == "down" else options.action_cursor_up)()

    # -- lines -------------------------------------------------------------------------------

    def _prompt(self, text: Content | str) -> None:
        self.query_one("#bulk-prompt", Static).update(Content(text) if isinstance(text, str) else text)

    def _summary(self, text: Content | str) -> None:
        self.query_one("#bulk-summary", Static).update(Content(text) if isinstance(text, str) else text)

    def _error(self, text: str) -> None:
        self.query_one("#bulk-error", Static).update(literal_line(text))
