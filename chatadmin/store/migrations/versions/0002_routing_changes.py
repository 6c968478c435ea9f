"""routing changes: the audit trail of rules, availability, caps and memberships

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routing_changes",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("group_pk", sa.Integer(), nullable=True),
        sa.Column("agent_pk", sa.Integer(), nullable=True),
        sa.Column("setting", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.String(length=40), nullable=True),
        sa.Column("new_value", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["agent_pk"], ["agents.pk"], name=op.f("fk_routing_changes_agent_pk_agents")),
        sa.ForeignKeyConstraint(["group_pk"], ["groups.pk"], name=op.f("fk_routing_changes_group_pk_groups")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_routing_changes")),
    )
    with op.batch_alter_table("routing_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_changes_at_pk"), ["at", "pk"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("routing_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_changes_at_pk"))
    op.drop_table("routing_changes")
