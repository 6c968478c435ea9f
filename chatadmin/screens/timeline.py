"""A scrolling history of messages, notes and events that renders only the lines on screen."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import UTC, tzinfo
from typing import ClassVar

from rich.segment import Segment
from textual import work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from chatadmin.screens.layout import Entry, Layout, lay_out
from chatadmin.text import strip_controls

ROLES = ("time", "customer", "agent", "system", "note", "event", "text", "day", "empty")
# Histories up to this many entries are laid out at once; longer ones show their newest
# entries at once and the whole history as soon as a worker has laid it out.
QUICK = 300


class Timeline(ScrollView, can_focus=True):
    """History lines, laid out once per width and turned into strips only when they are seen.

    It opens at the newest entry and stays there while the reader does (new notes, resizes);
    a reader who scrolled up keeps the same entry at the top when the layout changes.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"timeline--{role}" for role in ROLES}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False, id="timeline.down"),
        Binding("k", "scroll_up", "Up", show=False, id="timeline.up"),
        Binding("g", "scroll_home", "Oldest", show=False, id="timeline.oldest"),
        Binding("G", "scroll_end", "Newest", show=False, id="timeline.newest"),
    ]
    DEFAULT_CSS = """
    Timeline { background: $surface; overflow-x: hidden; }
    Timeline:focus { background-tint: $foreground 3%; }
    Timeline > .timeline--time { color: $text-muted; }
    Timeline > .timeline--customer { color: $text-accent; text-style: bold; }
    Timeline > .timeline--agent { color: $text-success; text-style: bold; }
    Timeline > .timeline--system { color: $text-warning; text-style: bold; }
    Timeline > .timeline--note { color: $text-secondary; text-style: bold; }
    Timeline > .timeline--event { color: $text-muted; text-style: italic; }
    Timeline > .timeline--text { color: $text; }
    Timeline > .timeline--day { color: $text-muted; }
    Timeline > .timeline--empty { color: $text-muted; text-style: italic; }
    """

    def __init__(self, placeholder: str = "Loading…", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: list[Entry] = []
        self._zone: tzinfo = UTC
        self._placeholder = placeholder
        self._layout = self._placeholder_layout()
        self._laid_out_width = 0
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self._follow = True  # keep the newest line in view

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    @property
    def line_count(self) -> int:
        return len(self._layout.lines)

    def plain_lines(self) -> list[str]:
        """The laid-out text, line by line (what a reader sees, without styles)."""
        return ["".join(text for text, _ in line) for line in self._layout.lines]

    def set_entries(self, entries: Iterable[Entry], zone: tzinfo, placeholder: str) -> None:
        """Show ``entries`` (oldest first), at the newest."""
        self._entries = list(entries)
        self._zone = zone
        self._placeholder = placeholder
        self._follow = True
        self._relayout(quick=True)

    def append(self, entry: Entry) -> None:
        """Add the newest entry and bring it into view."""
        self._entries.append(entry)
        self._follow = True
        self._relayout(quick=False)

    # -- layout ------------------------------------------------------------------------------

    def _width(self) -> int:
        return max(self.scrollable_content_region.width, 20)

    def _relayout(self, quick: bool) -> None:
        width = self._laid_out_width = self._width()
        count = len(self._entries)
        if not count:
            self._show_placeholder()
        elif count <= QUICK:
            self._apply(lay_out(self._entries, width, self._zone), width)
        else:
            if quick:  # the newest entries now, the whole history when the worker is done
                self._apply(lay_out(self._entries[-QUICK:], width, self._zone, first=count - QUICK), width)
            self._lay_out_all(tuple(self._entries), width, self._zone)

    @work(thread=True, exclusive=True, exit_on_error=False, group="timeline-layout")
    def _lay_out_all(self, entries: tuple[Entry, ...], width: int, zone: tzinfo) -> tuple[Layout, int]:
        return lay_out(entries, width, zone), width

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "timeline-layout":
            return
        event.stop()
        if event.state is WorkerState.SUCCESS and event.worker.result is not None:
            layout, width = event.worker.result
            if width == self._laid_out_width:
                self._apply(layout, width)
        elif event.state is WorkerState.ERROR:
            self._placeholder = f"Cannot show this history: {event.worker.error}"
            self._show_placeholder()

    def _placeholder_layout(self) -> Layout:
        layout = Layout()
        layout.add(((strip_controls(self._placeholder), "empty"),), 0)
        return layout

    def _show_placeholder(self) -> None:
        self._apply(self._placeholder_layout(), self._laid_out_width, anchored=False)

    def _apply(self, layout: Layout, width: int, anchored: bool = True) -> None:
        """Show ``layout``; keep the reader at the end, or on the entry that was at the top."""
        previous = self._layout
        top_entry = None
        if anchored and not self._follow and previous.owners:
            top_entry = previous.owners[min(round(self.scroll_y), len(previous.owners) - 1)]
        self._layout = layout
        self._strips.clear()
        self.virtual_size = Size(width, len(layout.lines))
        self.refresh()
        if top_entry is not None:
            line = bisect_left(layout.owners, top_entry)
            self.call_after_refresh(self.scroll_to, y=line, animate=False, immediate=True)
        elif self._follow:
            self.call_after_refresh(self._to_end)

    def _to_end(self) -> None:
        self.scroll_end(animate=False, immediate=True)
        self._follow = True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._follow = new_value >= self.max_scroll_y

    def on_resize(self, event: Resize) -> None:
        if self._width() != self._laid_out_width and self._entries:
            self._relayout(quick=False)

    # -- rendering ---------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        lines = self._layout.lines
        if index >= len(lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            base = self.rich_style
            segments = [
                Segment(text, base + self.get_component_rich_style(f"timeline--{role}", partial=True))
                for text, role in lines[index]
                if text
            ]
            strip = Strip(segments).extend_cell_length(self._laid_out_width, base)
            self._strips[index] = strip
        return strip.crop(scroll_x, scroll_x + width)
