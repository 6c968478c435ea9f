"""Edit a conversation's tags: comma separated, with the store's known tags as suggestions."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from chatadmin.backend import Backend
from chatadmin.domain import ConversationRow
from chatadmin.screens.common import (
    WorkerOutcomes,
    customer_label,
    is_unexpected,
    literal_line,
    problem,
)
from chatadmin.screens.error import ErrorScreen
from chatadmin.widgets.footer import KeyFooter

SHOWN_TAGS = 40


def parse_tags(text: str) -> list[str]:
    """The comma separated tags of ``text``: trimmed, without blanks or repeats, in order."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        tag = part.strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def last_token(text: str) -> tuple[list[str], str]:
    """The tags before the last comma, and what is being typed after it."""
    head, _, token = text.rpartition(",")
    return parse_tags(head), token.lstrip()


class TagSuggester(Suggester):
    """Completes the tag being typed (after the last comma) from the known tags."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags: list[str] = []

    async def get_suggestion(self, value: str) -> str | None:
        before, token = last_token(value)
        if not token:
            return None
        lowered = token.lower()
        for tag in self.tags:
            if tag not in before and len(tag) > len(token) and tag.lower().startswith(lowered):
                return value + tag[len(token) :]
        return None


class TagsScreen(WorkerOutcomes, ModalScreen[ConversationRow | None]):
    """Dismisses with the conversation after the change, or None when nothing changed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="tags.cancel"),
    ]
    DEFAULT_CSS = """
    TagsScreen { align: center middle; }
    TagsScreen > #tags {
        width: 80%; max-width: 90; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    TagsScreen #tags-title { margin-bottom: 1; }
    TagsScreen #tags-hint, TagsScreen #tags-known { color: $text-muted; }
    TagsScreen #tags-known { margin-top: 1; }
    TagsScreen #tags-error { color: $error; }
    """

    def __init__(self, backend: Backend, row: ConversationRow) -> None:
        super().__init__()
        self.backend = backend
        self.row = row
        self.suggester = TagSuggester()
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="tags"):
            yield Static(
                Content.assemble(("Edit tags  ", "bold"), customer_label(self.row), ("  ·  ", "$text-muted"), self.row.id),
                id="tags-title",
            )
            yield Input(
                ", ".join(self.row.tags), placeholder="vip, refund", suggester=self.suggester,
                select_on_focus=False, id="tags-input",
            )
            yield Static(Content("Comma separated · → completes a known tag · Enter saves · Escape cancels"), id="tags-hint")
            yield Static(Content("Loading known tags…"), id="tags-known")
            yield Static(id="tags-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="tags-load", name="load")
    def load(self) -> list[str]:
        return self.backend.list_tags()

    @work(thread=True, exit_on_error=False, exclusive=True, group="tags-save", name="save")
    def save(self, tags: list[str]) -> ConversationRow:
        return self.backend.set_tags(self.row.id, tags, expected_version=self.row.version)

    def worker_done(self, name: str, result: Any) -> None:
        if name == "load":
            self.suggester.tags = list(result)
            self._show_known(self.query_one(Input).value)
        else:
            self.dismiss(result)

    def worker_failed(self, name: str, error: BaseException | None) -> None:
        self.busy = False
        self.query_one(Input).disabled = False
        self.query_one(Input).focus()
        prefix = "Not saved: " if name == "save" else "Known tags unavailable: "
        self.query_one("#tags-error", Static).update(literal_line(prefix + problem(error)))
        if is_unexpected(error):
            self.app.push_screen(ErrorScreen("Unexpected error", problem(error)))

    @on(Input.Changed, "#tags-input")
    def _changed(self, event: Input.Changed) -> None:
        self._show_known(event.value)

    def _show_known(self, value: str) -> None:
        """The known tags not yet given that start like the one being typed."""
        if not self.suggester.tags:
            self.query_one("#tags-known", Static).update(Content("No tags in the store yet."))
            return
        before, token = last_token(value)
        lowered = token.lower()
        fitting = [t for t in self.suggester.tags if t not in before and t.lower().startswith(lowered)]
        shown = [literal_line(tag, "$accent") for tag in fitting[:SHOWN_TAGS]]
        more = [Content(f"+{len(fitting) - SHOWN_TAGS} more")] if len(fitting) > SHOWN_TAGS else []
        listing = Content(" · ").join(shown + more) if shown else Content("no known tag starts like that")
        self.query_one("#tags-known", Static).update(Content.assemble("Known tags: ", listing))

    @on(Input.Submitted, "#tags-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.busy:
            return
        tags = parse_tags(event.value)
        if sorted(tags) == sorted(self.row.tags):
            self.dismiss(None)
            return
        self.busy = True
        event.input.disabled = True
        self.query_one("#tags-error", Static).update(Content("Saving…"))
        self.save(tags)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)
