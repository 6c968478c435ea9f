"""The scale indexes: the trigram search tables kept in step with writes, the query plans that use
each index of migrations 0004 and 0005, and the migrations' single head and round trip.

Plans are read with EXPLAIN QUERY PLAN (SQLite: its plans do not depend on table sizes until
ANALYZE runs) and EXPLAIN (PostgreSQL, with sequential scans and sorts priced out, since on a
few rows a scan is rightly cheaper: the check is that the index *can* serve the query).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.store import search
from chatadmin.store.engine import alembic_config, make_engine
from chatadmin.store.load import import_ndjson
from chatadmin.store.sql import SqlStore

from .builders import agent, conversation, group, lines, load_store, msg

RECORDS = [
    group("sales", "Sales"),
    group("support", "Support"),
    agent("ana", ["sales"], name="Ana Pérez"),
    agent("bo", ["support"], name="Bo Silva"),
    conversation("c1", "2026-11-24T08:00:00Z", name="José Pérez", phone="+525512345678", tags=["vip"]),
    conversation(
        "c2",
        "2026-11-24T09:00:00Z",
        name="João Conceição",
        phone="+5511987654321",
        status="in_progress",
        group_id="sales",
        agent_id="ana",
        assigned_at="2026-11-24T09:05:00Z",
        messages=[msg("2026-11-24T09:00:00Z", "customer", "olá"), msg("2026-11-24T09:06:00Z", "agent", "oi", "ana")],
    ),
    conversation(
        "c3",
        "2026-11-24T10:00:00Z",
        name="Luis Gómez",
        phone="+17875550123",
        status="closed",
        group_id="support",
        agent_id="bo",
        assigned_at="2026-11-24T10:01:00Z",
        closed_at="2026-11-24T11:00:00Z",
        rating=4,
    ),
]


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[SqlStore]:
    opened = load_store(db_url, clock, RECORDS)
    yield opened
    opened.dispose()


@pytest.fixture
def sqlite_store(sqlite_url: str, clock: Clock) -> Iterator[SqlStore]:
    opened = load_store(sqlite_url, clock, RECORDS)
    yield opened
    opened.dispose()


@pytest.fixture
def pg_store(pg_url: str, clock: Clock) -> Iterator[SqlStore]:
    opened = load_store(pg_url, clock, RECORDS)
    yield opened
    opened.dispose()


def ids(rows: Any) -> list[str]:
    return sorted(row.id for row in rows)


def statements(store: SqlStore, call: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SELECT statements (with their parameters) the store runs for ``call()``."""
    seen: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", note)
    return seen


def sqlite_plans(store: SqlStore, call: Callable[[], object]) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT of ``call()``, one text per statement.

    A statement that reads a page by its keys (``pk IN (SELECT … ORDER BY … LIMIT …)``) gives
    two texts: the key subquery's plan, then the whole statement's.
    """
    plans = []
    with store.engine.connect() as connection:
        for statement, parameters in statements(store, call):
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            for node, _, _, detail in rows:
                if detail.startswith("LIST SUBQUERY"):
                    plans.append("\n".join(_below(rows, node)))
            plans.append("\n".join(row[3] for row in rows))
    return plans


def _below(rows: list[Any], node: int) -> list[str]:
    found = []
    for child, parent, _, detail in rows:
        if parent == node:
            found += [detail, *_below(rows, child)]
    return found


def pg_plans(store: SqlStore, call: Callable[[], object], *, bitmaps: bool = False) -> list[str]:
    """EXPLAIN of every SELECT of ``call()``, with sequential scans and sorts priced out.

    ``bitmaps``: plain index scans priced out too (a GIN index is only read through bitmaps,
    and on three rows a walk of the primary key index is otherwise cheaper).
    """
    plans = []
    with store.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_sort = off")
        if bitmaps:
            connection.exec_driver_sql("SET enable_indexscan = off")
        for statement, parameters in statements(store, call):
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            plans.append("\n".join(row[0] for row in rows))
        connection.rollback()
    return plans


def using(plans: list[str], needle: str) -> list[str]:
    return [plan for plan in plans if needle in plan]


# ---------------------------------------------------------------- search kept in step with writes


def fts_rowids(store: SqlStore, query: str) -> set[int]:
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT rowid FROM customer_search WHERE customer_search MATCH ?", (query,))
        return {row[0] for row in rows}


def customer_pk(store: SqlStore, name: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pk FROM customers WHERE name = ?", (name,)).scalar_one())


def test_imported_customers_are_in_the_trigram_table(sqlite_store: SqlStore) -> None:
    store = sqlite_store
    assert fts_rowids(store, 'name_fold : "perez"') == {customer_pk(store, "José Pérez")}
    # a second file adds a customer: the insert trigger indexes it in the same transaction
    import_ndjson(store.engine, lines(conversation("c4", "2026-11-24T12:00:00Z", name="Zoë Pérez", phone="+34612345678")), "more.ndjson")
    assert fts_rowids(store, 'name_fold : "perez"') == {customer_pk(store, "José Pérez"), customer_pk(store, "Zoë Pérez")}
    assert fts_rowids(store, 'digits : "346123"') == {customer_pk(store, "Zoë Pérez")}
    assert ids(store.list_conversations(ConversationFilter(search="ZOË")).rows) == ["c4"]
    with store.engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO customer_search(customer_search) VALUES ('integrity-check')")


def test_updated_and_deleted_customers_leave_the_trigram_table(sqlite_store: SqlStore) -> None:
    store = sqlite_store
    luis = customer_pk(store, "Luis Gómez")
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE customers SET name = 'Luisa Mora', name_fold = 'luisa mora' WHERE pk = ?", (luis,))
    assert fts_rowids(store, 'name_fold : "gomez"') == set()
    assert fts_rowids(store, 'name_fold : "mora"') == {luis}
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM conversations WHERE id = 'c3'")
        connection.exec_driver_sql("DELETE FROM customers WHERE pk = ?", (luis,))
        connection.exec_driver_sql("INSERT INTO customer_search(customer_search) VALUES ('integrity-check')")
    assert fts_rowids(store, 'name_fold : "mora"') == set()


def test_postgresql_has_trigram_indexes_on_the_search_columns(pg_store: SqlStore) -> None:
    with pg_store.engine.connect() as connection:
        found = dict(
            connection.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() AND tablename = 'customers' AND indexdef ~ 'USING gin'"
            ).all()
        )
    assert set(found) == {"ix_customers_name_fold_trgm", "ix_customers_digits_trgm"}
    assert all("USING gin" in definition and "gin_trgm_ops" in definition for definition in found.values())


# ---------------------------------------------------------------- search: exact, whichever index


@pytest.mark.parametrize("factor", [0, 10**9], ids=["by-row", "by-customer"])
def test_search_is_exact_in_both_shapes_and_for_short_needles(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, factor: int
) -> None:
    monkeypatch.setattr(search, "BY_ROW_FACTOR", factor)

    def found(text: str) -> list[str]:
        listed = ids(store.list_conversations(ConversationFilter(search=text)).rows)
        assert store.count_conversations(ConversationFilter(search=text)) == len(listed)
        return listed

    assert found("pérez") == ["c1"]
    assert found("JOAO CONCE") == ["c2"]
    assert found("ão") == ["c2"]  # two characters: too short for trigrams, still exact
    assert found("o") == ["c1", "c2", "c3"]
    assert found("(787) 555") == ["c3"]
    assert found("55") == ["c1", "c2", "c3"]
    assert found('"') == [] and found('z"z') == []  # FTS5 query syntax stays literal
    assert found("%") == [] and found("_") == []


# ---------------------------------------------------------------- SQLite query plans


def test_sqlite_search_with_few_matches_reads_the_trigram_table(sqlite_store: SqlStore) -> None:
    page = sqlite_plans(sqlite_store, lambda: sqlite_store.list_conversations(ConversationFilter(search="pérez")))
    count = sqlite_plans(sqlite_store, lambda: sqlite_store.count_conversations(ConversationFilter(search="pérez")))
    digits = sqlite_plans(sqlite_store, lambda: sqlite_store.count_conversations(ConversationFilter(search="5512 34")))
    for plans in (page, count, digits):
        assert using(plans, "customer_search VIRTUAL TABLE INDEX"), plans
        assert not using(plans, "SCAN customers"), plans


def test_sqlite_search_with_many_matches_walks_the_list_order(
    sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "BY_ROW_FACTOR", 0)
    for text in ("pérez", "jo"):
        plans = sqlite_plans(sqlite_store, lambda t=text: sqlite_store.list_conversations(ConversationFilter(search=t)))
        keys = using(plans, "ix_conversations_created_at_pk")
        assert keys and "TEMP B-TREE" not in keys[0] and "SEARCH searched USING INTEGER PRIMARY KEY" in keys[0], plans


def test_sqlite_one_agent_in_list_order_reads_that_agents_index_in_order(sqlite_store: SqlStore) -> None:
    only_ana = ConversationFilter(agents=frozenset({"ana"}))
    plans = sqlite_plans(sqlite_store, lambda: sqlite_store.list_conversations(only_ana))
    keys = using(plans, "ix_conversations_agent_pk_created_at (agent_pk=?)")
    assert keys and "TEMP B-TREE" not in keys[0], plans
    assert ids(sqlite_store.list_conversations(only_ana).rows) == ["c2"]


def test_sqlite_inactivity_filter_is_checked_on_the_list_orders_index(sqlite_store: SqlStore) -> None:
    inactive = ConversationFilter(inactive_over=3600)
    plans = sqlite_plans(sqlite_store, lambda: sqlite_store.list_conversations(inactive))
    keys = using(plans, "SCAN conversations USING COVERING INDEX ix_conversations_created_at_pk_last_message_at")
    assert keys and "TEMP B-TREE" not in keys[0], plans
    assert ids(sqlite_store.list_conversations(inactive).rows) == ["c2"]  # the only one with messages


@pytest.mark.parametrize("descending", [True, False])
def test_sqlite_duration_sort_merges_two_index_walks(sqlite_store: SqlStore, descending: bool) -> None:
    plans = sqlite_plans(sqlite_store, lambda: sqlite_store.list_conversations(sort=Sort(key=SortKey.DURATION, descending=descending)))
    for index in ("ix_conversations_duration_open", "ix_conversations_duration_closed"):
        walks = using(plans, f"SCAN conversations USING INDEX {index}")
        assert walks and "TEMP B-TREE" not in walks[0], plans


SQLITE_SORT_INDEXES = [
    (Sort(), "SCAN conversations USING COVERING INDEX ix_conversations_created_at_pk"),
    (Sort(key=SortKey.STATUS, descending=False), "ix_conversations_status_pk"),
    (Sort(key=SortKey.RATING, descending=False), "ix_conversations_rating_pk"),
    (Sort(key=SortKey.RATING, descending=True), "ix_conversations_rating_pk"),
    (Sort(key=SortKey.CUSTOMER_NAME, descending=False), "SCAN customers USING INDEX ix_customers_name_sort"),
    (Sort(key=SortKey.CUSTOMER_PHONE, descending=True), "SCAN customers USING COVERING INDEX ix_customers_phone"),
    (Sort(key=SortKey.INACTIVITY, descending=True), "ix_conversations_last_message_at"),
    (Sort(key=SortKey.RESPONSE_CREATION, descending=True), "ix_conversations_response_creation_s"),
    (Sort(key=SortKey.NO_RESPONSE, descending=True), "ix_conversations_no_response"),
    (Sort(key=SortKey.NO_RESPONSE, descending=False), "ix_conversations_no_response"),
    (Sort(key=SortKey.SENT_BY, descending=True), "ix_conversations_sent_by_pk"),
]


@pytest.mark.parametrize(("sort", "index"), SQLITE_SORT_INDEXES, ids=lambda v: getattr(v, "key", None) or "")
def test_sqlite_sorts_walk_their_index_without_sorting_the_list(sqlite_store: SqlStore, sort: Sort, index: str) -> None:
    plans = sqlite_plans(sqlite_store, lambda: sqlite_store.list_conversations(sort=sort))
    keys = using(plans, index)
    assert keys, plans
    assert "USE TEMP B-TREE FOR ORDER BY" not in keys[0], keys[0]


@pytest.mark.parametrize("key", [SortKey.AGENT, SortKey.GROUP])
def test_sqlite_agent_and_group_sorts_read_blocks_from_their_index(sqlite_store: SqlStore, key: SortKey) -> None:
    index = {SortKey.AGENT: "ix_conversations_agent_pk_pk", SortKey.GROUP: "ix_conversations_group_pk_pk"}[key]
    plans = sqlite_plans(sqlite_store, lambda: sqlite_store.list_conversations(sort=Sort(key=key, descending=False)))
    blocks = using(plans, index)
    assert blocks and all("TEMP B-TREE" not in plan for plan in blocks), plans
    assert ids(sqlite_store.list_conversations(sort=Sort(key=key, descending=False)).rows) == ["c1", "c2", "c3"]


def test_sqlite_deep_pages_find_their_keys_on_the_index_alone(sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from chatadmin.store import paging

    monkeypatch.setattr(paging, "DEEP_OFFSET", 1)
    plans = sqlite_plans(sqlite_store, lambda: sqlite_store.list_conversations(offset=2, limit=1))
    # counted, then the last key read from the end: no joined row for the rows skipped
    assert using(plans, "COVERING INDEX ix_conversations_created_at_pk"), plans
    assert [row.id for row in sqlite_store.list_conversations(offset=2, limit=5).rows] == ["c1"]
    # the stamp a kept count is checked against reads two index ends, never the table
    stamps = [plan for plan in plans if plan.startswith("SCAN CONSTANT ROW")]
    assert stamps and not [plan for plan in stamps if "SCAN conversations" in plan], plans


def test_sqlite_no_response_sort_reads_both_ends_from_its_index(sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from chatadmin.store import paging

    monkeypatch.setattr(paging, "DEEP_OFFSET", 1)
    for descending in (True, False):
        sort = Sort(key=SortKey.NO_RESPONSE, descending=descending)
        plans = sqlite_plans(sqlite_store, lambda s=sort: sqlite_store.list_conversations(sort=s, offset=2, limit=1))
        keys = using(plans, "ix_conversations_no_response")  # the key subquery's plan comes first
        assert keys and "TEMP B-TREE" not in keys[0], plans


def test_sqlite_common_tags_and_ratings_walk_the_list_order(sqlite_store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "BY_ROW_FACTOR", 0)  # every tag counts as common
    for filters in (ConversationFilter(tags=frozenset({"vip"})), ConversationFilter(ratings=frozenset({4}))):
        plans = sqlite_plans(sqlite_store, lambda f=filters: sqlite_store.list_conversations(f))
        keys = using(plans, "ix_conversations_created_at_pk")
        assert keys and "TEMP B-TREE" not in keys[0], plans
    assert ids(sqlite_store.list_conversations(ConversationFilter(ratings=frozenset({4}))).rows) == ["c3"]
    assert ids(sqlite_store.list_conversations(ConversationFilter(tags=frozenset({"vip"}))).rows) == ["c1"]


def test_sqlite_metrics_count_each_groups_load_on_its_index_range(sqlite_store: SqlStore) -> None:
    plans = sqlite_plans(sqlite_store, sqlite_store.metrics)
    assert using(plans, "COVERING INDEX ix_group_loads_group_pk_last_at (group_pk=? AND last_at>? AND last_at<?)"), plans
    assert not using(plans, "SCAN events"), plans
    assert using(plans, "COVERING INDEX ix_conversations_status_pk"), plans


def test_sqlite_group_activity_reads_todays_assignments_from_the_events_index_alone(sqlite_store: SqlStore) -> None:
    plans = sqlite_plans(sqlite_store, sqlite_store.group_activity)
    assert using(plans, "COVERING INDEX ix_events_at_kind_to_group_pk_conversation_pk"), plans


def test_countries_are_the_distinct_countries_in_order(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        plain = connection.exec_driver_sql(
            "SELECT DISTINCT country FROM conversations WHERE country IS NOT NULL ORDER BY country"
        ).scalars().all()
    assert len(plain) > 1 and store.list_countries() == plain


def test_sqlite_countries_seek_the_country_index_once_each(sqlite_store: SqlStore) -> None:
    plans = sqlite_plans(sqlite_store, sqlite_store.list_countries)
    # each next country is one seek past the last one (a DISTINCT read the whole index range)
    seek = "CORRELATED SCALAR SUBQUERY 3\nSEARCH conversations USING COVERING INDEX ix_conversations_country_pk (country>?)"
    assert using(plans, seek), plans
    assert not using(plans, "SCAN conversations"), plans


def test_sqlite_agents_loads_count_each_agents_range_of_the_index(sqlite_store: SqlStore) -> None:
    plans = sqlite_plans(sqlite_store, sqlite_store.list_agents)
    loads = "CORRELATED SCALAR SUBQUERY 1\nSEARCH conversations USING COVERING INDEX ix_conversations_agent_pk_status (agent_pk=? AND status=?)"
    assert using(plans, loads), plans
    assert not using(plans, "GROUP BY"), plans  # not every in-progress conversation, grouped


# ---------------------------------------------------------------- PostgreSQL query plans


def test_postgresql_agents_loads_count_each_agents_range_of_the_index(pg_store: SqlStore) -> None:
    plans = pg_plans(pg_store, pg_store.list_agents)
    # per agent, an index range (which index, on a few rows, is the planner's choice; at 1M it is
    # (agent_pk, status)), not every in-progress conversation grouped
    assert using(plans, "SubPlan 1"), plans
    assert using(plans, "agent_pk = agents.pk"), plans
    assert not using(plans, "Group Key"), plans


def test_postgresql_countries_seek_the_country_index(pg_store: SqlStore) -> None:
    plans = pg_plans(pg_store, pg_store.list_countries)
    # one index seek per country, the next one past the last (a DISTINCT read every entry)
    assert using(plans, "Recursive Union"), plans
    assert using(plans, "Index Only Scan using ix_conversations_country_pk"), plans
    assert not using(plans, "Seq Scan on conversations"), plans


def test_postgresql_search_uses_the_trigram_indexes(pg_store: SqlStore) -> None:
    name = pg_plans(pg_store, lambda: pg_store.list_conversations(ConversationFilter(search="pérez")), bitmaps=True)
    number = pg_plans(pg_store, lambda: pg_store.count_conversations(ConversationFilter(search="5512 34")), bitmaps=True)
    assert using(name, "ix_customers_name_fold_trgm"), name
    assert using(number, "ix_customers_digits_trgm"), number


PG_SORT_INDEXES = [
    (Sort(), "Index Only Scan Backward using ix_conversations_created_at_pk"),
    (Sort(key=SortKey.STATUS, descending=False), "ix_conversations_status_pk"),
    (Sort(key=SortKey.RATING, descending=False), "ix_conversations_rating_pk"),
    (Sort(key=SortKey.RATING, descending=True), "ix_conversations_rating_desc"),
    (Sort(key=SortKey.RESPONSE_CREATION, descending=True), "ix_conversations_response_creation_s_desc"),
    (Sort(key=SortKey.RESPONSE_ASSIGNMENT, descending=True), "ix_conversations_response_assignment_s_desc"),
    (Sort(key=SortKey.CUSTOMER_NAME, descending=False), "ix_customers_name_sort "),
    (Sort(key=SortKey.CUSTOMER_NAME, descending=True), "ix_customers_name_sort_desc"),
    (Sort(key=SortKey.COUNTRY, descending=False), "ix_conversations_country_pk"),
    (Sort(key=SortKey.COUNTRY, descending=True), "ix_conversations_country_desc"),
    (Sort(key=SortKey.SENT_BY, descending=True), "ix_conversations_sent_by_desc"),
    (Sort(key=SortKey.INACTIVITY, descending=False), "ix_conversations_last_message_at_desc"),
    (Sort(key=SortKey.RESPONSE_CREATION, descending=False), "ix_conversations_response_creation_s_pk"),
    (Sort(key=SortKey.RESPONSE_ASSIGNMENT, descending=False), "ix_conversations_response_assignment_s_pk"),
    (Sort(key=SortKey.NO_RESPONSE, descending=True), "ix_conversations_no_response "),
    (Sort(key=SortKey.NO_RESPONSE, descending=False), "ix_conversations_no_response_desc"),
    (Sort(key=SortKey.SENT_BY, descending=False), "ix_conversations_sent_by_pk"),
    (Sort(key=SortKey.DURATION, descending=True), "ix_conversations_duration_open"),
    (Sort(key=SortKey.DURATION, descending=True), "ix_conversations_duration_closed"),
]


@pytest.mark.parametrize(("sort", "index"), PG_SORT_INDEXES, ids=lambda v: getattr(v, "key", None) or "")
def test_postgresql_sorts_can_walk_their_index(pg_store: SqlStore, sort: Sort, index: str) -> None:
    plans = pg_plans(pg_store, lambda: pg_store.list_conversations(sort=sort))
    assert using(plans, index), plans


def test_postgresql_metrics_count_each_groups_load_on_its_index(pg_store: SqlStore) -> None:
    plans = pg_plans(pg_store, pg_store.metrics)
    assert using(plans, "ix_group_loads_group_pk_last_at"), plans


def test_postgresql_reads_pages_without_parallel_workers_and_counts_with_the_servers(pg_store: SqlStore, pg_url: str) -> None:
    """A page is a hundred rows: parallel workers take longer to start than it takes to read.
    A count reads a whole list, and keeps whatever the server is set to."""
    server = sa.create_engine(pg_url)
    with server.connect() as connection:
        configured = connection.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar_one()
    server.dispose()
    assert configured != "0"  # else this test could not tell the two apart
    seen: list[tuple[str, str]] = []

    def setting(connection: sa.Connection, cursor: Any, statement: str, *_: Any) -> None:
        with connection.connection.dbapi_connection.cursor() as own:  # type: ignore[union-attr]
            own.execute("SHOW max_parallel_workers_per_gather")
            seen.append((statement.lstrip().lower(), own.fetchone()[0]))

    sa.event.listen(pg_store.engine, "after_cursor_execute", setting)
    try:
        pg_store.list_conversations(ConversationFilter(search="pérez"), limit=10)
        pages = list(seen)
        seen.clear()
        pg_store.count_conversations(ConversationFilter(search="pérez"))
    finally:
        sa.event.remove(pg_store.engine, "after_cursor_execute", setting)
    assert pages and all(value == "0" for _, value in pages), pages
    counts = [value for statement, value in seen if statement.startswith("select count(")]
    assert counts == [configured], seen


# ---------------------------------------------------------------- migrations


def test_migrations_have_one_head() -> None:
    engine = make_engine("sqlite://")
    try:
        assert len(ScriptDirectory.from_config(alembic_config(engine)).get_heads()) == 1
    finally:
        engine.dispose()


def test_scale_migrations_downgrade_and_upgrade_again(store: SqlStore, clock: Clock) -> None:
    config = alembic_config(store.engine)
    command.downgrade(config, "0003")
    with store.engine.connect() as connection:
        indexes = {index["name"] for index in sa.inspect(connection).get_indexes("conversations")}
        tables = set(sa.inspect(connection).get_table_names())
    assert "ix_conversations_status_pk" not in indexes and "customer_search" not in tables
    command.upgrade(config, "head")
    reopened = SqlStore.open(store.engine.url.render_as_string(hide_password=False), clock)
    try:
        assert ids(reopened.list_conversations(ConversationFilter(search="conceição")).rows) == ["c2"]
        assert reopened.count_conversations(ConversationFilter(statuses=frozenset({Status.CLOSED}))) == 1
    finally:
        reopened.dispose()
