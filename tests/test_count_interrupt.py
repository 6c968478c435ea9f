"""Interrupting a count from another thread: the database stops the statement, the store stays whole.

The console interrupts the count of a search the next key made useless. Here the statement is
stopped while it runs: on SQLite from inside the count (a progress handler pulls the interrupt
after a few steps, as another thread would), on PostgreSQL while the count waits for a lock
another connection holds. (Pulled before or after a count: tests/test_backend_contract.py.)
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from chatadmin.backend import Interrupt
from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter
from chatadmin.errors import Interrupted

from .builders import agent, conversation, group, load_store

RECORDS = [
    group("sales", "Sales"),
    agent("ana", ["sales"], name="Ana Pérez"),
    *(
        conversation(f"c{n}", f"2026-11-2{n % 4}T0{n % 10}:00:00Z", name=f"Cliente {n}", phone=f"+5255123456{n:02d}")
        for n in range(40)
    ),
]
SEARCH = ConversationFilter(search="cliente 1")  # c1 and c10-c19


def test_sqlite_stops_a_count_while_it_runs(sqlite_url: str, clock: Clock) -> None:
    store = load_store(sqlite_url, clock, RECORDS)
    interrupt = Interrupt()
    steps: list[int] = []

    def pull_midway() -> int:
        steps.append(1)
        if len(steps) == 3:
            interrupt.pull()  # what the console's thread does when the next key comes
        return 0  # 0: go on (a non-zero answer would stop the statement by itself)

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def watch(connection: sa.Connection, cursor: object, statement: str, *args: object) -> None:
        driver = connection.connection.dbapi_connection
        handler = pull_midway if "count(" in statement.lower() and "cliente 1" in str(args[0]) else None
        driver.set_progress_handler(handler, 1)  # type: ignore[union-attr]

    try:
        # the search table opened first: the steps of preparing a statement are not the count's
        # (an interrupt among them ends with that nested statement, and the count runs on)
        assert store.count_conversations(ConversationFilter(search="cliente 2")) == 11  # c2, c20-c29
        steps.clear()
        with pytest.raises(Interrupted):
            store.count_conversations(SEARCH, interrupt=interrupt)
        assert len(steps) >= 3  # stopped inside the counting statement, not before it
        sa.event.remove(store.engine, "before_cursor_execute", watch)
        assert store.count_conversations(SEARCH) == 11  # and no half count was kept
    finally:
        store.dispose()


@pytest.mark.postgres
def test_postgresql_cancels_a_count_while_it_runs(pg_url: str, clock: Clock) -> None:
    store = load_store(pg_url, clock, RECORDS)
    interrupt = Interrupt()
    outcome: list[object] = []
    locker = sa.create_engine(pg_url)
    try:
        with locker.connect() as holder:
            holder.exec_driver_sql("LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE")

            def count() -> None:
                try:
                    outcome.append(store.count_conversations(SEARCH, interrupt=interrupt))
                except Exception as exc:  # noqa: BLE001 - the test looks at what it was
                    outcome.append(exc)

            counting = threading.Thread(target=count)
            counting.start()
            with locker.connect() as watcher:  # until the count waits for the lock
                for _ in range(500):
                    waiting = watcher.exec_driver_sql(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    ).scalar()
                    if waiting:
                        break
                    time.sleep(0.01)
                assert waiting
            started = time.monotonic()
            interrupt.pull()
            counting.join(10)
            assert not counting.is_alive() and time.monotonic() - started < 5  # not a lock timeout
            holder.rollback()
        assert len(outcome) == 1 and isinstance(outcome[0], Interrupted)
        assert store.count_conversations(SEARCH) == 11  # the pool's connection works on
        assert store.count_conversations(SEARCH, interrupt=Interrupt()) == 11
    finally:
        locker.dispose()
        store.dispose()
