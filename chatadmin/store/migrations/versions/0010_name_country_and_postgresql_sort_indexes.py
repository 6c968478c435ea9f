"""name, country and PostgreSQL sort indexes: sorts whose ties made PostgreSQL sort big groups

Measured through the Backend on the 1M demo store on PostgreSQL. A list sorted on a column
with many equal values orders each group of equals by key; with an index on the column alone
PostgreSQL sorts whole groups ("incremental sort"), SQLite not (its indexes end with the key):

- customer A to Z: 30,000 customers have no name, one group of 40,000 chats sorted first
  (150 ms). Nameless customers now sort last both ways, as NULLs do, on
  ``NULLIF(name_fold, '')``; its index replaces the one on ``name_fold``.
- country (80,000-130,000 chats a country): ``(country, pk)``, both databases (70-120 ms).
- PostgreSQL only: ``(response_creation_s, pk)`` and ``(response_assignment_s, pk)`` for the
  short-first order (76 ms); for the orders that mix directions or put NULLs last going down,
  ``(sent_by DESC NULLS LAST, pk DESC)`` (240 ms), the same for country Z to A (120 ms), ``(last_message_at DESC NULLS LAST, pk)``
  for the least inactive first (110 ms), and the customer name's own descending index.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "(NULLIF(name_fold, ''))"
POSTGRESQL = {
    "ix_conversations_response_creation_s_pk": "conversations (response_creation_s, pk)",
    "ix_conversations_response_assignment_s_pk": "conversations (response_assignment_s, pk)",
    "ix_conversations_sent_by_desc": "conversations (sent_by DESC NULLS LAST, pk DESC)",
    "ix_conversations_country_desc": "conversations (country DESC NULLS LAST, pk DESC)",
    "ix_conversations_last_message_at_desc": "conversations (last_message_at DESC NULLS LAST, pk)",
    "ix_customers_name_sort_desc": f"customers ({NAME} DESC NULLS LAST, pk DESC)",
}


def upgrade() -> None:
    op.execute("DROP INDEX ix_customers_name_fold")
    op.execute(f"CREATE INDEX ix_customers_name_sort ON customers ({NAME}, pk)")
    op.execute("CREATE INDEX ix_conversations_country_pk ON conversations (country, pk)")
    if op.get_bind().dialect.name == "postgresql":
        for name, target in POSTGRESQL.items():
            op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRESQL:
            op.execute(f"DROP INDEX {name}")
    op.execute("DROP INDEX ix_conversations_country_pk")
    op.execute("DROP INDEX ix_customers_name_sort")
    op.execute("CREATE INDEX ix_customers_name_fold ON customers (name_fold)")
