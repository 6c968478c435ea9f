"""The conversation table's marks (for bulk actions) and its marks of what a refresh changed."""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING

from chatadmin.widgets.marks import Marks

if TYPE_CHECKING:
    from chatadmin.widgets.table import ConversationTable

FLASH_SECONDS = 3.0  # how long a row that a live refresh brought in or changed stays marked


class MarksAndChanges:
    """Mixin of :class:`ConversationTable`: space marks a row, ``*`` every match, escape clears."""

    marks: Marks
    _flash: dict[str, float]  # conversation id -> when its change mark ends (monotonic)

    @property
    def changed_ids(self: ConversationTable) -> frozenset[str]:
        """Conversations a refresh brought in or changed in the last few seconds (shown marked)."""
        return frozenset(self._flash)

    def _mark_changed(self: ConversationTable, ids: set[str]) -> None:
        until = monotonic() + FLASH_SECONDS
        for conversation_id in ids:
            self._flash[conversation_id] = until
        self.set_timer(FLASH_SECONDS, self.expire_changes)

    def expire_changes(self: ConversationTable, now: float | None = None) -> None:
        """Unmark the rows whose change mark ran out (at ``now``, monotonic; default: now)."""
        moment = monotonic() if now is None else now
        ended = [key for key, until in self._flash.items() if until <= moment]
        for conversation_id in ended:
            del self._flash[conversation_id]
            index = self.data.window.find(conversation_id)
            if index is not None:
                self.refresh_line(index + 1)

    # ------------------------------------------------------------------- marks
    def check_action(self: ConversationTable, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_marks":
            return bool(self.marks)
        return True

    def action_toggle_mark(self: ConversationTable) -> None:
        row = self.current_row
        if row is None or self.data.pending:
            return
        self.marks.toggle(row.id, self.filters)
        self.refresh_line(self.cursor + 1)
        self._marks_changed()
        self.move_cursor(self.cursor + 1)

    def action_mark_all(self: ConversationTable) -> None:
        if self.data.total is None or self.data.pending:
            return
        self.marks.mark_all(self.filters, self.data.total)
        self._marks_changed()
        self.refresh()

    def action_clear_marks(self: ConversationTable) -> None:
        self.marks.clear()
        self._marks_changed()
        self.refresh()

    def _marks_changed(self: ConversationTable) -> None:
        self.refresh_bindings()
        self._post_status()
