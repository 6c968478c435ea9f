"""Export the filtered list from the console: every matching conversation to CSV or JSON lines, with progress.

The file is written by the same writers as ``chatadmin list --format csv|ndjson``, so for the
same filter and sort both give the same bytes. It is written next to its target under a
temporary name and renamed when complete: a failed or cancelled export leaves no half file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState, get_current_worker

from chatadmin.backend import Backend
from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, ConversationRow, Sort
from chatadmin.list_output import WRITERS
from chatadmin.screens.common import literal_line, problem
from chatadmin.screens.views import DIALOG_CSS, summary
from chatadmin.text import one_line
from chatadmin.widgets.footer import KeyFooter

# format -> (label, file extension)
FORMATS = {
    "csv": ("CSV: a spreadsheet (as chatadmin list --format csv)", ".csv"),
    "ndjson": ("JSON lines: one conversation a line (as --format ndjson)", ".ndjson"),
}
PROGRESS_EVERY = 500  # rows between progress messages


@dataclass(frozen=True)
class Exported:
    path: Path
    count: int
    fmt: str


class Cancelled(Exception):
    """The user stopped the export."""


def today_of(backend: Backend) -> date:
    clock = getattr(backend, "clock", None)
    return clock.today() if isinstance(clock, Clock) else date.today()


def default_path(day: date, fmt: str, folder: Path) -> Path:
    """``conversations-2026-11-24.csv`` in ``folder``, with ``-2``, ``-3``… when that file exists."""
    extension = FORMATS[fmt][1]
    stem = f"conversations-{day.isoformat()}"
    path = folder / f"{stem}{extension}"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{extension}"
        number += 1
    return path


def write_export(
    rows: Iterator[ConversationRow], target: Path, fmt: str, progress: Any = None, cancelled: Any = None
) -> int:
    """Write ``rows`` to ``target`` whole or not at all; ``progress(n)`` every few hundred rows."""
    partial = target.with_name(f".{target.name}.partial")
    written = 0

    def counted() -> Iterator[ConversationRow]:
        nonlocal written
        for row in rows:
            if cancelled is not None and cancelled():
                raise Cancelled
            yield row
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)

    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            WRITERS[fmt](counted(), out)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    return written


class ExportScreen(ModalScreen[Exported | None]):
    """Choose a format and a file, then watch every matching conversation go into it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", id="export.cancel"),
        Binding("ctrl+t", "next_format", "Format", id="export.format"),
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(screen="ExportScreen")
        + """
    ExportScreen RadioSet { width: 1fr; border: none; padding: 0; margin: 1 0; }
    ExportScreen ProgressBar { margin-top: 1; }
    ExportScreen .hidden { display: none; }
    """
    )

    class Progressed(Message):
        """So many rows are written (of ``total`` when known)."""

        def __init__(self, written: int, total: int | None) -> None:
            super().__init__()
            self.written = written
            self.total = total

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ExportScreen.Progressed)

    def __init__(
        self,
        backend: Backend,
        filters: ConversationFilter,
        sort: Sort,
        names: Mapping[str, str],
        *,
        total: int | None = None,
        folder: Path | None = None,
    ) -> None:
        """``total``: how many conversations the list shows now (the export counts again as it starts)."""
        super().__init__()
        self.total = total
        self.backend = backend
        self.filters = filters
        self.sort = sort
        self.names = names
        self.folder = folder or Path.cwd()
        self.fmt = "csv"
        self.running: Worker[Exported] | None = None
        self._replacing: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            what = "the list" if self.total is None else f"{self.total:,} conversation{'' if self.total == 1 else 's'}"
            yield Static(Content(f"Export {what}"), classes="title")
            yield Static(literal_line(summary(self.filters, self.sort, self.names)), classes="hint")
            with RadioSet(id="export-format"):
                for key, (label, _) in FORMATS.items():
                    yield RadioButton(label, value=key == self.fmt, name=key)
            yield Input(str(default_path(today_of(self.backend), self.fmt, self.folder)), id="export-path")
            yield Static(Content("Enter exports · Tab to the format · Escape cancels"), classes="hint", id="export-hint")
            yield ProgressBar(id="export-progress", show_eta=True, classes="hidden")
            yield Static(id="export-problem", classes="problem")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    # -- choosing --------------------------------------------------------------------------------

    @on(RadioSet.Changed)
    def _format_chosen(self, event: RadioSet.Changed) -> None:
        self._set_format(event.pressed.name or "csv")

    def _set_format(self, fmt: str) -> None:
        old, self.fmt = self.fmt, fmt
        field = self.query_one(Input)
        path = Path(field.value)
        if path.suffix == FORMATS[old][1]:
            field.value = str(path.with_suffix(FORMATS[fmt][1]))

    def action_next_format(self) -> None:
        if self.running is not None:
            return
        keys = list(FORMATS)
        fmt = keys[(keys.index(self.fmt) + 1) % len(keys)]
        buttons = list(self.query(RadioButton))
        buttons[keys.index(fmt)].value = True  # RadioSet.Changed follows, and sets the format

    @on(Input.Changed)
    def _typed(self) -> None:
        self._replacing = None
        self._problem("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.running is not None:
            return
        text = event.value.strip()
        if not text:
            self._problem("Type the file to write")
            return
        target = Path(text).expanduser()
        if not target.is_absolute():
            target = self.folder / target
        if target.is_dir():
            self._problem(f"{target} is a folder: name a file in it")
            return
        if not target.parent.is_dir():
            self._problem(f"There is no folder {target.parent}")
            return
        if target.exists() and self._replacing != target:
            self._replacing = target
            self._problem(f"{target.name} exists: Enter again replaces it")
            return
        self._start(target)

    def _problem(self, text: str) -> None:
        self.query_one("#export-problem", Static).update(literal_line(text))

    # -- writing ---------------------------------------------------------------------------------

    def _start(self, target: Path) -> None:
        self._problem("")
        self.query_one(RadioSet).disabled = True
        self.query_one(Input).disabled = True
        bar = self.query_one(ProgressBar)
        bar.remove_class("hidden")
        bar.update(total=None, progress=0)
        self.query_one("#export-hint", Static).update(Content(f"Writing {one_line(target.name)}… Escape stops"))
        self.running = self.export(target, self.fmt)

    @work(thread=True, exit_on_error=False, exclusive=True, group="export", name="export", description="exporting")
    def export(self, target: Path, fmt: str) -> Exported:
        worker = get_current_worker()
        total = self.backend.count_conversations(self.filters)
        self.post_message(self.Progressed(0, total))
        rows = self.backend.iter_conversations(self.filters, self.sort)
        count = write_export(
            rows, target, fmt,
            progress=lambda n: self.post_message(self.Progressed(n, max(n, total))),
            cancelled=lambda: worker.is_cancelled,
        )  # fmt: skip
        return Exported(target, count, fmt)

    def on_export_screen_progressed(self, message: Progressed) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.written)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.running:
            return
        if event.state is WorkerState.SUCCESS:
            result: Exported = event.worker.result  # type: ignore[assignment]
            self.query_one(ProgressBar).update(total=max(result.count, 1), progress=max(result.count, 1))
            self.running = None
            self.dismiss(result)
        elif event.state is WorkerState.ERROR:
            self.running = None
            self.query_one(RadioSet).disabled = False
            self.query_one(Input).disabled = False
            self.query_one(ProgressBar).add_class("hidden")
            self.query_one("#export-hint", Static).update(Content("Enter tries again · Escape cancels"))
            error = event.worker.error
            reason = f"{error.strerror}: {error.filename}" if isinstance(error, OSError) and error.strerror else problem(error)
            self._problem(f"Not exported: {reason}")
            self.query_one(Input).focus()

    def action_close(self) -> None:
        if self.running is not None:
            self.running.cancel()  # the writer stops at its next row and removes its partial file
            self.running = None
            self.notify("Export stopped: no file written", severity="warning")
        self.dismiss(None)
