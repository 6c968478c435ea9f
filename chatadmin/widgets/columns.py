"""The conversation table's columns: titles, widths, priorities and how each cell reads.

Cells are plain strings cut to a width by cell length (never markup), plus a *role* that the
table turns into a style. Untrusted text passes through :func:`chatadmin.text.one_line`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from rich.cells import cell_len, set_cell_size

from chatadmin.domain import STATUS_LABELS, ConversationRow, SortKey
from chatadmin.durations import format_duration
from chatadmin.phones import format_phone
from chatadmin.text import one_line
from chatadmin.waiting import WaitThresholds, thresholds_for

NONE = "—"
MENU_GLYPH = "⋯"
MARK_GLYPH = "●"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class CellContext:
    """What a cell needs besides its row: the reporting zone, "now", and the waiting thresholds.

    Times that run (duration, inactivity, waiting) are counted to ``now``, so a live view moves
    them on without reading the rows again.
    """

    zone: tzinfo
    now: datetime
    thresholds: Mapping[str, WaitThresholds] = field(default_factory=dict)


# A cell: its text and a role (a style name the table knows, or None for the row's style).
Cell = tuple[str, str | None]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    # lower is more important: on a narrow terminal the highest numbers go first
    priority: int
    sort: SortKey | None
    cell: Callable[[ConversationRow, CellContext], Cell]
    right: bool = False
    # the narrower form tried before the column is dropped
    short_title: str | None = None
    short_width: int | None = None
    # takes what width is left over (at least ``width``)
    flexible: bool = False


def _text(value: str | None) -> Cell:
    if value is None or not value.strip():
        return NONE, "muted"
    return one_line(value), None


def _duration(seconds: int | None) -> Cell:
    if seconds is None:
        return NONE, "muted"
    if seconds >= 100 * 86400:  # "231d 17h" would not fit; the hours no longer matter
        return f"{seconds // 86400}d", None
    return format_duration(seconds), None


def format_created(value: datetime, ctx: CellContext) -> str:
    """``Nov 24 02:00`` in the reporting zone; ``2025-11-24`` when not this year."""
    local = value.astimezone(ctx.zone)
    if local.year != ctx.now.astimezone(ctx.zone).year:
        return local.strftime("%Y-%m-%d")
    return f"{MONTHS[local.month - 1]} {local.day:02d} {local.hour:02d}:{local.minute:02d}"


def _since(start: datetime | None, ctx: CellContext) -> int | None:
    return None if start is None else max(0, int((ctx.now - start).total_seconds()))


def _running(row: ConversationRow, ctx: CellContext) -> Cell:
    """Duration: fixed once closed, else counted to now."""
    return _duration(row.duration_s if row.closed_at is not None else _since(row.created_at, ctx))


def waiting_seconds(row: ConversationRow, ctx: CellContext) -> int | None:
    """Time without response at ``ctx.now``: none once closed or when the agent spoke last."""
    return None if row.closed_at is not None else _since(row.waiting_since, ctx)


def _waiting(row: ConversationRow, ctx: CellContext) -> Cell:
    seconds = waiting_seconds(row, ctx)
    if seconds is None:
        return NONE, "muted"
    level = thresholds_for(ctx.thresholds, row.group).level(seconds)
    return _duration(seconds)[0], f"wait-{level.value}"


def _rating(row: ConversationRow, _ctx: CellContext) -> Cell:
    if row.rating is None:
        return NONE, "muted"
    return "★" * row.rating + "☆" * (5 - row.rating), "rating"


def _status(row: ConversationRow, _ctx: CellContext) -> Cell:
    return STATUS_LABELS[row.status], f"status-{row.status.value}"


def _agent(row: ConversationRow, _ctx: CellContext) -> Cell:
    if row.agent is None:
        return "unassigned", "muted"
    return _text(row.agent_name or row.agent)


def _group(row: ConversationRow, _ctx: CellContext) -> Cell:
    return _text(row.group_name or row.group)


def _tags(row: ConversationRow, _ctx: CellContext) -> Cell:
    if not row.tags:
        return "", None
    return ", ".join(one_line(tag) for tag in row.tags), "tags"


COLUMNS: tuple[Column, ...] = (
    Column("mark", "", 1, 0, None, lambda r, c: (" ", None)),
    Column("id", "ID", 9, 12, SortKey.ID, lambda r, c: _text(r.id)),
    Column(
        "phone", "Phone", 18, 1, SortKey.CUSTOMER_PHONE,
        lambda r, c: (one_line(format_phone(r.customer_phone)), "phone"), short_width=16,
    ),
    Column(
        "customer", "Customer", 18, 1, SortKey.CUSTOMER_NAME,
        lambda r, c: _text(r.customer_name), short_width=12,
    ),
    Column("agent", "Agent", 14, 3, SortKey.AGENT, _agent, short_width=10),
    Column("group", "Group", 10, 5, SortKey.GROUP, _group, short_width=8),
    Column("created", "Created", 12, 2, SortKey.CREATED_AT, lambda r, c: (format_created(r.created_at, c), None)),
    Column("duration", "Duration", 8, 6, SortKey.DURATION, _running, True, "Dur", 7),
    Column("rating", "Rating", 6, 8, SortKey.RATING, _rating, short_title="★", short_width=5),
    Column("status", "Status", 11, 1, SortKey.STATUS, _status),
    Column("waiting", "Waiting", 8, 2, SortKey.NO_RESPONSE, _waiting, True, "Wait", 7),
    Column(
        "inactivity", "Inactive", 8, 4, SortKey.INACTIVITY,
        lambda r, c: _duration(_since(r.last_message_at, c)), True, "Idle", 7,
    ),
    Column(
        "response_creation", "Resp create", 11, 7, SortKey.RESPONSE_CREATION,
        lambda r, c: _duration(r.response_creation_s), True, "Rsp.new", 7,
    ),
    Column(
        "response_assignment", "Resp assign", 11, 7, SortKey.RESPONSE_ASSIGNMENT,
        lambda r, c: _duration(r.response_assignment_s), True, "Rsp.asg", 7,
    ),
    Column(
        "sent_by", "Sent by", 8, 10, SortKey.SENT_BY,
        lambda r, c: _text(r.sent_by.value if r.sent_by else None),
    ),
    Column("country", "Country", 7, 11, SortKey.COUNTRY, lambda r, c: _text(r.country), short_title="CC", short_width=3),
    Column("tags", "Tags", 8, 9, None, _tags, flexible=True),
    Column("menu", MENU_GLYPH, 1, 0, None, lambda r, c: (MENU_GLYPH, "menu")),
)

def descending_first(key: SortKey) -> bool:
    """The direction a new sort starts in: times and ratings largest first, names A to Z."""
    return key in {
        SortKey.CREATED_AT,
        SortKey.DURATION,
        SortKey.RATING,
        SortKey.INACTIVITY,
        SortKey.RESPONSE_CREATION,
        SortKey.RESPONSE_ASSIGNMENT,
        SortKey.NO_RESPONSE,
    }


COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
SORTABLE = tuple(column for column in COLUMNS if column.sort is not None)
GAP = 1


@dataclass(frozen=True)
class Placed:
    """A column as laid out: where it starts, how wide it is and which title it shows."""

    column: Column
    x: int
    width: int
    title: str


def layout(width: int, *, all_columns: bool = False, columns: Sequence[Column] = COLUMNS) -> tuple[Placed, ...]:
    """Fit the columns in ``width`` cells: narrow them, drop the least important, widen back.

    Every column first takes its narrow form; then the least important go until the rest
    fit; then what room is left widens the kept ones back, most important first, and a
    flexible column takes the rest. With ``all_columns`` every column keeps its full width
    (the table scrolls sideways).
    """
    if all_columns:
        kept = list(columns)
        widths = {c.key: c.width for c in kept}
    else:
        kept = list(columns)
        widths = {c.key: c.short_width or c.width for c in kept}

        def used() -> int:
            return sum(widths[c.key] for c in kept) + GAP * (len(kept) - 1)

        for column in sorted(columns, key=lambda c: -c.priority):
            if used() <= width or column.priority <= 1:
                break
            kept.remove(column)
            del widths[column.key]
        for column in sorted(kept, key=lambda c: c.priority):
            spare = width - used()
            if spare <= 0:
                break
            widths[column.key] = min(column.width, widths[column.key] + spare)
    spare = max(0, width - sum(widths.values()) - GAP * (len(kept) - 1))
    placed: list[Placed] = []
    x = 0
    for column in kept:
        cell_width = widths[column.key] + (spare if column.flexible else 0)
        title = column.title if cell_width >= cell_len(column.title) else (column.short_title or column.title)
        placed.append(Placed(column, x, cell_width, title))
        x += cell_width + GAP
    return tuple(placed)


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` padded or cut (with ``…``) to exactly ``width`` cells."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    if right:
        return " " * (width - length) + text
    return text + " " * (width - length)
