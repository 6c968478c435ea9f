"""The conversation row's derived columns, computed from its messages and assignment.

Pure functions: the importer, the demo generator and the store's writes all call
:func:`derive` so that the filter and sort columns always follow the contract's definitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MessageFact:
    at: datetime
    sender: str  # "customer", "agent" or "system"


@dataclass(frozen=True)
class Derived:
    sent_by: str | None
    last_message_at: datetime | None
    last_message_from: str | None
    waiting_since: datetime | None
    first_reply_at: datetime | None
    response_creation_s: int | None
    response_assignment_s: int | None

    def as_columns(self) -> dict[str, object]:
        return {
            "sent_by": self.sent_by,
            "last_message_at": self.last_message_at,
            "last_message_from": self.last_message_from,
            "waiting_since": self.waiting_since,
            "first_reply_at": self.first_reply_at,
            "response_creation_s": self.response_creation_s,
            "response_assignment_s": self.response_assignment_s,
        }


def seconds_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds())


def first_agent_reply(messages: Iterable[MessageFact], since: datetime) -> datetime | None:
    """The first agent message at or after ``since`` (messages in time order)."""
    for message in messages:
        if message.sender == "agent" and message.at >= since:
            return message.at
    return None


def derive(
    messages: Sequence[MessageFact],
    created_at: datetime,
    assigned_at: datetime | None,
) -> Derived:
    """Derived columns from the messages, which must be sorted by time (then arrival)."""
    if not messages:
        return Derived(None, None, None, None, None, None, None)
    first_reply = first_agent_reply(messages, created_at)
    assignment_reply = first_agent_reply(messages, assigned_at) if assigned_at is not None else None
    last = messages[-1]
    waiting_since = None
    if last.sender == "customer":
        # the first customer message after the last agent message
        for message in reversed(messages):
            if message.sender == "agent":
                break
            if message.sender == "customer":
                waiting_since = message.at
    return Derived(
        sent_by=messages[0].sender,
        last_message_at=last.at,
        last_message_from=last.sender,
        waiting_since=waiting_since,
        first_reply_at=first_reply,
        response_creation_s=None if first_reply is None else seconds_between(created_at, first_reply),
        response_assignment_s=(
            None if assignment_reply is None or assigned_at is None else seconds_between(assigned_at, assignment_reply)
        ),
    )
