"""The status line under the table: live or paused, the view, position, "N of M conversations", marks, sort, zone."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from chatadmin.domain import ConversationFilter, Sort
from chatadmin.widgets.columns import COLUMNS

SORT_TITLES = {column.sort: column.title for column in COLUMNS if column.sort is not None}


class StatusLine(Static):
    """One line that says where the cursor is in how many conversations, and how they are sorted."""

    DEFAULT_CSS = """
    StatusLine {
        width: 1fr;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    """

    def show(
        self,
        *,
        cursor: int,
        total: int | None,
        everything: int | None,
        filters: ConversationFilter,
        sort: Sort,
        pending: bool,
        zone: str,
        paused: bool = False,
        queue: bool = False,
        marked: int = 0,
        all_marked: bool = False,
    ) -> None:
        """``paused``: the live view waits for the user; ``queue``: the list is the unassigned queue."""
        parts: list[Content | tuple[str, str] | str] = []
        # first, so that a narrow screen still shows it: whether the list moves on by itself
        parts.append(("❚❚ paused", "bold $text-warning") if paused else ("● live", "$text-success"))
        parts.append(("  ·  ", "$text-muted"))
        if queue:
            parts += [("Unassigned queue", "bold $text-warning"), ("  ·  ", "$text-muted")]
        if total is None:
            parts.append(("counting…", "$text-muted"))
        else:
            if total:
                parts += [("row ", "$text-muted"), (f"{cursor + 1:,}", "bold"), ("  ·  ", "$text-muted")]
            parts.append((f"{total:,}", "bold"))
            if everything is not None and not filters.is_empty():
                parts.append(f" of {everything:,}")
            parts.append(" conversations")
        if marked:
            every = "all " if all_marked else ""
            parts += [("  ·  ", "$text-muted"), (f"{every}{marked:,} marked", "bold $text-accent")]
        if pending:
            parts.append(("  ·  reading…", "$text-muted italic"))
        arrow = "▼" if sort.descending else "▲"
        parts += [("  ·  by ", "$text-muted"), f"{SORT_TITLES.get(sort.key, sort.key.value)} {arrow}"]
        parts.append((f"  ·  {zone}", "$text-muted"))
        # one line of a fixed size: a repaint, not a layout of the whole screen, on every key
        self.update(Content.assemble(*parts), layout=False)
