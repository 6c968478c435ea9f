"""Routing applied by the store, on SQLite and PostgreSQL: rules, events, queues draining, audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from chatadmin.clock import Clock
from chatadmin.domain import Event, EventKind, RoutingConfig, RoutingRule, Status
from chatadmin.errors import InvalidInput, PermissionDenied
from chatadmin.routing.changes import Setting
from chatadmin.store.routing_log import routing_log
from chatadmin.store.sql import SqlStore

from .builders import agent, conversation, group, load_store

MakeStore = Callable[..., SqlStore]
NOW = "2026-11-24T18:00:00Z"


@pytest.fixture
def make_store(db_url: str, clock: Clock) -> Iterator[MakeStore]:
    opened: list[SqlStore] = []

    def make(records: list[dict[str, Any]] | None = None, acting_as: str | None = None) -> SqlStore:
        """With ``records``: load them first. Then: a store acting as ``acting_as`` (None: the operator)."""
        store = (
            load_store(db_url, clock, records, acting_as)
            if records is not None
            else SqlStore.open(db_url, clock, acting_as)
        )
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.dispose()


def chats(
    count: int, group_id: str | None = None, start_hour: int = 8, phone: str = "+525512345678"
) -> list[dict[str, Any]]:
    """``count`` open chats, ``q-01`` the oldest, one minute apart."""
    return [
        conversation(f"q-{n:02d}", f"2026-11-24T{start_hour:02d}:{n:02d}:00Z", group_id=group_id, phone=phone)
        for n in range(1, count + 1)
    ]


def holding(aid: str, gid: str, count: int, prefix: str = "h") -> list[dict[str, Any]]:
    """``count`` chats ``aid`` already works on in ``gid``."""
    return [
        conversation(
            f"{prefix}-{aid}-{n}",
            f"2026-11-24T07:{n:02d}:00Z",
            status="in_progress",
            group_id=gid,
            agent_id=aid,
            assigned_at=f"2026-11-24T07:{n:02d}:30Z",
            phone="+525598765432",
        )
        for n in range(1, count + 1)
    ]


def last_event(store: SqlStore, cid: str) -> Event:
    return store.conversation_detail(cid).events[-1]


def owner(store: SqlStore, cid: str) -> str | None:
    return store.get_conversation(cid).agent


SALES = [group("sales"), agent("ana", ["sales"]), agent("bo", ["sales"]), agent("carla", ["sales"])]


# -- the rules, through transfers ---------------------------------------------------------------


def test_round_robin_takes_turns_and_every_transfer_writes_its_event(make_store: MakeStore) -> None:
    store = make_store([*SALES, agent("boss", [], role="admin"), *chats(5)], acting_as="boss")
    results = [store.transfer(f"q-{n:02d}", "sales") for n in range(1, 6)]
    assert [r.agent for r in results] == ["ana", "bo", "carla", "ana", "bo"]
    assert {(r.rule, r.status, r.over_cap) for r in results} == {("round_robin", Status.IN_PROGRESS, False)}
    event = last_event(store, "q-02")
    assert event.model_dump() == {
        "at": store.clock.now(), "kind": EventKind.TRANSFERRED, "actor": "boss", "from_agent": None,
        "from_group": None, "to_agent": "bo", "to_group": "sales", "rule": "round_robin",
    }  # fmt: skip


def test_the_round_robin_position_survives_a_restart(make_store: MakeStore) -> None:
    first = make_store([*SALES, *chats(3)])
    assert first.transfer("q-01", "sales").agent == "ana"
    first.dispose()
    assert make_store().transfer("q-02", "sales").agent == "bo"


def test_least_busy_counts_load_across_groups_and_breaks_ties_by_oldest_assignment(make_store: MakeStore) -> None:
    records = [
        group("sales", routing={"rule": "least_busy"}), group("vip"),
        agent("ana", ["sales", "vip"]), agent("bo", ["sales"]), agent("carla", ["sales"]),
        *holding("ana", "vip", 1), *holding("bo", "sales", 1), *chats(3),
    ]  # fmt: skip
    store = make_store(records)
    # carla holds nothing: she goes first
    assert store.transfer("q-01", "sales").agent == "carla"
    # all at 1; carla was assigned just now, ana and bo both at 07:01:30: the lower id
    assert store.transfer("q-02", "sales").agent == "ana"
    # ana 2, bo 1 (07:01:30), carla 1 (now): bo's last assignment is the older
    assert store.transfer("q-03", "sales").agent == "bo"


def test_sticky_gives_a_returning_customer_their_previous_agent(make_store: MakeStore) -> None:
    returning = "+5215555550000"
    earlier = conversation(
        "old", "2026-11-20T10:00:00Z", status="closed", group_id="sales", agent_id="carla",
        assigned_at="2026-11-20T10:01:00Z", closed_at="2026-11-20T11:00:00Z", phone=returning,
    )  # fmt: skip
    again = [conversation(f"r-{n}", f"2026-11-24T09:0{n}:00Z", phone=returning) for n in (1, 2)]
    store = make_store([*SALES, earlier, *again, *chats(1)])
    assert store.transfer("r-1", "sales").agent == "ana"  # not sticky yet: round robin
    store.set_routing("sales", RoutingConfig(sticky=True))
    assert store.transfer("q-01", "sales").agent == "bo"  # a new customer: round robin goes on
    # the customer's latest other conversation with an agent is r-1, with ana
    result = store.transfer("r-2", "sales")
    assert (result.agent, result.rule) == ("ana", "sticky")
    assert last_event(store, "r-2").rule == "sticky"
    store.set_agent("ana", available=False)
    assert store.transfer("r-2", "sales").agent == "carla"  # not eligible: the rule decides


def test_a_manual_group_queues_and_nobody_eligible_queues(make_store: MakeStore) -> None:
    records = [
        *SALES, group("desk", routing={"rule": "manual"}), group("night"),
        agent("dora", ["desk", "night"], available=False), agent("eli", ["night"], max_active=0), *chats(2),
    ]  # fmt: skip
    store = make_store(records)
    manual = store.transfer("q-01", "desk")
    assert (manual.agent, manual.status, manual.rule) == (None, Status.OPEN, "manual")
    nobody = store.transfer("q-02", "night")
    assert (nobody.agent, nobody.status, nobody.rule) == (None, Status.OPEN, "round_robin")
    event = last_event(store, "q-02")
    assert (event.kind, event.to_agent, event.to_group) == (EventKind.TRANSFERRED, None, "night")
    assert {g.id: g.queue_length for g in store.list_groups()}["night"] == 1


def test_only_available_off_lets_routing_pick_an_unavailable_agent(make_store: MakeStore) -> None:
    store = make_store([group("night"), agent("dora", ["night"], available=False), *chats(1)])
    assert store.transfer("q-01", "night").agent is None
    store.transfer("q-01", "night")  # still queued: a transfer into the same queue is allowed
    store.set_routing("night", RoutingConfig(only_available=False))
    assert owner(store, "q-01") == "dora"  # the rule change drained the queue


def test_a_transfer_to_a_named_agent_may_go_over_their_cap_and_says_so(make_store: MakeStore) -> None:
    store = make_store([group("sales"), agent("ana", ["sales"], max_active=1), *holding("ana", "sales", 1), *chats(2)])
    result = store.transfer("q-01", "sales", "ana")
    assert (result.agent, result.over_cap, result.rule) == ("ana", True, "manual")
    assert store.transfer("q-02", "sales").agent is None  # routing respects the cap
    # the conversation she already holds does not count twice
    assert store.transfer("q-01", "sales", "ana").over_cap is True
    assert store.transfer("h-ana-1", "sales", "ana").over_cap is True


def test_a_transfer_within_the_cap_is_not_flagged(make_store: MakeStore) -> None:
    store = make_store([group("sales"), agent("ana", ["sales"], max_active=2), *holding("ana", "sales", 1), *chats(1)])
    assert store.transfer("q-01", "sales", "ana").over_cap is False
    # moving a chat she holds to herself again keeps her at 2 of 2: not over
    assert store.transfer("q-01", "sales", "ana").over_cap is False


def test_a_closed_conversation_is_not_transferred_and_nothing_changes(make_store: MakeStore) -> None:
    closed = conversation(
        "c-1", "2026-11-24T10:00:00Z", status="closed", group_id="sales", agent_id="ana",
        assigned_at="2026-11-24T10:01:00Z", closed_at="2026-11-24T11:00:00Z",
    )  # fmt: skip
    store = make_store([*SALES, closed])
    before = store.conversation_detail("c-1")
    for agent_id in (None, "bo"):
        with pytest.raises(InvalidInput, match="closed; reopen it"):
            store.transfer("c-1", "sales", agent_id)
    assert store.conversation_detail("c-1") == before


def test_a_refused_transfer_changes_nothing(make_store: MakeStore) -> None:
    store = make_store([*SALES, group("desk"), *chats(1)])
    before = (store.conversation_detail("q-01"), store.list_groups(), store.list_agents())
    with pytest.raises(InvalidInput, match="not a member"):
        store.transfer("q-01", "desk", "ana")
    with pytest.raises(InvalidInput, match="unknown agent"):
        store.transfer("q-01", "sales", "nobody")
    assert (store.conversation_detail("q-01"), store.list_groups(), store.list_agents()) == before


# -- queues draining ----------------------------------------------------------------------------------


CAPPED = [group("sales"), agent("ana", ["sales"], max_active=1), agent("bo", ["sales"], max_active=1)]


def test_full_caps_queue_chats_and_a_close_gives_the_oldest_to_that_agent(make_store: MakeStore) -> None:
    store = make_store([*CAPPED, *chats(5)])
    # transferred newest first, so queue order (creation) differs from arrival order
    placed = [store.transfer(f"q-{n:02d}", "sales").agent for n in (5, 4, 3, 2)]
    assert placed == ["ana", "bo", None, None]
    store.close_conversation("q-04")  # bo's
    assert (owner(store, "q-02"), owner(store, "q-03")) == ("bo", None)  # q-02 is the oldest waiting
    event = last_event(store, "q-02")
    assert event.model_dump() == {
        "at": store.clock.now(), "kind": EventKind.ASSIGNED, "actor": "system", "from_agent": None,
        "from_group": "sales", "to_agent": "bo", "to_group": "sales", "rule": "round_robin",
    }  # fmt: skip
    assert {a.id: a.load for a in store.list_agents()} == {"ana": 1, "bo": 1}


def test_raising_a_cap_drains_oldest_first_until_the_cap_is_reached(make_store: MakeStore) -> None:
    store = make_store([*CAPPED, *holding("ana", "sales", 1), *holding("bo", "sales", 1), *chats(4, "sales")])
    store.set_agent("ana", max_active=3)
    assert [owner(store, f"q-{n:02d}") for n in range(1, 5)] == ["ana", "ana", None, None]
    store.set_agent("bo", max_active=None)
    assert [owner(store, f"q-{n:02d}") for n in range(1, 5)] == ["ana", "ana", "bo", "bo"]


def test_an_agent_becoming_available_or_joining_drains_the_queue(make_store: MakeStore) -> None:
    records = [
        group("sales"), group("desk"), agent("ana", ["sales"], available=False, max_active=1), agent("bo", ["desk"]),
        *chats(2, "sales"),
    ]  # fmt: skip
    store = make_store(records)
    store.set_agent("ana", available=True)
    assert owner(store, "q-01") == "ana" and last_event(store, "q-01").actor == "system"
    store.set_agent("ana", available=False)
    store.set_agent("bo", add_groups=("sales",))
    assert owner(store, "q-02") == "bo"


def test_changing_a_rule_from_manual_drains_the_queue(make_store: MakeStore) -> None:
    store = make_store(
        [group("desk", routing={"rule": "manual"}), agent("ana", ["desk"]), agent("bo", ["desk"]), *chats(3, "desk")]
    )
    store.set_agent("ana", max_active=5)  # capacity in a manual group drains nothing
    assert {g.id: g.queue_length for g in store.list_groups()} == {"desk": 3}
    group_after = store.set_routing("desk", RoutingConfig(rule=RoutingRule.LEAST_BUSY))
    assert group_after.queue_length == 0
    assert [last_event(store, f"q-0{n}").rule for n in (1, 2, 3)] == ["least_busy"] * 3
    assert [owner(store, f"q-0{n}") for n in (1, 2, 3)] == ["ana", "bo", "ana"]


def test_transferring_a_chat_away_frees_its_agents_place(make_store: MakeStore) -> None:
    store = make_store(
        [
            *CAPPED,
            group("desk", routing={"rule": "manual"}),
            *holding("ana", "sales", 1),
            *holding("bo", "sales", 1),
            *chats(1, "sales"),
        ]
    )
    store.transfer("h-ana-1", "desk")
    assert owner(store, "q-01") == "ana"


def test_an_agent_far_past_the_cap_gets_queued_chats_only_once_below_it(make_store: MakeStore) -> None:
    # loads are counted only up to the cap and one more: moving one chat away from 4 of 2
    # must still leave her past it, and so on until she is really below
    store = make_store(
        [
            group("sales"), group("desk", routing={"rule": "manual"}),
            agent("ana", ["sales"], max_active=2), *holding("ana", "sales", 4), *chats(1, "sales"),
        ]
    )  # fmt: skip
    for n, expected in ((1, None), (2, None), (3, "ana")):
        store.transfer(f"h-ana-{n}", "desk")
        assert owner(store, "q-01") == expected, n
    assert {a.id: a.load for a in store.list_agents()} == {"ana": 2}


def test_loads_past_a_cap_still_say_over_and_least_busy_counts_agents_without_one(make_store: MakeStore) -> None:
    records = [
        group("sales", routing={"rule": "least_busy"}),
        agent("ana", ["sales"], max_active=1), agent("bo", ["sales"], max_active=9), agent("carla", ["sales"]),
        *holding("ana", "sales", 3), *holding("bo", "sales", 5), *holding("carla", "sales", 4), *chats(3),
    ]  # fmt: skip
    store = make_store(records)
    assert store.transfer("q-01", "sales", "ana").over_cap is True
    assert store.transfer("h-ana-1", "sales", "ana").over_cap is True  # 3 of 1 without this one
    # bo 5 of 9, carla 4 without a cap (counted in full), ana past hers
    assert store.transfer("q-02", "sales").agent == "carla"
    # both at 5 now: bo's last assignment is the older
    assert store.transfer("q-03", "sales").agent == "bo"
    assert {a.id: a.load for a in store.list_agents()} == {"ana": 4, "bo": 6, "carla": 5}


def test_unassigning_does_not_hand_the_chat_straight_back(make_store: MakeStore) -> None:
    store = make_store([*CAPPED, *holding("ana", "sales", 1)])
    store.unassign_conversation("h-ana-1")
    row = store.get_conversation("h-ana-1")
    assert (row.status, row.agent, row.group) == (Status.OPEN, None, "sales")


# -- configuration changes are audited --------------------------------------------------------------


def test_routing_and_agent_changes_are_audited_with_actor_time_and_values(make_store: MakeStore) -> None:
    records = [*SALES, group("vip"), agent("boss", [], role="admin")]
    store = make_store(records, acting_as="boss")
    store.set_routing("sales", RoutingConfig(rule=RoutingRule.MANUAL, sticky=True))
    store.set_routing("sales", RoutingConfig(rule=RoutingRule.MANUAL, sticky=True))  # no change: no entry
    store.set_agent("ana", available=False, max_active=4, add_groups=("vip",), remove_groups=("sales",))
    store.set_agent("ana", max_active=4)  # no change
    log = routing_log(store)
    assert [(c.actor, c.at) for c in log] == [("boss", store.clock.now())] * 6
    assert [(c.group, c.agent, c.setting, c.old, c.new) for c in log] == [
        ("sales", None, Setting.RULE, "round_robin", "manual"),
        ("sales", None, Setting.STICKY, "false", "true"),
        (None, "ana", Setting.MAX_ACTIVE, "none", "4"),
        (None, "ana", Setting.AVAILABLE, "true", "false"),
        ("vip", "ana", Setting.MEMBER, "false", "true"),
        ("sales", "ana", Setting.MEMBER, "true", "false"),
    ]
    assert [c.setting for c in routing_log(store, group="vip")] == [Setting.MEMBER]
    assert len(routing_log(store, agent="ana")) == 4
    assert len(routing_log(store, limit=2)) == 2 and routing_log(store, limit=2)[-1].group == "sales"


def test_refused_configuration_changes_change_and_audit_nothing(make_store: MakeStore) -> None:
    records = [*SALES, group("vip"), agent("sol", ["sales"], role="supervisor")]
    make_store(records).dispose()
    supervisor = make_store(acting_as="sol")
    with pytest.raises(PermissionDenied):
        supervisor.set_routing("sales", RoutingConfig(rule=RoutingRule.MANUAL))
    with pytest.raises(PermissionDenied):
        supervisor.set_agent("ana", available=False)
    admin = make_store()
    before = (admin.list_groups(), admin.list_agents())
    with pytest.raises(InvalidInput, match="unknown group"):
        admin.set_agent("ana", available=False, add_groups=("nope",))
    with pytest.raises(InvalidInput, match="both add and remove"):
        admin.set_agent("ana", add_groups=("vip",), remove_groups=("vip",))
    with pytest.raises(InvalidInput, match="from 0 to"):
        admin.set_agent("ana", max_active=-1)
    with pytest.raises(InvalidInput, match="unknown group"):
        admin.set_routing("nope", RoutingConfig())
    assert (admin.list_groups(), admin.list_agents()) == before
    assert routing_log(admin) == []
    with pytest.raises(InvalidInput, match="unknown agent"):
        routing_log(admin, agent="nobody")


def test_a_transfer_away_into_a_full_group_takes_a_handful_of_statements(make_store: MakeStore) -> None:
    """The benchmark's transfer: away from an agent past her cap, into a group where nobody is
    eligible, her groups' queues drained (nobody there either). Each statement is a round trip
    on PostgreSQL: the routing rows are locked and read once, and the change is one write."""
    store = make_store(
        [
            group("sales"), group("desk", routing={"rule": "least_busy"}),
            agent("ana", ["sales"], max_active=1), agent("bo", ["desk"], max_active=1),
            *holding("ana", "sales", 2), *holding("bo", "desk", 1), *chats(1, "sales"),
        ]
    )  # fmt: skip
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    result = store.transfer("h-ana-1", "desk")
    issued = list(statements)
    assert (result.agent, owner(store, "q-01")) == (None, None)
    # PostgreSQL: check and read the chat, lock it, lock the groups and then their members (a
    # savepoint before them), count the loads with her groups read again now that she is
    # locked (no queue is read: nobody is eligible), write the change; SQLite: BEGIN, no
    # savepoint, and the change as four statements
    assert len(issued) <= (10 if store.is_sqlite else 7), "\n\n".join(issued)
