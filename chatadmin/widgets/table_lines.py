"""The conversation table's lines as segments: the header and one row, cut to the columns.

Cells are plain strings (never markup) already freed of terminal controls by the columns.
Segments carry no click metadata: a style with meta is unique to its cell, so it would defeat
Rich's style caches and cost more than the rest of the line; the table finds a click's row and
column from its position instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from chatadmin.domain import ConversationRow, Sort
from chatadmin.widgets.columns import GAP, MARK_GLYPH, CellContext, Placed, fit

# a component style by its short name ("header", "cursor", "status-open", …)
Styles = Callable[[str], Style]


def pad(segments: list[Segment], width: int, style: Style) -> list[Segment]:
    """Fill the line up to ``width`` cells in ``style``."""
    used = sum(segment.cell_length for segment in segments)
    if used < width:
        segments.append(Segment(" " * (width - used), style))
    return segments


def header_line(columns: Sequence[Placed], sort: Sort, styles: Styles, width: int) -> list[Segment]:
    """Column titles; the sorted one marked with its direction."""
    header, sorted_style = styles("header"), styles("header-sorted")
    arrow = "▼" if sort.descending else "▲"
    segments: list[Segment] = []
    for number, place in enumerate(columns):
        column = place.column
        is_sorted = column.sort is not None and column.sort is sort.key
        title = f"{place.title}{arrow}" if is_sorted else place.title
        if is_sorted and cell_len(title) > place.width and column.short_title:
            title = f"{column.short_title}{arrow}"  # the arrow matters more than the long title
        style = sorted_style if is_sorted else header
        if number:
            segments.append(Segment(" " * GAP, header))
        segments.append(Segment(fit(title, place.width, column.right), style))
    return pad(segments, width, header)


def row_line(
    row: ConversationRow,
    index: int,
    columns: Sequence[Placed],
    context: CellContext,
    styles: Styles,
    base: Style,
    *,
    cursor: bool,
    dimmed: bool,
    width: int,
    marked: bool = False,
    changed: bool = False,
) -> list[Segment]:
    """One conversation; ``marked`` for bulk actions, ``changed`` just now (a live refresh)."""
    row_style = base
    if changed:
        row_style += styles("changed")
    if marked:
        row_style += styles("marked")
    if cursor:
        row_style += styles("cursor")
    if dimmed:
        row_style += styles("muted")
    segments: list[Segment] = []
    for number, place in enumerate(columns):
        text, role = place.column.cell(row, context)
        if place.column.key == "mark" and marked:
            text, role = MARK_GLYPH, "mark"
        style = row_style
        if role is not None and not cursor and not dimmed:
            style += styles(role)
        if number:
            segments.append(Segment(" " * GAP, row_style))
        segments.append(Segment(fit(text, place.width, place.column.right), style))
    return pad(segments, width, row_style) if cursor or marked or changed else segments


def message_line(text: str, styles: Styles) -> list[Segment]:
    """A line that is not a conversation: loading, nothing found, a read that failed."""
    return [Segment(f" {text}", styles("message"))]
