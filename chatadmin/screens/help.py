"""The keys of the console: every active binding, grouped, with what it does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from chatadmin.widgets.footer import KeyFooter

HelpEntry = tuple[str, str, str]  # (key, description, group)
HelpSource = Mapping[str, ActiveBinding] | Iterable[HelpEntry | Binding | ActiveBinding]
GENERAL = "General"


def help_entries(bindings: HelpSource, app: App[object]) -> list[HelpEntry]:
    """(key, description, group) for each binding with a description, first occurrence first.

    Takes ``(key, description, group)`` tuples, ``Binding`` objects, ``ActiveBinding`` tuples,
    or a screen's ``active_bindings`` mapping. A binding's group is its ``Binding.Group``
    description, else the ``BINDING_GROUP_TITLE`` of the widget that holds it, else "General".
    """
    items = bindings.values() if isinstance(bindings, Mapping) else bindings
    seen: dict[tuple[str, str], HelpEntry] = {}
    for item in items:
        if isinstance(item, ActiveBinding):
            binding, group = item.binding, item.node.BINDING_GROUP_TITLE or GENERAL
        elif isinstance(item, Binding):
            binding, group = item, GENERAL
        else:
            key, description, group = item
            seen.setdefault((key, description), (key, description, group or GENERAL))
            continue
        if not binding.description:
            continue
        if binding.group is not None and binding.group.description:
            group = binding.group.description
        key = app.get_key_display(binding)
        seen.setdefault((key, binding.description), (key, binding.description, group))
    return list(seen.values())


def grouped(entries: Iterable[HelpEntry]) -> dict[str, list[HelpEntry]]:
    groups: dict[str, list[HelpEntry]] = {}
    for entry in entries:
        groups.setdefault(entry[2], []).append(entry)
    return groups


class HelpScreen(ModalScreen[None]):
    """Scrollable list of keys; Escape or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("question_mark", "close", "Close help", key_display="?", id="help.toggle"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="help.up"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > #help {
        width: 80%; max-width: 90; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; }
    HelpScreen VerticalScroll { height: 1fr; }
    HelpScreen .help-group { text-style: bold; color: $accent; margin-top: 1; }
    """

    def __init__(self, bindings: HelpSource) -> None:
        super().__init__()
        self._source = bindings

    def compose(self) -> ComposeResult:
        entries = help_entries(self._source, self.app)
        width = max((cell_len(key) for key, _, _ in entries), default=1) + 2
        with Vertical(id="help"):
            yield Static(Content.assemble("Keys", ("  ·  Escape or ? closes", "$text-muted")), id="help-title")
            with VerticalScroll(id="help-keys"):
                if not entries:
                    yield Static(Content("No keys are bound here."))
                for group, rows in grouped(entries).items():
                    yield Static(Content(group), classes="help-group")
                    lines = [
                        Content.assemble((key.ljust(width - cell_len(key) + len(key)), "bold $secondary"), description)
                        for key, description, _ in rows
                    ]
                    yield Static(Content("\n").join(lines), classes="help-keys")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one(VerticalScroll)
        (scroll.scroll_down if direction == "down" else scroll.scroll_up)()

    def action_close(self) -> None:
        self.dismiss(None)
