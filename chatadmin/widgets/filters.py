"""The filter bar: search as you type and every list filter, inline at the top of the screen.

Fields are read after a short pause (typing is never blocked); a field that does not parse is
marked and named on the summary line, and the table keeps its last valid results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from chatadmin.domain import Agent, ConversationFilter, Group
from chatadmin.text import one_line
from chatadmin.widgets.filter_form import (
    FIELDS,
    RATING_CHOICES,
    STATUS_CHOICES,
    describe,
    form_values,
    parse_form,
)

DEBOUNCE_SECONDS = 0.15
NARROW = 110  # under this width the fields take three rows of five, not two of seven
STORE_CHOICES = ("group", "agent", "country", "tag")  # drop-downs filled from the store


class FieldInput(Input):
    """An Input of a fixed size: a key repaints it without laying out the whole screen.

    Textual's Input sets its virtual size to its text's width on every change, and the virtual
    size is a layout reactive, so each letter typed in the search laid out every widget on the
    screen (5-7 ms, in the very frame that shows the letter, before the search could start).
    The field's size never follows its text here, so its virtual size is set without a layout;
    the field still scrolls sideways under a long text (its scroll reads the virtual size).
    """

    def _watch_value(self, value: str) -> None:
        size = Size(self.content_width, 1)
        if not self.styles.auto_dimensions and size != self.virtual_size:
            self.set_reactive(Input.virtual_size, size)
        super()._watch_value(value)


class FilterBar(Widget):
    """Inputs and drop-downs that combine into one ConversationFilter."""

    BINDING_GROUP_TITLE = "Filters"
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority, as "/": the keys after escape reach the list, not the field being left
        Binding("escape", "leave", "Back to table", id="filters.leave", priority=True),
    ]

    DEFAULT_CSS = """
    FilterBar {
        height: auto;
        background: $surface;
        #filter-fields {
            height: auto;
            grid-size: 7;
            grid-columns: 1fr;
            grid-rows: 1;
            grid-gutter: 0 1;
            padding: 0 1;
        }
        #filter-search { column-span: 2; }
        Input, Select { width: 1fr; }
        Input.-invalid, Input.-invalid:focus { background: $error 30%; }
        /* the field being edited must stand out from the others at a glance */
        Input:focus, Select:focus > SelectCurrent { background: $accent 25%; }
        /* one option a line: a long agent name is cut, never wrapped into two "agents" */
        SelectOverlay { text-wrap: nowrap; text-overflow: ellipsis; }
        #filter-summary { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
        #filter-summary.-error { color: $text-error; }
    }
    """

    class Changed(Message):
        """The fields describe a new, valid filter."""

        def __init__(self, filters: ConversationFilter) -> None:
            super().__init__()
            self.filters = filters

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.filters = ConversationFilter()
        self.errors: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._choices: dict[str, list[tuple[str, str]]] = {}  # drop-down key -> (label, value)
        self._debounce: Timer | None = None
        self.leave_to: Widget | None = None  # where escape takes the focus

    def compose(self) -> ComposeResult:
        with Grid(id="filter-fields"):
            for field in FIELDS:
                widget_id = f"filter-{field.key.replace('_', '-')}"
                if field.kind == "choice":
                    options = {"status": STATUS_CHOICES, "rating": RATING_CHOICES}.get(field.key, ())
                    select: Select[str] = Select(
                        [(Text(label), value) for label, value in options],
                        prompt=field.placeholder,
                        compact=True,
                        id=widget_id,
                    )
                    select.tooltip = f"only conversations with this {field.label}"
                    yield select
                else:
                    field_input = FieldInput(placeholder=field.placeholder, compact=True, id=widget_id)
                    field_input.tooltip = field.placeholder
                    yield field_input
        yield Static(id="filter-summary", markup=False)

    def on_mount(self) -> None:
        self._show_summary()

    def on_resize(self, event: events.Resize) -> None:
        # under 110 columns the fields take three rows of five. Set here rather than by a class
        # on the screen (Textual's breakpoints): the class, added once the screen has its size,
        # styled every widget of the screen again (a quarter of the style work of the start).
        self.query_one("#filter-fields").styles.grid_size_columns = 5 if event.size.width < NARROW else 7

    # -------------------------------------------------------------- options
    def set_choices(
        self, groups: Iterable[Group], agents: Iterable[Agent], countries: Iterable[str], tags: Iterable[str]
    ) -> None:
        """Fill the drop-downs from the store (names are the store's text, shown literally)."""
        groups, agents = list(groups), list(agents)
        self._names = {f"group:{g.id}": g.name for g in groups} | {f"agent:{a.id}": a.name for a in agents}
        self._fill("group", [(g.name, g.id) for g in groups])
        self._fill("agent", [(a.name, a.id) for a in agents])
        self._fill("country", [(c, c) for c in countries])
        self._fill("tag", [(t, t) for t in tags])
        self._show_summary()

    def _fill(self, key: str, choices: list[tuple[str, str]]) -> None:
        select: Select[str] = self.query_one(f"#filter-{key}", Select)
        current = select.value
        kept = current != Select.NULL and any(value == current for _, value in choices)
        if current != Select.NULL and not kept and key in ("country", "tag"):
            # a saved view's tag or country that no conversation has now still filters: keep it
            choices, kept = [*choices, (str(current), str(current))], True
        self._choices[key] = choices
        select.set_options([(Text(one_line(label)), value) for label, value in choices])
        if kept:
            select.value = current

    # -------------------------------------------------------------- reading
    def values(self) -> dict[str, str | None]:
        result: dict[str, str | None] = {}
        for field in FIELDS:
            widget = self.query_one(f"#filter-{field.key.replace('_', '-')}")
            if isinstance(widget, Select):
                result[field.key] = None if widget.value == Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                result[field.key] = widget.value
        return result

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.id == "filter-search":
            self.apply_now()  # every key searches: the store answers a page in a few ms
        else:
            self._schedule()  # a date or a duration is checked once the typing pauses

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_now()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.apply_now()

    def _schedule(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.apply_now)

    def apply_now(self) -> None:
        """Read the fields now; post Changed when they make a new valid filter."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        filters, errors = parse_form(self.values())
        self.errors = errors
        for field in FIELDS:
            widget = self.query_one(f"#filter-{field.key.replace('_', '-')}")
            widget.set_class(field.key in errors, "-invalid")
        if filters is not None and filters != self.filters:
            self.filters = filters
            self._post_changed()
        self._show_summary()

    def _post_changed(self) -> None:
        # straight to the app, which owns the list, rather than bubbling through the screen: a
        # drop-down's pick also closes its list, moves the focus and lays out the screen, and
        # the screen's queue took the new filter only after that (100 ms and more at 1M)
        self.app.post_message(self.Changed(self.filters))

    def show_filters(self, filters: ConversationFilter) -> tuple[ConversationFilter, list[str]]:
        """Fill the fields with ``filters`` (a saved view) without posting Changed.

        Returns the filter the fields now hold, and what they could not hold (a drop-down
        holds one value of a set).
        """
        values, left_out = form_values(filters)
        for field in FIELDS:
            widget = self.query_one(f"#filter-{field.key.replace('_', '-')}")
            value = values.get(field.key)
            if isinstance(widget, Input):
                widget.value = value or ""
            elif isinstance(widget, Select):
                if value is None:
                    widget.clear()
                    continue
                choices = self._choices.get(field.key, [])
                if field.key in STORE_CHOICES and not any(v == value for _, v in choices):
                    # not (or not yet) an option: add it, named as the store names it
                    self._fill(field.key, [*choices, (self._names.get(f"{field.key}:{value}", value), value)])
                widget.value = value
        shown, errors = parse_form(self.values())
        self.errors = errors
        self.filters = shown or ConversationFilter()
        self._show_summary()
        return self.filters, left_out

    def clear(self) -> None:
        """Empty every field and post the empty filter."""
        # the Changed messages this causes find the same (empty) filter and post nothing
        for field in FIELDS:
            widget = self.query_one(f"#filter-{field.key.replace('_', '-')}")
            if isinstance(widget, Select):
                widget.clear()
            elif isinstance(widget, Input):
                widget.value = ""
            widget.remove_class("-invalid")
        self.errors = {}
        if self.filters != ConversationFilter():
            self.filters = ConversationFilter()
            self._post_changed()
        self._show_summary()

    def _show_summary(self) -> None:
        summary = self.query_one("#filter-summary", Static)
        if self.errors:
            summary.add_class("-error")
            summary.update(
                Content("✗ " + "; ".join(self.errors.values()) + " — showing the last valid results"), layout=False
            )
            return
        summary.remove_class("-error")
        chips = describe(self.filters, self._names)
        if chips:
            parts: list[Content | tuple[str, str]] = [("Filters: ", "bold")]
            for number, chip in enumerate(chips):
                if number:
                    parts.append((" · ", "dim"))
                parts.append(Content(chip))
            summary.update(Content.assemble(*parts), layout=False)  # one fixed line: no layout
        else:
            summary.update(Content("No filters: / to search, tab to the other fields"), layout=False)

    # Focus moves at once, not at the next turn of the event loop as Widget.focus() does: keys
    # that arrived together ("/maria" pasted or typed fast over SSH) are handed out one after the
    # other, and would otherwise reach the widget that had the focus (the list: "s" sorts it).
    def focus_search(self) -> None:
        self.screen.set_focus(self.query_one("#filter-search", Input))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # escape closes an open drop-down first
        return not (action == "leave" and any(select.expanded for select in self.query(Select)))

    def action_leave(self) -> None:
        """Escape: back to the widget named by ``leave_to`` (the list), keys that follow included."""
        if self.leave_to is not None:
            self.screen.set_focus(self.leave_to)

    @property
    def names(self) -> Mapping[str, str]:
        return self._names
