"""One conversation's history a page at a time, oldest first, by keyset on (instant, key).

Messages are ordered by their instant, then by their primary key (the order they were
stored in), so messages of one instant keep a stable order; the index on
``(conversation_pk, at, pk)`` holds exactly that order, so a page costs a range read however
long the history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from chatadmin.domain import Message, MessagePage, Sender
from chatadmin.errors import InvalidInput
from chatadmin.store.cursor import MessageCursor, decode, encode
from chatadmin.store.models import AgentRow, MessageRow, to_micros

M = MessageRow


def _cursor(text: str, conversation_id: str) -> MessageCursor:
    cursor = decode(text, MessageCursor, "this conversation's history")
    if cursor.c != conversation_id:
        raise InvalidInput("this cursor belongs to another conversation's history")
    return cursor


def _past(cursor: MessageCursor, later: bool) -> list[ColumnElement[bool]]:
    """Messages after (``later``) or before the cursor's, as a range on the history's index."""
    if later:
        return [M.at >= cursor.a, or_(M.at > cursor.a, and_(M.at == cursor.a, M.pk > cursor.p))]
    return [M.at <= cursor.a, or_(M.at < cursor.a, and_(M.at == cursor.a, M.pk < cursor.p))]


def message_page(
    session: Session,
    conversation_pk: int,
    conversation_id: str,
    after: str | None,
    before: str | None,
    limit: int,
    newest: bool,
) -> MessagePage:
    """``limit`` messages: right after ``after``, right before ``before``, else the oldest (the
    newest with ``newest``); oldest first, with the cursors to the messages on either side."""
    if after is not None and before is not None:
        raise InvalidInput("give after or before, not both")
    if newest and (after is not None or before is not None):
        raise InvalidInput("newest reads the last page: give no cursor with it")
    start = _cursor(after or before or "", conversation_id) if after or before else None
    backwards = newest or before is not None
    order = (M.at.desc(), M.pk.desc()) if backwards else (M.at.asc(), M.pk.asc())
    statement = (
        select(M.pk, M.at, M.sender, M.text, AgentRow.id, AgentRow.name)
        .outerjoin(AgentRow, AgentRow.pk == M.agent_pk)
        .where(M.conversation_pk == conversation_pk, *(_past(start, after is not None) if start else []))
        .order_by(*order)
        .limit(limit + 1)
    )
    rows = list(session.execute(statement).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    # the other side: the cursor's own message, at least, lies there
    more_older, more_newer = (more, start is not None) if backwards else (start is not None, more)

    def point(row: Any) -> str:
        return encode(MessageCursor(c=conversation_id, a=to_micros(row.at), p=row.pk))

    return MessagePage(
        messages=tuple(
            Message(at=r.at, sender=Sender(r.sender), agent=r.id, agent_name=r.name, text=r.text) for r in rows
        ),
        older=point(rows[0]) if rows and more_older else None,
        newer=point(rows[-1]) if rows and more_newer else None,
    )
