"""Printing results for people (Rich tables, text) and for programs (JSON, CSV)."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from rich.text import Text

from chatadmin.clock import format_instant
from chatadmin.domain import ConversationRow, Metrics
from chatadmin.durations import format_duration
from chatadmin.list_output import (
    LIST_KEYS,
    row_json,
    to_json,
    write_csv_list,
    write_json_list,
    write_ndjson_list,
)
from chatadmin.phones import format_phone
from chatadmin.text import one_line


def cell(value: str | None) -> Text:
    return Text("—" if value is None else one_line(value), no_wrap=True, overflow="ellipsis")


def backend_zone(backend: object) -> ZoneInfo:
    """A back end's reporting zone, for showing times; UTC when it has none."""
    return getattr(getattr(backend, "clock", None), "zone", None) or ZoneInfo("UTC")


def local_time(value: datetime | None, zone: Any) -> str:
    if value is None:
        return "—"
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# (header, justify, width it needs, priority: lower stays longest on a narrow terminal)
_COLUMNS = (
    ("ID", "left", 10, 0), ("Customer", "left", 30, 0), ("Agent", "left", 14, 1), ("Group", "left", 10, 2),
    ("Created", "left", 16, 3), ("Duration", "right", 8, 5), ("Rating", "right", 6, 7), ("Status", "left", 11, 1),
    ("Inactive", "right", 8, 4), ("Resp. creation", "right", 8, 6), ("Resp. assignment", "right", 8, 6),
    ("Sent by", "left", 8, 8), ("Country", "left", 7, 4), ("Tags", "left", 12, 5),
)  # fmt: skip


def _columns_for(width: int) -> list[int]:
    """Indexes of the columns that fit ``width``, dropping the least important first."""
    chosen = list(range(len(_COLUMNS)))
    by_priority = sorted(chosen, key=lambda i: (-_COLUMNS[i][3], -i))
    while sum(_COLUMNS[i][2] + 2 for i in chosen) > width and len(chosen) > 2:
        chosen.remove(by_priority.pop(0))
    return chosen


def conversation_table(rows: list[ConversationRow], zone: Any, width: int = 200) -> Table:
    chosen = _columns_for(width)
    table = Table(expand=False, header_style="bold", pad_edge=False)
    for index in chosen:
        name, justify, _, _ = _COLUMNS[index]
        table.add_column(name, justify=justify, no_wrap=name != "Customer")  # type: ignore[arg-type]
    for row in rows:
        customer = Text(format_phone(row.customer_phone), no_wrap=True)
        if row.customer_name:
            customer.append(" ")
            customer.append(one_line(row.customer_name))
        cells = [
            cell(row.id),
            customer,
            cell(row.agent_name or row.agent),
            cell(row.group_name or row.group),
            local_time(row.created_at, zone),
            format_duration(row.duration_s),
            "—" if row.rating is None else "★" * row.rating,
            row.status.value,
            format_duration(row.inactivity_s),
            format_duration(row.response_creation_s),
            format_duration(row.response_assignment_s),
            row.sent_by.value if row.sent_by else "—",
            row.country or "—",
            cell(", ".join(row.tags) if row.tags else None),
        ]
        table.add_row(*(cells[i] for i in chosen))
    return table


def metrics_json(metrics: Metrics) -> dict[str, Any]:
    top = metrics.highest_load_group
    return {
        "unassigned": metrics.unassigned,
        "active": metrics.active,
        "completed_today": metrics.completed_today,
        "highest_load_group": None
        if top is None
        else {"group": top.group, "name": top.name, "assigned_today": top.assigned_today},
        "timezone": metrics.timezone,
        "now": format_instant(metrics.now),
    }


def metrics_table(metrics: Metrics) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    top = metrics.highest_load_group
    table.add_row("Unassigned chats", str(metrics.unassigned))
    table.add_row("Active chats", str(metrics.active))
    table.add_row("Chats completed today", str(metrics.completed_today))
    load = Text("—") if top is None else Text(f"{one_line(top.name)} ({top.assigned_today})")
    table.add_row("Group with highest load today", load)
    table.add_row("Today in", metrics.timezone)
    return table


__all__ = [
    "LIST_KEYS",
    "console",
    "conversation_table",
    "metrics_json",
    "metrics_table",
    "row_json",
    "to_json",
    "write_csv_list",
    "write_json_list",
    "write_ndjson_list",
]  # fmt: skip


def console(file: IO[str] | None = None) -> Console:
    """Plain output: no markup, no emoji codes; wide when not on a terminal (pipes, files)."""
    out = Console(file=file, highlight=False, markup=False, emoji=False, soft_wrap=False)
    if not out.is_terminal:
        out.width = 220
    return out
