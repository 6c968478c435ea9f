"""Applying the routing rules inside a transaction: pick an agent, drain queues as capacity frees."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatadmin.domain import EventKind, RoutingConfig, RoutingRule, Status
from chatadmin.routing import Candidate, choose as choose_rule
from chatadmin.store.models import AgentRow, ConversationRecord, CustomerRow, GroupRow, Membership

if TYPE_CHECKING:
    from chatadmin.store.actions import Context


def _config(group: GroupRow) -> RoutingConfig:
    return RoutingConfig(rule=RoutingRule(group.routing_rule), only_available=group.only_available, sticky=group.sticky)


def _members(session: Session, ctx: Context, group: GroupRow) -> list[AgentRow]:
    statement = (
        select(AgentRow)
        .join(Membership, Membership.agent_pk == AgentRow.pk)
        .where(Membership.group_pk == group.pk)
        .order_by(AgentRow.pk)
    )
    if ctx.lock_rows:
        # lock the members in one order, so that two routings never push one agent past the cap
        statement = statement.with_for_update(of=AgentRow)
    return list(session.scalars(statement))


def _loads(session: Session, agent_pks: list[int], exclude: ConversationRecord | None) -> dict[int, int]:
    where = [ConversationRecord.agent_pk.in_(agent_pks), ConversationRecord.status == Status.IN_PROGRESS.value]
    if exclude is not None:
        where.append(ConversationRecord.pk != exclude.pk)
    return dict(
        session.execute(
            select(ConversationRecord.agent_pk, func.count()).where(*where).group_by(ConversationRecord.agent_pk)
        ).all()
    )


def _previous_agent(session: Session, conversation: ConversationRecord) -> int | None:
    """The agent this customer's latest other assigned conversation had."""
    phone = select(CustomerRow.phone).where(CustomerRow.pk == conversation.customer_pk).scalar_subquery()
    same_customer = select(CustomerRow.pk).where(CustomerRow.phone == phone)
    return session.scalar(
        select(ConversationRecord.agent_pk)
        .where(
            ConversationRecord.customer_pk.in_(same_customer),
            ConversationRecord.pk != conversation.pk,
            ConversationRecord.agent_pk.is_not(None),
        )
        .order_by(func.coalesce(ConversationRecord.assigned_at, ConversationRecord.created_at).desc())
        .limit(1)
    )


def choose(
    session: Session, ctx: Context, group: GroupRow, conversation: ConversationRecord
) -> tuple[AgentRow | None, str]:
    """The agent routing gives ``conversation`` in ``group`` (None: it waits in the queue)."""
    config = _config(group)
    if config.rule is RoutingRule.MANUAL:
        return None, RoutingRule.MANUAL.value
    members = _members(session, ctx, group)
    if not members:
        return None, config.rule.value
    by_pk = {m.pk: m for m in members}
    loads = _loads(session, list(by_pk), conversation)
    previous = _previous_agent(session, conversation) if config.sticky else None
    last = by_pk.get(group.rr_last_agent_pk) if group.rr_last_agent_pk else None
    if last is None and group.rr_last_agent_pk is not None:
        last_id = session.scalar(select(AgentRow.id).where(AgentRow.pk == group.rr_last_agent_pk))
    else:
        last_id = last.id if last else None
    choice = choose_rule(
        config,
        [
            Candidate(m.id, m.available, loads.get(m.pk, 0), m.max_active, m.last_assigned_at)
            for m in members
        ],
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
    """Assign the group's queued chats, oldest first, while routing finds eligible agents."""
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
            statement = statement.with_for_update(skip_locked=True)
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
            to_agent_pk=agent.pk, to_group_pk=group.pk, rule=rule, actor="system",
        )
        session.flush()
        assigned += 1


def capacity_freed(session: Session, ctx: Context, agent_pk: int) -> int:
    """An agent may take more chats: drain the queues of their groups (in group-id order)."""
    session.flush()
    groups = session.scalars(
        select(GroupRow)
        .join(Membership, Membership.group_pk == GroupRow.pk)
        .where(Membership.agent_pk == agent_pk)
        .order_by(GroupRow.id)
    ).all()
    return sum(drain_group(session, ctx, group) for group in groups)
