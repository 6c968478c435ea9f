"""The metrics bar: unassigned, active, completed today and the group with the highest load."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from chatadmin.domain import Metrics
from chatadmin.text import one_line


def _number(value: int) -> str:
    return f"{value:,}"


class MetricsBar(Widget):
    """One line of the four metrics; it shows what the app's poll last read."""

    DEFAULT_CSS = """
    MetricsBar {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    """

    metrics: reactive[Metrics | None] = reactive(None)
    stale: reactive[bool] = reactive(False)

    def render(self) -> Content:
        metrics = self.metrics
        if metrics is None:
            return Content.styled("Reading metrics…", "$text-muted italic")
        label = "$text-muted"
        parts: list[Content | tuple[str, str] | str] = [
            ("Unassigned ", label),
            (_number(metrics.unassigned), "bold $text-warning"),
            ("   Active ", label),
            (_number(metrics.active), "bold $text-success"),
            ("   Completed today ", label),
            (_number(metrics.completed_today), "bold $text-primary"),
            ("   Highest load today ", label),
        ]
        top = metrics.highest_load_group
        if top is None:
            parts.append(("none", "$text-muted"))
        else:
            parts += [Content.styled(one_line(top.name), "bold"), (f" {_number(top.assigned_today)}", "bold $text-accent")]
        if self.stale:
            parts.append(("   (not refreshed: the store did not answer)", "$text-error"))
        return Content.assemble(*parts)
