"""The console: metrics, filters and the conversation table, with the row actions behind ``⋯``.

Every backend call runs in a thread worker (``exit_on_error=False``); results come back as
messages, and every failure reaches :meth:`ChatAdminApp.on_work_failed`, so the console keeps
running whatever the store says.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.timer import Timer
from textual.widgets import Header, Input
from textual.worker import Worker, WorkerState

from chatadmin.backend import Backend
from chatadmin.domain import (
    STATUS_LABELS,
    Agent,
    ConversationFilter,
    ConversationRow,
    Group,
    Principal,
    Sort,
    TransferResult,
)
from chatadmin.errors import ChatAdminError, Conflict
from chatadmin.permissions import Action
from chatadmin.screens.common import problem, zone_of
from chatadmin.screens.panels import PanelActions
from chatadmin.screens.row_menu import applies, permitted
from chatadmin.screens.triage import TriageActions
from chatadmin.text import one_line
from chatadmin.views import SavedView, ViewStore
from chatadmin.waiting import WaitThresholds
from chatadmin.widgets.commands import ConsoleCommands
from chatadmin.widgets.filters import FilterBar
from chatadmin.widgets.footer import KeyFooter
from chatadmin.widgets.live import Polled, PollRequest, poll
from chatadmin.widgets.messages import WorkFailed, forward_failure
from chatadmin.widgets.metrics import MetricsBar
from chatadmin.widgets.status import StatusLine
from chatadmin.widgets.table import ConversationTable


@dataclass(frozen=True)
class Identity:
    location: str
    principal: Principal


@dataclass(frozen=True)
class Choices:
    groups: list[Group]
    agents: list[Agent]
    countries: list[str]
    tags: list[str]


@dataclass(frozen=True)
class Acted:
    action: Action
    before: ConversationRow
    row: ConversationRow


# actions on printable keys: a text field takes those keys, so they do not apply there
TYPED_KEYS_ACTIONS = frozenset(
    {"focus_search", "help", "refresh", "details", "transfer", "quit", "agents", "routing", "views", "export"}
    | {"queue", "bulk", "toggle_live"}
)

# actions on the list: under a panel or a dialog they would act on a list the user cannot see
MAIN_SCREEN_ACTIONS = frozenset(
    {"focus_search", "clear_filters", "refresh", "details", "transfer", "agents", "routing", "views", "save_view", "export"}
    | {"queue", "bulk", "leave_queue"}
)


class ChatAdminApp(TriageActions, PanelActions, App[None]):
    """The admin section's conversations view, live, on any Backend."""

    CSS_PATH = "app.tcss"
    TITLE = "chatadmin"
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    # The footer shows the list's keys, then these in this order, as far as the width goes: the
    # keys of a state come first (b only while rows are marked, escape only in the queue, where
    # it is free when nothing is marked), so they are never the ones cut off at 80 or 120 columns.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "bulk", "Bulk", id="app.bulk"),
        Binding("escape", "leave_queue", "Leave queue", id="app.leave_queue"),
        # priority: the focus moves before the keys typed right after "/" are handed out (they may
        # arrive in the same read); check_action leaves "/" to a text field that has the focus
        Binding("slash", "focus_search", "Search", key_display="/", id="app.search", priority=True),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+r", "clear_filters", "Clear filters", id="app.clear_filters"),
        Binding("r", "refresh", "Refresh", id="app.refresh", show=False),
        Binding("d", "details", "Details", id="app.details", show=False),
        Binding("t", "transfer", "Transfer", id="app.transfer", show=False),
        Binding("a", "agents", "Agents", id="app.agents"),
        Binding("R", "routing", "Routing", id="app.routing", show=False),
        Binding("v", "views", "Views", id="app.views"),
        Binding("ctrl+s", "save_view", "Save view", id="app.save_view", show=False),
        Binding("e", "export", "Export", id="app.export"),
        Binding("u", "queue", "Queue", id="app.queue"),
        Binding("p", "toggle_live", "Pause live", id="app.live", show=False),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        backend: Backend,
        *,
        refresh_seconds: float = 5.0,
        page_size: int = 100,
        view: SavedView | None = None,
        thresholds: Mapping[str, WaitThresholds] | None = None,
    ) -> None:
        """``thresholds``: per group id (``"*"`` for the rest), when a chat's waiting time turns amber, then red."""
        super().__init__()
        self.backend = backend
        self.init_triage(thresholds)
        self.views = ViewStore()
        self.current_view: str | None = None  # the saved view last opened or saved
        self._start_view = view
        self.refresh_seconds = refresh_seconds
        self.zone: tzinfo = zone_of(backend)
        self.principal: Principal | None = None
        self.all_conversations: int | None = None
        self.main_screen_ready = False
        self._page_size = page_size
        self._poll_timer: Timer | None = None
        self._polling = False
        self._poll_again = False
        self._poll_failed = False
        self._first_frame_read = False  # the count and the choices, read once the first frame shows

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header(icon="⋯")
        yield MetricsBar(id="metrics")
        yield FilterBar(id="filters")
        yield ConversationTable(self.backend, self.cell_context(), page_size=self._page_size, id="table")
        yield StatusLine(id="status-line", markup=False)
        yield KeyFooter()

    @property
    def table(self) -> ConversationTable:
        return self.query_one("#table", ConversationTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one("#filters", FilterBar)

    def on_mount(self) -> None:
        # Everything imported and built so far lives as long as the console: keep the cyclic
        # garbage collector from walking it again. Its full passes otherwise stall a frame by
        # 60 ms now and then (measured on the 1M store while filtering).
        gc.freeze()
        self.sub_title = "connecting…"
        self._load_identity()
        # The first frame shows the metrics and the first page: they are read on their own, and
        # the count and the filter bar's choices once that frame is painted (read beside them,
        # the counts of a million rows and the choices took the cores and the GIL that the page
        # and the metrics waited for).
        self.table.set_query(ConversationFilter(), Sort(), count=False)
        # at once, not at the next turn of the loop as focus() does: keys typed while the console
        # starts ("/" and a name) come next, and the search field has the focus until then
        self.screen.set_focus(self.table)
        self.filter_bar.leave_to = self.table
        self.main_screen_ready = True
        self.poll_now(counts=False)
        if self._start_view is not None:
            self.open_view(self._start_view)

    # ------------------------------------------------------------------ workers
    @work(thread=True, exit_on_error=False, group="identity", description="reading who you are")
    def _load_identity(self) -> Identity:
        return Identity(self.backend.location, self.backend.whoami())

    @work(thread=True, exclusive=True, exit_on_error=False, group="choices", description="reading filter options")
    def _load_choices(self) -> Choices:
        backend = self.backend
        return Choices(backend.list_groups(), backend.list_agents(), backend.list_countries(), backend.list_tags())

    @work(thread=True, exit_on_error=False, group="poll", description="refreshing the live view")
    def _poll(self, request: PollRequest) -> Polled:
        return poll(self.backend, request)

    @work(thread=True, exit_on_error=False, group="action", description="changing a conversation")
    def _act(self, action: Action, row: ConversationRow) -> Acted:
        backend = self.backend
        if action is Action.CLOSE:
            changed = backend.close_conversation(row.id, expected_version=row.version)
        elif action is Action.REOPEN:
            changed = backend.reopen_conversation(row.id, expected_version=row.version)
        else:
            changed = backend.unassign_conversation(row.id, expected_version=row.version)
        return Acted(action, row, changed)

    @work(thread=True, exit_on_error=False, group="row", description="reading a conversation")
    def _reread(self, conversation_id: str) -> ConversationRow:
        return self.backend.get_conversation(conversation_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "poll" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self._poll_finished()
        if event.state is WorkerState.SUCCESS:
            self._done(worker.group, worker.result)
        elif event.state is WorkerState.ERROR:
            if worker.group == "poll":
                self.query_one(MetricsBar).stale = True
                if self._poll_failed:
                    return  # said once; the next answer clears it
                self._poll_failed = True
                self._after_first_frame()
            if worker.group == "row" and isinstance(worker.error, ChatAdminError):
                return  # it left the view (transferred out of reach, say): the reload drops it
            forward_failure(self, event)

    def _done(self, group: str, result: object) -> None:
        if isinstance(result, Polled):
            if self._poll_failed:  # the store (or server) answers again after an outage
                self._poll_failed = False
                self.query_one(MetricsBar).stale = False
                self.say("The store answers again")
            self.polled(result)
            self._after_first_frame()
        elif isinstance(result, Choices):
            self.filter_bar.set_choices(result.groups, result.agents, result.countries, result.tags)
        elif isinstance(result, Acted):
            self.table.update_row(result.row)
            self.say(_acted_message(result))
            self.poll_now()
        elif isinstance(result, ConversationRow):
            self.table.update_row(result)
        elif isinstance(result, Identity):
            self.principal = principal = result.principal
            self.sub_title = f"{one_line(result.location)} · {one_line(principal.name)} ({principal.role.value})"

    def on_work_failed(self, message: WorkFailed) -> None:
        """The one place a failure is shown: the user's mistake as a notification, else a dialog."""
        message.stop()
        error = message.error
        if isinstance(error, Conflict):
            self.say(f"{problem(error)} — the list was read again", severity="warning")
            self.poll_now()
        elif isinstance(error, ChatAdminError):
            self.say(problem(error), severity="error")
        else:
            self.show_error(f"Unexpected error while {message.worker.description or 'working'}", problem(error))

    def _after_first_frame(self) -> None:
        """Once the metrics and the first page have landed (or failed): after their frame, read the rest."""
        if self._first_frame_read or self.table.pending:
            return
        if self.query_one(MetricsBar).metrics is None and not self._poll_failed:
            return
        self._first_frame_read = True
        self.call_after_refresh(self._read_after_first_frame)

    def _read_after_first_frame(self) -> None:
        table = self.table
        if not table.filters.is_empty():
            # a search typed while the console started: the count of everything ("of M") comes
            # with a poll, as the unfiltered list was never counted
            self.poll_now(read_all=True)
        elif table.total is None and not table.counting:
            table.count()
        self._load_choices()

    def show_error(self, title: str, text: str) -> None:
        from chatadmin.screens.error import ErrorScreen

        self.push_screen(ErrorScreen(title, text))

    def say(self, text: str, *, severity: str = "information") -> None:
        """A notification; its text is never read as markup."""
        self.notify(one_line(text), severity=severity, markup=False)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ polling
    def poll_now(self, *, read_all: bool = False, counts: bool = True) -> None:
        """Ask what changed now (or right after the poll under way); ``read_all``: read everything again.

        ``counts=False``: the metrics without the counts (the first poll, before the first frame).
        """
        self._read_all |= read_all
        if self._polling:
            self._poll_again = True
            return
        if self._poll_timer is not None:
            self._poll_timer.stop()
        if len(self.screen_stack) > 1:  # a modal covers the list: the timer looks again later
            self._poll_timer = self.set_timer(self.refresh_seconds, self._on_poll_timer)
            return
        self._polling = True
        self._poll(self.poll_request(read_all, counts=counts))

    def _poll_finished(self) -> None:
        self._polling = False
        if self._poll_again:
            self._poll_again = False
            self.poll_now()
            return
        if not self.live_paused:
            self._poll_timer = self.set_timer(self.refresh_seconds, self._on_poll_timer)

    def _on_poll_timer(self) -> None:
        if self.live_paused or self.list_gone:
            return  # paused (p resumes), or the console is closing
        if len(self.screen_stack) > 1:
            # a modal covers the list: look again later rather than redraw under it
            self._poll_timer = self.set_timer(self.refresh_seconds, self._on_poll_timer)
            return
        self.poll_now()

    # ---------------------------------------------------------------- messages
    @on(FilterBar.Changed)
    def _filters_changed(self, message: FilterBar.Changed) -> None:
        if self.queue_mode:
            self.leave_queue(restore=False)
        self.table.set_query(message.filters, self.table.sort)

    @on(ConversationTable.SortRequested)
    def _sort_requested(self, message: ConversationTable.SortRequested) -> None:
        self.set_sort(message.sort)

    @on(ConversationTable.StatusChanged)
    def _table_status(self) -> None:
        table = self.table
        if table.total is not None and table.filters.is_empty() and not table.pending:
            self.all_conversations = table.total  # the unfiltered list's count is the count of all
        self._after_first_frame()
        self._show_status()

    @on(ConversationTable.MenuRequested)
    def _menu_requested(self, message: ConversationTable.MenuRequested) -> None:
        self.open_menu(message.row)

    def set_sort(self, sort: Sort) -> None:
        self.table.set_query(self.table.filters, sort)

    def _show_status(self) -> None:
        if self.list_gone:
            return  # a late message while the console closes: nothing left to show it on
        table = self.table
        self.query_one(StatusLine).show(
            cursor=table.cursor,
            total=table.total,
            everything=self.all_conversations,
            filters=table.filters,
            sort=table.sort,
            pending=table.pending,
            zone=getattr(self.zone, "key", "UTC"),
            **self.triage_status(),
        )

    # ----------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a text field has the focus its letters are typed, so the footer leaves them out.

        The list's own actions apply only while the list is on screen (not under a panel or a dialog).
        """
        if action in MAIN_SCREEN_ACTIONS and self.screen is not self.screen_stack[0]:
            return False
        if action == "bulk" and not self.table.marks:
            return False  # nothing to act on: out of the footer, so that the keys that work fit
        if action == "leave_queue" and not self.queue_mode:
            return False
        return not (action in TYPED_KEYS_ACTIONS and isinstance(self.focused, Input))

    def action_leave_queue(self) -> None:
        if self.queue_mode:
            self.leave_queue()

    def action_focus_search(self) -> None:
        self.filter_bar.focus_search()

    def action_clear_filters(self) -> None:
        if self.queue_mode:
            self.leave_queue()
        self.filter_bar.clear()
        self.say("Filters cleared")

    def action_refresh(self) -> None:
        self._load_choices()
        self.poll_now(read_all=True)

    def action_help(self) -> None:
        from chatadmin.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen.active_bindings))

    def action_menu(self) -> None:
        row = self.table.current_row
        if row is not None:
            self.open_menu(row)

    def action_details(self) -> None:
        row = self.table.current_row
        if row is not None:
            self.perform(Action.VIEW, row)

    def action_transfer(self) -> None:
        row = self.table.current_row
        if row is not None:
            self.perform(Action.TRANSFER, row)

    def can(self, action: Action, row: ConversationRow) -> bool:
        """Whether the acting user may do ``action`` on ``row`` as it is now."""
        return self.principal is not None and applies(action, row) and permitted(self.principal, action, row)

    def open_menu(self, row: ConversationRow) -> None:
        from chatadmin.screens.row_menu import RowMenuScreen

        if self.principal is None:
            self.say("Still connecting to the store", severity="warning")
            return
        self.push_screen(
            RowMenuScreen(row, self.principal, anchor=self._row_region()),
            lambda action: self.perform(Action(action), row) if action else None,
        )

    def _row_region(self) -> Region | None:
        table = self.table
        y = table.cursor - round(table.scroll_offset.y) + 1
        if not 0 < y < table.scrollable_content_region.height:
            return None
        region = table.content_region
        return Region(region.x, region.y + y, region.width, 1)

    def perform(self, action: Action, row: ConversationRow) -> None:
        """Do one of the ``⋯`` menu's actions on ``row``."""
        from chatadmin.screens.details import DetailsScreen
        from chatadmin.screens.tags import TagsScreen
        from chatadmin.screens.transfer import TransferScreen

        if action is Action.VIEW:
            self.push_screen(DetailsScreen(self.backend, row.id), lambda changed: self._changed(row) if changed else None)
        elif action is Action.TRANSFER:
            self.remember_next()
            self.push_screen(TransferScreen(self.backend, row), lambda result: self._transferred(row, result))
        elif action is Action.TAGS:
            self.push_screen(TagsScreen(self.backend, row), lambda changed: self._tagged(changed))
        elif action in (Action.CLOSE, Action.REOPEN, Action.UNASSIGN):
            self._act(action, row)

    def _changed(self, row: ConversationRow) -> None:
        self._reread(row.id)
        self.poll_now()

    def _transferred(self, row: ConversationRow, result: TransferResult | None) -> None:
        if result is None:
            return
        names = self.filter_bar.names
        group = names.get(f"group:{result.group}", result.group or "no group")
        if result.agent is None:
            text = f"{result.id} waits in the {group} queue"
        else:
            text = f"{result.id} → {names.get(f'agent:{result.agent}', result.agent)} ({group})"
            if result.over_cap:
                text += ", over their cap"
        self.say(text)
        self.go_on_with_next()
        self._changed(row)

    def _tagged(self, row: ConversationRow | None) -> None:
        if row is None:
            return
        self.table.update_row(row)
        tags = ", ".join(row.tags) or "none"
        self.say(f"{row.id} tags: {tags}")
        self._load_choices()
        self.poll_now()


def _acted_message(acted: Acted) -> str:
    row = acted.row
    if acted.action is Action.UNASSIGN:
        where = row.group_name or row.group
        return f"{row.id} unassigned: waits in the {where} queue" if where else f"{row.id} unassigned"
    return f"{row.id} is {STATUS_LABELS[row.status].lower()}"
