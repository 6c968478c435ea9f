"""What a developer would otherwise reach for, on the same rows: Textual's stock DataTable and textual-fastdatatable.

Run as a child process by the suite (``python -m benchmarks.peers SPEC``, SPEC a JSON object
with ``peer`` = ``stock`` or ``fast``); prints one JSON object of figures and the peak RSS.
Both load every conversation row of the store with one SQL query (the same columns the
console reads), sorted by creation time, newest first: the stock table as rows of text, the
fast one as an Arrow table. Start runs from the process start to the first frame showing rows.
"""

from __future__ import annotations

import time

SPAWNED = time.time()

import asyncio
import json
import resource
import sys
from typing import Any

from sqlalchemy import create_engine
from textual.app import App, ComposeResult

from benchmarks.frames import FrameWatch, MeasuredApp, timed
from chatadmin.store.engine import database_url
from chatadmin.store.query import base_select, sort_columns

SIZE = (120, 40)
# the list's columns (list --format json), as the console shows them
COLUMNS = (
    "id",
    "customer_phone",
    "customer_name",
    "country",
    "agent",
    "group",
    "created_at",
    "status",
    "rating",
    "response_creation_s",
    "tag_list",
)


def read_columns(url: str) -> dict[str, list[Any]]:
    """Every row of the store, column by column, newest first."""
    from datetime import UTC, datetime

    from chatadmin.domain import Sort
    from chatadmin.store.query import A, C, Cu, G

    selected = (C.id, Cu.phone, Cu.name, C.country, A.name, G.name, C.created_at, C.status, C.rating)
    selected += (C.response_creation_s, C.tag_list)
    engine = create_engine(database_url(url))
    now = datetime.now(UTC)
    statement = base_select(*selected).order_by(*sort_columns(Sort(), now))
    columns: list[list[Any]] = [[] for _ in COLUMNS]
    with engine.connect() as connection:
        for batch in connection.execute(statement.execution_options(yield_per=20_000)).partitions():
            for values, column in zip(zip(*batch, strict=True), columns, strict=True):
                column.extend(values)
    engine.dispose()
    return dict(zip(COLUMNS, columns, strict=True))


class PeerApp(MeasuredApp, App[None]):
    """One peer table filling the screen, noting its frames."""

    last_key = "end"  # the key that moves the cursor to the last row

    def __init__(self) -> None:
        super().__init__()
        self.frame_watch = FrameWatch()
        self.sorted = 0

    @property
    def table(self) -> Any:
        return self.query_one("#table")

    def rows_shown(self) -> bool:
        return bool(self.table.row_count > 0)

    def sort_by(self, column: str) -> None:
        self._sort(column)
        self.sorted += 1

    def _sort(self, column: str) -> None:
        raise NotImplementedError


class StockApp(PeerApp):
    """Textual's DataTable with every row added up front."""

    last_key = "ctrl+end"

    def __init__(self, data: dict[str, list[Any]]) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable

        yield DataTable(cursor_type="row", id="table")

    def on_mount(self) -> None:
        table = self.table
        self.keys = table.add_columns(*COLUMNS)
        columns = [self.data[name] for name in COLUMNS]
        table.add_rows(zip(*([("" if v is None else str(v)) for v in column] for column in columns), strict=True))
        table.focus()

    def _sort(self, column: str) -> None:
        self.table.sort(self.keys[COLUMNS.index(column)])


class FastApp(PeerApp):
    """textual-fastdatatable over an Arrow table of every row."""

    def __init__(self, data: dict[str, list[Any]]) -> None:
        super().__init__()
        import pyarrow as pa

        self.arrow = pa.table(data)

    def compose(self) -> ComposeResult:
        from textual_fastdatatable import ArrowBackend, DataTable

        yield DataTable(backend=ArrowBackend(self.arrow), cursor_type="row", id="table")

    def on_mount(self) -> None:
        self.table.focus()

    def _sort(self, column: str) -> None:
        self.table.sort([(column, "ascending")])


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    loaded_at = time.time()
    data = read_columns(spec["url"])
    load_s = time.time() - loaded_at
    started = time.perf_counter()
    started_wall = time.time()
    app: PeerApp = (StockApp if spec["peer"] == "stock" else FastApp)(data)
    del data
    figures: dict[str, list[float]] = {}
    first = app.frame_watch.expect(lambda: app.is_mounted and app.rows_shown())
    async with app.run_test(size=SIZE) as pilot:
        frame = await first.wait(timeout=3600)
        result: dict[str, Any] = {
            "start": {
                "to_first_full_frame_s": started_wall + (frame - started) - spec.get("spawned_at", SPAWNED),
                "load_rows_s": load_s,
                "app_to_frame_s": frame - started,
            }
        }
        table = app.table
        for _ in range(int(spec["runs"]) * 2):
            target = table.cursor_row
            figures.setdefault("PageDown", []).append(
                await timed(app.frame_watch, lambda t=target: table.cursor_row > t, lambda: pilot.press("pagedown"))
            )
        for _ in range(int(spec["runs"])):
            await pilot.press("home" if isinstance(app, FastApp) else "ctrl+home")
            await pilot.pause()
            last = table.row_count - 1
            figures.setdefault("jump to end (End)", []).append(
                await timed(app.frame_watch, lambda last=last: table.cursor_row == last, lambda: pilot.press(app.last_key))
            )
        for number in range(max(2, int(spec["runs"]) // 4)):
            column = ("customer_name", "created_at", "rating", "agent")[number % 4]
            done = app.sorted
            figures.setdefault("sort by another column (s)", []).append(
                await timed(app.frame_watch, lambda done=done: app.sorted > done, lambda c=column: app.sort_by(c), timeout=3600)
            )
    result["figures"] = figures
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


if __name__ == "__main__":
    sys.stdout.write(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))) + "\n")
