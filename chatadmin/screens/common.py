"""What the console's modal screens share: literal text, reporting-zone times, worker outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from textual.content import Content
from textual.worker import Worker, WorkerState

from chatadmin.backend import Backend
from chatadmin.domain import STATUS_LABELS, Agent, ConversationRow, Status
from chatadmin.errors import ChatAdminError
from chatadmin.phones import format_phone
from chatadmin.text import one_line, strip_controls

# The one style for each status, so the menu, details and transfer screens agree.
STATUS_STYLES = {Status.OPEN: "$warning", Status.IN_PROGRESS: "$success", Status.CLOSED: "$text-muted"}


def literal(text: str | None, style: str = "") -> Content:
    """Untrusted text as content that is never markup and carries no terminal controls."""
    return Content.styled(strip_controls(text or ""), style)


def literal_line(text: str | None, style: str = "") -> Content:
    """Untrusted text for one line: controls stripped, line breaks and tabs become spaces."""
    return Content.styled(one_line(text or ""), style)


def zone_of(backend: Backend) -> tzinfo:
    """The reporting zone: the backend's clock when it has one, else UTC."""
    clock = getattr(backend, "clock", None)
    zone = getattr(clock, "zone", None)
    return zone if isinstance(zone, tzinfo) else UTC


def clock_time(value: datetime, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%H:%M")


def day_label(value: datetime, zone: tzinfo) -> str:
    local = value.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y}"


def date_time(value: datetime, zone: tzinfo) -> str:
    local = value.astimezone(zone)
    return f"{local.day} {local:%b %Y %H:%M}"


def status_label(status: Status) -> Content:
    return Content.styled(STATUS_LABELS[status], f"bold {STATUS_STYLES[status]}")


def customer_label(row: ConversationRow) -> Content:
    """``Name  +52 55 1234 5678`` with the name shown literally."""
    name = one_line(row.customer_name).strip() or "(no name)"
    return Content.assemble(
        (name, "bold"), "  ", (format_phone(row.customer_phone), "$text-muted")
    )


def over_cap(agent: Agent) -> bool:
    """At or past the most active conversations the agent may hold (a transfer is still allowed)."""
    return agent.max_active is not None and agent.load >= agent.max_active


def load_label(agent: Agent) -> str:
    if agent.max_active is None:
        return f"{agent.load} active, no cap"
    return f"{agent.load}/{agent.max_active} active"


def problem(error: BaseException | None) -> str:
    """One line for a failed backend call: the user's mistake as said, anything else by type."""
    if isinstance(error, ChatAdminError):
        return error.message
    if error is None:
        return "unknown error"
    return f"{type(error).__name__}: {error}"


def is_unexpected(error: BaseException | None) -> bool:
    """A failure that is not one a user can cause (a bug, a lost connection)."""
    return not isinstance(error, ChatAdminError)


class WorkerOutcomes:
    """Mixin for screens: route finished workers to ``worker_done(name, result)`` / ``worker_failed``.

    Backend calls run in thread workers that never touch widgets; their results come back
    here on the UI thread as ``Worker.StateChanged`` messages.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        if worker.node is not self:
            return  # a widget's own worker (it handles its outcome itself)
        if event.state is WorkerState.SUCCESS:
            self.worker_done(worker.name, worker.result)
        elif event.state is WorkerState.ERROR:
            self.worker_failed(worker.name, worker.error)

    def worker_done(self, name: str, result: Any) -> None:
        raise NotImplementedError

    def worker_failed(self, name: str, error: BaseException | None) -> None:
        raise NotImplementedError
