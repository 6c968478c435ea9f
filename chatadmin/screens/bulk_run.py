"""Bulk actions: transfer, close or tag many conversations, each on its own, and say which failed and why.

Each conversation goes through the same Backend call as a single action, so it is routed,
checked and audited on its own; a failure is recorded with its reason and the run goes on.
No Textual here: the bulk screen runs :func:`run_bulk` in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from chatadmin.backend import Backend
from chatadmin.errors import ChatAdminError
from chatadmin.text import one_line


class BulkKind(StrEnum):
    TRANSFER = "transfer"
    CLOSE = "close"
    TAG = "tag"


@dataclass(frozen=True)
class BulkAction:
    kind: BulkKind
    group: str | None = None  # transfer: the group (routing picks the agent unless one is named)
    agent: str | None = None
    tags: tuple[str, ...] = ()  # tag: added to each conversation's tags
    where: str = ""  # transfer: the target as shown ("the Sales group", "Ana Pérez in Sales")

    def describe(self, count: int) -> str:
        """``Transfer 312 conversations to the Sales group`` and the like."""
        what = f"{count:,} conversation{'' if count == 1 else 's'}"
        if self.kind is BulkKind.TRANSFER:
            return f"Transfer {what} to {self.where}"
        if self.kind is BulkKind.CLOSE:
            return f"Close {what}"
        return f"Add the tag{'' if len(self.tags) == 1 else 's'} {', '.join(self.tags)} to {what}"


@dataclass(frozen=True)
class Failure:
    id: str
    reason: str


@dataclass
class BulkReport:
    action: BulkAction
    done: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    stopped: bool = False  # the user stopped the run; the rest was left as it was

    def summary(self) -> str:
        verb = {BulkKind.TRANSFER: "transferred", BulkKind.CLOSE: "closed", BulkKind.TAG: "tagged"}[self.action.kind]
        text = f"{len(self.done):,} {verb}"
        if self.failures:
            text += f", {len(self.failures):,} failed"
        if self.stopped:
            text += ", stopped before the rest"
        return text


def apply_one(backend: Backend, action: BulkAction, conversation_id: str) -> None:
    """The action on one conversation, as the single action would do it."""
    if action.kind is BulkKind.TRANSFER:
        assert action.group is not None
        backend.transfer(conversation_id, action.group, action.agent)
    elif action.kind is BulkKind.CLOSE:
        backend.close_conversation(conversation_id)
    else:
        row = backend.get_conversation(conversation_id)
        tags = list(dict.fromkeys([*row.tags, *action.tags]))
        if tags != list(row.tags):
            backend.set_tags(conversation_id, tags, expected_version=row.version)


def run_bulk(
    backend: Backend,
    action: BulkAction,
    ids: Iterable[str],
    *,
    report: BulkReport | None = None,
    progress: Callable[[BulkReport], None] = lambda _report: None,
    stop: Callable[[], bool] = lambda: False,
) -> BulkReport:
    """Apply ``action`` to each of ``ids`` in turn; ``progress`` hears of each, ``stop`` ends it early.

    Fills ``report`` (a new one when not given) as it goes, so that what was done is known even
    when something unexpected ends the run.
    """
    report = report if report is not None else BulkReport(action)
    for conversation_id in ids:
        if stop():
            report.stopped = True
            break
        try:
            apply_one(backend, action, conversation_id)
        except ChatAdminError as error:
            report.failures.append(Failure(conversation_id, one_line(error.message)))
        else:
            report.done.append(conversation_id)
        progress(report)
    return report
