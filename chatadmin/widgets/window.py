"""The rows the table holds: a few pages around the screen, least recently used dropped first.

A table over a million conversations never holds more than ``max_pages * page_size`` rows.
Pages carry the *revision* they were read at: a refresh bumps the revision, old pages stay on
screen until their fresh copy arrives, so the picture never blinks.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from chatadmin.backend import Backend
from chatadmin.domain import ConversationFilter, ConversationPage, ConversationRow, Sort


@dataclass(frozen=True)
class Query:
    """What the table shows: one filter and one sort, numbered so late answers can be told apart."""

    filters: ConversationFilter
    sort: Sort
    generation: int


@dataclass(frozen=True)
class WindowRequest:
    query: Query
    revision: int
    first_page: int
    page_count: int
    page_size: int


@dataclass(frozen=True)
class WindowResult:
    request: WindowRequest
    page: ConversationPage


@dataclass
class Stored:
    """What a store of fresh pages changed: line indexes to repaint, conversations new or changed."""

    lines: list[int] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)


def same_row(a: ConversationRow, b: ConversationRow) -> bool:
    """The same conversation as shown: times that run with the clock do not count."""
    return (a.id, a.version, a.agent_name, a.group_name, a.customer_name) == (
        b.id,
        b.version,
        b.agent_name,
        b.group_name,
        b.customer_name,
    )


def fetch_window(backend: Backend, request: WindowRequest) -> WindowResult:
    """Read the pages of ``request`` in one query (runs in a worker thread)."""
    page = backend.list_conversations(
        request.query.filters,
        request.query.sort,
        offset=request.first_page * request.page_size,
        limit=request.page_count * request.page_size,
    )
    return WindowResult(request, page)


class RowWindow:
    """An LRU of fetched pages of rows, addressed by row index."""

    def __init__(self, page_size: int = 100, max_pages: int = 6) -> None:
        self.page_size = page_size
        self.max_pages = max_pages
        self.revision = 0
        self._pages: OrderedDict[int, tuple[int, tuple[ConversationRow, ...]]] = OrderedDict()

    def clear(self) -> None:
        self._pages.clear()

    def invalidate(self) -> None:
        """Mark every page stale: it is still shown, and fetched again."""
        self.revision += 1

    @property
    def rows_held(self) -> int:
        return sum(len(rows) for _, rows in self._pages.values())

    @property
    def pages_held(self) -> int:
        return len(self._pages)

    def page_of(self, index: int) -> int:
        return index // self.page_size

    def row(self, index: int) -> ConversationRow | None:
        page = self._pages.get(index // self.page_size)
        if page is None:
            return None
        rows = page[1]
        offset = index % self.page_size
        return rows[offset] if offset < len(rows) else None

    def wanted(self, first: int, last: int, total: int | None) -> list[int]:
        """Pages covering rows ``first..last`` (inclusive) that are missing or stale."""
        if last < first:
            return []
        if total is not None:
            last = min(last, total - 1)
        first = max(0, first)
        result = []
        for page in range(first // self.page_size, last // self.page_size + 1):
            held = self._pages.get(page)
            if held is None or held[0] < self.revision:
                result.append(page)
            else:
                self._pages.move_to_end(page)
        return result

    def store(
        self, first_page: int, page_count: int, revision: int, rows: tuple[ConversationRow, ...]
    ) -> Stored:
        """Keep ``rows`` read from ``first_page`` on at ``revision``, evicting the oldest pages.

        Pages past the end of ``rows`` are kept empty: they are known to hold nothing. Says
        which lines now show another row than before (every line of a page not held before),
        and which conversations of the pages held before are new there or changed (a page
        read for the first time changes no conversation: nothing was shown to compare with).
        """
        size = self.page_size
        before = {row.id: row for _, held in self._pages.values() for row in held}
        stored = Stored()
        for number in range(page_count):
            page = first_page + number
            held = self._pages.get(page)
            if held is not None and held[0] > revision:
                continue
            fresh = rows[number * size : (number + 1) * size]
            if held is None:  # lines that showed "…" (or nothing) now show rows
                stored.lines.extend(range(page * size, page * size + len(fresh)))
            else:
                old = held[1]
                for offset in range(max(len(old), len(fresh))):
                    mine = old[offset] if offset < len(old) else None
                    theirs = fresh[offset] if offset < len(fresh) else None
                    if mine is None or theirs is None or not same_row(mine, theirs):
                        stored.lines.append(page * size + offset)
                    if theirs is not None and (theirs.id not in before or not same_row(before[theirs.id], theirs)):
                        stored.changed.add(theirs.id)
            self._pages[page] = (revision, fresh)
            self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return stored

    def replace(self, row: ConversationRow) -> int | None:
        """Put a fresh copy of a conversation where it is held; its index, or None."""
        for page, (revision, rows) in self._pages.items():
            for offset, held in enumerate(rows):
                if held.id == row.id:
                    self._pages[page] = (revision, rows[:offset] + (row,) + rows[offset + 1 :])
                    return page * self.page_size + offset
        return None

    def find(self, conversation_id: str) -> int | None:
        """The index of a conversation among the held rows, or None."""
        for page, (_, rows) in self._pages.items():
            for offset, held in enumerate(rows):
                if held.id == conversation_id:
                    return page * self.page_size + offset
        return None

    def __iter__(self) -> Iterator[ConversationRow]:
        for _, rows in self._pages.values():
            yield from rows
