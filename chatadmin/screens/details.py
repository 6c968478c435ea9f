"""View details of one conversation: its header, the full history, and the notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TabbedContent, TabPane

from chatadmin.backend import Backend
from chatadmin.domain import ConversationDetail, ConversationRow, Note, TransferResult
from chatadmin.screens.common import (
    WorkerOutcomes,
    customer_label,
    date_time,
    is_unexpected,
    literal_line,
    problem,
    status_label,
    zone_of,
)
from chatadmin.screens.error import ErrorScreen
from chatadmin.screens.history import conversation_entries, note_entries, note_entry
from chatadmin.screens.layout import Entry
from chatadmin.screens.timeline import Timeline
from chatadmin.screens.transfer import TransferScreen
from chatadmin.widgets.footer import KeyFooter

TABS = ("conversation", "notes")


@dataclass(frozen=True)
class Loaded:
    """What the load worker hands back: the detail, with the history already turned into entries."""

    detail: ConversationDetail
    history: list[Entry]
    notes: list[Entry]


def header(detail: ConversationDetail, zone: tzinfo) -> Content:
    """Customer, number, status, agent, group, tags, rating and its comment — untrusted parts literal."""
    row = detail.row
    muted = "$text-muted"
    first = Content.assemble(customer_label(row), ("  ·  ", muted), (row.id, muted))
    second = Content.assemble(
        status_label(row.status),
        ("  ·  Agent ", muted),
        literal_line(row.agent_name or row.agent or "none"),
        ("  ·  Group ", muted),
        literal_line(row.group_name or row.group or "none"),
        ("  ·  Created ", muted),
        date_time(row.created_at, zone),
    )
    tags = ", ".join(row.tags) if row.tags else "none"
    if row.rating is None:
        rating = Content.styled("none")
    else:
        rating = Content.styled("★" * row.rating + "☆" * (5 - row.rating), "$warning")
    third = Content.assemble(("Tags ", muted), literal_line(tags), ("  ·  Rating ", muted), rating)
    if detail.rating_comment:
        third = Content.assemble(third, "  “", literal_line(detail.rating_comment, "italic"), "”")
    return Content("\n").join([first, second, third])


class DetailsScreen(WorkerOutcomes, ModalScreen[bool]):
    """The seed's View details: Conversation and Notes tabs; Transfer one key away.

    Dismisses with True when something changed here (a note added, a transfer made).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="details.close"),
        Binding("t", "transfer", "Transfer", id="details.transfer"),
        Binding("c", "show_tab('conversation')", "Conversation", id="details.conversation"),
        Binding("n", "show_tab('notes')", "Notes", id="details.notes"),
    ]
    DEFAULT_CSS = """
    DetailsScreen { align: center middle; }
    DetailsScreen > #details {
        width: 94%; height: 92%; max-width: 140;
        border: round $primary; background: $surface; padding: 0 1;
    }
    DetailsScreen #details-header { height: auto; margin-bottom: 1; }
    DetailsScreen TabbedContent { height: 1fr; }
    DetailsScreen TabPane { padding: 0; height: 1fr; }
    DetailsScreen Timeline { height: 1fr; }
    DetailsScreen #notes > Vertical { height: 1fr; }
    DetailsScreen #note-input { margin-top: 1; }
    DetailsScreen #note-status { height: 1; color: $text-muted; }
    DetailsScreen #note-status.-error { color: $error; }
    """

    def __init__(self, backend: Backend, conversation_id: str, tab: str = "conversation") -> None:
        super().__init__()
        self.backend = backend
        self.conversation_id = conversation_id
        self._tab = tab if tab in TABS else "conversation"
        self._zone = zone_of(backend)
        self._row: ConversationRow | None = None
        self._changed = False
        self._discard_armed = False
        self._close_after_save = False

    @property
    def row(self) -> ConversationRow | None:
        """The conversation as last loaded (None until the first load finishes)."""
        return self._row

    def compose(self) -> ComposeResult:
        with Vertical(id="details"):
            yield Static(Content.styled(f"Loading {self.conversation_id}…", "$text-muted"), id="details-header")
            with TabbedContent(initial=self._tab, id="details-tabs"):
                with TabPane("Conversation", id="conversation"):
                    yield Timeline("Loading the conversation…", id="history")
                with TabPane("Notes", id="notes"), Vertical():
                    yield Timeline("Loading notes…", id="notes-list")
                    yield Input(placeholder="Add a note (Enter saves)", id="note-input")
                    yield Static(id="note-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._focus_tab(self._tab)
        self.load()

    # -- loading -----------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, exclusive=True, group="details-load", name="load")
    def load(self) -> Loaded:
        detail = self.backend.conversation_detail(self.conversation_id)
        agents = {agent.id: agent.name for agent in self.backend.list_agents()}
        groups = {group.id: group.name for group in self.backend.list_groups()}
        return Loaded(detail, conversation_entries(detail, agents, groups), note_entries(detail))

    def _show(self, loaded: Loaded) -> None:
        self._row = loaded.detail.row
        self.query_one("#details-header", Static).update(header(loaded.detail, self._zone))
        self.query_one("#history", Timeline).set_entries(loaded.history, self._zone, "No messages yet.")
        self.query_one("#notes-list", Timeline).set_entries(loaded.notes, self._zone, "No notes yet.")
        self.refresh_bindings()

    # -- notes -------------------------------------------------------------------------------

    @on(Input.Submitted, "#note-input")
    def _submit_note(self, event: Input.Submitted) -> None:
        text = event.value
        if not text.strip():
            self._note_status("A note needs some text.", error=True)
            return
        event.input.disabled = True
        self._note_status("Saving…")
        self.save_note(text)

    @on(Input.Changed, "#note-input")
    def _note_edited(self) -> None:
        self._discard_armed = False

    @work(thread=True, exit_on_error=False, exclusive=True, group="details-note", name="note")
    def save_note(self, text: str) -> Note:
        return self.backend.add_note(self.conversation_id, text)

    def _note_saved(self, note: Note) -> None:
        self._changed = True
        self.query_one("#notes-list", Timeline).append(note_entry(note))
        note_input = self.query_one("#note-input", Input)
        note_input.disabled = False
        note_input.clear()
        note_input.focus()
        self._note_status("Note saved.")
        if self._close_after_save:
            self.dismiss(self._changed)

    def _note_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#note-status", Static)
        status.update(literal_line(text))
        status.set_class(error, "-error")

    # -- worker outcomes ---------------------------------------------------------------------

    def worker_done(self, name: str, result: Any) -> None:
        if name == "load":
            self._show(result)
        elif name == "note":
            self._note_saved(result)

    def worker_failed(self, name: str, error: BaseException | None) -> None:
        if name == "note":
            self._close_after_save = False
            note_input = self.query_one("#note-input", Input)
            note_input.disabled = False
            note_input.focus()
            self._note_status(f"Not saved: {problem(error)}", error=True)
        else:
            self.query_one("#details-header", Static).update(
                Content.assemble(("Cannot show this conversation: ", "bold $error"), literal_line(problem(error)))
            )
            for timeline in self.query(Timeline):
                timeline.set_entries([], self._zone, "Nothing to show.")
        if is_unexpected(error):
            self.app.push_screen(ErrorScreen("Unexpected error", problem(error)))

    # -- actions -----------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self._focus_tab(tab)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id:
            self._focus_tab(event.pane.id)

    def _focus_tab(self, tab: str) -> None:
        target = "#note-input" if tab == "notes" else "#history"
        self.query_one(target).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "transfer" and self._row is None:
            return None  # shown dimmed until the conversation has loaded
        return True

    def action_transfer(self) -> None:
        if self._row is not None:
            self.app.push_screen(TransferScreen(self.backend, self._row), self._transferred)

    def _transferred(self, result: TransferResult | None) -> None:
        if result is not None:
            self._changed = True
            self.load()

    def action_close(self) -> None:
        note_input = self.query_one("#note-input", Input)
        if note_input.disabled:  # a note is being saved: close once it is
            self._close_after_save = True
            return
        if note_input.value.strip() and not self._discard_armed:
            self._discard_armed = True
            self._note_status("The note is not saved: Enter saves it, Escape again discards it.", error=True)
            self.query_one(TabbedContent).active = "notes"
            self.query_one("#notes-list").focus()  # so that c, n and t work again
            return
        self.dismiss(self._changed)
