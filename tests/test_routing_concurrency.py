"""Several processes route at once, on SQLite and PostgreSQL: no chat twice, caps hold, round robin in turn.

Four processes transfer the same chats (each chat is tried by two of them, in their own
orders, both with the version they saw at the start) into a round-robin and a capped
least-busy group;
a fifth closes chats of the capped group, so its queue drains; a sixth changes caps,
availability and memberships meanwhile. Each process opens its own store.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from chatadmin.clock import Clock, parse_instant
from chatadmin.domain import ConversationFilter, EventKind, RoutingConfig, RoutingRule, Status
from chatadmin.errors import Conflict
from chatadmin.store.models import AgentRow, ConversationRecord, EventRow, GroupRow, Membership
from chatadmin.store.routing_log import routing_log
from chatadmin.store.sql import SqlStore

from .builders import agent, conversation, group, load_store
from .conftest import FIXED_NOW

CHATS = 200
TRANSFERERS = 3
TO_CLOSE = 12
RR_AGENTS = ["r1", "r2", "r3", "r4"]
CAPS = {"l1": 8, "l2": 8, "l3": 8, "x": 4}
FINAL_CAPS = CAPS | {"l3": 10}
WAIT = 120  # seconds a process may wait for the others before the test gives up (a hang, not a timing)


def make_clock() -> Clock:
    return Clock(zone=ZoneInfo("America/Mexico_City"), fixed=parse_instant(FIXED_NOW))


def target(number: int) -> str:
    return "rr" if number % 2 == 0 else "lb"


def records() -> list[dict[str, Any]]:
    chats = [
        conversation(f"c-{n:03d}", f"2026-11-24T{8 + n // 60:02d}:{n % 60:02d}:00Z", phone=f"+5255{10_000_000 + n}")
        for n in range(CHATS)
    ]
    return [
        group("rr"),
        group("lb", routing={"rule": "least_busy"}),
        *(agent(a, ["rr"]) for a in RR_AGENTS),
        *(agent(a, ["lb"], max_active=cap) for a, cap in CAPS.items() if a != "x"),
        agent("x", [], max_active=CAPS["x"]),
        *chats,
    ]


@dataclass
class Outcome:
    name: str
    won: list[tuple[str, str | None]] = field(default_factory=list)
    conflicts: int = 0
    closed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def transferer(url: str, seed: int, start: Any, results: Any) -> None:
    outcome = Outcome(f"transferer {seed}")
    store = SqlStore.open(url, make_clock())
    order = [n for n in range(CHATS) if seed in (n % TRANSFERERS, (n + 1) % TRANSFERERS)]
    random.Random(seed).shuffle(order)
    start.wait(WAIT)
    for n in order:
        try:
            result = store.transfer(f"c-{n:03d}", target(n), expected_version=1)
            outcome.won.append((result.id, result.agent))
        except Conflict:
            outcome.conflicts += 1
        except Exception as exc:  # noqa: BLE001 - every other failure is what the test looks for
            outcome.errors.append(f"c-{n:03d}: {exc!r}")
    store.dispose()
    results.put(outcome)


def admin(url: str, start: Any, results: Any) -> None:
    """Close chats of the capped group as they get agents, and change its configuration in between."""
    outcome = Outcome("admin")
    store = SqlStore.open(url, make_clock())
    busy = ConversationFilter(groups=frozenset({"lb"}), statuses=frozenset({Status.IN_PROGRESS}))
    changes = [
        lambda: store.set_agent("x", add_groups=("lb",)),
        lambda: store.set_agent("l3", max_active=FINAL_CAPS["l3"]),
        lambda: store.set_agent("l2", available=False),
        lambda: store.set_routing("lb", RoutingConfig(rule=RoutingRule.LEAST_BUSY)),  # no change
        lambda: store.set_agent("l2", available=True),
    ]
    start.wait(WAIT)
    deadline = time.monotonic() + WAIT
    while (changes or len(outcome.closed) < TO_CLOSE) and time.monotonic() < deadline:
        if changes:
            try:
                changes.pop(0)()
            except Exception as exc:  # noqa: BLE001
                outcome.errors.append(repr(exc))
        for row in store.list_conversations(busy, limit=2).rows[: TO_CLOSE - len(outcome.closed)]:
            try:
                store.close_conversation(row.id, expected_version=row.version)
                outcome.closed.append(row.id)
            except Conflict:
                outcome.conflicts += 1
            except Exception as exc:  # noqa: BLE001
                outcome.errors.append(f"{row.id}: {exc!r}")
        time.sleep(0.01)
    store.dispose()
    results.put(outcome)


def run_all(url: str) -> list[Outcome]:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(TRANSFERERS + 1)
    results = context.Queue()
    processes = [context.Process(target=transferer, args=(url, seed, start, results)) for seed in range(TRANSFERERS)]
    processes.append(context.Process(target=admin, args=(url, start, results)))
    for process in processes:
        process.start()
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + 2 * WAIT
    try:
        while len(outcomes) < len(processes) and time.monotonic() < deadline:
            try:
                outcomes.append(results.get(timeout=1))
            except queue.Empty:
                # a process that died without an outcome (an import error, say) fails the test now
                assert all(p.is_alive() or p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    finally:
        for process in processes:
            process.join(timeout=WAIT)
            if process.is_alive():
                process.terminate()
    assert len(outcomes) == len(processes), "the processes did not finish"
    return outcomes


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_processes_routing_at_once_never_break_a_rule(kind: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "pg_url")
    load_store(url, make_clock(), records()).dispose()

    outcomes = run_all(url)

    assert [error for o in outcomes for error in o.errors] == []
    won = [cid for o in outcomes for cid, _ in o.won]
    assert sorted(won) == [f"c-{n:03d}" for n in range(CHATS)]  # each chat transferred exactly once
    assert sum(o.conflicts for o in outcomes if o.name.startswith("transferer")) == CHATS  # the other try of each
    closed = next(o.closed for o in outcomes if o.name == "admin")
    assert len(closed) == TO_CLOSE == len(set(closed))

    store = SqlStore.open(url, make_clock())
    try:
        with store.engine.connect() as connection:
            agents = dict(connection.execute(sa.select(AgentRow.pk, AgentRow.id)).all())
            groups = dict(connection.execute(sa.select(GroupRow.pk, GroupRow.id)).all())
            events = connection.execute(
                sa.select(
                    ConversationRecord.id, EventRow.kind, EventRow.to_agent_pk, EventRow.to_group_pk, EventRow.rule
                )
                .join(ConversationRecord, ConversationRecord.pk == EventRow.conversation_pk)
                .order_by(EventRow.pk)
            ).all()
            final = {
                row.id: (row.status, agents.get(row.agent_pk), groups.get(row.group_pk))
                for row in connection.execute(
                    sa.select(
                        ConversationRecord.id,
                        ConversationRecord.status,
                        ConversationRecord.agent_pk,
                        ConversationRecord.group_pk,
                    )
                )
            }
        # every transfer wrote exactly one event, and it says where the chat went
        transfers = [e for e in events if e.kind == EventKind.TRANSFERRED.value]
        assert Counter(e.id for e in transfers) == Counter(won)
        winners = {cid: agent_id for o in outcomes for cid, agent_id in o.won}
        assert {e.id: agents.get(e.to_agent_pk) for e in transfers} == winners
        assert all(groups[e.to_group_pk] == target(int(e.id[2:])) for e in transfers)

        # no chat was assigned twice: one assignment at most, and the one it holds
        assignments = [e for e in events if e.to_agent_pk is not None]
        assert max(Counter(e.id for e in assignments).values()) == 1
        assigned_to = {e.id: agents[e.to_agent_pk] for e in assignments}
        for cid, (status, agent_id, group_id) in final.items():
            assert group_id == target(int(cid[2:]))
            if status == Status.OPEN.value:
                assert agent_id is None and cid not in assigned_to
            else:
                assert assigned_to[cid] == agent_id
        assert {cid for cid, (status, _, _) in final.items() if status == Status.CLOSED.value} == set(closed)
        drained = [e for e in events if e.kind == EventKind.ASSIGNED.value]
        assert all(groups[e.to_group_pk] == "lb" and e.rule == "least_busy" for e in drained)

        # caps hold, and the capped group used its places before queueing
        loads = {a.id: a.load for a in store.list_agents()}
        assert all(loads[a] <= cap for a, cap in FINAL_CAPS.items())
        assert {g.id: g.queue_length for g in store.list_groups()}["lb"] > 0
        # the round robin group went around in turn: never skipped, never repeated
        turns = [agents[e.to_agent_pk] for e in transfers if groups[e.to_group_pk] == "rr"]
        assert len(turns) == CHATS // 2
        first = RR_AGENTS.index(turns[0])
        assert turns == [RR_AGENTS[(first + i) % len(RR_AGENTS)] for i in range(len(turns))]
        counts = Counter(turns)
        assert max(counts.values()) - min(counts.values()) <= 1
        # the configuration changes were each audited once
        assert [(c.agent, c.setting.value) for c in routing_log(store)] == [
            ("x", "member"), ("l3", "max_active"), ("l2", "available"), ("l2", "available"),
        ]  # fmt: skip
    finally:
        store.dispose()


@pytest.mark.postgres
def test_a_close_locks_a_group_its_agent_joined_while_it_waited(pg_url: str) -> None:
    """The close reads the agent's groups and waits for a lock; meanwhile the agent joins g2.

    The close must lock g2 as well before draining it, so it waits for whoever holds g2 and
    then sees g2 as that one left it (here: switched to manual, so nothing is assigned).
    """
    load_store(pg_url, make_clock(), [
        group("g1"), group("g2"), agent("x", ["g1"], max_active=1),
        conversation("held", "2026-11-24T08:00:00Z", status="in_progress", group_id="g1", agent_id="x",
                     assigned_at="2026-11-24T08:00:00Z"),
        conversation("waiting", "2026-11-24T09:00:00Z", group_id="g2"),
    ]).dispose()  # fmt: skip
    name = f"routing-{uuid.uuid4().hex[:8]}"
    url = sa.engine.make_url(pg_url).update_query_dict({"application_name": name}).render_as_string(hide_password=False)
    store = SqlStore.open(url, make_clock())
    other = sa.create_engine(pg_url)
    try:
        with other.connect() as first, other.connect() as second:
            joining = first.begin()
            first.execute(sa.select(GroupRow).where(GroupRow.id == "g1").with_for_update(key_share=True))
            closing = threading.Thread(target=store.close_conversation, args=("held",))
            closing.start()
            _wait_until_blocked_by(first, name)
            x, g2 = (first.scalar(sa.select(m.pk).where(m.id == i)) for m, i in ((AgentRow, "x"), (GroupRow, "g2")))
            first.execute(sa.insert(Membership).values(agent_pk=x, group_pk=g2, position=1))
            switching = second.begin()
            second.execute(sa.select(GroupRow).where(GroupRow.pk == g2).with_for_update(key_share=True))
            joining.commit()
            _wait_until_blocked_by(second, name)
            second.execute(sa.update(GroupRow).where(GroupRow.pk == g2).values(routing_rule="manual"))
            switching.commit()
            closing.join(WAIT)
        assert not closing.is_alive()
        assert store.get_conversation("held").status is Status.CLOSED
        waiting = store.get_conversation("waiting")
        assert (waiting.agent, waiting.status) == (None, Status.OPEN)
    finally:
        store.dispose()
        other.dispose()


def _wait_until_blocked_by(holder: sa.Connection, application_name: str) -> None:
    """Until the store's session waits for a lock ``holder`` has (polled; gives up after WAIT seconds)."""
    blocked = sa.text(
        "select count(*) from pg_stat_activity "
        "where application_name = :name and pg_backend_pid() = any(pg_blocking_pids(pid))"
    )
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if holder.execute(blocked, {"name": application_name}).scalar():
            return
        time.sleep(0.01)
    pytest.fail("the close never waited for that lock")
