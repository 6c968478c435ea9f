"""The conversation table's lines as segments: the header and one row, cut to the columns.

Cells are plain strings (never markup) already freed of terminal controls by the columns;
each segment carries the row and column in its style's meta, for clicks.
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
    """Column titles; the sorted one marked with its direction. Meta: ``header`` = column key."""
    header, sorted_style = styles("header"), styles("header-sorted")
    arrow = "▼" if sort.descending else "▲"
    segments: list[Segment] = []
    for number, place in enumerate(columns):
        column = place.column
        is_sorted = column.sort is not None and column.sort is sort.key
        title = f"{place.title}{arrow}" if is_sorted else place.title
        if is_sorted and cell_len(title) > place.width and column.short_title:
            title = f"{column.short_title}{arrow}"  # the arrow matters more than the long title
        style = (sorted_style if is_sorted else header) + Style(meta={"header": column.key})
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
    """One conversation; ``marked`` for bulk actions, ``changed`` just now (a live refresh).

    Meta: ``row`` = index, ``column`` = column key.
    """
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
        meta = Style(meta={"row": index, "column": place.column.key})
        segments.append(Segment(fit(text, place.width, place.column.right), style + meta))
    return pad(segments, width, row_style) if cursor or marked or changed else segments


def message_line(text: str, styles: Styles, index: int | None = None) -> list[Segment]:
    """A line that is not a conversation: loading, nothing found, a read that failed."""
    style = styles("message")
    if index is not None:
        style += Style(meta={"row": index})
    return [Segment(f" {text}", style)]
