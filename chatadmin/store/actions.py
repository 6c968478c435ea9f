"""Writes on conversations, agents and groups, each inside the caller's transaction.

Every change to a conversation checks the acting user's permission and the version the
user saw, bumps the version and the store's change counter, and writes its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
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
from chatadmin.store import assign, routing_log
from chatadmin.store.derive import seconds_between
from chatadmin.store.metrics import note_assignment
from chatadmin.store.models import (
    AgentRow,
    ConversationRecord,
    ConversationTag,
    Counter,
    EventRow,
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


# on the table, not the mapped class: an ORM-enabled UPDATE would also look for the counter
# among the session's objects to keep them in step (~1 ms of a transfer for a row never loaded)
_counters = Counter.__table__
_NEXT_CHANGE = (
    update(_counters)
    .where(_counters.c.name == "changes")
    .values(value=_counters.c.value + 1)
    .returning(_counters.c.value)
)


def next_change(session: Session) -> int:
    """The store-wide change counter, incremented (the row lock orders concurrent writers)."""
    value = session.execute(_NEXT_CHANGE).scalar()
    if value is None:
        session.execute(insert(Counter).values(name="changes", value=1))
        value = 1
    return int(value)


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


def touch(session: Session, conversation: ConversationRecord) -> None:
    """Bump the version and take the next change number: one UPDATE of the row with the rest of the change.

    Without ``no_autoflush`` the counter's statement would first flush the conversation's
    other changes, and ``changed_seq`` would then be a second UPDATE (on PostgreSQL each one
    writes a new row version into every index of the table).
    """
    with session.no_autoflush:
        conversation.changed_seq = next_change(session)
    conversation.version += 1


def record_event(
    session: Session,
    ctx: Context,
    conversation: ConversationRecord,
    kind: EventKind,
    *,
    from_agent_pk: int | None = None,
    from_group_pk: int | None = None,
    to_agent_pk: int | None = None,
    to_group_pk: int | None = None,
    rule: str | None = None,
    actor: str | None = None,
) -> None:
    session.add(
        EventRow(
            conversation_pk=conversation.pk,
            at=ctx.now,
            kind=kind.value,
            actor=actor or ctx.principal.actor,
            from_agent_pk=from_agent_pk,
            from_group_pk=from_group_pk,
            to_agent_pk=to_agent_pk,
            to_group_pk=to_group_pk,
            rule=rule,
        )
    )
    if to_group_pk is not None and kind in (EventKind.ASSIGNED, EventKind.TRANSFERRED):
        note_assignment(session, to_group_pk, conversation.pk, ctx.now)


def assignment_response(session: Session, conversation: ConversationRecord) -> int | None:
    """Response time (assignment): first agent message at or after the latest assignment."""
    if conversation.assigned_at is None:
        return None
    first = session.scalar(
        select(func.min(MessageRow.at)).where(
            MessageRow.conversation_pk == conversation.pk,
            MessageRow.sender == "agent",
            MessageRow.at >= conversation.assigned_at,
        )
    )
    return None if first is None else seconds_between(conversation.assigned_at, first)


def assign_to(
    session: Session,
    ctx: Context,
    held: assign.Held,
    conversation: ConversationRecord,
    group: GroupRow,
    agent: AgentRow | None,
) -> None:
    """Put the conversation with ``agent`` in ``group``, or in the group's queue (the loads ``held`` follow)."""
    was = conversation.agent_pk if conversation.status == Status.IN_PROGRESS.value else None
    conversation.group_pk = group.pk
    conversation.agent_pk = agent.pk if agent else None
    conversation.status = Status.IN_PROGRESS.value if agent else Status.OPEN.value
    conversation.assigned_at = ctx.now if agent else None
    conversation.response_assignment_s = assignment_response(session, conversation)
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
    assign_to(session, ctx, held, conversation, group, agent)
    touch(session, conversation)
    record_event(
        session,
        ctx,
        conversation,
        EventKind.TRANSFERRED,
        from_agent_pk=from_agent_pk,
        from_group_pk=from_group_pk,
        to_agent_pk=agent.pk if agent else None,
        to_group_pk=group.pk,
        rule=rule,
    )
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
    conversation.status = Status.CLOSED.value
    conversation.closed_at = ctx.now
    touch(session, conversation)
    record_event(
        session, ctx, conversation, EventKind.CLOSED,
        from_agent_pk=conversation.agent_pk, from_group_pk=conversation.group_pk,
    )
    if held is not None:
        held.capacity_freed(session, ctx)


def reopen(session: Session, ctx: Context, conversation_id: str, expected_version: int | None) -> None:
    locked = lock_conversation(session, ctx, conversation_id, Action.REOPEN, expected_version)
    conversation = locked.conversation
    if conversation.status != Status.CLOSED.value:
        raise InvalidInput(f"conversation {conversation_id} is not closed")
    if conversation.agent_pk is not None:  # their load grows: routing must see it
        assign.lock_for(session, ctx, (), conversation.agent_pk, locked.agent_groups)
    conversation.status = Status.IN_PROGRESS.value if conversation.agent_pk else Status.OPEN.value
    conversation.closed_at = None
    touch(session, conversation)
    record_event(
        session, ctx, conversation, EventKind.REOPENED,
        to_agent_pk=conversation.agent_pk, to_group_pk=conversation.group_pk,
    )


def unassign(session: Session, ctx: Context, conversation_id: str, expected_version: int | None) -> None:
    conversation = locked_conversation(session, ctx, conversation_id, Action.UNASSIGN, expected_version)
    if conversation.status == Status.CLOSED.value:
        raise InvalidInput(f"conversation {conversation_id} is closed")
    if conversation.agent_pk is None:
        raise InvalidInput(f"conversation {conversation_id} has no agent")
    freed = conversation.agent_pk
    conversation.agent_pk = None
    conversation.status = Status.OPEN.value
    conversation.assigned_at = None
    conversation.response_assignment_s = None
    touch(session, conversation)
    record_event(
        session, ctx, conversation, EventKind.UNASSIGNED,
        from_agent_pk=freed, from_group_pk=conversation.group_pk, to_group_pk=conversation.group_pk,
    )
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
    conversation.tag_list = TAG_SEPARATOR.join(wanted)
    touch(session, conversation)


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
    conversation.changed_seq = next_change(session)
    return Note(at=ctx.now, author=ctx.principal.actor, author_name=ctx.principal.name, text=body)


# -- agents and groups -------------------------------------------------------------------------


def load_agents(session: Session, ids: list[str] | None = None) -> list[Agent]:
    loads = dict(
        session.execute(
            select(ConversationRecord.agent_pk, func.count())
            .where(ConversationRecord.status == Status.IN_PROGRESS.value)
            .group_by(ConversationRecord.agent_pk)
        ).all()
    )
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
