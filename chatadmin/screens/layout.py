"""History entries laid out as lines of styled pieces for a width: wrapping, day rules, headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from rich.cells import cell_len, chop_cells

from chatadmin.screens.common import clock_time, day_label
from chatadmin.text import one_line, strip_controls

GUTTER = 6  # "HH:MM "
BAR = "▍"
BLANK = " " * GUTTER


@dataclass(frozen=True)
class Entry:
    """One item of a history: a message (by customer, agent or system), a note, or an event."""

    at: datetime
    role: str  # one of customer, agent, system, note, event
    who: str = ""
    text: str = ""


Piece = tuple[str, str]  # (text, role): the role names the style
Line = tuple[Piece, ...]


@dataclass
class Layout:
    """The lines, and for each line the index of the entry it belongs to (non-decreasing)."""

    lines: list[Line] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)

    def add(self, line: Line, owner: int) -> None:
        self.lines.append(line)
        self.owners.append(owner)


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap by terminal cells, linear in the text; words wider than ``width`` are cut."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.expandtabs(4).split("\n"):
        if _width(paragraph) <= width:
            lines.append(paragraph)
            continue
        words: list[str] = []
        used = 0
        for word in paragraph.split(" "):
            size = _width(word)
            if words and used + 1 + size <= width:
                words.append(word)
                used += 1 + size
                continue
            if words:
                lines.append(" ".join(words))
            if size > width:
                *full, word = chop_cells(word, width)
                lines.extend(full)
                size = _width(word)
            words, used = [word], size
        lines.append(" ".join(words))
    return lines


def lay_out(entries: Sequence[Entry], width: int, zone: tzinfo, first: int = 0) -> Layout:
    """``entries`` at ``width``: a rule for each new day, a header when the sender changes.

    ``first`` is the index of ``entries[0]`` in the whole history (owners count from it).
    """
    layout = Layout()
    body_width = max(width - GUTTER - 2, 8)
    last_day: date | None = None
    last_sender: tuple[str, str] | None = None  # of the message before, if no event came between
    for owner, entry in enumerate(entries, start=first):
        day = entry.at.astimezone(zone).date()
        new_day = day != last_day
        if new_day:
            label = f" {day_label(entry.at, zone)} "
            side = max((width - cell_len(label)) // 2, 2)
            layout.add(((("─" * side) + label + ("─" * side), "day"),), owner)
            last_day = day
        time = clock_time(entry.at, zone).ljust(GUTTER)
        text = strip_controls(entry.text)
        if entry.role == "event":
            for index, part in enumerate(wrap(text, body_width)):
                lead = (time, "time") if index == 0 else (BLANK, "time")
                layout.add((lead, ("· " if index == 0 else "  ", "event"), (part, "event")), owner)
            last_sender = None
            continue
        sender = (entry.role, one_line(entry.who))
        same_sender = not new_day and sender == last_sender
        if not same_sender:
            layout.add(((time, "time"), (BAR, entry.role), (sender[1], entry.role)), owner)
        for index, part in enumerate(wrap(text, body_width)):
            gutter = time if same_sender and index == 0 else BLANK
            layout.add(((gutter, "time"), (BAR, entry.role), (" " + part, "text")), owner)
        last_sender = sender
    return layout
