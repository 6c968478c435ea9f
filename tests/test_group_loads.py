""""Group with highest load today" read from ``group_loads`` agrees with the events it summarises.

The contract defines the metric on the events (assign and transfer events of today, each
conversation once per group). The store reads it from ``group_loads``, which every write keeps
in step; these tests compare the two on the demo store, after the store's own transfers, after
an import with events after "today", and after the migration fills the table from old events.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import command

from chatadmin.clock import Clock
from chatadmin.demo import create_demo_store
from chatadmin.domain import GroupLoad
from chatadmin.store.engine import alembic_config, make_engine, upgrade
from chatadmin.store.models import to_micros
from chatadmin.store.sql import SqlStore
from tests.builders import agent, conversation, group, load_store


def from_events(engine: sa.Engine, clock: Clock, day: date) -> GroupLoad | None:
    """The contract's definition, read straight from the events."""
    start, end = clock.day_bounds(day)
    with engine.connect() as connection:
        top = connection.execute(
            sa.text(
                "SELECT g.id, g.name, count(DISTINCT e.conversation_pk) AS n FROM events e"
                " JOIN groups g ON g.pk = e.to_group_pk"
                " WHERE e.kind IN ('assigned', 'transferred') AND e.at >= :s AND e.at < :e"
                " GROUP BY g.pk, g.id, g.name ORDER BY n DESC, g.id LIMIT 1"
            ),
            {"s": to_micros(start), "e": to_micros(end)},
        ).first()
    return None if top is None else GroupLoad(group=top.id, name=top.name, assigned_today=top.n)


def metrics_on(url: str, clock: Clock, day: date) -> GroupLoad | None:
    noon = clock.day_bounds(day)[0] + timedelta(hours=12)
    store = SqlStore.open(url, Clock(zone=clock.zone, fixed=noon))
    try:
        return store.metrics().highest_load_group
    finally:
        store.dispose()


def days_back(clock: Clock, count: int) -> list[date]:
    return [clock.today() - timedelta(days=n) for n in range(count)]


def test_every_day_of_the_demo_store_agrees_with_its_events(db_url: str, clock: Clock) -> None:
    create_demo_store(db_url, conversations=1500, now=clock.now(), zone=clock.zone)
    engine = make_engine(db_url)
    try:
        answers = {day: from_events(engine, clock, day) for day in days_back(clock, 8)}
    finally:
        engine.dispose()
    assert sum(a is not None for a in answers.values()) >= 6  # the comparison is about something
    for day, expected in answers.items():
        assert metrics_on(db_url, clock, day) == expected, day


def test_transfers_count_each_conversation_once_per_group(db_url: str, clock: Clock) -> None:
    records = [
        group("sales"),
        group("support"),
        agent("ana", ["sales", "support"], available=True),
        *(conversation(f"c-{n}", "2026-11-24T15:00:00Z") for n in range(3)),
    ]
    store = load_store(db_url, clock, records)
    try:
        store.transfer("c-0", "support", "ana")
        store.transfer("c-0", "sales", "ana")
        store.transfer("c-0", "support", "ana")  # support again: still one conversation there
        store.transfer("c-1", "sales", "ana")
        top = store.metrics().highest_load_group
        engine = store.engine
        assert top == from_events(engine, clock, clock.today())
        assert top is not None and (top.group, top.assigned_today) == ("sales", 2)
    finally:
        store.dispose()


def test_an_assignment_after_today_does_not_hide_one_of_today(db_url: str, clock: Clock) -> None:
    """A clock set in the past (or imported future events): the pair's latest assignment is
    tomorrow, but it was also assigned today, which counts."""
    records = [
        group("sales"),
        group("support"),
        agent("ana", ["sales", "support"]),
        conversation(
            "c-1", "2026-11-24T15:00:00Z", status="in_progress", group_id="sales", agent_id="ana",
            assigned_at="2026-11-25T16:00:00Z",
            events=[
                {"at": "2026-11-24T16:00:00Z", "kind": "assigned", "actor": "system", "to_agent": "ana", "to_group": "sales"},
                {"at": "2026-11-25T16:00:00Z", "kind": "assigned", "actor": "system", "to_agent": "ana", "to_group": "sales"},
            ],
        ),
    ]
    store = load_store(db_url, clock, records)
    try:
        top = store.metrics().highest_load_group
        assert top == from_events(store.engine, clock, clock.today())
        assert top is not None and (top.group, top.assigned_today) == ("sales", 1)
    finally:
        store.dispose()
    assert metrics_on(db_url, clock, clock.today() + timedelta(days=1)) == GroupLoad(
        group="sales", name="Sales", assigned_today=1
    )


def test_the_migration_fills_the_table_from_the_events_already_there(sqlite_url: str, clock: Clock) -> None:
    create_demo_store(sqlite_url, conversations=600, now=clock.now(), zone=clock.zone)
    engine = make_engine(sqlite_url)
    try:
        command.downgrade(alembic_config(engine), "0006")
        upgrade(engine)
        answers = {day: from_events(engine, clock, day) for day in days_back(clock, 4)}
    finally:
        engine.dispose()
    assert any(answers.values())
    for day, expected in answers.items():
        assert metrics_on(sqlite_url, clock, day) == expected, day
