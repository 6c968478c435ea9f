"""Export from the console: every matching row, the same bytes as ``chatadmin list``, whole files or none."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.message import Message
from textual.widgets import Input, Select, Static

from chatadmin.app import ChatAdminApp
from chatadmin.cli import cli
from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, ConversationRow, Sort, Status
from chatadmin.errors import BackendUnavailable
from chatadmin.list_output import LIST_KEYS
from chatadmin.screens import export as export_module
from chatadmin.screens.export import ExportScreen, default_path
from tests.conftest import FIXED_NOW
from tests.console_fixtures import NamedStore, open_store, settle, wait_until

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock, count=60)
    yield store
    store.dispose()


def console(store: NamedStore) -> ChatAdminApp:
    return ChatAdminApp(store, refresh_seconds=3600, page_size=10)  # a page is far fewer rows than the list


def cli_list(sqlite_url: str, *args: str) -> str:
    env = {"CHATADMIN_DB": sqlite_url, "CHATADMIN_NOW": FIXED_NOW, "CHATADMIN_TZ": "America/Mexico_City"}
    result = CliRunner().invoke(cli, ["list", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


async def export_to(pilot: Any, path: Path, *, ndjson: bool = False) -> ExportScreen:
    app = pilot.app
    await pilot.press("e")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    if ndjson:
        await pilot.press("ctrl+t")
        await pilot.pause()
    field = screen.query_one(Input)
    field.value = str(path)
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen is not screen)
    return screen


def problem_text(screen: ExportScreen) -> str:
    return str(screen.query_one("#export-problem", Static).visual)


async def test_the_console_csv_is_the_cli_csv_for_the_same_filter(store: NamedStore, sqlite_url: str, tmp_path: Path) -> None:
    progress: list[int] = []

    def hook(message: Message) -> None:
        if isinstance(message, ExportScreen.Progressed):
            progress.append(message.written)

    app = console(store)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        # everything, in the default order: all 60 rows though the table holds pages of 10
        await export_to(pilot, tmp_path / "all.csv")
        assert (tmp_path / "all.csv").read_text(encoding="utf-8") == cli_list(sqlite_url, "--format", "csv")
        assert len((tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()) == 61
        assert "Exported 60 conversations to " + str(tmp_path / "all.csv") in [n.message for n in app._notifications]

        select = app.query_one("#filter-status", Select)
        select.focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"In progress", "enter")
        await settle(pilot)
        app.table.focus()
        await pilot.press("s")  # the next sort column
        await settle(pilot)
        filters, sort = app.table.filters, app.table.sort
        assert filters == ConversationFilter(statuses=frozenset({Status.IN_PROGRESS})) and sort != Sort()
        await export_to(pilot, tmp_path / "in_progress.csv")
        expected = cli_list(sqlite_url, "--format", "csv", "--status", "in_progress", "--sort", str(sort))
        assert (tmp_path / "in_progress.csv").read_text(encoding="utf-8") == expected
        assert len(expected.splitlines()) - 1 == store.count_conversations(filters) > 10
    assert 0 in progress  # the bar starts from the count


async def test_json_lines_hold_the_lists_objects_one_a_line(store: NamedStore, sqlite_url: str, tmp_path: Path) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await export_to(pilot, tmp_path / "all.ndjson", ndjson=True)
    text = (tmp_path / "all.ndjson").read_text(encoding="utf-8")
    assert text == cli_list(sqlite_url, "--format", "ndjson")
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows == json.loads(cli_list(sqlite_url, "--format", "json"))
    assert len(rows) == 60 and all(tuple(row) == LIST_KEYS for row in rows)


async def test_the_default_file_is_in_the_current_folder_named_with_todays_date(
    store: NamedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conversations-2026-11-24.csv").write_text("an older export", encoding="utf-8")
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        field = screen.query_one(Input)
        assert field.value == str(tmp_path / "conversations-2026-11-24-2.csv")  # today in Mexico City, not taken
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert field.value == str(tmp_path / "conversations-2026-11-24-2.ndjson")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert field.value == str(tmp_path / "conversations-2026-11-24-2.csv")

        # an existing file is replaced only on a second Enter
        field.value = "conversations-2026-11-24.csv"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and "exists: Enter again replaces it" in problem_text(screen)
        assert (tmp_path / "conversations-2026-11-24.csv").read_text(encoding="utf-8") == "an older export"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is not screen)
        assert (tmp_path / "conversations-2026-11-24.csv").read_text(encoding="utf-8").startswith("id,customer_phone,")
    assert default_path(export_module.date(2026, 11, 24), "csv", tmp_path).name == "conversations-2026-11-24-2.csv"


async def test_a_missing_folder_is_said_and_nothing_is_written(store: NamedStore, tmp_path: Path) -> None:
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_export(pilot, tmp_path / "nowhere" / "x.csv")
        await pilot.pause()
        assert app.screen is screen and problem_text(screen) == f"There is no folder {tmp_path / 'nowhere'}"
        screen.query_one(Input).value = str(tmp_path)
        await pilot.press("enter")
        await pilot.pause()
        assert problem_text(screen) == f"{tmp_path} is a folder: name a file in it"
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith("store.sqlite3")]


class Interrupted(NamedStore):
    """The fixture store, with ``on_row(n)`` called before the n-th row of a stream (to fail or to wait)."""

    on_row: Callable[[int], None] = staticmethod(lambda number: None)

    def iter_conversations(self, *args: Any, **kwargs: Any) -> Iterator[ConversationRow]:
        for number, row in enumerate(super().iter_conversations(*args, **kwargs)):
            self.on_row(number)
            yield row


@pytest.fixture
def interrupted(sqlite_url: str, clock: Clock) -> Iterator[Interrupted]:
    open_store(sqlite_url, clock, count=60).dispose()
    store = Interrupted.open(sqlite_url, clock)
    yield store  # type: ignore[misc]
    store.dispose()


async def start_export(pilot: Any, path: Path) -> ExportScreen:
    await settle(pilot)
    await pilot.press("e")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    screen.query_one(Input).value = str(path)
    await pilot.press("enter")
    return screen


async def test_a_failure_midway_leaves_no_file_and_the_dialog_open(interrupted: Interrupted, tmp_path: Path) -> None:
    def fail(number: int) -> None:
        if number == 25:
            raise BackendUnavailable("the store cannot be read: disk I/O error")

    interrupted.on_row = fail  # type: ignore[method-assign]
    out = tmp_path / "out"
    out.mkdir()
    app = console(interrupted)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_export(pilot, out / "all.csv")
        await wait_until(pilot, lambda: screen.running is None and bool(problem_text(screen)))
        assert app.screen is screen
        assert problem_text(screen) == "Not exported: the store cannot be read: disk I/O error"
        assert not screen.query_one(Input).disabled
    assert list(out.iterdir()) == []  # neither the file nor its partial


async def test_escape_stops_an_export_under_way_and_leaves_no_file(interrupted: Interrupted, tmp_path: Path) -> None:
    gate, started = threading.Event(), threading.Event()

    def wait(number: int) -> None:
        if number == 5:
            started.set()
            assert gate.wait(10)

    interrupted.on_row = wait  # type: ignore[method-assign]
    out = tmp_path / "out"
    out.mkdir()
    app = console(interrupted)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await start_export(pilot, out / "all.csv")
            await wait_until(pilot, started.is_set)
            worker = screen.running
            assert worker is not None
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.screen_stack[0]
            assert "Export stopped: no file written" in [n.message for n in app._notifications]
            assert [p.name for p in out.iterdir()] == [".all.csv.partial"]  # written while the export ran
            gate.set()
            await wait_until(pilot, lambda: not list(out.iterdir()))  # the writer saw the stop and cleaned up
            assert worker.is_cancelled
    finally:
        gate.set()
