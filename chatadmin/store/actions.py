"""Writes on conversations, agents and groups, each inside the caller's transaction.

Every change to a conversation checks the acting user's permission and the version the
user saw, bumps the version and the store's change counter, and writes its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from chatadmin import permissions
from chatadmin.backend import Unset
from chatadmin.domain import (
    MAX_CAP,
    Agent,
    EventKind,
    Group,
    Note,
    Principal,
    RoutingConfig,
    RoutingRule,
    Status,
    TransferResult,
)
from chatadmin.errors import Conflict, InvalidInput, NotFound
from chatadmin.permissions import Action
from chatadmin.routing.changes import Setting, cap, config_diff, flag
from chatadmin.store import assign, routing_log, writes
from chatadmin.store.derive import seconds_between
from chatadmin.store.models import (
    AgentRow,
    ConversationRecord,
    ConversationTag,
    GroupRow,
    Membership,
    MessageRow,
    NoteRow,
    TagRow,
)
from chatadmin.store.query import TAG_SEPARATOR
from chatadmin.text import strip_controls

MAX_NOTE = 10_000
MAX_TAG = 100


@dataclass(frozen=True)
class Context:
    principal: Principal
    now: datetime
    lock_rows: bool  # SELECT … FOR UPDATE (PostgreSQL); SQLite's immediate transaction locks already


def _group_id(session: Session, pk: int | None) -> str | None:
    return None if pk is None else session.scalar(select(GroupRow.id).where(GroupRow.pk == pk))


@dataclass
class Locked:
    """A conversation locked for a write, and what was read with the checks before the lock.

    ``agent_groups``: the groups of its agent, read before the lock (None when not read, or
    when the row changed before it was locked); ``target``: a transfer's group and agent pks
    (None where the id is unknown).
    """

    conversation: ConversationRecord
    agent_groups: set[int] | None
    target: tuple[int | None, int | None]


C = ConversationRecord
# before the lock: the row's group and version for the checks, with its group's id (which the
# permission check needs) and its agent's groups (which the routing locks need): one round trip
_SEEN = (
    select(C.group_pk, C.version, GroupRow.id, Membership.group_pk.label("agent_group"))
    .outerjoin(GroupRow, GroupRow.pk == C.group_pk)
    .outerjoin(Membership, Membership.agent_pk == C.agent_pk)
    .where(C.id == bindparam("conversation_id"))
)
# a transfer's: the target group and agent by id as well
_SEEN_TARGET = _SEEN.add_columns(
    select(GroupRow.pk).where(GroupRow.id == bindparam("group_id")).scalar_subquery().label("group_pk_to"),
    select(AgentRow.pk).where(AgentRow.id == bindparam("agent_id")).scalar_subquery().label("agent_pk_to"),
)
_locked = select(C).where(C.id == bindparam("conversation_id"))
_LOCKED = (  # NO KEY UPDATE: inserting its events must not wait on it (see assign)
    _locked,
    _locked.with_for_update(key_share=True).execution_options(populate_existing=True),
)


def lock_conversation(
    session: Session,
    ctx: Context,
    conversation_id: str,
    action: Action,
    expected_version: int | None,
    target: tuple[str, str | None] | None = None,
) -> Locked:
    """The conversation, locked, after the permission and version checks.

    On PostgreSQL the checks run once before the lock as well, so that a stale write (the
    common race: two leads acting on one chat) is refused without ever holding the row,
    where it would make a queue drain skip that chat. A transfer's ``target`` (group id,
    agent id) is looked up in that same statement, on SQLite too.
    """
    seen = None
    agent_groups = None
    found: tuple[int | None, int | None] = (None, None)
    if ctx.lock_rows or target is not None:
        if target is None:
            rows = session.execute(_SEEN, {"conversation_id": conversation_id}).all()
        else:
            params = {"conversation_id": conversation_id, "group_id": target[0], "agent_id": target[1]}
            rows = session.execute(_SEEN_TARGET, params).all()
        if not rows:
            raise NotFound(f"unknown conversation {conversation_id!r}")
        first = rows[0]
        seen = (first.group_pk, first.version)
        agent_groups = {row.agent_group for row in rows if row.agent_group is not None}
        if target is not None:
            found = (first.group_pk_to, first.agent_pk_to)
        _check(ctx, conversation_id, action, expected_version, first.version, first.id)
    conversation = session.scalar(assign.locking(ctx, _LOCKED), {"conversation_id": conversation_id})
    if conversation is None:
        raise NotFound(f"unknown conversation {conversation_id!r}")
    if seen is None or (conversation.group_pk, conversation.version) != seen:
        agent_groups = None
        group_id = _group_id(session, conversation.group_pk)
        _check(ctx, conversation_id, action, expected_version, conversation.version, group_id)
    return Locked(conversation, agent_groups, found)


def locked_conversation(
    session: Session, ctx: Context, conversation_id: str, action: Action, expected_version: int | None
) -> ConversationRecord:
    """The conversation, locked, after the permission and version checks (see ``lock_conversation``)."""
    return lock_conversation(session, ctx, conversation_id, action, expected_version).conversation


def _check(
    ctx: Context, conversation_id: str, action: Action, expected_version: int | None, version: int, group_id: str | None
) -> None:
    permissions.check(ctx.principal, action, group_id)
    if expected_version is not None and version != expected_version:
        raise Conflict(
            f"conversation {conversation_id} changed since it was shown "
            f"(version {expected_version}, now {version}); nothing was changed"
        )


def audit(
    ctx: Context,
    kind: EventKind,
    *,
    from_agent_pk: int | None = None,
    from_group_pk: int | None = None,
    to_agent_pk: int | None = None,
    to_group_pk: int | None = None,
    rule: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """The audit event of a change, as ``writes.change`` records it."""
    return {
        "at": ctx.now,
        "kind": kind.value,
        "actor": actor or ctx.principal.actor,
        "from_agent_pk": from_agent_pk,
        "from_group_pk": from_group_pk,
        "to_agent_pk": to_agent_pk,
        "to_group_pk": to_group_pk,
        "rule": rule,
    }


_FIRST_AGENT_MESSAGE = select(func.min(MessageRow.at)).where(
    MessageRow.conversation_pk == bindparam("conversation_pk"),
    MessageRow.sender == "agent",
    MessageRow.at >= bindparam("since", type_=MessageRow.at.type),
)


def assignment_response(session: Session, conversation_pk: int, assigned_at: datetime | None) -> int | None:
    """Response time (assignment): first agent message at or after the latest assignment."""
    if assigned_at is None:
        return None
    first = session.scalar(_FIRST_AGENT_MESSAGE, {"conversation_pk": conversation_pk, "since": assigned_at})
    return None if first is None else seconds_between(assigned_at, first)


def assign_to(
    session: Session,
    ctx: Context,
    held: assign.Held,
    conversation: ConversationRecord,
    group: GroupRow,
    agent: AgentRow | None,
    event: dict[str, Any],
) -> None:
    """Put the conversation with ``agent`` in ``group`` (or in the group's queue), and record ``event``.

    The loads ``held`` follow; the agent's last assignment is now.
    """
    was = conversation.agent_pk if conversation.status == Status.IN_PROGRESS.value else None
    assigned_at = ctx.now if agent else None
    values = {
        "group_pk": group.pk,
        "agent_pk": agent.pk if agent else None,
        "status": Status.IN_PROGRESS.value if agent else Status.OPEN.value,
        "assigned_at": assigned_at,
        "response_assignment_s": assignment_response(session, conversation.pk, assigned_at),
    }
    writes.change(session, conversation, values, event)
    held.moved(was, conversation.agent_pk)
    if agent is not None:
        agent.last_assigned_at = ctx.now


def transfer(
    session: Session,
    ctx: Context,
    conversation_id: str,
    group_id: str,
    agent_id: str | None,
    expected_version: int | None,
) -> TransferResult:
    locked = lock_conversation(session, ctx, conversation_id, Action.TRANSFER, expected_version, (group_id, agent_id))
    conversation = locked.conversation
    if conversation.status == Status.CLOSED.value:
        raise InvalidInput(f"conversation {conversation_id} is closed; reopen it before transferring it")
    permissions.check(ctx.principal, Action.TRANSFER, group_id)
    group_pk, agent_pk = locked.target
    if group_pk is None:
        raise InvalidInput(f"unknown group {group_id!r}")
    if agent_id is not None and agent_pk is None:
        raise InvalidInput(f"unknown agent {agent_id!r}")
    from_agent_pk, from_group_pk = conversation.agent_pk, conversation.group_pk
    holder = from_agent_pk if conversation.status == Status.IN_PROGRESS.value else None
    # the target group, and the groups whose queues the current agent's freed place may drain
    held = assign.lock_for(session, ctx, (group_pk,), holder, locked.agent_groups)
    group = held.groups[group_pk]
    over_cap = False
    agent: AgentRow | None = None
    if agent_pk is not None:
        agent = held.member(group_pk, agent_pk)
        if agent is None:
            raise InvalidInput(f"agent {agent_id} is not a member of group {group_id}")
        if agent.max_active is not None:
            # a transfer to a named agent may go over their cap; the result says so
            over_cap = held.load(session, agent, conversation) >= agent.max_active
        rule = RoutingRule.MANUAL.value
    else:
        agent, rule = held.choose(session, ctx, group, conversation)
    transferred = audit(
        ctx,
        EventKind.TRANSFERRED,
        from_agent_pk=from_agent_pk,
        from_group_pk=from_group_pk,
        to_agent_pk=agent.pk if agent else None,
        to_group_pk=group.pk,
        rule=rule,
    )
    assign_to(session, ctx, held, conversation, group, agent, transferred)
    if holder is not None and holder != conversation.agent_pk:
        held.capacity_freed(session, ctx)
    return TransferResult(
        id=conversation.id,
        agent=agent.id if agent else None,
        group=group.id,
        status=Status(conversation.status),
        version=conversation.version,
        rule=rule,
        over_cap=over_cap,
    )


def close(session: Session, ctx: Context, conversation_id: str, expected_version: int | None) -> None:
    locked = lock_conversation(session, ctx, conversation_id, Action.CLOSE, expected_version)
    conversation = locked.conversation
    if conversation.status == Status.CLOSED.value:
        raise InvalidInput(f"conversation {conversation_id} is already closed")
    freed = conversation.agent_pk if conversation.status == Status.IN_PROGRESS.value else None
    # the queues their freed place drains
    held = assign.lock_for(session, ctx, (), freed, locked.agent_groups) if freed is not None else None
    closed = audit(ctx, EventKind.CLOSED, from_agent_pk=conversation.agent_pk, from_group_pk=conversation.group_pk)
    writes.change(session, conversation, {"status": Status.CLOSED.value, "closed_at": ctx.now}, closed)
    if held is not None:
        held.moved(freed, None)
        held.capacity_freed(session, ctx)


def reopen(session: Session, ctx: Context, conversation_id: str, expected_version: int | None) -> None:
    locked = lock_conversation(session, ctx, conversation_id, Action.REOPEN, expected_version)
    conversation = locked.conversation
    if conversation.status != Status.CLOSED.value:
        raise InvalidInput(f"conversation {conversation_id} is not closed")
    if conversation.agent_pk is not None:  # their load grows: routing must see it
        assign.lock_for(session, ctx, (), conversation.agent_pk, locked.agent_groups)
    status = Status.IN_PROGRESS.value if conversation.agent_pk else Status.OPEN.value
    reopened = audit(ctx, EventKind.REOPENED, to_agent_pk=conversation.agent_pk, to_group_pk=conversation.group_pk)
    writes.change(session, conversation, {"status": status, "closed_at": None}, reopened)


def unassign(session: Session, ctx: Context, conversation_id: str, expected_version: int | None) -> None:
    conversation = locked_conversation(session, ctx, conversation_id, Action.UNASSIGN, expected_version)
    if conversation.status == Status.CLOSED.value:
        raise InvalidInput(f"conversation {conversation_id} is closed")
    if conversation.agent_pk is None:
        raise InvalidInput(f"conversation {conversation_id} has no agent")
    unassigned = audit(
        ctx, EventKind.UNASSIGNED,
        from_agent_pk=conversation.agent_pk, from_group_pk=conversation.group_pk, to_group_pk=conversation.group_pk,
    )  # fmt: skip
    values = {"agent_pk": None, "status": Status.OPEN.value, "assigned_at": None, "response_assignment_s": None}
    writes.change(session, conversation, values, unassigned)
    # no queue draining here: that would hand the chat straight back to an agent; it waits
    # in its group's queue until capacity frees or a lead transfers it


def clean_tags(tags: list[str]) -> list[str]:
    cleaned: set[str] = set()
    for tag in tags:
        value = tag.strip()
        if not value:
            continue
        if strip_controls(value) != value or "\n" in value or "\t" in value:
            raise InvalidInput(f"tag {value!r} contains control characters")
        if len(value) > MAX_TAG:
            raise InvalidInput(f"tag {value[:20]!r}… is longer than {MAX_TAG} characters")
        cleaned.add(value)
    return sorted(cleaned)


def set_tags(
    session: Session, ctx: Context, conversation_id: str, tags: list[str], expected_version: int | None
) -> None:
    wanted = clean_tags(tags)
    conversation = locked_conversation(session, ctx, conversation_id, Action.TAGS, expected_version)
    known = dict(session.execute(select(TagRow.name, TagRow.pk).where(TagRow.name.in_(wanted))).all())
    for name in wanted:
        if name not in known:
            tag = TagRow(name=name)
            session.add(tag)
            session.flush()
            known[name] = tag.pk
    session.execute(delete(ConversationTag).where(ConversationTag.conversation_pk == conversation.pk))
    if wanted:
        session.execute(
            insert(ConversationTag), [{"conversation_pk": conversation.pk, "tag_pk": known[n]} for n in wanted]
        )
    writes.change(session, conversation, {"tag_list": TAG_SEPARATOR.join(wanted)})


def add_note(session: Session, ctx: Context, conversation_id: str, text: str) -> Note:
    body = text.strip()
    if not body:
        raise InvalidInput("a note cannot be empty")
    if len(body) > MAX_NOTE:
        raise InvalidInput(f"a note is at most {MAX_NOTE} characters")
    if "\x00" in body:
        raise InvalidInput("a note cannot contain NUL characters")
    conversation = locked_conversation(session, ctx, conversation_id, Action.NOTE, None)
    session.add(NoteRow(conversation_pk=conversation.pk, at=ctx.now, author=ctx.principal.actor, text=body))
    conversation.changed_seq = writes.next_change(session)
    return Note(at=ctx.now, author=ctx.principal.actor, author_name=ctx.principal.name, text=body)


# -- agents and groups -------------------------------------------------------------------------


def load_agents(session: Session, ids: list[str] | None = None) -> list[Agent]:
    # each agent's load counted on its own range of the (agent_pk, status) index: grouping every
    # in-progress conversation by agent read them all and sorted them (110 ms on SQLite at 1M)
    load = (
        select(func.count())
        .where(ConversationRecord.agent_pk == AgentRow.pk, ConversationRecord.status == Status.IN_PROGRESS.value)
        .scalar_subquery()
    )
    loads = dict(session.execute(select(AgentRow.pk, load)).all())
    memberships: dict[int, list[str]] = {}
    for agent_pk, group_id in session.execute(
        select(Membership.agent_pk, GroupRow.id)
        .join(GroupRow, GroupRow.pk == Membership.group_pk)
        .order_by(Membership.agent_pk, Membership.position, GroupRow.id)
    ):
        memberships.setdefault(agent_pk, []).append(group_id)
    statement = select(AgentRow).order_by(AgentRow.id)
    if ids is not None:
        statement = statement.where(AgentRow.id.in_(ids))
    return [
        Agent(
            id=a.id,
            name=a.name,
            role=a.role,
            groups=tuple(memberships.get(a.pk, ())),
            available=a.available,
            max_active=a.max_active,
            load=loads.get(a.pk, 0),
            last_assigned_at=a.last_assigned_at,
        )
        for a in session.scalars(statement)
    ]


def load_groups(session: Session, ids: list[str] | None = None) -> list[Group]:
    queues = dict(
        session.execute(
            select(ConversationRecord.group_pk, func.count())
            .where(ConversationRecord.status == Status.OPEN.value)
            .group_by(ConversationRecord.group_pk)
        ).all()
    )
    members: dict[int, list[str]] = {}
    for group_pk, agent_id in session.execute(
        select(Membership.group_pk, AgentRow.id)
        .join(AgentRow, AgentRow.pk == Membership.agent_pk)
        .order_by(Membership.group_pk, AgentRow.id)
    ):
        members.setdefault(group_pk, []).append(agent_id)
    statement = select(GroupRow).order_by(GroupRow.id)
    if ids is not None:
        statement = statement.where(GroupRow.id.in_(ids))
    return [
        Group(
            id=g.id,
            name=g.name,
            routing=RoutingConfig(rule=g.routing_rule, only_available=g.only_available, sticky=g.sticky),
            members=tuple(members.get(g.pk, ())),
            queue_length=queues.get(g.pk, 0),
        )
        for g in session.scalars(statement)
    ]


def set_routing(session: Session, ctx: Context, group_id: str, config: RoutingConfig) -> Group:
    """Change a group's rule and options (each change audited); queued chats drain at once."""
    permissions.check(ctx.principal, Action.ROUTING, group_id)
    group_pk = session.scalar(select(GroupRow.pk).where(GroupRow.id == group_id))
    if group_pk is None:
        raise InvalidInput(f"unknown group {group_id!r}")
    held = assign.lock(session, ctx, (group_pk,))
    group = held.groups[group_pk]
    for setting, old, new in config_diff(assign.config_of(group), config):
        routing_log.record(session, ctx, setting, old, new, group_pk=group.pk)
    group.routing_rule = config.rule.value
    group.only_available = config.only_available
    group.sticky = config.sticky
    held.drain(session, ctx, (group.pk,))
    return load_groups(session, [group_id])[0]


def set_agent(
    session: Session,
    ctx: Context,
    agent_id: str,
    available: bool | None,
    max_active: int | None | Unset,
    add_groups: tuple[str, ...],
    remove_groups: tuple[str, ...],
) -> Agent:
    """Change an agent's availability, cap and groups (each change audited); freed capacity drains queues."""
    permissions.check(ctx.principal, Action.AGENTS, None)
    agent_pk = session.scalar(select(AgentRow.pk).where(AgentRow.id == agent_id))
    if agent_pk is None:
        raise InvalidInput(f"unknown agent {agent_id!r}")
    if not isinstance(max_active, Unset) and max_active is not None and not 0 <= max_active <= MAX_CAP:
        raise InvalidInput(f"max_active must be from 0 to {MAX_CAP}, or none")
    both = sorted(set(add_groups) & set(remove_groups))
    if both:
        raise InvalidInput(f"cannot both add and remove group {both[0]!r}")
    named = dict(session.execute(select(GroupRow.id, GroupRow.pk).where(GroupRow.id.in_(add_groups + remove_groups))).all())
    for gid in add_groups + remove_groups:
        if gid not in named:
            raise InvalidInput(f"unknown group {gid!r}")
    held = assign.lock_for(session, ctx, named.values(), agent_pk)
    agent = held.agents[agent_pk]
    if not isinstance(max_active, Unset) and max_active != agent.max_active:
        routing_log.record(session, ctx, Setting.MAX_ACTIVE, cap(agent.max_active), cap(max_active), agent_pk=agent.pk)
        agent.max_active = max_active
    if available is not None and available != agent.available:
        routing_log.record(session, ctx, Setting.AVAILABLE, flag(agent.available), flag(available), agent_pk=agent.pk)
        agent.available = available
    current = set(held.agent_groups)  # read once the agent was locked
    position = len(current)
    for gid in add_groups:
        if named[gid] not in current:
            session.add(Membership(agent_pk=agent.pk, group_pk=named[gid], position=position))
            routing_log.record(session, ctx, Setting.MEMBER, "false", "true", group_pk=named[gid], agent_pk=agent.pk)
            current.add(named[gid])
            held.join(agent, named[gid])
            position += 1
    for gid in remove_groups:
        if named[gid] in current:
            session.execute(delete(Membership).where(Membership.agent_pk == agent.pk, Membership.group_pk == named[gid]))
            routing_log.record(session, ctx, Setting.MEMBER, "true", "false", group_pk=named[gid], agent_pk=agent.pk)
            current.discard(named[gid])
            held.leave(agent.pk, named[gid])
    held.drain(session, ctx, current)  # the groups they are in now
    return load_agents(session, [agent_id])[0]
