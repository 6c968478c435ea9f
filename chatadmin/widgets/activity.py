"""Groups at a glance: one line per group with its queue, oldest waiting, today's total and a chart per hour."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Sparkline, Static

from chatadmin.domain import GroupActivity
from chatadmin.durations import format_duration
from chatadmin.text import one_line

NAME_WIDTH = 16
QUEUE_WIDTH = 11
OLDEST_WIDTH = 12
TODAY_WIDTH = 10


def chart_data(per_hour: Sequence[int]) -> list[int]:
    """Each hour after a zero, so the chart's scale starts at zero (a Sparkline scales from the smallest value).

    Shown one cell per hour, each cell summarises its pair ``(0, n)`` with ``max``: ``n``.
    """
    return [value for count in per_hour for value in (0, count)]


def hour_axis(activity: GroupActivity, zone: tzinfo) -> str:
    hours = hours_of(activity, zone)
    return f"{hours[0][0]}→{hours[-1][0]}" if hours else ""


def waiting_label(activity: GroupActivity, now: datetime) -> tuple[str, str]:
    """The oldest wait as text and its style."""
    if activity.oldest_waiting_since is None:
        return "—", "$text-muted"
    return format_duration(int((now - activity.oldest_waiting_since).total_seconds())), "$warning"


def _cell(text: str, width: int, style: str = "") -> Content:
    return Content.styled(one_line(text), style).truncate(width, ellipsis=True, pad=True)


class GroupHeading(Horizontal):
    """The column titles above the group lines."""

    DEFAULT_CSS = """
    GroupHeading { height: 1; color: $text-muted; text-style: bold; }
    GroupHeading Static { width: auto; }
    """

    def __init__(self, axis: str = "") -> None:
        super().__init__()
        self.axis = axis

    def compose(self) -> ComposeResult:
        titles = Content.assemble(
            _cell("Group", NAME_WIDTH), " ", _cell("Queue", QUEUE_WIDTH), " ",
            _cell("Longest wait", OLDEST_WIDTH), " ", _cell("Today", TODAY_WIDTH), " ",
        )  # fmt: skip
        yield Static(titles)
        yield Static(Content(f"Assigned per hour {self.axis}"), id="activity-axis")

    def show_axis(self, axis: str) -> None:
        self.query_one("#activity-axis", Static).update(Content(f"Assigned per hour {axis}"))


class GroupLine(Horizontal):
    """One group: the numbers, then today's assignments per hour as a Sparkline."""

    DEFAULT_CSS = """
    GroupLine { height: 1; }
    GroupLine > Static { width: auto; }
    GroupLine > Sparkline { height: 1; margin-right: 1; }
    GroupLine > Sparkline > .sparkline--min-color { color: $accent 40%; }
    GroupLine > Sparkline > .sparkline--max-color { color: $accent; }
    GroupLine > .peak { color: $text-muted; }
    """

    def __init__(self, activity: GroupActivity, now: datetime, zone: tzinfo) -> None:
        super().__init__()
        self.activity = activity
        self.now = now
        self.zone = zone

    def compose(self) -> ComposeResult:
        yield Static(classes="numbers")
        yield Sparkline([])
        yield Static(classes="peak")

    def on_mount(self) -> None:
        self.show(self.activity, self.now)

    def show(self, activity: GroupActivity, now: datetime) -> None:
        self.activity, self.now = activity, now
        waiting, waiting_style = waiting_label(activity, now)
        queue = activity.queue_length
        numbers = Content.assemble(
            _cell(activity.name, NAME_WIDTH, "bold"), " ",
            _cell(f"{queue} waiting", QUEUE_WIDTH, "$warning" if queue else "$text-muted"), " ",
            _cell(waiting, OLDEST_WIDTH, waiting_style), " ",
            _cell(f"{activity.assigned_today} chat{'' if activity.assigned_today == 1 else 's'}", TODAY_WIDTH), " ",
        )  # fmt: skip
        self.query_one(".numbers", Static).update(numbers)
        per_hour = activity.assignments_per_hour
        chart = self.query_one(Sparkline)
        chart.styles.width = len(per_hour)
        chart.data = chart_data(per_hour)
        chart.tooltip = ", ".join(f"{hour} {count}" for hour, count in hours_of(activity, self.zone))
        peak = max(per_hour, default=0)
        self.query_one(".peak", Static).update(Content(f"peak {peak}/h" if peak else "none yet"))


def hours_of(activity: GroupActivity, zone: tzinfo) -> list[tuple[str, int]]:
    """``("09h", count)`` for each hour of the chart, in the reporting zone."""
    start = activity.day_start
    return [
        (f"{(start + timedelta(hours=i)).astimezone(zone):%H}h", count)
        for i, count in enumerate(activity.assignments_per_hour)
    ]


class GroupActivityList(VerticalScroll):
    """Every group's line; a reload updates the lines in place."""

    DEFAULT_CSS = """
    GroupActivityList { height: auto; max-height: 50%; }
    """

    def __init__(self, zone: tzinfo, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.zone = zone

    def compose(self) -> ComposeResult:
        yield GroupHeading()

    def show(self, groups: Sequence[GroupActivity], now: datetime) -> None:
        lines = list(self.query(GroupLine))
        if [line.activity.group for line in lines] == [g.group for g in groups]:
            for line, activity in zip(lines, groups, strict=True):
                line.show(activity, now)
        else:
            for line in lines:
                line.remove()
            for empty in self.query(".empty"):
                empty.remove()
            self.mount_all([GroupLine(activity, now, self.zone) for activity in groups])
            if not groups:
                self.mount(Static(Content("No groups to show"), classes="empty"))
        if groups:
            self.query_one(GroupHeading).show_axis(hour_axis(groups[0], self.zone))
