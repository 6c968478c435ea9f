"""The seed's "⋯" menu of a conversation: view details, transfer, and what the role allows."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Offset, Region
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from chatadmin.domain import ConversationRow, Principal, Status
from chatadmin.errors import PermissionDenied
from chatadmin.permissions import Action, check, require_admin_section
from chatadmin.screens.common import literal_line

# (action, label, accelerator): the accelerator is the label's first letter
ITEMS: tuple[tuple[Action, str], ...] = (
    (Action.VIEW, "View details"),
    (Action.TRANSFER, "Transfer"),
    (Action.CLOSE, "Close"),
    (Action.REOPEN, "Reopen"),
    (Action.UNASSIGN, "Unassign"),
    (Action.TAGS, "Edit tags"),
)
MENU_WIDTH = 32


def applies(action: Action, row: ConversationRow) -> bool:
    """Whether ``action`` makes sense for the conversation as it is now."""
    closed = row.status is Status.CLOSED
    if action in (Action.TRANSFER, Action.CLOSE):
        return not closed
    if action is Action.REOPEN:
        return closed
    if action is Action.UNASSIGN:
        return not closed and row.agent is not None
    return True


def permitted(principal: Principal, action: Action, row: ConversationRow) -> bool:
    """The role allows ``action`` on a conversation of this group (as the store will check)."""
    try:
        check(principal, action, row.group)
    except PermissionDenied:
        return False
    return True


def menu_actions(row: ConversationRow, principal: Principal) -> list[Action]:
    """The actions the menu offers, in menu order."""
    return [action for action, _ in ITEMS if applies(action, row) and permitted(principal, action, row)]


def menu_note(row: ConversationRow, principal: Principal, offered: list[Action]) -> str:
    """Why the role offers fewer actions than the conversation's state would allow."""
    possible = [action for action, _ in ITEMS if applies(action, row)]
    if len(offered) == len(possible):
        return ""
    try:
        require_admin_section(principal)
    except PermissionDenied:
        return "No actions for your role"
    return "No actions: not your group" if not offered else "Limited by your role"


def place(anchor: Region | None, size: tuple[int, int], screen: Region) -> Offset | None:
    """Where the menu's top left goes: under the anchor row's right end, or above it when there is no room."""
    if anchor is None:
        return None
    width, height = size
    x = min(max(anchor.right - width, 0), max(screen.width - width, 0))
    y = anchor.bottom
    if y + height > screen.height:
        y = anchor.y - height
    return Offset(x, max(min(y, screen.height - height), 0))


class RowMenuScreen(ModalScreen[str | None]):
    """A small menu near the highlighted row; dismisses with an ``Action`` value, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="row_menu.cancel"),
        Binding("j", "cursor(1)", "Next", show=False, id="row_menu.next"),
        Binding("k", "cursor(-1)", "Previous", show=False, id="row_menu.previous"),
        *(
            Binding(label[0].lower(), f"pick('{action.value}')", label, show=False, id=f"row_menu.{action.value}")
            for action, label in ITEMS
        ),
    ]
    DEFAULT_CSS = f"""
    RowMenuScreen {{ align: center middle; background: $background 40%; }}
    RowMenuScreen.-anchored {{ align: left top; }}
    RowMenuScreen > #menu {{
        width: {MENU_WIDTH}; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }}
    RowMenuScreen #menu-title {{ height: 1; color: $text-muted; }}
    RowMenuScreen OptionList, RowMenuScreen OptionList:focus {{
        height: auto; border: none; padding: 0; background: $surface;
    }}
    RowMenuScreen #menu-note {{ height: 1; color: $text-muted; text-style: italic; }}
    RowMenuScreen .hidden {{ display: none; }}
    """

    def __init__(self, row: ConversationRow, principal: Principal, *, anchor: Region | None = None) -> None:
        super().__init__()
        self.row = row
        self.principal = principal
        self.anchor = anchor
        self.offered = menu_actions(row, principal)
        self.note = menu_note(row, principal, self.offered)

    def compose(self) -> ComposeResult:
        with Vertical(id="menu"):
            title = literal_line(self.row.customer_name.strip() or self.row.id, "bold")
            yield Static(title.truncate(MENU_WIDTH - 4, ellipsis=True), id="menu-title")
            yield OptionList(*self._options(), id="menu-options")
            yield Static(Content(self.note), id="menu-note", classes="" if self.note else "hidden")

    def _options(self) -> list[Option]:
        labels = dict(ITEMS)
        options = []
        for action in self.offered:
            label = labels[action]
            prompt = Content.assemble((label[0], "bold underline $accent"), label[1:])
            options.append(Option(prompt, id=action.value))
        return options

    def on_mount(self) -> None:
        height = 2 + 1 + len(self.offered) + (1 if self.note else 0)  # border, title, options, note
        offset = place(self.anchor, (MENU_WIDTH, height), Region(0, 0, *self.app.size))
        if offset is not None:
            self.add_class("-anchored")
            self.query_one("#menu").styles.offset = (offset.x, offset.y)
        options = self.query_one(OptionList)
        options.focus()
        if self.offered:
            options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":
            return parameters[0] in self.offered
        return True

    def action_pick(self, action: str) -> None:
        self.dismiss(action)

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        (options.action_cursor_down if step > 0 else options.action_cursor_up)()

    def action_cancel(self) -> None:
        self.dismiss(None)
