"""Live triage on the console's list: the live view, the unassigned queue, bulk actions on marked rows.

The app's state and actions for them, as a mixin of :class:`chatadmin.app.ChatAdminApp`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chatadmin.backend import Backend
from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, Principal, Sort, SortKey, Status
from chatadmin.waiting import WaitThresholds
from chatadmin.widgets.columns import CellContext
from chatadmin.widgets.commands import Command
from chatadmin.widgets.live import Polled, PollRequest, day_changed, runs_with_the_clock
from chatadmin.widgets.metrics import MetricsBar

if TYPE_CHECKING:
    from datetime import tzinfo

    from chatadmin.screens.bulk import BulkReport
    from chatadmin.widgets.filters import FilterBar
    from chatadmin.widgets.table import ConversationTable

QUEUE_FILTER = ConversationFilter(statuses=frozenset({Status.OPEN}))
QUEUE_SORT = Sort(key=SortKey.NO_RESPONSE, descending=True)  # longest waiting first


class TriageActions:
    """Pauses the live view (p), switches to the unassigned queue (u, left by u or escape), acts on marked rows (b)."""

    backend: Backend
    zone: tzinfo
    refresh_seconds: float
    principal: Principal | None
    all_conversations: int | None
    table: ConversationTable
    filter_bar: FilterBar
    _poll_timer: Any
    screen_stack: Any
    push_screen: Any
    query_one: Any
    say: Any
    poll_now: Any
    _show_status: Any
    refresh_bindings: Any

    def init_triage(self, thresholds: Mapping[str, WaitThresholds] | None) -> None:
        self.thresholds = dict(thresholds or {})
        self.live_paused = False
        self.queue_mode = False
        self._seq: int | None = None  # the store's change number at the last poll
        self._read_all = True
        self._list_query: tuple[ConversationFilter, Sort] | None = None  # the list to go back to
        self._queue_next: str | None = None

    # ------------------------------------------------------------------ live view
    def cell_context(self) -> CellContext:
        clock = getattr(self.backend, "clock", None)
        now = clock.now() if isinstance(clock, Clock) else datetime.now(UTC)
        return CellContext(zone=self.zone, now=now, thresholds=self.thresholds)

    def poll_request(self, read_all: bool, *, counts: bool = True) -> PollRequest:
        """What the next poll asks: only the changes, unless more is needed (``counts``: with the counts)."""
        self._read_all |= read_all
        query = self.table.query_state
        context = self.cell_context()
        metrics = self.query_one(MetricsBar).metrics
        self._read_all |= runs_with_the_clock(query.filters, getattr(self.backend, "clock", None))
        self._read_all |= day_changed(metrics, context.now, self.zone)
        request = PollRequest(self._seq, query.filters, query.generation, self._read_all, counts)
        self._read_all = False
        return request

    @property
    def list_gone(self) -> bool:
        """The console is closing: its list is no longer there to refresh."""
        stack = self.screen_stack
        return not stack or not stack[0].query("#table")

    def polled(self, result: Polled) -> None:
        """A poll's answer: times move on; when something changed, metrics, counts and rows too."""
        if self.list_gone:
            return  # it answered while the console closed
        first = self._seq is None
        self._seq = result.seq
        self.table.set_cell_context(self.cell_context())
        if result.quiet:
            return
        assert result.metrics is not None
        metrics = self.query_one(MetricsBar)
        metrics.metrics, metrics.stale = result.metrics, False
        if result.filtered is not None:
            self.all_conversations = result.all_conversations
            self.table.apply_count(result.generation, result.filtered)
        if not first:
            self.table.reload(count=False)
        self._show_status()

    def action_toggle_live(self) -> None:
        self.live_paused = not self.live_paused
        if self.live_paused:
            if self._poll_timer is not None:
                self._poll_timer.stop()
            self.say("Live view paused: p resumes, r refreshes once")
        else:
            self.say(f"Live view: every {self.refresh_seconds:g} s")
            self.poll_now()
        self._show_status()

    def triage_status(self) -> dict[str, Any]:
        """The status line's words for the live view, the queue and the marks."""
        if self.queue_mode and self.table.filters != QUEUE_FILTER:
            self.leave_queue(restore=False)  # another list was opened (a saved view, say)
        return {
            "paused": self.live_paused,
            "queue": self.queue_mode,
            "marked": self.table.marks.count,
            "all_marked": self.table.marks.all_matching,
        }

    # ------------------------------------------------------------------ the queue
    def action_queue(self) -> None:
        if self.queue_mode:
            self.leave_queue()
        else:
            self._list_query = (self.table.filters, self.table.sort)
            self.queue_mode = True
            self.filter_bar.display = False
            self.table.set_query(QUEUE_FILTER, QUEUE_SORT)
            self.table.focus()
            self._show_status()
            self.refresh_bindings()  # the footer says escape leaves

    def leave_queue(self, *, restore: bool = True) -> None:
        """Back to the list as it was (or, ``restore`` False, to what the caller shows next)."""
        self.queue_mode = False
        self.filter_bar.display = True
        if restore:
            filters, sort = self._list_query or (ConversationFilter(), Sort())
            self.table.set_query(filters, sort)
        self._show_status()
        self.refresh_bindings()

    def remember_next(self) -> None:
        """Before a transfer from the queue: the chat after the highlighted one, to go on with."""
        following = self.table.window.row(self.table.cursor + 1) if self.queue_mode else None
        self._queue_next = following.id if following is not None else None

    def go_on_with_next(self) -> None:
        """After a transfer from the queue: the cursor goes to the chat that was next."""
        if self.queue_mode:
            self.table.follow(self._queue_next)
        self._queue_next = None

    # ------------------------------------------------------------------ bulk actions
    def action_bulk(self) -> None:
        from chatadmin.screens.bulk import BulkScreen

        marks = self.table.marks
        if not marks:
            self.say("Mark conversations first: space marks one, * every match", severity="warning")
            return
        if self.principal is None:
            self.say("Still connecting to the store", severity="warning")
            return
        screen = BulkScreen(self.backend, marks.snapshot(), self.table.sort, self.filter_bar.names)
        self.push_screen(screen, self._bulk_done)

    def _bulk_done(self, report: BulkReport | None) -> None:
        if report is None:
            return
        marks = self.table.marks
        marks.clear()
        marks.ids.update(failure.id for failure in report.failures)  # what failed stays marked, to try again
        self.table.refresh()
        self.say(report.summary(), severity="warning" if report.failures else "information")
        self.poll_now(read_all=True)

    def triage_commands(self) -> Iterator[Command]:
        if self.queue_mode:
            yield Command("view: all conversations", "leave the unassigned queue", self.action_queue)
        else:
            yield Command("view: unassigned queue", "open chats, longest waiting first", self.action_queue)
        live = "resume the live view" if self.live_paused else "pause the live view"
        yield Command("view: live on/off", live, self.action_toggle_live)
        table = self.table
        if table.total:
            yield Command("marks: mark every match", f"mark all {table.total:,} conversations of this list", table.action_mark_all)
        if table.marks:
            count = table.marks.count
            yield Command("marks: bulk actions", f"transfer, close or tag the {count:,} marked", self.action_bulk)
            yield Command("marks: clear", f"unmark the {count:,} marked", table.action_clear_marks)
