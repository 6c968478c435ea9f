"""The footer: the keys that apply now, one painted line, no widgets mounted when the focus moves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.screen import Screen

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from chatadmin.screens.help import HelpScreen
from chatadmin.widgets.footer import KeyFooter, footer_items
from tests.console_fixtures import NamedStore, open_store, settle

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    store = open_store(sqlite_url, clock)
    yield store
    store.dispose()


def footer_line(app: ChatAdminApp) -> str:
    """The bottom line as painted."""
    return app.screen._compositor.render_strips()[-1].text


async def test_moving_the_focus_changes_the_keys_shown_without_mounting_or_laying_out(
    store: NamedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[Screen[object]] = []
    lay_out = Screen._refresh_layout

    def counted(screen: Screen[object], *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        layouts.append(screen)
        lay_out(screen, *args, **kwargs)

    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        widgets = len(list(app.screen.walk_children()))
        assert "s Sort" in footer_line(app)
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await pilot.press("slash")
        await settle(pilot)
        typing = footer_line(app)
        assert "s Sort" not in typing and "/ Search" not in typing  # letters are typed here
        assert "esc" in typing
        await pilot.press("escape")
        await settle(pilot)
        assert "s Sort" in footer_line(app)
        assert layouts == []
        assert len(list(app.screen.walk_children())) == widgets


@pytest.mark.parametrize("width", [80, 120])
async def test_every_key_shown_is_whole_and_the_palette_keeps_the_right_edge(store: NamedStore, width: int) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        line = footer_line(app)
        assert len(line) == width and line.rstrip().endswith("▏^p palette")
        items, _ = footer_items(app.screen)
        left = line[: line.index("▏")]
        drawn = [item for item in items if f" {item.shown} {item.description}" in left]
        assert drawn == list(items[: len(drawn)])  # in order, from the first
        # what follows the last whole key is blank: no key cut in half
        end = left.index(f" {drawn[-1].shown} {drawn[-1].description}") + len(f" {drawn[-1].shown} {drawn[-1].description}")
        assert left[end:].strip() == ""


async def test_a_click_on_a_key_presses_it(store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        x = footer_line(app).index("? Help")
        await pilot.click(KeyFooter, offset=(x + 2, 0))
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
