"""The conversation table: a Line API view over any number of rows, reading only what shows.

Its virtual height is the filtered count; it keeps a few pages around the screen in a
:class:`RowWindow` and reads missing pages in a thread worker, one read at a time (a read
asked for while one runs waits for it, then reads what is missing *then*). Answers for an old
filter or sort are dropped by their generation number.

While the rows it is about to show are being read (a new filter or sort, a jump past the
rows on hand), the table *holds* its last frame for up to :data:`HOLD_SECONDS`: a frame of
"…" or of dimmed rows would be replaced a few milliseconds later, and since Textual paints at
most one frame per tick, painting it would also push the frame with the rows a tick or two
later. Past the deadline it paints what it has, as before.
"""

from __future__ import annotations

import threading
from typing import ClassVar, NamedTuple, Self

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from chatadmin.backend import Backend, Interrupt
from chatadmin.domain import ConversationFilter, ConversationRow, Sort
from chatadmin.errors import Interrupted
from chatadmin.widgets.columns import (
    COLUMNS_BY_KEY,
    CellContext,
    Placed,
    descending_first,
    layout,
)
from chatadmin.widgets.marks import Marks
from chatadmin.widgets.messages import forward_failure
from chatadmin.widgets.table_data import TableData
from chatadmin.widgets.table_lines import header_line, message_line, row_line
from chatadmin.widgets.table_marks import MarksAndChanges
from chatadmin.widgets.window import (
    Query,
    RowWindow,
    Stored,
    WindowRequest,
    WindowResult,
    fetch_window,
)


class _Frame(NamedTuple):
    """What every line of one frame shares."""

    width: int
    scroll_x: int
    scroll_y: int
    base: Style
    columns: tuple[Placed, ...]


HOLD_SECONDS = 0.12  # how long the last frame may stay while the rows to show are read

ROLES = (
    "muted", "status-open", "status-in_progress", "status-closed", "menu", "rating", "tags", "phone",
    "wait-ok", "wait-warn", "wait-breach", "mark", "marked", "changed",
)


class ConversationTable(MarksAndChanges, ScrollView, can_focus=True):
    """Every conversation matching the filter, one per line, sorted by any column."""

    BINDING_GROUP_TITLE = "Conversation list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", id="table.down", show=False),
        Binding("up,k", "cursor_up", "Up", id="table.up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", id="table.page_down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", id="table.page_up", show=False),
        Binding("home,g", "first", "First", id="table.first", show=False),
        Binding("end,G", "last", "Last", id="table.last", show=False),
        Binding("left,h", "scroll_columns(-8)", "Scroll left", id="table.left", show=False),
        Binding("right,l", "scroll_columns(8)", "Scroll right", id="table.right", show=False),
        Binding("enter,full_stop,m", "menu", "Actions ⋯", id="table.menu"),
        Binding("s", "sort_next", "Sort", id="table.sort_next"),
        Binding("S", "sort_reverse", "Reverse", id="table.sort_reverse", show=False),
        Binding("w", "toggle_columns", "All columns", id="table.columns", show=False),
        Binding("space", "toggle_mark", "Mark", id="table.mark"),
        Binding("asterisk", "mark_all", "Mark all matching", key_display="*", id="table.mark_all", show=False),
        Binding("escape", "clear_marks", "Clear marks", id="table.clear_marks"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "conversation-table--header",
        "conversation-table--header-sorted",
        "conversation-table--cursor",
        "conversation-table--message",
        *(f"conversation-table--{role}" for role in ROLES),
    }

    DEFAULT_CSS = """
    ConversationTable {
        height: 1fr;
        /* always there, so that the columns are laid out for one width: a scrollbar that came and
           went with the rows left the columns a cell too wide, and a horizontal scrollbar under them */
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        & > .conversation-table--header { text-style: bold; color: $text-primary; background: $panel; }
        & > .conversation-table--header-sorted { text-style: bold underline; color: $text-accent; background: $panel; }
        & > .conversation-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .conversation-table--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
        }
        & > .conversation-table--message { color: $text-muted; text-style: italic; }
        & > .conversation-table--muted { color: $text-muted; }
        & > .conversation-table--status-open { color: $text-warning; }
        & > .conversation-table--status-in_progress { color: $text-success; }
        & > .conversation-table--status-closed { color: $text-muted; }
        & > .conversation-table--menu { color: $text-accent; text-style: bold; }
        & > .conversation-table--rating { color: $text-warning; }
        & > .conversation-table--tags { color: $text-secondary; }
        & > .conversation-table--phone { color: $text; }
        & > .conversation-table--wait-ok { color: $text-success; }
        & > .conversation-table--wait-warn { color: $text-warning; text-style: bold; }
        & > .conversation-table--wait-breach { color: $text-error; text-style: bold reverse; }
        & > .conversation-table--mark { color: $text-accent; text-style: bold; }
        & > .conversation-table--marked { background: $accent 20%; }
        & > .conversation-table--changed { background: $success 25%; }
    }
    """

    class MenuRequested(Message):
        """The user asked for a conversation's actions (key or click on ``⋯``)."""

        def __init__(self, row: ConversationRow) -> None:
            super().__init__()
            self.row = row

    class StatusChanged(Message):
        """Cursor position, filtered count or sort changed (for the status line)."""

        def __init__(self, position: int | None, total: int | None, sort: Sort) -> None:
            super().__init__()
            self.position = position
            self.total = total
            self.sort = sort

    class Counted(Message):
        """A count of the filtered conversations, read in a worker."""

        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class SortRequested(Message):
        """The user picked a sort by key or header click."""

        def __init__(self, sort: Sort) -> None:
            super().__init__()
            self.sort = sort

    def __init__(
        self,
        backend: Backend,
        cell_context: CellContext,
        *,
        page_size: int = 100,
        max_pages: int = 6,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.backend = backend
        self.cell_context = cell_context
        self.data = TableData(page_size, max_pages)
        self.marks = Marks()
        self.cursor = 0
        self._flash: dict[str, float] = {}  # conversation id -> when its change mark ends (monotonic)
        self.all_columns = False
        self._cursor_id: str | None = None
        self._placed: tuple[Placed, ...] = ()
        self._placed_for: tuple[int, bool] | None = None
        self._counting = False
        self._count_wanted: Query | None = None
        self._count_interrupt: Interrupt | None = None  # stops the count under way
        self._count_generation = 0  # the query it counts
        self._hold_timer: Timer | None = None
        self._frame: _Frame | None = None

    # ------------------------------------------------------------------ public
    @property
    def window(self) -> RowWindow:
        return self.data.window

    @property
    def total(self) -> int | None:
        return self.data.total

    @property
    def query_state(self) -> Query:
        return self.data.query

    @property
    def sort(self) -> Sort:
        return self.data.query.sort

    @property
    def filters(self) -> ConversationFilter:
        return self.data.query.filters

    @property
    def pending(self) -> bool:
        """A new filter or sort is being read; the rows shown (dimmed) are the previous ones."""
        return self.data.pending

    @property
    def current_row(self) -> ConversationRow | None:
        return self.data.row(self.cursor) if self.data.extent else None

    def set_query(self, filters: ConversationFilter, sort: Sort, *, count: bool = True) -> None:
        """Show another filter or sort from the top; the old rows stay (dimmed) until the new arrive.

        Only a new filter is counted: another sort of the same rows keeps the count it has.
        ``count=False`` leaves the count to the caller (the console's first frame, say).
        """
        if self.data.start(filters, sort):
            self._hold()
            self._fetch_missing()  # the rows first: they are what the user waits to see
            if count and self.data.known_total() is None:
                self.count()
            self._post_status()
            self.refresh()

    def reload(self, *, count: bool = True) -> None:
        """Read what is on screen again (same filter), keeping the cursor on its conversation."""
        self.data.reload()
        if count:
            self.count()
        self._fetch_missing()

    def apply_count(self, generation: int, total: int) -> None:
        """A count for the current filter arrived (from this table's or the app's worker)."""
        before = self.data.total
        if not self.data.counted(generation, total):
            return
        self.marks.recount(self.filters, total)
        if self.cursor >= total:
            self.cursor = max(0, total - 1)
        self._update_virtual_size()
        self._post_status()
        self._fetch_missing()
        if total != before:
            self.refresh()
        self._release_when_shown()

    def update_row(self, row: ConversationRow) -> None:
        """Show a conversation's new state in place (after an action on it)."""
        if self.data.window.replace(row) is not None:
            self.refresh()

    def follow(self, conversation_id: str | None) -> None:
        """Keep the cursor on this conversation when the rows are read again (it may be off screen now)."""
        if conversation_id is not None:
            self._cursor_id = conversation_id

    def set_cell_context(self, context: CellContext) -> None:
        """Another "now" (the live view's clock) or thresholds: times and colours follow."""
        if context != self.cell_context:
            self.cell_context = context
            self.refresh()

    def select_conversation(self, conversation_id: str) -> bool:
        """Put the cursor on a held conversation; False when it is not on hand."""
        index = self.data.window.find(conversation_id)
        if index is None:
            return False
        self.move_cursor(index)
        return True

    def move_cursor(self, index: int) -> None:
        index = max(0, min(index, self.data.extent - 1))
        if index == self.cursor and self._cursor_id is not None:
            return
        before, top = self.cursor, round(self.scroll_offset.y)
        self.cursor = index
        row = self.data.row(index)
        self._cursor_id = row.id if row else None
        self._hold_unless_on_hand(self._top_for_cursor())
        self._scroll_to_cursor()
        self._post_status()
        if round(self.scroll_offset.y) == top:  # the same lines in place: repaint the two that changed
            self.refresh_line(before + 1)
            self.refresh_line(index + 1)
        else:
            self.refresh()

    # ----------------------------------------------------------------- workers
    def count(self) -> None:
        """Count the current query once its first rows are shown, one count at a time.

        Typing a search starts a query per key: a count of an older query is interrupted (the
        database stops it), and the new one waits for that count to end and for its own rows
        to be read, so that the read the user waits for has the database and a core to itself.
        """
        self._count_wanted = self.data.query
        interrupt = self._count_interrupt
        if interrupt is not None and not interrupt.pulled and self._count_generation != self.data.query.generation:
            # in a thread of its own: PostgreSQL's cancel request opens a connection (4-5 ms here)
            threading.Thread(target=interrupt.pull, name="chatadmin-interrupt", daemon=True).start()
        self._next_count()

    def _next_count(self) -> None:
        query = self._count_wanted
        if self._counting or query is None or self.data.pending:
            return  # after the count under way, or after the rows
        self._count_wanted = None
        if query.generation == self.data.query.generation:
            self._counting = True
            self._count_generation = query.generation
            self._count_interrupt = Interrupt()
            self._count(query, self._count_interrupt)

    @work(thread=True, exclusive=True, exit_on_error=False, group="table-count", description="counting conversations")
    def _count(self, query: Query, interrupt: Interrupt) -> None:
        try:
            total = self.backend.count_conversations(query.filters, interrupt=interrupt)
        except Interrupted:
            return  # a newer query's count replaces it
        if not get_current_worker().is_cancelled:
            self.post_message(self.Counted(query.generation, total))

    def on_conversation_table_counted(self, message: Counted) -> None:
        message.stop()
        self.apply_count(message.generation, message.total)

    @work(thread=True, exit_on_error=False, group="table-window", description="reading conversations")
    def _read(self, request: WindowRequest) -> WindowResult:
        return fetch_window(self.backend, request)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "table-count" and worker.is_finished:
            self._counting = False
            self._count_interrupt = None
            self._next_count()
        if worker.group != "table-window" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            forward_failure(self, event)
            return
        event.stop()
        if event.state is WorkerState.SUCCESS and isinstance(worker.result, WindowResult):
            swapped = self.data.arrived(worker.result)
            if swapped is not None:
                self._show_rows(swapped, self.data.stored)
        elif forward_failure(self, event):
            self._show_rows(self.data.failed(str(getattr(worker.error, "message", worker.error))))
        self._next_count()  # the count waits for the rows
        self._fetch_missing()

    # ------------------------------------------------------------------ holding
    @property
    def counting(self) -> bool:
        """A count runs or waits for its turn."""
        return self._counting or self._count_wanted is not None

    @property
    def holding(self) -> bool:
        """The table keeps its last frame while the rows it is about to show are read."""
        return self._hold_timer is not None

    def _hold(self) -> None:
        if self._hold_timer is None and self.is_mounted:
            self._hold_timer = self.set_timer(HOLD_SECONDS, self._release, name="table-hold")

    def _release(self) -> None:
        """Paint what the table has now: its rows, or past the deadline "…" and dimmed rows."""
        if self._hold_timer is None:
            return
        self._hold_timer.stop()
        self._hold_timer = None
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.position = self.scroll_y
        self._post_status()
        self.refresh()

    def _visible_on_hand(self, top: int | None = None) -> bool:
        """Every row the screen shows (with its top line at row ``top``, by default where it is) is held."""
        first, last = self._visible_range()
        if top is not None:
            first, last = top, top + last - first
        window = self.data.window
        return all(window.row(index) is not None for index in range(first, min(last, self.data.extent - 1) + 1))

    def _hold_unless_on_hand(self, top: int) -> None:
        """About to show the rows from ``top``: hold the frame while they are read (e.g. End)."""
        if not self._visible_on_hand(top):
            self._hold()

    def _release_when_shown(self) -> None:
        if self._hold_timer is not None and not self.data.pending and self._visible_on_hand():
            self._release()

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        if self._hold_timer is not None and not (layout or recompose):
            return self  # the release repaints everything
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def refresh_line(self, y: int) -> None:
        if self._hold_timer is None:
            super().refresh_line(y)

    def _visible_range(self) -> tuple[int, int]:
        top = round(self.scroll_offset.y)
        return top, top + max(1, self._body_height()) - 1

    def _fetch_missing(self) -> None:
        """Start the read of what the screen lacks, unless one is under way."""
        if self.is_mounted and (request := self.data.next_read(*self._visible_range())) is not None:
            self._read(request)

    def _show_rows(self, swapped: bool, stored: Stored | None = None) -> None:
        before = (self.cursor, round(self.scroll_offset.y), self.data.extent)
        if swapped:  # a new query's rows: from the top
            self.cursor = 0
            self._cursor_id = None
            self.scroll_to(y=0, animate=False)
        self._keep_cursor_on_conversation()
        self._update_virtual_size()
        self._post_status()
        if stored is not None and stored.changed and not swapped:
            self._mark_changed(stored.changed)
        if swapped or stored is None or before != (self.cursor, round(self.scroll_offset.y), self.data.extent):
            self.refresh()
        else:  # the same lines in the same places: repaint only those that show another row
            for index in stored.lines:
                self.refresh_line(index + 1)
        if stored is None:  # a failure: say so now
            self._release()
        self._release_when_shown()

    def _keep_cursor_on_conversation(self) -> None:
        window = self.data.window
        here = window.row(self.cursor)
        if self._cursor_id is not None and (here is None or here.id != self._cursor_id):
            index = window.find(self._cursor_id)
            if index is not None:
                delta = index - self.cursor
                self.cursor = index
                self.scroll_to(y=self.scroll_offset.y + delta, animate=False)
                return
        if self.data.extent and self.cursor >= self.data.extent:
            self.cursor = self.data.extent - 1
        here = window.row(self.cursor)
        if here is not None:
            self._cursor_id = here.id

    # ---------------------------------------------------------------- geometry
    def _body_height(self) -> int:
        return self.scrollable_content_region.height - 1

    def _columns(self) -> tuple[Placed, ...]:
        width = self.scrollable_content_region.width
        key = (width, self.all_columns)
        if self._placed_for != key:
            self._placed = layout(width, all_columns=self.all_columns)
            self._placed_for = key
        return self._placed

    def _content_width(self) -> int:
        placed = self._columns()
        return placed[-1].x + placed[-1].width if placed else 0

    def _update_virtual_size(self) -> None:
        rows = max(self.data.extent, 1)
        size = Size(self._content_width(), rows + 1)
        old = self.virtual_size
        if size == old:
            return
        if old and self._scrollbars_for(old) == self._scrollbars_for(size):
            # the same scrollbars: move their thumbs and repaint, without laying out the
            # whole screen again (a layout costs more than the table's own lines)
            self.set_reactive(ConversationTable.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        else:
            self.virtual_size = size

    def _scrollbars_for(self, size: Size) -> tuple[bool, bool]:
        """Which scrollbars (horizontal, vertical) a virtual size calls for (the vertical one always shows)."""
        width, height = self._container_size
        styles = self.styles
        return (
            styles.overflow_x == "scroll" or (styles.overflow_x == "auto" and size.width > width),
            styles.overflow_y == "scroll" or (styles.overflow_y == "auto" and size.height > height),
        )

    def on_resize(self, _event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()
        self._fetch_missing()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if self._hold_timer is None:  # else the release moves the scrollbar and repaints
            super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._fetch_missing()

    def _top_for_cursor(self) -> int:
        """The row at the top of the screen once the cursor is in view."""
        height = max(1, self._body_height())
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            return self.cursor
        if self.cursor > top + height - 1:
            return self.cursor - height + 1
        return top

    def _scroll_to_cursor(self) -> None:
        top = self._top_for_cursor()
        if top != round(self.scroll_offset.y):
            self.scroll_to(y=top, animate=False)

    def _post_status(self) -> None:
        if self._hold_timer is not None:
            return  # the release says where the list stands
        position = self.cursor if self.data.total else None
        self.post_message(self.StatusChanged(position, self.data.total, self.sort))

    # --------------------------------------------------------------- rendering
    def render_lines(self, crop: Region) -> list[Strip]:
        # what the lines of one frame share, worked out once for all of them (per line it was a
        # third of the table's own time in a frame)
        self._frame = self._frame_now()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _frame_now(self) -> _Frame:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        return _Frame(width, scroll_x, scroll_y, self.rich_style, self._columns())

    def render_line(self, y: int) -> Strip:
        frame = self._frame or self._frame_now()
        if y == 0:
            line = self._header_segments(frame)
        else:
            line = self._row_segments(frame.scroll_y + y - 1, frame)
        strip = Strip(line).crop_extend(frame.scroll_x, frame.scroll_x + frame.width, frame.base)
        return strip.simplify()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"conversation-table--{name}", partial=True)

    def _header_segments(self, frame: _Frame) -> list[Segment]:
        return header_line(frame.columns, self.sort, self._style, frame.width + frame.scroll_x)

    def _row_segments(self, index: int, frame: _Frame) -> list[Segment]:
        data = self.data
        if index >= data.extent:
            if index == 0 and data.error:
                return message_line(f"Could not read conversations: {data.error}", self._style)
            if index == 0:
                text = "No conversations match these filters" if data.total is not None else "Loading…"
                return message_line(text, self._style)
            return []
        row = data.row(index)
        if row is None:
            return message_line("…", self._style)
        return row_line(
            row,
            index,
            frame.columns,
            self.cell_context,
            self._style,
            frame.base,
            cursor=index == self.cursor,
            dimmed=data.pending,
            width=frame.width + frame.scroll_x,
            marked=self.marks.is_marked(row.id, self.filters) if self.marks else False,
            changed=row.id in self._flash,
        )

    # ------------------------------------------------------------------- input
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # on a scrollbar
            return
        column = self._column_at(offset.x + round(self.scroll_offset.x))
        if offset.y == 0:
            if column is not None:
                self._sort_by_column(column)
            return
        index = round(self.scroll_offset.y) + offset.y - 1
        if index >= self.data.extent:
            return
        self.focus()
        self.move_cursor(index)
        if column == "menu" or event.chain > 1:  # the ⋯ cell, or a double click
            self.action_menu()

    def _column_at(self, x: int) -> str | None:
        """The key of the column under content column ``x`` (None in a gap or past the last)."""
        for place in self._columns():
            if place.x <= x < place.x + place.width:
                return place.column.key
        return None

    def _sort_by_column(self, key: str) -> None:
        sort_key = COLUMNS_BY_KEY[key].sort
        if sort_key is None:
            return
        if sort_key is self.sort.key:
            sort = Sort(key=sort_key, descending=not self.sort.descending)
        else:
            sort = Sort(key=sort_key, descending=descending_first(sort_key))
        self.post_message(self.SortRequested(sort))

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self._page(max(1, self._body_height()))

    def action_page_up(self) -> None:
        self._page(-max(1, self._body_height()))

    def _page(self, rows: int) -> None:
        top = max(0, min(round(self.scroll_offset.y) + rows, round(self.max_scroll_y)))
        self._hold_unless_on_hand(top)
        self.scroll_to(y=top, animate=False)
        self.move_cursor(self.cursor + rows)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        if self.data.total is not None:
            self.move_cursor(self.data.total - 1)

    def action_scroll_columns(self, cells: int) -> None:
        self.scroll_to(x=self.scroll_offset.x + cells, animate=False)

    def action_menu(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.MenuRequested(row))

    def action_sort_next(self) -> None:
        keys = [p.column.key for p in self._columns() if p.column.sort is not None]
        current = next((k for k in keys if COLUMNS_BY_KEY[k].sort is self.sort.key), None)
        following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        sort_key = COLUMNS_BY_KEY[following].sort
        assert sort_key is not None
        self.post_message(self.SortRequested(Sort(key=sort_key, descending=descending_first(sort_key))))

    def action_sort_reverse(self) -> None:
        self.post_message(self.SortRequested(Sort(key=self.sort.key, descending=not self.sort.descending)))

    def action_toggle_columns(self) -> None:
        self.all_columns = not self.all_columns
        self._placed_for = None
        self.scroll_to(x=0, animate=False)
        self._update_virtual_size()
        self.refresh()
