"""Marked conversations for bulk actions: chosen ids, or every match of a filter but a few.

Marking every match is one object whatever the count (the filter and the exceptions), so
marking a million rows costs nothing until the action runs and reads their ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from chatadmin.backend import Backend
from chatadmin.domain import ConversationFilter, Sort


@dataclass
class Marks:
    """Either ``ids`` (chosen one by one) or every match of ``matching`` except ``excluded``."""

    ids: set[str] = field(default_factory=set)
    matching: ConversationFilter | None = None
    excluded: set[str] = field(default_factory=set)
    # how many matched when every match was marked (the table's count then)
    matched: int = 0

    @property
    def all_matching(self) -> bool:
        return self.matching is not None

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def count(self) -> int:
        if self.matching is not None:
            return max(0, self.matched - len(self.excluded))
        return len(self.ids)

    def is_marked(self, conversation_id: str, filters: ConversationFilter) -> bool:
        """Whether a row of the list under ``filters`` is marked."""
        if self.matching is not None:
            return filters == self.matching and conversation_id not in self.excluded
        return conversation_id in self.ids

    def toggle(self, conversation_id: str, filters: ConversationFilter) -> bool:
        """Mark or unmark one row of the list under ``filters``; True when it is marked now."""
        if self.matching is not None and filters != self.matching:
            self.clear()  # the marks were every match of another filter: start again from this row
        if self.matching is not None:
            self.excluded ^= {conversation_id}
            return conversation_id not in self.excluded
        self.ids ^= {conversation_id}
        return conversation_id in self.ids

    def mark_all(self, filters: ConversationFilter, total: int) -> None:
        """Every conversation matching ``filters`` (``total`` of them now), on every page."""
        self.ids.clear()
        self.excluded.clear()
        self.matching = filters
        self.matched = total

    def recount(self, filters: ConversationFilter, total: int) -> None:
        """A new count of the list: when every match is marked, the number follows it."""
        if self.matching is not None and filters == self.matching:
            self.matched = total

    def clear(self) -> None:
        self.ids.clear()
        self.excluded.clear()
        self.matching = None
        self.matched = 0

    def snapshot(self) -> Marks:
        """A copy the bulk action works from while the list (and its marks) live on."""
        return Marks(set(self.ids), self.matching, set(self.excluded), self.matched)

    def resolve(self, backend: Backend, sort: Sort) -> Iterator[str]:
        """The marked ids, in list order when every match is marked (read now, in a worker)."""
        if self.matching is None:
            yield from sorted(self.ids)
            return
        for row in backend.iter_conversations(self.matching, sort):
            if row.id not in self.excluded:
                yield row.id
