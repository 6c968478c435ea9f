"""no-response sort index: the "Waiting" column's order from an index on its own expression

Sorting by time without response orders on ``CASE WHEN status <> 'closed' THEN waiting_since
END`` (the instant, nulls last), ties by key in the other direction; without an index every
sort read the million rows (0.3 s on the 1M demo store). This index holds that expression and
the key descending, so both directions and both ends of the list are walks of it on SQLite, and
the default direction (longest wait first) on PostgreSQL; the other direction there, nulls still
last, needs its own index. The query writes the status as the same literal
(``chatadmin.store.query.sort_columns``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


EXPRESSION = "(CASE WHEN status <> 'closed' THEN waiting_since END)"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_conversations_no_response ON conversations ({EXPRESSION}, pk DESC)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_conversations_no_response_desc ON conversations ({EXPRESSION} DESC NULLS LAST, pk)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_conversations_no_response_desc")
    op.execute("DROP INDEX ix_conversations_no_response")
