"""Opening a store: the URL, SQLite's pragmas and immediate transactions, and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from chatadmin.errors import BackendUnavailable, InvalidInput

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration's revision. A store already there opens without importing Alembic
# (a fifth of the console's start-up); tests/test_migrations.py checks it is the scripts' head.
HEAD_REVISION = "0010"


def database_url(value: str) -> str:
    """A SQLAlchemy URL as given, or a file path turned into a SQLite URL."""
    if "://" in value:
        try:
            url = make_url(value)
        except ArgumentError:
            raise InvalidInput(f"not a database URL: {value!r}") from None
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def describe_url(url: str) -> str:
    """The URL without its password, for headers and messages."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # let SQLAlchemy's "begin" event below issue BEGIN, so writes can be IMMEDIATE
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        # 8 MB per connection: the console holds a few (one per worker), and what misses this
        # cache still comes from the OS's page cache; at 64 MB each the console passed 370 MB
        cursor.execute("PRAGMA cache_size=-8192")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):  # type: ignore[no-untyped-def]
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        db_path = make_url(url).database
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        _sqlite_setup(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    _postgres_setup(engine)
    return engine


# Parallel workers for the statements of this session, and for a count (see paging.count_rows)
SERIAL = "SET max_parallel_workers_per_gather = 0"
PARALLEL_COUNT = "SET LOCAL max_parallel_workers_per_gather TO DEFAULT"


def _postgres_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # the console reads pages of a hundred rows: a parallel plan's workers take 10-15 ms to
        # start, longer than the page (a two-letter search's walk at 1M: 25 -> 11 ms). Counts,
        # which read whole lists, take the server's setting back for their transaction
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET in a transaction a pool's rollback would undo
        with dbapi_connection.cursor() as cursor:
            cursor.execute(SERIAL)
        dbapi_connection.autocommit = autocommit


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The schema revision the store is at (None: no schema yet), read without Alembic."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError as exc:
        raise BackendUnavailable(f"cannot open the store: {exc.orig}") from None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; two small queries, no Alembic, when it already is."""
    if current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def refresh_statistics(engine: Engine) -> None:
    """After a bulk load: let the query planner see the new tables (PostgreSQL's ANALYZE,
    SQLite's PRAGMA optimize); without it PostgreSQL may pick slow plans until autovacuum runs.
    On PostgreSQL only the store's own schema is analyzed, not every other in the database."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            tables = connection.exec_driver_sql(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
                " WHERE schemaname = current_schema() ORDER BY tablename"
            ).scalars().all()
            if tables:
                connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA optimize")
        connection.commit()
