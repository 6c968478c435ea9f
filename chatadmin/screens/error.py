"""A modal for unexpected failures: the message as it is, closed with Enter or Escape."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from chatadmin.screens.common import literal, literal_line
from chatadmin.text import strip_controls
from chatadmin.widgets.footer import KeyFooter


class ErrorScreen(ModalScreen[None]):
    """Shows ``title`` and ``message`` literally (never as markup, without terminal controls)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", id="error.close"),
        Binding("c", "copy", "Copy message", id="error.copy"),
    ]
    DEFAULT_CSS = """
    ErrorScreen { align: center middle; }
    ErrorScreen > #error {
        width: 80%; max-width: 90; height: auto; max-height: 80%;
        border: round $error; background: $surface; padding: 0 1;
    }
    ErrorScreen #error-title { text-style: bold; color: $error; margin-bottom: 1; }
    ErrorScreen VerticalScroll { height: auto; max-height: 20; }
    ErrorScreen #error-hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error"):
            yield Static(literal_line(self.title_text), id="error-title")
            with VerticalScroll():
                yield Static(literal(self.message), id="error-message")
            yield Static(literal_line("Enter or Escape closes · c copies the message"), id="error-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(strip_controls(self.message))
        self.notify("Error message copied", timeout=2)

    def action_close(self) -> None:
        self.dismiss(None)
