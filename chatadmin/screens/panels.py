"""What the console opens beyond its list: the agents and routing panels, saved views and export.

The app's actions for them, as a mixin of :class:`chatadmin.app.ChatAdminApp`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual import work

from chatadmin.backend import Backend
from chatadmin.errors import ChatAdminError
from chatadmin.text import one_line
from chatadmin.views import SavedView, ViewStore, resolve
from chatadmin.widgets.commands import Command

PLAIN_NAME = re.compile(r"[^\[\]$\\\x00-\x1f\x7f-\x9f]{1,64}")

if TYPE_CHECKING:
    from chatadmin.widgets.filters import FilterBar
    from chatadmin.widgets.table import ConversationTable


class PanelActions:
    """Opens the agents panel (a), the routing panel (R), saved views (v, ctrl+s) and export (e); checks the keymap."""

    backend: Backend
    views: ViewStore
    current_view: str | None
    refresh_seconds: float
    table: ConversationTable
    filter_bar: FilterBar
    push_screen: Any
    call_from_thread: Any
    say: Any
    poll_now: Any
    action_refresh: Any
    _keymap_unknown: tuple[str, ...] = ()

    def set_keymap(self, keymap: dict[str, str]) -> None:
        """Remap keys by binding id; ids that name no binding are said once the console is up."""
        from chatadmin.screens.keymap import unknown_ids

        super().set_keymap(keymap)  # type: ignore[misc]
        self._keymap_unknown = tuple(unknown_ids(keymap))

    def on_mount(self) -> None:
        if self._keymap_unknown:
            names = ", ".join(repr(one_line(i)) for i in self._keymap_unknown)
            self.say(f"keymap: no key binding is called {names} (chatadmin keys lists them)", severity="warning")

    def action_agents(self) -> None:
        from chatadmin.screens.agents_panel import AgentsPanelScreen

        self.push_screen(AgentsPanelScreen(self.backend, refresh_seconds=self.refresh_seconds), lambda _: self.poll_now())

    def action_routing(self) -> None:
        from chatadmin.screens.routing_panel import RoutingPanelScreen

        self.push_screen(RoutingPanelScreen(self.backend), lambda _: self.action_refresh())

    # -- saved views ----------------------------------------------------------------------------

    def action_views(self) -> None:
        from chatadmin.screens.views import ViewsScreen

        screen = ViewsScreen(self.views, self.table.filters, self.table.sort, self.filter_bar.names)
        self.push_screen(screen, lambda view: self.open_view(view) if view is not None else None)

    def action_save_view(self) -> None:
        from chatadmin.screens.views import SaveViewScreen

        table, names = self.table, self.filter_bar.names
        screen = SaveViewScreen(self.views, table.filters, table.sort, names, self.current_view or "")
        self.push_screen(screen, self._view_saved)

    def _view_saved(self, view: SavedView | None) -> None:
        if view is not None:
            self.current_view = view.name

    def open_view(self, view: SavedView) -> None:
        """Show a saved view; its groups and agents that no longer exist are left out, with a warning."""
        self._resolve_view(view)

    @work(thread=True, exit_on_error=False, group="view", description="opening a saved view")
    def _resolve_view(self, view: SavedView) -> None:
        groups = [g.id for g in self.backend.list_groups()] if view.filters.groups else []
        agents = [a.id for a in self.backend.list_agents()] if view.filters.agents else []
        resolved, warnings = resolve(view, groups, agents)
        self.call_from_thread(self._show_view, resolved, warnings)

    def _show_view(self, view: SavedView, warnings: list[str]) -> None:
        filters, left_out = self.filter_bar.show_filters(view.filters)
        self.table.set_query(filters, view.sort)
        self.current_view = view.name
        for warning in [*warnings, *(f"view {view.name!r}: {text}" for text in left_out)]:
            self.say(warning, severity="warning")
        self.say(f"View “{view.name}”")

    # -- export ---------------------------------------------------------------------------------

    def action_export(self) -> None:
        from chatadmin.screens.export import ExportScreen

        table = self.table
        screen = ExportScreen(self.backend, table.filters, table.sort, self.filter_bar.names, total=table.total)
        self.push_screen(screen, self._exported)

    def _exported(self, result: object) -> None:
        from chatadmin.screens.export import Exported

        if isinstance(result, Exported):
            self.say(f"Exported {result.count:,} conversations to {result.path}")


def panel_commands(app: Any) -> Iterator[Command]:
    """The palette's commands for the panels, saved views and export (``area: verb``)."""
    yield Command("agents: panel", "availability, load and groups of every agent; each group's day", app.action_agents)
    yield Command("routing: panel", "each group's routing rule, members, availability and caps", app.action_routing)
    yield Command("export: the list", "every conversation the filters match, to CSV or JSON lines", app.action_export)
    yield Command("views: save the current filters", "under a name, to open again later (ctrl+s)", app.action_save_view)
    yield Command("views: list, open or delete", "the saved views (v)", app.action_views)
    try:
        saved = app.views.load()
    except ChatAdminError:
        return  # the views list says what is wrong with the file
    for number, view in enumerate(saved.values(), 1):
        # the palette reads its text as markup: name only what cannot be markup
        if PLAIN_NAME.fullmatch(view.name):
            text, help_text = f"views: open {view.name}", "the saved view's filters and sort"
        else:
            text, help_text = f"views: open number {number}", "a saved view whose name the list (v) shows"
        yield Command(text, help_text, lambda v=view: app.open_view(v))
