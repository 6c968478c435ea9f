"""The demo store: a realistic, seeded WhatsApp sales and support team, created in one go.

``create_demo_store(url, conversations=2000, seed=7, now=…, zone=…, progress=…)`` fills an
empty store with five groups, two to three dozen agents and ``conversations`` conversations of
the 30 days before ``now``; the same seed and ``now`` give the same store, row for row.
``demo_exists(url)`` tells whether the store already holds data, and ``rich_progress()`` is a
progress bar to pass as ``progress``. See ``demo.draw`` (what is drawn), ``demo.chats`` (how a
conversation unfolds), ``demo.feed`` (drawing in a second process) and ``demo.write`` (how the
rows reach the database).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from sqlalchemy import Engine, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from chatadmin.demo.draw import DemoPlan
from chatadmin.demo.feed import Feed, Settled
from chatadmin.demo.world import GROUPS
from chatadmin.demo.write import (
    Inserter,
    RowMaker,
    defer_upkeep,
    settle_team,
    write_chunk,
    write_team,
)
from chatadmin.errors import BackendUnavailable, InvalidInput
from chatadmin.store.engine import database_url, describe_url, make_engine, refresh_statistics, upgrade

FORK = True  # draw in a forked process where the platform can fork (tests turn it off to compare)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    groups: int
    agents: int
    customers: int
    conversations: int


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _first_line(error: BaseException | None) -> str:
    return (str(error) or type(error).__name__).strip().splitlines()[0]


def demo_exists(url: str) -> bool:
    """Whether the store at ``url`` (a URL or a file path) already holds groups, agents or conversations."""
    url = database_url(url)
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        return False
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            for name in ("groups", "agents", "conversations"):
                if name in tables and connection.execute(select(1).select_from(table(name)).limit(1)).first():
                    return True
        return False
    except OperationalError as exc:
        raise BackendUnavailable(f"cannot open the store at {describe_url(url)}: {_first_line(exc.orig)}") from None
    except DatabaseError as exc:
        raise InvalidInput(f"cannot read the store at {describe_url(url)}: {_first_line(exc.orig)}") from None
    finally:
        engine.dispose()


def create_demo_store(
    url: str,
    *,
    conversations: int = 2000,
    seed: int = 7,
    now: datetime,
    zone: tzinfo,
    progress: Progress | None = None,
) -> DemoSummary:
    """Create the demo store at ``url`` (a URL or a file path), which must be empty or not exist yet.

    ``now`` (aware) is the end of the 30 days the conversations span, and ``zone`` the team's
    zone (its working hours and "today"). ``progress(done, total)`` is called as conversations
    are written. A new SQLite file is built as a ``.partial`` file next to the target, without
    a journal, and moved into place when complete; an existing empty store is filled in one
    transaction. Either way an interrupted run leaves no half store. Raises
    :class:`InvalidInput` when the store already holds data (it is never touched then), and
    :class:`BackendUnavailable` when it cannot be reached.
    """
    if now.tzinfo is None:
        raise InvalidInput("the demo's now needs a time zone")
    if conversations < 1:
        raise InvalidInput("the demo needs at least one conversation")
    url = database_url(url)
    if demo_exists(url):
        raise InvalidInput(f"the store at {describe_url(url)} already holds data; the demo only fills an empty store")
    plan = DemoPlan(seed=seed, now=int(now.timestamp()), zone=zone, conversations=conversations)
    target = _sqlite_file(url)
    if target is None or target.exists():
        # one transaction in the store as it is: an interruption rolls everything back
        return _build(make_engine(url), plan, progress)
    partial = target.with_name(target.name + ".partial")
    _remove_sqlite(partial)
    try:
        summary = _build(make_engine(f"sqlite:///{partial}"), plan, progress, fast_file=True)
        _sync(partial)  # built without syncs: on disk before it gets the real name
        os.replace(partial, target)
        _sync(target.parent)
    except BaseException:
        _remove_sqlite(partial)
        raise
    return summary


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _build(engine: Engine, plan: DemoPlan, progress: Progress | None, fast_file: bool = False) -> DemoSummary:
    total = plan.conversations
    collecting = gc.isenabled()
    gc.disable()  # millions of long-lived objects and no cycles: collecting would only cost time
    try:
        upgrade(engine)
        engine.dispose()
        # the drawing process starts before the store is opened, so it holds no connection to it
        with Feed(plan, fork=FORK) as source, engine.connect() as connection:
            driver = connection.connection.dbapi_connection
            if fast_file:
                # a throwaway file until it is complete: no journal, no syncs, a big cache
                for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1048576", "locking_mode=EXCLUSIVE"):
                    driver.execute(f"PRAGMA {pragma}")  # type: ignore[union-attr]
            with connection.begin():
                upkeep = defer_upkeep(connection)
                inserter = Inserter(connection)
                rows = RowMaker(plan.agents)
                write_team(inserter, plan.agents)
                if progress is not None:
                    progress(0, total)
                written = 0
                settled: Settled | None = None
                for item in source:
                    if isinstance(item, Settled):
                        settled = item
                        break
                    write_chunk(inserter, rows.chunk(item))
                    upkeep.chunk_written()
                    written += len(item)
                    if progress is not None:
                        progress(written, total)
                if settled is None:
                    raise RuntimeError("the demo's drawing ended without the team's final state")
                for agent, (available, max_active) in zip(plan.agents, settled.agents, strict=True):
                    agent.available, agent.max_active = available, max_active
                settle_team(connection, plan.agents, rows.tally, total)
                upkeep.restore()
            if fast_file:
                driver.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
        refresh_statistics(engine)
    finally:
        engine.dispose()
        if collecting:
            gc.enable()
    return DemoSummary(groups=len(GROUPS), agents=len(plan.agents), customers=rows.customers, conversations=total)


@contextmanager
def rich_progress(description: str) -> Iterator[Progress]:
    """A progress bar on stderr; yields the ``progress(done, total)`` callback to pass on."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar

    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Bar(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
