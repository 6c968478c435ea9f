"""Saved views in the console: pick one to open (or delete), or save the current filters and sort under a name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from chatadmin.domain import ConversationFilter, Sort
from chatadmin.errors import ChatAdminError
from chatadmin.screens.common import literal_line
from chatadmin.text import one_line
from chatadmin.views import SavedView, ViewStore, check_name
from chatadmin.widgets.filter_form import describe
from chatadmin.widgets.footer import KeyFooter
from chatadmin.widgets.status import SORT_TITLES

DIALOG_CSS = """
{screen} {{ align: center middle; }}
{screen} > Vertical {{
    width: 80%; max-width: 90; height: auto; max-height: 80%;
    border: round $primary; background: $surface; padding: 0 1;
}}
{screen} .title {{ text-style: bold; }}
{screen} .hint {{ color: $text-muted; }}
{screen} .problem {{ color: $error; }}
{screen} OptionList, {screen} OptionList:focus {{ height: auto; max-height: 20; border: none; padding: 0; }}
"""


def summary(filters: ConversationFilter, sort: Sort, names: Mapping[str, str]) -> str:
    """``“luis” · Open · group Sales · by Created ▼``: what a view shows, in the filter bar's words."""
    chips = describe(filters, names) or ["every conversation"]
    arrow = "▼" if sort.descending else "▲"
    return " · ".join([*chips, f"by {SORT_TITLES.get(sort.key, sort.key.value)} {arrow}"])


def view_option(view: SavedView, names: Mapping[str, str]) -> Option:
    text = Content.assemble(literal_line(view.name, "bold"), "  ", literal_line(summary(view.filters, view.sort, names), "$text-muted"))
    return Option(text, id=view.name)


class ViewsScreen(ModalScreen[SavedView | None]):
    """The saved views: Enter opens one, d deletes it, n saves the current filters as a new one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="views.close"),
        Binding("enter", "open", "Open", id="views.open"),
        Binding("n,ctrl+s", "save", "Save current", id="views.save"),
        Binding("d,delete", "delete", "Delete", id="views.delete"),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(screen="ViewsScreen")

    def __init__(self, store: ViewStore, filters: ConversationFilter, sort: Sort, names: Mapping[str, str]) -> None:
        super().__init__()
        self.store = store
        self.filters = filters
        self.sort = sort
        self.names = names
        self.views: dict[str, SavedView] = {}
        self._deleting: str | None = None  # asked once; d again deletes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content("Saved views"), classes="title")
            yield Static(classes="hint", id="views-hint")
            yield OptionList(id="views-list")
            yield Static(id="views-problem", classes="problem")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._list()
        self.query_one(OptionList).focus()

    def _list(self, keep: str | None = None) -> None:
        options = self.query_one(OptionList)
        hint = self.query_one("#views-hint", Static)
        try:
            self.views = self.store.load()
        except ChatAdminError as exc:
            self.views = {}
            self._problem(exc.message)
        options.set_options([view_option(v, self.names) for v in self.views.values()])
        if self.views:
            hint.update(Content("Enter opens · n saves the current filters as a view · d deletes · Escape closes"))
            names = list(self.views)
            options.highlighted = names.index(keep) if keep in names else 0
        else:
            hint.update(Content("No saved views yet: n saves the current filters and sort under a name"))
        self.refresh_bindings()

    def _problem(self, text: str) -> None:
        self.query_one("#views-problem", Static).update(literal_line(text))

    @property
    def highlighted(self) -> SavedView | None:
        option = self.query_one(OptionList).highlighted_option
        return self.views.get(option.id) if option is not None and option.id is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "delete"):
            return self.highlighted is not None
        return True

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self._deleting = None
        self._problem("")
        self.refresh_bindings()

    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        view = self.highlighted
        if view is not None:
            self.dismiss(view)

    def action_delete(self) -> None:
        view = self.highlighted
        if view is None:
            return
        if self._deleting != view.name:
            self._deleting = view.name
            self._problem(f"Delete “{view.name}”? d again deletes it")
            return
        self._deleting = None
        try:
            self.store.delete(view.name)
        except ChatAdminError as exc:
            self._problem(exc.message)
            return
        self.notify(f"Deleted the view “{one_line(view.name)}”", markup=False)
        self._problem("")
        self._list()

    def action_save(self) -> None:
        def saved(view: SavedView | None) -> None:
            if view is not None:
                self._list(keep=view.name)

        self.app.push_screen(SaveViewScreen(self.store, self.filters, self.sort, self.names), saved)

    def action_close(self) -> None:
        self.dismiss(None)


class SaveViewScreen(ModalScreen[SavedView | None]):
    """Name the current filters and sort; Enter saves (a second Enter replaces a view of that name)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", id="save_view.cancel"),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(screen="SaveViewScreen")

    def __init__(
        self, store: ViewStore, filters: ConversationFilter, sort: Sort, names: Mapping[str, str], name: str = ""
    ) -> None:
        super().__init__()
        self.store = store
        self.filters = filters
        self.sort = sort
        self.names = names
        self.initial = name
        self._replacing: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content("Save the current view"), classes="title")
            yield Static(literal_line(summary(self.filters, self.sort, self.names)), classes="hint")
            yield Input(self.initial, placeholder="a name, e.g. Sales queue", id="save-view-name")
            yield Static(Content("Enter saves · Escape cancels"), classes="hint", id="save-view-hint")
            yield Static(id="save-view-problem", classes="problem")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _typed(self) -> None:
        self._replacing = None
        self.query_one("#save-view-problem", Static).update("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.query_one("#save-view-problem", Static)
        try:
            name = check_name(event.value)
            exists = name in self.store.load()
            if exists and self._replacing != name:
                self._replacing = name
                problem.update(literal_line(f"A view called “{name}” exists: Enter again replaces it"))
                return
            view = self.store.save(SavedView(name, self.filters, self.sort))
        except ChatAdminError as exc:
            problem.update(literal_line(exc.message))
            return
        self.notify(f"Saved the view “{view.name}”", markup=False)
        self.dismiss(view)

    def action_close(self) -> None:
        self.dismiss(None)
