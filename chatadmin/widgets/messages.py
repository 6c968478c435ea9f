"""Messages the main screen's widgets send up to the app."""

from __future__ import annotations

from textual.message import Message
from textual.worker import Worker, WorkerState


class WorkFailed(Message):
    """A background read or write failed; the app tells the user (one place for every failure)."""

    def __init__(self, worker: Worker[object]) -> None:
        super().__init__()
        self.worker = worker
        self.error = worker.error


def forward_failure(node: object, event: Worker.StateChanged) -> bool:
    """Post :class:`WorkFailed` from ``node`` when ``event`` says its worker failed."""
    if event.state is WorkerState.ERROR:
        node.post_message(WorkFailed(event.worker))  # type: ignore[attr-defined]
        return True
    return False
