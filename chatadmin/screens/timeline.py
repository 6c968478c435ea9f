"""A scrolling history of messages, notes and events that renders only the lines on screen."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from chatadmin.screens.common import clock_time, day_label
from chatadmin.text import one_line, strip_controls

GUTTER = 6  # "HH:MM "
BAR = "▍"
# Roles name the component classes that style a piece of a line.
ROLES = ("time", "customer", "agent", "system", "note", "event", "text", "day", "empty")


@dataclass(frozen=True)
class Entry:
    """One item of a history: a message (by customer, agent or system), a note, or an event."""

    at: datetime
    role: str  # one of customer, agent, system, note, event
    who: str = ""
    text: str = ""


Piece = tuple[str, str]  # (text, role)
Line = tuple[Piece, ...]


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap by terminal cells; words wider than ``width`` are cut."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.expandtabs(4).split("\n"):
        if cell_len(paragraph) <= width:
            lines.append(paragraph)
            continue
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if cell_len(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if cell_len(word) > width:
                *full, word = chop_cells(word, width)
                lines.extend(full)
            current = word
        lines.append(current)
    return lines


def lay_out(entries: Sequence[Entry], width: int, zone: tzinfo) -> list[Line]:
    """The lines of ``entries`` at ``width``: a rule for each new day, a header when the sender changes."""
    lines: list[Line] = []
    body_width = max(width - GUTTER - 2, 8)
    blank = " " * GUTTER
    last_day = None
    last_sender: tuple[str, str] | None = None  # (role, who) of the message before, if no event came between
    for entry in entries:
        day = entry.at.astimezone(zone).date()
        new_day = day != last_day
        if new_day:
            label = f" {day_label(entry.at, zone)} "
            side = max((width - cell_len(label)) // 2, 2)
            lines.append(((("─" * side) + label + ("─" * side), "day"),))
            last_day = day
        time = clock_time(entry.at, zone).ljust(GUTTER)
        text = strip_controls(entry.text)
        if entry.role == "event":
            for index, part in enumerate(wrap(text, body_width)):
                first = index == 0
                lines.append(((time if first else blank, "time"), ("· " if first else "  ", "event"), (part, "event")))
            last_sender = None
            continue
        sender = (entry.role, one_line(entry.who))
        same_sender = not new_day and sender == last_sender
        if not same_sender:
            lines.append(((time, "time"), (BAR, entry.role), (sender[1], entry.role)))
        for index, part in enumerate(wrap(text, body_width)):
            gutter = time if same_sender and index == 0 else blank
            lines.append(((gutter, "time"), (BAR, entry.role), (" " + part, "text")))
        last_sender = sender
    return lines


class Timeline(ScrollView, can_focus=True):
    """History lines, laid out once per width and turned into strips only when they are seen."""

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
        self._lines: list[Line] = []
        self._laid_out_width = 0
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self._end_pending = False

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def plain_lines(self) -> list[str]:
        """The laid-out text, line by line (what a reader sees, without styles)."""
        return ["".join(text for text, _ in line) for line in self._lines]

    def set_entries(self, entries: Iterable[Entry], zone: tzinfo, placeholder: str) -> None:
        """Show ``entries`` (oldest first) and scroll to the newest."""
        self._entries = list(entries)
        self._zone = zone
        self._placeholder = placeholder
        self._relayout(force=True)
        self._end_later()

    def append(self, entry: Entry) -> None:
        self._entries.append(entry)
        self._relayout(force=True)
        self._end_later()

    def _end_later(self) -> None:
        """Scroll to the newest line once the layout (and so the scrollbar) has settled."""
        self._end_pending = True
        self.call_after_refresh(self._to_end)

    def _to_end(self) -> None:
        self._end_pending = False
        self.scroll_end(animate=False, immediate=True)

    def _width(self) -> int:
        return max(self.scrollable_content_region.width, 20)

    def _relayout(self, force: bool = False) -> None:
        width = self._width()
        if not force and width == self._laid_out_width:
            return
        self._laid_out_width = width
        follow = self._end_pending or self.scroll_y >= self.max_scroll_y  # a reader at the end stays there
        if self._entries:
            self._lines = lay_out(self._entries, width, self._zone)
        else:
            self._lines = [((strip_controls(self._placeholder), "empty"),)]
        self._strips.clear()
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()
        if follow and not force:
            self._end_later()

    def on_resize(self, event: Resize) -> None:
        self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            base = self.rich_style
            segments = [
                Segment(text, base + self.get_component_rich_style(f"timeline--{role}", partial=True))
                for text, role in self._lines[index]
                if text
            ]
            strip = Strip(segments).extend_cell_length(self._laid_out_width, base)
            self._strips[index] = strip
        return strip.crop(scroll_x, scroll_x + width)
