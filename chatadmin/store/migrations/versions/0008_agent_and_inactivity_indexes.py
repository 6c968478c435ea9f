"""agent and inactivity indexes: the list filtered by agent, or by time without activity

Filtering by one agent in the default order (newest first) read every conversation of that
agent through ``(agent_pk, pk)`` and sorted them (30-110 ms per agent on the 1M demo store);
``(agent_pk, created_at)`` hands them over in order, as ``(group_pk, created_at)`` does for a
group. "Inactive for more than a day" walks the list from the newest, where nearly every row
is still active, reading each row to check it (about 60 ms at 1M); the list order's index
``(created_at, pk)`` becomes ``(created_at, pk, last_message_at)``, so that walk tests the
condition on the index alone (6 ms), and every other use of the order stays as it was.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversations_agent_pk_created_at"), ["agent_pk", "created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conversations_created_at_pk_last_message_at"), ["created_at", "pk", "last_message_at"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_conversations_created_at_pk"))


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversations_created_at_pk"), ["created_at", "pk"], unique=False)
        batch_op.drop_index(batch_op.f("ix_conversations_created_at_pk_last_message_at"))
        batch_op.drop_index(batch_op.f("ix_conversations_agent_pk_created_at"))
