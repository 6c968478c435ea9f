"""duration and sent-by sort indexes: the last two sorts that ordered the whole list

Sorting by "sent by" (two values) had no index: every page sorted the million rows (150-300 ms
on the 1M demo store); ``(sent_by, pk)`` holds that order.

Duration is ``closed_at - created_at`` once a conversation is closed and ``now - created_at``
while it is not, so no single index holds its order (it moves with the clock). It is two
orders merged (``chatadmin.store.paging``): the growing durations in the order of their
creation, from a partial index of the conversations not closed, and the fixed ones from a
partial index on ``closed_at - created_at``. The query writes the same expressions and
conditions, so each stream is a walk of its index; a page costs as many index steps as its
depth in each stream (6 ms for the first page at 1M instead of 145 ms). ``closed_at``'s own
index (for "completed today") becomes partial, ``WHERE closed_at IS NOT NULL``: SQLite's
statistics keep an average per value, not the share of NULLs, so for ``closed_at IS NULL``
it took that index and sorted every open conversation instead of walking the partial one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP INDEX ix_conversations_closed_at")
    op.execute("CREATE INDEX ix_conversations_closed_at ON conversations (closed_at) WHERE closed_at IS NOT NULL")
    op.execute("CREATE INDEX ix_conversations_sent_by_pk ON conversations (sent_by, pk)")
    op.execute(
        "CREATE INDEX ix_conversations_duration_open ON conversations (created_at, pk DESC) WHERE closed_at IS NULL"
    )
    op.execute(
        "CREATE INDEX ix_conversations_duration_closed ON conversations ((closed_at - created_at), pk)"
        " WHERE closed_at IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_conversations_duration_closed")
    op.execute("DROP INDEX ix_conversations_duration_open")
    op.execute("DROP INDEX ix_conversations_sent_by_pk")
    op.execute("DROP INDEX ix_conversations_closed_at")
    op.execute("CREATE INDEX ix_conversations_closed_at ON conversations (closed_at)")
