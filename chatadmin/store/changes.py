"""What changed after a change number: the live view's poll, on the indexed change counter."""

from __future__ import annotations

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from chatadmin.domain import Changes
from chatadmin.errors import InvalidInput
from chatadmin.store.models import ConversationRecord as C
from chatadmin.store.models import Counter

CHANGES = "changes"  # the counter row behind conversations.changed_seq
MAX_CHANGES = 500  # past this many changed conversations a poll says "read everything again"


def changes_since(session: Session, seq: int, scope: frozenset[int] | None) -> Changes:
    """Conversations (in ``scope``, a set of group keys, or all) changed after ``seq``.

    Reads the counter, then at most ``MAX_CHANGES + 1`` entries of the ``changed_seq`` index
    in the range up to it: the cost follows the changes, never the size of the store. Every
    writer bumps the counter under its row lock and holds it to commit, so every number up to
    the one read here belongs to a committed change.
    """
    if seq < 0:
        raise InvalidInput("a change number is 0 or more")
    newest = int(session.scalar(select(Counter.value).where(Counter.name == CHANGES)) or 0)
    if seq > newest:  # the counter went back: another store under the same name
        return Changes(seq=newest, too_many=True)
    if seq == newest:
        return Changes(seq=newest)
    statement = select(C.id).where(C.changed_seq > seq, C.changed_seq <= newest)
    if scope is not None:
        statement = statement.where(C.group_pk.in_(sorted(scope)) if scope else false())
    ids = session.scalars(statement.order_by(C.changed_seq).limit(MAX_CHANGES + 1)).all()
    if len(ids) > MAX_CHANGES:
        return Changes(seq=newest, too_many=True)
    return Changes(seq=newest, ids=tuple(ids))
