"""customer search indexes: trigram indexes on the folded name and the digits, so search never scans

SQLite: an FTS5 table with the trigram tokenizer over ``customers(name_fold, digits)`` (external
content, rowid = customers.pk), kept in step by triggers on every insert, update and delete.
PostgreSQL: ``pg_trgm`` GIN indexes on the same two columns, which serve ``LIKE '%…%'`` directly.

The triggers live on ``customers``: a later migration that rebuilds that table on SQLite
(``batch_alter_table`` copies it) must create them again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 02:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

SEARCHED = ("name_fold", "digits")

SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE customer_search USING fts5(
        name_fold, digits, content='customers', content_rowid='pk', tokenize='trigram case_sensitive 0'
    )
    """,
    "INSERT INTO customer_search(customer_search) VALUES ('rebuild')",
    """
    CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
        INSERT INTO customer_search(rowid, name_fold, digits) VALUES (new.pk, new.name_fold, new.digits);
    END
    """,
    """
    CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
        INSERT INTO customer_search(customer_search, rowid, name_fold, digits)
        VALUES ('delete', old.pk, old.name_fold, old.digits);
    END
    """,
    """
    CREATE TRIGGER customers_search_update AFTER UPDATE OF pk, name_fold, digits ON customers BEGIN
        INSERT INTO customer_search(customer_search, rowid, name_fold, digits)
        VALUES ('delete', old.pk, old.name_fold, old.digits);
        INSERT INTO customer_search(rowid, name_fold, digits) VALUES (new.pk, new.name_fold, new.digits);
    END
    """,
)

SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS customers_search_update",
    "DROP TRIGGER IF EXISTS customers_search_delete",
    "DROP TRIGGER IF EXISTS customers_search_insert",
    "DROP TABLE IF EXISTS customer_search",
)


def _trigram_schema(bind: sa.Connection) -> str | None:
    """The schema holding pg_trgm, installing it when missing; None when this role cannot."""
    find = sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
    schema = bind.scalar(find)
    if schema is not None:
        return str(schema)
    # in public (when there is one) rather than the first schema of the search path, so that
    # dropping an application schema never drops the extension other schemas' indexes use
    target = bind.scalar(
        sa.text(
            "SELECT coalesce((SELECT 'public' FROM pg_namespace WHERE nspname = 'public'"
            " AND has_schema_privilege('public', 'CREATE')), current_schema())"
        )
    )
    quoted = bind.dialect.identifier_preparer.quote_schema(str(target))
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA {quoted}")
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        log.warning("pg_trgm is not available (%s): search works, but scans the customers", exc.orig)
        return None
    savepoint.commit()
    schema = bind.scalar(find)
    return None if schema is None else str(schema)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        schema = _trigram_schema(bind)
        if schema is None:
            return
        ops = f"{bind.dialect.identifier_preparer.quote_schema(schema)}.gin_trgm_ops"
        for column in SEARCHED:
            bind.exec_driver_sql(f"CREATE INDEX ix_customers_{column}_trgm ON customers USING gin ({column} {ops})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        for column in SEARCHED:
            bind.exec_driver_sql(f"DROP INDEX IF EXISTS ix_customers_{column}_trgm")
