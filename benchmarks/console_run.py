"""The console under Pilot (headless, 120x40) on one store: start, keys, filters, search, sort, metrics.

Run as a child process by the suite (``python -m benchmarks.console_run SPEC``, SPEC a JSON
object); prints one JSON object of figures in seconds, and the process's peak RSS. Each figure
runs from the action (key press, pick in a drop-down, poll) to the first painted frame that
shows its result, waiting on the console's own workers.
"""

from __future__ import annotations

import time

SPAWNED = time.time()  # before the heavy imports: they are part of starting the console

from chatadmin.console import prepare_textual

prepare_textual()  # as `chatadmin` does before it imports Textual

import asyncio
import json
import resource
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual.widgets import Input, Select
from textual.widgets._select import SelectOverlay

import chatadmin.app
from benchmarks.frames import FrameWatch, MeasuredApp, timed
from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock, parse_instant
from chatadmin.store.sql import SqlStore
from chatadmin.widgets.live import Polled
from chatadmin.widgets.table import ConversationTable

SIZE = (120, 40)
Figures = dict[str, list[float]]


class BenchConsole(MeasuredApp, ChatAdminApp):
    """The real console, noting its frames, its polls and the counts its table applies."""

    CSS_PATH = str(Path(chatadmin.app.__file__).with_name(ChatAdminApp.CSS_PATH))  # type: ignore[arg-type]

    def __init__(self, backend: SqlStore) -> None:
        super().__init__(backend, refresh_seconds=3600.0)
        self.frame_watch = FrameWatch()
        self.polls = 0
        self.counted: tuple[int, int] | None = None
        self.queried_at: dict[int, float] = {}

    def _done(self, group: str, result: object) -> None:
        super()._done(group, result)
        if isinstance(result, Polled) and not result.quiet:
            self.polls += 1

    def on_mount(self) -> None:
        table = self.table
        apply_count, set_query = table.apply_count, table.set_query

        def counted(generation: int, total: int) -> None:
            apply_count(generation, total)
            if generation == table.query_state.generation:
                self.counted = (generation, total)

        def queried(filters: Any, sort: Any, **options: Any) -> None:
            set_query(filters, sort, **options)
            self.queried_at.setdefault(table.query_state.generation, time.perf_counter())

        table.apply_count, table.set_query = counted, queried  # type: ignore[method-assign]
        # no super().on_mount(): Textual calls each class's own on_mount, this one first


def rows_shown(table: ConversationTable, generation: int | None = None) -> bool:
    """The current query's rows (or ``generation``'s) are what the table shows, every visible one on hand."""
    if generation is not None and table.query_state.generation != generation:
        return False
    data = table.data
    if table.holding or data.pending or (data.total is None and data.loaded_rows == 0):
        return False
    first, last = table._visible_range()
    return all(table.window.row(index) is not None for index in range(first, min(last, data.extent - 1) + 1))


def count_shown(app: BenchConsole, after: int) -> bool:
    """A count newer than generation ``after`` is the one the status line shows."""
    table = app.table
    return app.counted is not None and app.counted[0] > after and not table.pending and table.total is not None


class Session:
    def __init__(self, app: BenchConsole, pilot: Any, spec: dict[str, Any]) -> None:
        self.app, self.pilot, self.spec = app, pilot, spec
        self.runs = int(spec["runs"])
        self.figures: Figures = {}

    @property
    def table(self) -> ConversationTable:
        return self.app.table

    def note(self, name: str, seconds: float) -> None:
        self.figures.setdefault(name, []).append(seconds)

    async def until(self, predicate: Callable[[], bool], timeout: float = 120.0) -> None:
        """Let the console settle into a state (not timed)."""
        if not predicate():
            await self.app.frame_watch.expect(predicate).wait(timeout)
        await self.pilot.pause()

    async def settle(self) -> None:
        """Rows and count of the current query are shown."""
        table = self.table
        await self.until(lambda: rows_shown(table) and table.total is not None and not table.counting)

    async def query_change(self, name: str, act: Callable[[], Any], *, counts: bool = True) -> None:
        """Time a change of filter or sort: to the rows shown, and (a filter's) to the count shown."""
        table, app = self.table, self.app
        before = table.query_state.generation
        count = app.frame_watch.expect(lambda: count_shown(app, before))
        start = time.perf_counter()
        seconds = await timed(app.frame_watch, lambda: table.query_state.generation > before and rows_shown(table), act)
        self.note(name, seconds)
        if counts:  # another sort keeps the count it has
            self.note("count shown (after a filter change)", await count.wait() - start)
        applied = app.queried_at.get(table.query_state.generation)
        if applied is not None:
            self.note(f"{name} (from the filter applied)", start + seconds - applied)

    # -------------------------------------------------------------- scenarios
    async def page_down(self) -> None:
        await self.settle()
        table = self.table
        for _ in range(self.runs * 2):
            target = min(table.cursor + table._body_height(), (table.total or 1) - 1)
            self.note(
                "PageDown",
                await timed(
                    self.app.frame_watch,
                    lambda target=target: table.cursor == target and rows_shown(table),
                    lambda: self.pilot.press("pagedown"),
                ),
            )
        await self.pilot.press("home")
        await self.settle()

    async def jump_to_end(self) -> None:
        table = self.table
        for run in range(self.runs):
            # a fresh query each time, so the last page is never already on hand
            await self.pilot.press("S")
            await self.settle()
            last = (table.total or 1) - 1
            self.note(
                "jump to end (End)",
                await timed(
                    self.app.frame_watch,
                    lambda last=last: table.cursor == last and rows_shown(table),
                    lambda: self.pilot.press("end"),
                ),
            )
            await self.pilot.press("home")
            await self.settle()
            del run

    async def sorts(self) -> None:
        for _ in range(self.runs):
            await self.query_change("sort by another column (s)", lambda: self.pilot.press("s"), counts=False)
            await self.settle()
        await self.reset_sort()

    async def reset_sort(self) -> None:
        from chatadmin.domain import Sort

        self.app.set_sort(Sort())
        await self.settle()

    async def filters(self) -> None:
        app = self.app
        bar = app.filter_bar
        await self.until(lambda: bool(bar.names))
        backend = app.backend
        groups = [g.id for g in backend.list_groups()]
        agents = [a.id for a in backend.list_agents()]
        countries = backend.list_countries()
        tags = backend.list_tags()
        today = backend.clock.today()  # type: ignore[attr-defined]
        picks: dict[str, list[str]] = {
            "status": ["open", "in_progress", "closed"],
            "group": groups,
            "agent": agents,
            "country": countries[:6],
            "tag": tags,
            "rating": ["5", "1", "3"],
        }
        typed: dict[str, list[str]] = {
            "created_from": [str(today - timedelta(days=d)) for d in (1, 3, 7)],
            "created_to": [str(today - timedelta(days=d)) for d in (2, 10, 20)],
            "no_response_over": ["15m", "1h", "5m"],
            "inactive_over": ["1h", "1d", "30m"],
        }
        for key, values in picks.items():
            select = bar.query_one(f"#filter-{key.replace('_', '-')}", Select)
            for run in range(self.runs):
                await self.open_on(select, values[run % len(values)])
                # timed from the enter that picks the highlighted option (and closes the list)
                await self.query_change(f"filter: {key}", lambda: self.pilot.press("enter"))
                await self.settle()
                await self.clear_filters()
        for key, values in typed.items():
            field = bar.query_one(f"#filter-{key.replace('_', '-')}", Input)
            for run in range(self.runs):
                field.focus()
                field.value = values[run % len(values)]
                await self.query_change(f"filter: {key}", lambda: self.pilot.press("enter"))
                await self.settle()
                await self.clear_filters()
        self.table.focus()
        await self.pilot.pause()

    async def open_on(self, select: Select[str], value: str) -> None:
        """Open a drop-down as a user does (focus, enter) with ``value`` highlighted (not timed)."""
        select.focus()
        await self.pilot.pause()
        await self.pilot.press("enter")
        overlay = select.query_one(SelectOverlay)
        await self.until(lambda: select.expanded and overlay.display)
        overlay.highlighted = next(i for i, (_, v) in enumerate(select._options) if v == value)
        await self.pilot.pause()

    async def clear_filters(self) -> None:
        before = self.table.query_state.generation
        self.app.action_clear_filters()
        await self.until(lambda: self.table.query_state.generation > before and rows_shown(self.table))
        await self.settle()

    async def search(self) -> None:
        words = self.spec["search_words"]
        search = self.app.filter_bar.query_one("#filter-search", Input)
        table = self.table
        for run in range(self.runs):
            word = words[run % len(words)]
            await self.pilot.press("slash")
            for end in range(1, len(word) + 1):
                typed = word[:end]

                def shown(typed: str = typed) -> bool:
                    return (table.filters.search or "") == typed.strip() and rows_shown(table)

                start = time.perf_counter()
                seconds = await timed(self.app.frame_watch, shown, lambda ch=word[end - 1]: self.pilot.press(ch))
                self.note("search keystroke (typed)", seconds)
                applied = self.app.queried_at.get(table.query_state.generation)
                if applied is not None:
                    self.note("search keystroke (from the filter applied)", start + seconds - applied)
            await self.settle()
            search.value = ""
            await self.clear_filters()
            self.table.focus()
            await self.pilot.pause()

    async def keys_while_counting(self) -> None:
        """A key press while the count runs: the count must never block the console."""
        table, app = self.table, self.app
        words = self.spec["search_words"]
        for run in range(self.runs):
            search = app.filter_bar.query_one("#filter-search", Input)
            with search.prevent(Input.Changed):  # the query starts here, not again when that message comes
                search.value = words[run % len(words)][:2]
            before = table.query_state.generation
            app.filter_bar.apply_now()  # posts the new filter: the table takes it a message later
            await self.until(lambda before=before: table.query_state.generation > before and rows_shown(table))
            generation = table.query_state.generation
            table.focus()
            counting = not count_shown(app, generation - 1)
            target = min(1, table.data.extent - 1)
            try:
                seconds = await timed(
                    app.frame_watch,
                    lambda target=target: table.cursor == target,
                    lambda: self.pilot.press("down"),
                    timeout=10,
                )
            except TimeoutError:
                # no frame showed the moved cursor: counted apart, so that one run's miss is seen,
                # not hidden in a figure and not ending the whole benchmark
                self.note("cursor key: no frame showed the move within 10 s", 10.0)
            else:
                self.note("cursor key while counting" if counting else "cursor key (count already shown)", seconds)
            with search.prevent(Input.Changed):
                search.value = ""
            await self.clear_filters()

    async def metrics(self) -> None:
        app = self.app
        for _ in range(self.runs):
            polls = app.polls
            self.note(
                "metrics refresh (poll: metrics + counts + visible rows)",
                await timed(
                    app.frame_watch,
                    lambda polls=polls: app.polls > polls and rows_shown(self.table),
                    lambda: app.poll_now(read_all=True),
                ),
            )
            await self.settle()


def open_as_chatadmin(spec: dict[str, Any]) -> SqlStore:
    """What ``chatadmin --db URL`` does before its console runs: the command line, the settings
    (environment and config file) and the store, through the real entry point."""
    from chatadmin import cli, console

    opened: list[SqlStore] = []

    def run_console(backend: SqlStore, **_options: Any) -> None:
        opened.append(backend)

    console.run_console = run_console  # type: ignore[assignment]
    cli.cli.main(["--db", spec["url"], "--now", spec["now"], "--tz", spec["zone"]], prog_name="chatadmin", standalone_mode=False)
    return opened[0]


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    opened = time.time()
    if spec.get("session"):
        clock = Clock(zone=ZoneInfo(spec["zone"]), fixed=parse_instant(spec["now"]))
        backend = SqlStore.open(spec["url"], clock)
    else:  # a start: as the user's command starts, command line and settings included
        backend = open_as_chatadmin(spec)
    open_s = time.time() - opened
    app = BenchConsole(backend)
    started = time.perf_counter()
    started_wall = time.time()
    result: dict[str, Any] = {}
    full = app.frame_watch.expect(lambda: app.query_one("#metrics").metrics is not None and rows_shown(app.table))
    async with app.run_test(size=SIZE) as pilot:
        first_frame = await full.wait()
        wall = started_wall + (first_frame - started)
        result["start"] = {
            "to_first_full_frame_s": wall - spec.get("spawned_at", SPAWNED),
            "imports_s": started_wall - SPAWNED - open_s,
            "open_store_s": open_s,  # a start: with the command line and its imports
            "app_to_frame_s": first_frame - started,
        }
        session = Session(app, pilot, spec)
        if spec.get("session"):
            for scenario in spec["scenarios"]:
                await getattr(session, scenario)()
            result["figures"] = session.figures
        # let the count and the poll under way finish before the console closes
        await session.settle()
        await app.workers.wait_for_complete()
        await pilot.pause()
        result["rss_after_mb"] = _rss_now_mb()
    backend.dispose()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


if __name__ == "__main__":
    outcome = asyncio.run(main(json.loads(sys.argv[1])))
    sys.stdout.write(json.dumps(outcome) + "\n")
