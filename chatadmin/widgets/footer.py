"""The footer: the keys that apply now, drawn as one line of one widget.

Textual's Footer mounts a widget per key and composes them all again whenever the focused
widget's bindings change: "/" to the search, escape back to the list, a drop-down opened or
closed. Each time a dozen widgets were unmounted, mounted and laid out with the whole screen
(30-60 ms on the main thread of a 2-core machine), in the very frames that were to show a
search's or a filter's rows. This footer shows the same keys in the same look, repainting one
line when they change. A click on a key presses it, as on Textual's footer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen


DIM = Style(dim=True)


def _width(parts: list[tuple[str, Style]]) -> int:
    return sum(cell_len(text) for text, _ in parts)


class FooterItem(NamedTuple):
    key: str  # the key pressed when the item is clicked
    shown: str  # how the key is written (``⏎``, ``^r``)
    description: str
    enabled: bool


def footer_items(screen: Screen[Any]) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
    """The keys a footer on ``screen`` shows, one per action, and the command palette's key."""
    app = screen.app
    items: dict[str, FooterItem] = {}
    for _, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.show and binding.action not in items:
            items[binding.action] = FooterItem(binding.key, app.get_key_display(binding), binding.description, enabled)
    palette = None
    if app.ENABLE_COMMAND_PALETTE and (found := screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)):
        _, binding, enabled, _tooltip = found
        palette = FooterItem(binding.key, app.get_key_display(binding), binding.description, enabled)
        items.pop(binding.action, None)
    return tuple(items.values()), palette


class KeyFooter(Widget, can_focus=False):
    """The keys that apply now, at the bottom of a screen, in the look of Textual's Footer."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--description", "key-footer--edge"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        & > .key-footer--description {
            color: $footer-description-foreground; background: $footer-description-background;
        }
        & > .key-footer--edge { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: tuple[FooterItem, ...] = ()
        self._palette: FooterItem | None = None
        self._spans: list[tuple[int, int, FooterItem]] = []  # where each item was drawn, for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if not screen.app.app_focus or screen is not self.screen:
            return  # as Textual's footer: keep what it shows while the terminal is not focused
        items, palette = footer_items(screen)
        if (items, palette) != (self._items, self._palette):
            self._items, self._palette = items, palette
            self.refresh()

    def render(self) -> Content:
        key = self.get_visual_style("key-footer--key")
        description = self.get_visual_style("key-footer--description")
        styles = {True: (key, description), False: (key + DIM, description + DIM)}

        def drawn(item: FooterItem) -> list[tuple[str, Style]]:
            key_style, description_style = styles[item.enabled]
            return [(f" {item.shown} ", key_style), (f"{item.description} ", description_style)][: 1 + bool(item.description)]

        right: list[tuple[str, Style]] = []
        if self._palette is not None:  # at the right edge, after a thin rule: "▏^p palette "
            key_style, description_style = styles[self._palette.enabled]
            right = [
                ("▏", self.get_visual_style("key-footer--edge")),
                (self._palette.shown, key_style),
                (f" {self._palette.description}", description_style),
                (" ", Style()),
            ]
        room = self.size.width - _width(right)
        parts: list[tuple[str, Style]] = []
        self._spans = []
        for item in self._items:  # from the left, as many as fit before the palette's key
            cells = drawn(item)
            start = _width(parts)
            if start + _width(cells) - 1 > room:
                break  # a key that does not fit is left out, not cut in half
            if start + _width(cells) > room:
                text, style = cells[-1]
                cells[-1] = (text[:-1], style)  # its trailing space is all that does not fit
            self._spans.append((start, start + _width(cells), item))
            parts += cells
        if self._palette is not None:
            parts.append((" " * max(0, room - _width(parts)), Style()))
            self._spans.append((room + 1, self.size.width, self._palette))
            parts += right
        return Content.assemble(*parts)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, item in self._spans:
            if start <= event.x < end:
                if item.enabled:
                    self.app.simulate_key(item.key)
                else:
                    self.app.bell()
                return
