"""The command palette's commands (``area: verb``), built for what is on screen now."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from chatadmin.domain import Sort
from chatadmin.permissions import Action
from chatadmin.widgets.columns import SORTABLE

if TYPE_CHECKING:
    from chatadmin.app import ChatAdminApp

_PLAIN_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True)
class Command:
    text: str
    help: str
    run: Callable[[], object]


def commands(app: ChatAdminApp) -> Iterator[Command]:
    """Every command that applies now; conversation commands name the highlighted row."""
    row = app.table.current_row
    if row is not None:
        # the palette reads help text as markup: name only what cannot be markup
        who = row.id if _PLAIN_ID.fullmatch(row.id) else "the highlighted conversation"
        for action, verb, text in (
            (Action.VIEW, "details", "history and notes of"),
            (Action.TRANSFER, "transfer", "transfer"),
            (Action.CLOSE, "close", "close"),
            (Action.REOPEN, "reopen", "reopen"),
            (Action.UNASSIGN, "unassign", "unassign"),
            (Action.TAGS, "tags", "edit the tags of"),
        ):
            if app.can(action, row):
                yield Command(f"conversation: {verb}", f"{text} {who}", lambda a=action, r=row: app.perform(a, r))
        yield Command("conversation: actions ⋯", f"the menu of {who}", app.action_menu)
    yield Command("filter: search", "type a customer's name or number", app.action_focus_search)
    if not app.table.filters.is_empty():
        yield Command("filter: clear", "show every conversation", app.action_clear_filters)
    for column in SORTABLE:
        assert column.sort is not None
        for descending, way in ((False, "ascending"), (True, "descending")):
            sort = Sort(key=column.sort, descending=descending)
            if sort != app.table.sort:
                yield Command(
                    f"sort: by {column.title.lower()} ({way})",
                    f"order the list by {column.title.lower()}, {way}",
                    lambda s=sort: app.set_sort(s),
                )
    yield Command("view: refresh", "read metrics and the list again now", app.action_refresh)
    columns = "fit the columns to the screen" if app.table.all_columns else "show every column (scroll sideways)"
    yield Command("view: columns", columns, app.table.action_toggle_columns)
    from chatadmin.screens.panels import panel_commands

    yield from panel_commands(app)
    yield from app.triage_commands()
    yield Command("help: keys", "every key of this screen", app.action_help)


class ConsoleCommands(Provider):
    """The console's own commands, next to Textual's system commands."""

    def _commands(self) -> list[Command]:
        from chatadmin.app import ChatAdminApp

        app = self.app
        if not isinstance(app, ChatAdminApp) or not app.main_screen_ready:
            return []
        if self.screen is not app.screen_stack[0]:
            return []  # opened over a panel or a dialog: the list's commands do not apply there
        return list(commands(cast(ChatAdminApp, app)))

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.text, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.text)
            if score > 0:
                yield Hit(score, matcher.highlight(command.text), command.run, text=command.text, help=command.help)
