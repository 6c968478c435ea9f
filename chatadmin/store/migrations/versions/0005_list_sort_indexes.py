"""list and metrics indexes: sorts that walk an index instead of sorting a million rows

Each index serves a query that needs it (profiled on the 1M-conversation demo store):

- ``conversations(status, pk)``: sort by status (ties by pk; the status index with created_at
  could not give that order without sorting every closed conversation);
- ``conversations(rating, pk)``: sort by rating;
- ``conversations(agent_pk, pk)`` and ``(group_pk, pk)``: sort by agent or group name, read
  one agent's (group's) block of conversations in key order (see ``chatadmin.store.paging``);
- ``customers(name_fold)``: sort by customer name (the list walks customers in name order and
  reads each one's conversations; sort by phone does the same on ``ix_customers_phone``);
- ``events(at, kind, to_group_pk, conversation_pk)``, replacing ``events(at, to_group_pk)``:
  the metrics bar's "group with highest load today" reads today's events from the index alone;
- PostgreSQL only, ``(col DESC NULLS LAST, pk DESC)`` on rating and both response times: their
  default (descending, nulls last) order, which PostgreSQL cannot read backwards from an
  ascending index (nulls sort last there too); SQLite reads that order from the plain index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PORTABLE = (
    ("ix_conversations_status_pk", "conversations", ["status", "pk"]),
    ("ix_conversations_rating_pk", "conversations", ["rating", "pk"]),
    ("ix_conversations_agent_pk_pk", "conversations", ["agent_pk", "pk"]),
    ("ix_conversations_group_pk_pk", "conversations", ["group_pk", "pk"]),
    ("ix_customers_name_fold", "customers", ["name_fold"]),
    ("ix_events_at_kind_to_group_pk_conversation_pk", "events", ["at", "kind", "to_group_pk", "conversation_pk"]),
)
REPLACED = ("ix_events_at_to_group_pk", "events", ["at", "to_group_pk"])
DESCENDING = ("rating", "response_creation_s", "response_assignment_s")


def upgrade() -> None:
    for name, table, columns in PORTABLE:
        op.create_index(name, table, columns)
    op.drop_index(REPLACED[0], table_name=REPLACED[1])
    if op.get_bind().dialect.name == "postgresql":
        for column in DESCENDING:
            op.execute(
                f"CREATE INDEX ix_conversations_{column}_desc ON conversations ({column} DESC NULLS LAST, pk DESC)"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in DESCENDING:
            op.execute(f"DROP INDEX IF EXISTS ix_conversations_{column}_desc")
    op.create_index(REPLACED[0], REPLACED[1], REPLACED[2])
    for name, table, _ in reversed(PORTABLE):
        op.drop_index(name, table_name=table)
