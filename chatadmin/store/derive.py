"""The conversation row's derived columns, computed from its messages and assignment.

Pure functions: the importer, the demo generator and the store's writes all call
:func:`derive` so that the filter and sort columns always follow the contract's definitions.
The demo, whose clock is whole seconds since the epoch, calls :func:`derive_seconds`: the same
definitions (one implementation) on plain numbers, without a datetime per message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")


class MessageFact(NamedTuple):
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


def derive(
    messages: Sequence[MessageFact],
    created_at: datetime,
    assigned_at: datetime | None,
) -> Derived:
    """Derived columns from the messages, which must be sorted by time (then arrival)."""
    return Derived(*_derive(messages, created_at, assigned_at, seconds_between))


# (sent_by, last_message_at, last_message_from, waiting_since, first_reply_at, both response times)
Columns = tuple[str | None, T | None, str | None, T | None, T | None, int | None, int | None]


def derive_seconds(
    messages: Sequence[tuple[int, str, Any, Any]], created_at: int, assigned_at: int | None
) -> Columns[int]:
    """:func:`derive`'s columns in :class:`Derived`'s order, on instants in whole seconds since
    the epoch: ``messages`` are ``(at, sender, …)`` tuples sorted by time (then arrival)."""
    return _derive(messages, created_at, assigned_at, _seconds)


def _seconds(start: int, end: int) -> int:
    return end - start


def _derive(
    messages: Sequence[Any], created_at: T, assigned_at: T | None, between: Callable[[T, T], int]
) -> Columns[T]:
    """The one definition of the derived columns; ``messages`` are ``(at, sender, …)`` sequences."""
    if not messages:
        return None, None, None, None, None, None, None
    first_reply = _first_agent_reply(messages, created_at)
    assignment_reply = _first_agent_reply(messages, assigned_at) if assigned_at is not None else None
    last = messages[-1]
    waiting_since = None
    if last[1] == "customer":
        # the first customer message after the last agent message
        for message in reversed(messages):
            if message[1] == "agent":
                break
            if message[1] == "customer":
                waiting_since = message[0]
    return (
        messages[0][1],
        last[0],
        last[1],
        waiting_since,
        first_reply,
        None if first_reply is None else between(created_at, first_reply),
        None if assignment_reply is None or assigned_at is None else between(assigned_at, assignment_reply),
    )


def _first_agent_reply(messages: Sequence[Any], since: T) -> T | None:
    """The first agent message at or after ``since`` (messages in time order)."""
    for message in messages:
        if message[1] == "agent" and message[0] >= since:
            return message[0]  # type: ignore[no-any-return]
    return None
