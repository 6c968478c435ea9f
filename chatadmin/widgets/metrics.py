"""The metrics bar: unassigned, active, completed today and the group with the highest load."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from chatadmin.domain import Metrics
from chatadmin.text import one_line

LABELS = ("Unassigned", "Active", "Completed today", "Highest load today")
SHORT_LABELS = ("Unassigned", "Active", "Done today", "Top group")


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
        full = self._line(metrics, LABELS)
        return full if full.cell_length <= self.content_region.width else self._line(metrics, SHORT_LABELS)

    def _line(self, metrics: Metrics, labels: tuple[str, str, str, str]) -> Content:
        label = "$text-muted"
        parts: list[Content | tuple[str, str] | str] = [
            (f"{labels[0]} ", label),
            (_number(metrics.unassigned), "bold $text-warning"),
            (f"   {labels[1]} ", label),
            (_number(metrics.active), "bold $text-success"),
            (f"   {labels[2]} ", label),
            (_number(metrics.completed_today), "bold $text-primary"),
            (f"   {labels[3]} ", label),
        ]
        top = metrics.highest_load_group
        if top is None:
            parts.append(("none", "$text-muted"))
        else:
            parts += [Content.styled(one_line(top.name), "bold"), (f" {_number(top.assigned_today)}", "bold $text-accent")]
        if self.stale:
            parts.append(("   (not refreshed: the store did not answer)", "$text-error"))
        return Content.assemble(*parts)
