"""Saved views in the console: saved under a name, still there in a new console, opened from a key or the palette."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList, Select, Static

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from chatadmin.config import Settings
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.screens.help import HelpScreen
from chatadmin.screens.panels import panel_commands
from chatadmin.screens.views import SaveViewScreen, ViewsScreen
from chatadmin.views import SavedView, ViewStore
from chatadmin.widgets.commands import commands
from tests.console_fixtures import NamedStore, open_store, settle, wait_until

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


@pytest.fixture
def config_home(own_config_dir: Path) -> Path:
    """The user's config directory: the test's own (tests/conftest.py)."""
    return own_config_dir


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    yield store
    store.dispose()


def console(store: NamedStore, view: SavedView | None = None) -> ChatAdminApp:
    return ChatAdminApp(store, refresh_seconds=3600, view=view)


def notifications(app: ChatAdminApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_saved_view_survives_a_restart(store: NamedStore) -> None:
    wanted = ConversationFilter(search="luis", statuses=frozenset({Status.CLOSED}))
    first = console(store)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"luis", "enter", "escape")
        select = first.query_one("#filter-status", Select)
        select.focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Closed", "enter")
        await settle(pilot)
        first.table.focus()
        await pilot.press("S")  # reverse the sort: oldest first
        await settle(pilot)
        assert first.table.filters == wanted and first.table.sort == Sort(descending=False)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(first.screen, SaveViewScreen)
        await pilot.press(*"Closed Luis", "enter")
        await pilot.pause()
        assert "Saved the view “Closed Luis”" in notifications(first)

    second = console(store)  # a new console: the view comes back from the file
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert second.table.filters.is_empty()
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(second.screen, ViewsScreen)
        assert second.screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert second.table.filters == wanted and second.table.sort == Sort(descending=False)
        assert second.table.total == store.count_conversations(wanted) > 0
        assert second.query_one("#filter-search", Input).value == "luis"
        assert second.query_one("#filter-status", Select).value == "closed"
        assert second.current_view == "Closed Luis"


async def test_a_view_naming_a_deleted_group_opens_with_a_warning_and_without_it(store: NamedStore) -> None:
    view = ViewStore().save(
        SavedView("old desk", ConversationFilter(groups=frozenset({"wholesale"}), statuses=frozenset({Status.OPEN})),
                  Sort(key=SortKey.CUSTOMER_NAME, descending=False))
    )  # fmt: skip
    app = console(store, view=view)  # as chatadmin --view "old desk" opens it
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        kept = ConversationFilter(statuses=frozenset({Status.OPEN}))
        assert app.table.filters == kept and app.table.sort == view.sort
        assert app.table.total == store.count_conversations(kept) > 0
        assert app.query_one("#filter-group", Select).value == Select.NULL
        assert "view 'old desk': group 'wholesale' no longer exists and is left out of the view" in notifications(app)
        assert not [w for w in app.workers if w.error is not None]


async def test_a_view_keeps_a_tag_no_conversation_has_now(store: NamedStore) -> None:
    view = ViewStore().save(SavedView("gone tag", ConversationFilter(tags=frozenset({"discontinued"})), Sort()))
    app = console(store, view=view)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")  # the drop-downs are filled again from the store
        await settle(pilot)
        await wait_until(pilot, lambda: app.table.total is not None)  # the count comes back on its own
        assert app.table.filters.tags == {"discontinued"} and app.table.total == 0
        assert app.query_one("#filter-tag", Select).value == "discontinued"


async def test_open_from_the_palette_and_delete_from_the_list(store: NamedStore) -> None:
    ViewStore().save(SavedView("Sales queue", ConversationFilter(groups=frozenset({"sales"})), Sort(key=SortKey.ID)))
    ViewStore().save(SavedView("[b]odd[/]", ConversationFilter(), Sort()))
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"views: open Sales queue")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette) and palette_hits(app) > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert app.table.filters == ConversationFilter(groups=frozenset({"sales"}))
        assert app.table.sort == Sort(key=SortKey.ID)
        # the palette reads markup: a name that could be markup is offered by number
        texts = [command.text for command in panel_commands(app)]
        assert "views: open number 2" in texts and not any("[b]" in t for t in texts)

        await pilot.press("v")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert list(ViewStore().load()) == ["Sales queue", "[b]odd[/]"]  # asked first
        await pilot.press("d")
        await pilot.pause()
        assert list(ViewStore().load()) == ["[b]odd[/]"]
        assert app.screen.query_one(OptionList).option_count == 1


async def test_saving_under_a_taken_name_asks_first(store: NamedStore) -> None:
    ViewStore().save(SavedView("mine", ConversationFilter(search="x"), Sort()))
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"mine", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveViewScreen)
        assert ViewStore().get("mine").filters.search == "x"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SaveViewScreen)
        assert ViewStore().get("mine").filters == ConversationFilter()


def palette_hits(app: Any) -> int:
    return app.screen.query_one(CommandList).option_count


async def test_a_key_remapped_in_the_config_file_works(store: NamedStore, config_home: Path) -> None:
    config_home.mkdir(parents=True, exist_ok=True)
    (config_home / "config.toml").write_text(
        '[keymap]\n"app.views" = "f2"\n"table.down" = "n"\n"no.such" = "x"\n', encoding="utf-8"
    )
    keymap = Settings().keymap
    app = console(store)
    app.set_keymap(keymap)  # what run_console does with the setting
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", "n")
        assert app.table.cursor == 2
        await pilot.press("v")
        await pilot.pause()
        assert not isinstance(app.screen, ViewsScreen)  # v is no longer the key
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ViewsScreen)
        assert "keymap: no key binding is called 'no.such' (chatadmin keys lists them)" in notifications(app)


def help_text(app: ChatAdminApp) -> str:
    return "\n".join(str(s.visual) for s in app.screen.query(".help-keys").results(Static))


async def test_help_and_the_palette_cover_panels_views_and_export(store: NamedStore) -> None:
    ViewStore().save(SavedView("Sales queue", ConversationFilter(groups=frozenset({"sales"})), Sort()))
    app = console(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        texts = [command.text for command in commands(app)]
        for wanted in ("agents: panel", "routing: panel", "export: the list", "views: save the current filters",
                       "views: list, open or delete", "views: open Sales queue"):  # fmt: skip
            assert wanted in texts
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = help_text(app)
        for key, what in (("a", "Agents"), ("R", "Routing"), ("v", "Views"), ("^s", "Save view"), ("e", "Export")):
            assert re.search(rf"^{re.escape(key)} +{what}$", keys, re.MULTILINE), (key, what)
        await pilot.press("escape", "a")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        keys = help_text(app)
        assert "Available / away" in keys and "Reload" in keys and "Export" not in keys
