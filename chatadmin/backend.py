"""The one interface the console, the CLI and the HTTP server use to reach conversations."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

from chatadmin.domain import (
    Agent,
    Changes,
    ConversationDetail,
    ConversationFilter,
    ConversationPage,
    ConversationRow,
    Group,
    GroupActivity,
    MessagePage,
    Metrics,
    Note,
    Principal,
    RoutingConfig,
    Sort,
    TransferResult,
)
from chatadmin.routing.changes import RoutingChange


class Unset:
    """Marks an optional argument that was not given (``None`` is a value: no cap)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


class Interrupt:
    """Stops a long read (a count) from another thread: the back end arms it with how to stop
    the statement under way, the caller pulls it when the answer is no longer wanted.

    Pulled before the read starts, the read does not start; pulled while it runs, the database
    stops the statement (SQLite's ``interrupt``, PostgreSQL's cancel request); either way the
    read raises :class:`chatadmin.errors.Interrupted`. Pulled after it ended, nothing happens.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop: Callable[[], None] | None = None
        self.pulled = False

    def pull(self) -> None:
        with self._lock:
            self.pulled = True
            if self._stop is not None:
                self._stop()  # under the lock: the read cannot end (and its connection move on) meanwhile

    @contextmanager
    def armed(self, stop: Callable[[], None]) -> Iterator[None]:
        """While the block runs, :meth:`pull` calls ``stop``."""
        from chatadmin.errors import Interrupted

        with self._lock:
            if self.pulled:
                raise Interrupted("the read was interrupted before it started")
            self._stop = stop
        try:
            yield
        finally:
            with self._lock:
                self._stop = None


@runtime_checkable
class Backend(Protocol):
    """Conversations, agents, groups and the actions on them, for one acting user.

    Every method is synchronous and safe to call from a worker thread. Errors a user can
    cause raise :class:`chatadmin.errors.ChatAdminError` subclasses; nothing else leaks.
    Writes take ``expected_version``: when the conversation changed since it was read,
    they raise :class:`chatadmin.errors.Conflict` and change nothing.
    """

    @property
    def location(self) -> str:
        """Where the data lives, for a header (no credentials)."""
        ...

    def whoami(self) -> Principal: ...

    # reading
    def list_conversations(
        self,
        filters: ConversationFilter = ...,
        sort: Sort = ...,
        offset: int = 0,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ConversationPage:
        """Rows ``offset`` to ``offset + limit`` of the list; or, with ``cursor`` (a page's
        ``next_cursor`` or ``prev_cursor``, for the same filter and sort), the ``limit`` rows
        right after (before) the row it stands on, however rows came, went or moved meanwhile."""
        ...

    def iter_conversations(
        self, filters: ConversationFilter = ..., sort: Sort = ..., limit: int | None = None
    ) -> Iterator[ConversationRow]:
        """Every matching row in order, streamed (for exports); ``limit`` caps how many."""
        ...

    def count_conversations(self, filters: ConversationFilter = ..., interrupt: Interrupt | None = None) -> int:
        """How many conversations match; ``interrupt`` may stop the count from another thread
        (it then raises :class:`chatadmin.errors.Interrupted`)."""
        ...

    def get_conversation(self, conversation_id: str) -> ConversationRow: ...

    def conversation_detail(self, conversation_id: str) -> ConversationDetail: ...

    def conversation_messages(
        self,
        conversation_id: str,
        after: str | None = None,
        before: str | None = None,
        limit: int = 50,
        newest: bool = False,
    ) -> MessagePage:
        """A page of one conversation's history, oldest first: the oldest ``limit`` messages
        (``newest``: the newest), or those right after (before) the cursor ``after``
        (``before``) a page gave; seen under the same rules as :meth:`conversation_detail`."""
        ...

    def metrics(self) -> Metrics: ...

    def list_agents(self) -> list[Agent]: ...

    def list_groups(self) -> list[Group]: ...

    def group_activity(self) -> list[GroupActivity]:
        """Each visible group's queue and today's assignments per hour, by group id."""
        ...

    def changes_since(self, seq: int) -> Changes:
        """Conversations changed after change number ``seq`` (0: ever), capped: a live view's poll.

        Its cost follows the number of changes, not the size of the store.
        """
        ...

    def list_tags(self) -> list[str]: ...

    def list_countries(self) -> list[str]: ...

    # acting on a conversation
    def add_note(self, conversation_id: str, text: str) -> Note: ...

    def transfer(
        self,
        conversation_id: str,
        group: str,
        agent: str | None = None,
        expected_version: int | None = None,
    ) -> TransferResult: ...

    def close_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow: ...

    def reopen_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow: ...

    def unassign_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow: ...

    def set_tags(
        self, conversation_id: str, tags: list[str], expected_version: int | None = None
    ) -> ConversationRow: ...

    # routing configuration
    def routing_log(self, group: str | None = None, agent: str | None = None, limit: int = 50) -> list[RoutingChange]:
        """The newest ``limit`` (1–``MAX_LOG``) changes of the routing configuration, oldest
        first; only those of ``group`` / ``agent`` when given (the admin section's to read)."""
        ...

    def set_routing(self, group: str, config: RoutingConfig) -> Group: ...

    def set_agent(
        self,
        agent: str,
        available: bool | None = None,
        max_active: int | None | Unset = UNSET,
        add_groups: tuple[str, ...] = (),
        remove_groups: tuple[str, ...] = (),
    ) -> Agent: ...

    def dispose(self) -> None:
        """Release connections."""
        ...
