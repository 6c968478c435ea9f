"""What the conversation table shows and what it still has to read: state, without Textual.

One read at a time: :meth:`TableData.next_read` names the pages around the screen that are
missing or stale, and nothing more while a read is under way. A new filter or sort reads into
a fresh window; the old rows stay on screen until the new ones arrive, so typing a search
never blanks the list.
"""

from __future__ import annotations

from chatadmin.domain import ConversationFilter, ConversationRow, Sort
from chatadmin.widgets.window import (
    Query,
    RowWindow,
    Stored,
    WindowRequest,
    WindowResult,
)


class TableData:
    def __init__(self, page_size: int = 100, max_pages: int = 6) -> None:
        self.window = RowWindow(page_size, max_pages)
        self.query = Query(ConversationFilter(), Sort(), 0)
        self.total: int | None = None
        self.loaded_rows = 0
        self.error: str | None = None
        self.fetching: WindowRequest | None = None
        self._incoming: RowWindow | None = None
        self._incoming_total: int | None = None
        self._failed: tuple[int, int] | None = None
        self.stored = Stored()  # what the last arrival changed

    @property
    def pending(self) -> bool:
        """A new filter or sort is being read; the rows held are the previous query's."""
        return self._incoming is not None

    @property
    def extent(self) -> int:
        """How many rows the list has, as far as known."""
        return self.total if self.total is not None else self.loaded_rows

    def row(self, index: int) -> ConversationRow | None:
        return self.window.row(index)

    def start(self, filters: ConversationFilter, sort: Sort) -> bool:
        """Begin another query; False when it is the one already shown."""
        if (filters, sort) == (self.query.filters, self.query.sort) and self.query.generation:
            return False
        # another sort of the same rows: the count stands (an empty list is counted again, since
        # no read would come to swap it in)
        known = self.known_total() if filters == self.query.filters and self.query.generation else None
        self.query = Query(filters, sort, self.query.generation + 1)
        self._incoming = RowWindow(self.window.page_size, self.window.max_pages)
        self._incoming_total = known or None
        self._failed = None
        return True

    def known_total(self) -> int | None:
        """The count of the current query's filter, once it has landed."""
        return self._incoming_total if self._incoming is not None else self.total

    def reload(self) -> None:
        """Mark the held rows stale (they stay shown) so they are read again."""
        self.window.invalidate()
        self._failed = None

    def counted(self, generation: int, total: int) -> bool:
        """Take a count; True when it applies to the rows shown now."""
        if generation != self.query.generation:
            return False
        if self._incoming is not None:
            self._incoming_total = total
            if total:
                return False
            # the new query matches nothing: no read will come to swap its rows in, so show it now
            self._swap()
        self.total = total
        return True

    def next_read(self, first: int, last: int) -> WindowRequest | None:
        """The read that brings rows ``first..last`` (the screen) and half a page around them."""
        window = self._incoming if self._incoming is not None else self.window
        if self.fetching is not None or self._failed == (self.query.generation, window.revision):
            return None
        total = self.total
        if self._incoming is not None:
            first, last, total = 0, last - first, self._incoming_total  # the new rows show from the top
        margin = window.page_size // 2
        wanted = window.wanted(first - margin, last + margin, total)
        if not wanted:
            return None
        start = wanted[0]
        end = min(wanted[-1], start + window.max_pages - 2)
        self.fetching = WindowRequest(self.query, window.revision, start, end - start + 1, window.page_size)
        return self.fetching

    def arrived(self, result: WindowResult) -> bool | None:
        """Keep a read's rows: None when they answer an older query, else whether they replaced its rows."""
        request = result.request
        self.fetching = None  # one read at a time: this was it
        if request.query.generation != self.query.generation:
            return None
        swapped = self._incoming is not None
        if swapped:
            self._swap()
        rows = result.page.rows
        self.stored = self.window.store(request.first_page, request.page_count, request.revision, rows)
        end = request.first_page * request.page_size + len(rows)
        self.loaded_rows = max(self.loaded_rows, end)
        if len(rows) < request.page_count * request.page_size and (self.total is None or self.total > end):
            # the end of the list is nearer than the last count said (or there is no count yet)
            self.total = end
        self.error = None
        return swapped

    def failed(self, error: str) -> bool:
        """The read failed: read no more until a reload; True when this emptied a new query's list."""
        self.fetching = None
        swapped = self._incoming is not None
        if swapped:
            self._swap()  # an empty list that says why, rather than rows of another filter
        self._failed = (self.query.generation, self.window.revision)
        self.error = error
        return swapped

    def _swap(self) -> None:
        assert self._incoming is not None
        self.window, self._incoming = self._incoming, None
        self.total, self._incoming_total = self._incoming_total, None
        self.loaded_rows = 0
        self.error = None
