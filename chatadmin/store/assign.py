"""Applying the routing rules inside a transaction: lock, pick an agent, drain queues as capacity frees.

Lock order (PostgreSQL; SQLite's immediate transaction already serialises writers). Every
write that can assign takes its locks in this one order, so two of them never wait on each
other in a cycle:

1. the conversation acted on (``FOR NO KEY UPDATE``, by id);
2. every group the transaction routes in, in one statement, by primary key;
3. every member of those groups (and the agent being changed), in one statement, by primary key;
4. queued conversations being drained, with ``SKIP LOCKED`` (never waits: a queued chat
   someone else is acting on right now is theirs to decide);
5. the store's change counter (``next_change``).

``NO KEY UPDATE`` rather than ``UPDATE`` because inserting an event or a note takes a
``KEY SHARE`` lock on the rows it references, which ``FOR UPDATE`` would block.
Loads are counted after the members are locked, and everything that raises an agent's load
(routing, a transfer to them, a reopen) holds that agent's lock, so no two routings can
both see room under a cap for the same last place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatadmin.domain import SYSTEM_ACTOR, EventKind, RoutingConfig, RoutingRule, Status
from chatadmin.routing import Candidate
from chatadmin.routing import choose as choose_rule
from chatadmin.store.models import AgentRow, ConversationRecord, CustomerRow, GroupRow, Membership

if TYPE_CHECKING:
    from chatadmin.store.actions import Context

# how often to re-read an agent's groups when they change while locking (see lock_for)
LOCK_ATTEMPTS = 5


def config_of(group: GroupRow) -> RoutingConfig:
    return RoutingConfig(rule=RoutingRule(group.routing_rule), only_available=group.only_available, sticky=group.sticky)


def groups_of(session: Session, agent_pk: int) -> set[int]:
    return set(session.scalars(select(Membership.group_pk).where(Membership.agent_pk == agent_pk)))


def lock(
    session: Session, ctx: Context, group_pks: Iterable[int], agent_pks: Iterable[int] = ()
) -> dict[int, GroupRow]:
    """Lock the groups, then their members and ``agent_pks``, each in primary-key order; the groups by pk."""
    pks = sorted(set(group_pks))
    extra = sorted(set(agent_pks))
    if not pks and not extra:
        return {}
    statement = select(GroupRow).where(GroupRow.pk.in_(pks)).order_by(GroupRow.pk)
    if ctx.lock_rows:
        statement = statement.with_for_update(key_share=True).execution_options(populate_existing=True)
    groups = {g.pk: g for g in session.scalars(statement)} if pks else {}
    if ctx.lock_rows:
        members = select(Membership.agent_pk).where(Membership.group_pk.in_(pks))
        session.scalars(
            select(AgentRow)
            .where(AgentRow.pk.in_(members) | AgentRow.pk.in_(extra))
            .order_by(AgentRow.pk)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        ).all()
    return groups


def lock_for(
    session: Session, ctx: Context, group_pks: Iterable[int] = (), agent_pk: int | None = None
) -> dict[int, GroupRow]:
    """Lock ``group_pks`` and, with ``agent_pk``, that agent and every group they belong to.

    The agent's groups are read before they can be locked; when a membership change commits
    in between, the locks taken so far are released (a savepoint) and taken again in order.
    """
    wanted = set(group_pks)
    if agent_pk is None:
        return lock(session, ctx, wanted)
    if not ctx.lock_rows:
        return lock(session, ctx, wanted | groups_of(session, agent_pk), (agent_pk,))
    for _ in range(LOCK_ATTEMPTS - 1):
        pks = wanted | groups_of(session, agent_pk)
        savepoint = session.begin_nested()
        groups = lock(session, ctx, pks, (agent_pk,))
        if groups_of(session, agent_pk) <= pks:
            savepoint.commit()
            return groups
        savepoint.rollback()
    # memberships kept changing: lock what there is now, in order, and what joined later after it
    groups = lock(session, ctx, wanted | groups_of(session, agent_pk), (agent_pk,))
    return groups | lock(session, ctx, groups_of(session, agent_pk) - set(groups))


def _members(session: Session, ctx: Context, group: GroupRow) -> list[AgentRow]:
    statement = (
        select(AgentRow)
        .join(Membership, Membership.agent_pk == AgentRow.pk)
        .where(Membership.group_pk == group.pk)
        .order_by(AgentRow.pk)
    )
    if ctx.lock_rows:  # already held (see lock); taken again in case a caller did not
        statement = statement.with_for_update(of=AgentRow, key_share=True)
    return list(session.scalars(statement))


def agent_loads(session: Session, agent_pks: list[int], exclude: ConversationRecord | None) -> dict[int, int]:
    """Each agent's load, not counting ``exclude`` (the conversation being routed, locked by the caller).

    The count reads only the ``(agent_pk, status)`` index; ``exclude`` is taken off afterwards
    from its own row (flushed before the count, so as the count saw it): a ``pk <> …`` test
    in the statement would make PostgreSQL visit every counted row (30-50 ms at 1M).
    """
    loads: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(ConversationRecord.agent_pk, func.count())
            .where(ConversationRecord.agent_pk.in_(agent_pks), ConversationRecord.status == Status.IN_PROGRESS.value)
            .group_by(ConversationRecord.agent_pk)
        ).all()
    )
    if exclude is not None and exclude.status == Status.IN_PROGRESS.value and exclude.agent_pk in loads:
        loads[exclude.agent_pk] -= 1
    return loads


def previous_agent(session: Session, conversation: ConversationRecord) -> int | None:
    """The customer's previous agent: the agent of their latest other conversation that had one."""
    phone = select(CustomerRow.phone).where(CustomerRow.pk == conversation.customer_pk).scalar_subquery()
    same_customer = select(CustomerRow.pk).where(CustomerRow.phone == phone)
    return session.scalar(
        select(ConversationRecord.agent_pk)
        .where(
            ConversationRecord.customer_pk.in_(same_customer),
            ConversationRecord.pk != conversation.pk,
            ConversationRecord.agent_pk.is_not(None),
        )
        .order_by(
            func.coalesce(ConversationRecord.assigned_at, ConversationRecord.created_at).desc(),
            ConversationRecord.pk.desc(),
        )
        .limit(1)
    )


def choose(
    session: Session, ctx: Context, group: GroupRow, conversation: ConversationRecord
) -> tuple[AgentRow | None, str]:
    """The agent routing gives ``conversation`` in ``group`` (None: it waits in the queue), and the rule.

    A round-robin pick moves the group's stored position to the agent picked.
    """
    config = config_of(group)
    if config.rule is RoutingRule.MANUAL:
        return None, RoutingRule.MANUAL.value
    members = _members(session, ctx, group)
    by_pk = {m.pk: m for m in members}
    loads = agent_loads(session, list(by_pk), conversation) if members else {}
    previous = previous_agent(session, conversation) if config.sticky and members else None
    last_id = None
    if group.rr_last_agent_pk is not None:
        last = by_pk.get(group.rr_last_agent_pk)
        last_id = last.id if last else session.scalar(select(AgentRow.id).where(AgentRow.pk == group.rr_last_agent_pk))
    choice = choose_rule(
        config,
        [Candidate(m.id, m.available, loads.get(m.pk, 0), m.max_active, m.last_assigned_at) for m in members],
        last_assigned=last_id,
        previous_agent=by_pk[previous].id if previous in by_pk else None,
    )
    if choice.agent_id is None:
        return None, choice.rule
    agent = next(m for m in members if m.id == choice.agent_id)
    if choice.rule == RoutingRule.ROUND_ROBIN.value:
        group.rr_last_agent_pk = agent.pk
    return agent, choice.rule


def drain_group(session: Session, ctx: Context, group: GroupRow) -> int:
    """Assign the group's queued chats, oldest first, while routing finds an eligible agent.

    Each assignment is an ``assigned`` event by ``system`` with the rule that decided.
    """
    from chatadmin.store.actions import assign_to, record_event, touch

    if group.routing_rule == RoutingRule.MANUAL.value:
        return 0
    assigned = 0
    while True:
        statement = (
            select(ConversationRecord)
            .where(ConversationRecord.group_pk == group.pk, ConversationRecord.status == Status.OPEN.value)
            .order_by(ConversationRecord.created_at, ConversationRecord.pk)
            .limit(1)
        )
        if ctx.lock_rows:
            statement = statement.with_for_update(skip_locked=True, key_share=True).execution_options(
                populate_existing=True
            )
        queued = session.scalar(statement)
        if queued is None:
            return assigned
        agent, rule = choose(session, ctx, group, queued)
        if agent is None:
            return assigned
        assign_to(session, ctx, queued, group, agent)
        touch(session, queued)
        record_event(
            session, ctx, queued, EventKind.ASSIGNED,
            from_group_pk=group.pk, to_agent_pk=agent.pk, to_group_pk=group.pk, rule=rule, actor=SYSTEM_ACTOR,
        )  # fmt: skip
        session.flush()
        assigned += 1


def drain(session: Session, ctx: Context, group_pks: Iterable[int]) -> int:
    """Drain each of these groups' queues, in group-id order (the groups must be locked already)."""
    session.flush()
    pks = sorted(set(group_pks))
    if not pks:
        return 0
    groups = session.scalars(select(GroupRow).where(GroupRow.pk.in_(pks)).order_by(GroupRow.id)).all()
    return sum(drain_group(session, ctx, group) for group in groups)


def capacity_freed(session: Session, ctx: Context, agent_pk: int) -> int:
    """An agent may take more chats: drain the queues of their groups (locked by ``lock_for``)."""
    return drain(session, ctx, groups_of(session, agent_pk))
