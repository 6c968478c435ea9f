"""The conversation list written for programs: a JSON array, JSON lines or CSV, with the contract's keys.

One writer for ``chatadmin list`` and the console's export, so both give the same file.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from chatadmin.clock import format_instant
from chatadmin.domain import ConversationRow

LIST_KEYS = (
    "id", "customer_phone", "customer_name", "country", "agent", "group", "created_at", "duration_s",
    "rating", "status", "inactivity_s", "response_creation_s", "response_assignment_s", "sent_by", "tags",
)  # fmt: skip

_C1_AND_DEL = re.compile(r"[\x7f-\x9f]")


def to_json(value: Any, indent: int | None = None) -> str:
    """JSON with text as UTF-8, and DEL/C1 escaped too, so no control byte reaches a terminal."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _C1_AND_DEL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def row_json(row: ConversationRow) -> dict[str, Any]:
    """A list row with exactly the contract's keys."""
    return {
        "id": row.id,
        "customer_phone": row.customer_phone,
        "customer_name": row.customer_name,
        "country": row.country,
        "agent": row.agent,
        "group": row.group,
        "created_at": format_instant(row.created_at),
        "duration_s": row.duration_s,
        "rating": row.rating,
        "status": row.status.value,
        "inactivity_s": row.inactivity_s,
        "response_creation_s": row.response_creation_s,
        "response_assignment_s": row.response_assignment_s,
        "sent_by": row.sent_by.value if row.sent_by else None,
        "tags": sorted(row.tags),
    }


def write_json_list(rows: Iterable[ConversationRow], out: IO[str]) -> None:
    """One JSON array, written as the rows stream in."""
    out.write("[")
    for index, row in enumerate(rows):
        out.write(",\n" if index else "\n")
        out.write(to_json(row_json(row)))
    out.write("\n]\n")


def write_ndjson_list(rows: Iterable[ConversationRow], out: IO[str]) -> None:
    """One JSON object a line, the same objects as the JSON array's."""
    for row in rows:
        out.write(to_json(row_json(row)))
        out.write("\n")


def _spreadsheet_safe(value: str) -> str:
    """Untrusted text that a spreadsheet would run as a formula gets a leading quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_rows(rows: Iterable[ConversationRow]) -> Iterator[list[Any]]:
    yield list(LIST_KEYS)
    for row in rows:
        data = row_json(row)
        data["customer_name"] = _spreadsheet_safe(data["customer_name"])
        data["tags"] = ";".join(_spreadsheet_safe(t) for t in data["tags"])
        yield ["" if data[k] is None else data[k] for k in LIST_KEYS]


def write_csv_list(rows: Iterable[ConversationRow], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    for line in csv_rows(rows):
        writer.writerow(line)


# format name (as ``chatadmin list --format`` says it) -> writer
WRITERS = {"json": write_json_list, "ndjson": write_ndjson_list, "csv": write_csv_list}
