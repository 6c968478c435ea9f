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

What a write holds is a :class:`Held`: the locked groups, their members (read in the statement
that locks them: a group's members only change under that group's lock), and the members'
loads, counted once (with an agent's groups re-read by ``lock_for``, or when routing first
needs them) and then kept in step as chats move (``moved``).
A load is counted only as far as routing can use it: up to the agent's cap and one more (at
or past the cap is all that matters then), not at all for an agent routing cannot pick
anyway (unavailable where that counts) or whose load does not matter (no cap, round robin).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import ARRAY, BigInteger, Integer, Select, and_, any_, bindparam, case, cast, func, or_, select, text
from sqlalchemy.orm import Session

from chatadmin.domain import SYSTEM_ACTOR, EventKind, RoutingConfig, RoutingRule, Status
from chatadmin.routing import Candidate
from chatadmin.routing import choose as choose_rule
from chatadmin.routing.rules import eligible
from chatadmin.store.models import (
    AgentRow,
    ConversationRecord,
    CustomerRow,
    GroupRow,
    Membership,
)

if TYPE_CHECKING:
    from chatadmin.store.actions import Context

# how often to re-read an agent's groups when they change while locking (see lock_for)
LOCK_ATTEMPTS = 5

C = ConversationRecord
IN_PROGRESS = Status.IN_PROGRESS.value

# The statements of routing writes, built once: SQLAlchemy then finds each one's compiled form
# from the statement itself instead of building and hashing a new one on every call. Each is a
# pair: as SQLite runs it, and locking its rows (PostgreSQL). PostgreSQL takes a list of keys
# as one array, so each statement is one text whatever the number of keys: psycopg prepares a
# text once it has run five times, and PostgreSQL then plans it once (planning anything that
# touches the conversations table reads its 34 indexes).
def _pk_in(column: Any, name: str, pg: bool) -> Any:
    if pg:
        return column == any_(bindparam(name, type_=ARRAY(Integer)))  # the generic type: no dialect import
    return column.in_(bindparam(name, expanding=True))


def _groups(pg: bool) -> Select:  # type: ignore[type-arg]
    return select(GroupRow).where(_pk_in(GroupRow.pk, "group_pks", pg)).order_by(GroupRow.pk)


# the agents, each with its memberships in the groups being locked (none for an agent only named)
def _agents(pg: bool) -> Select:  # type: ignore[type-arg]
    return (
        select(AgentRow, Membership.group_pk)
        .outerjoin(Membership, and_(Membership.agent_pk == AgentRow.pk, _pk_in(Membership.group_pk, "group_pks", pg)))
        .where(or_(Membership.group_pk.is_not(None), _pk_in(AgentRow.pk, "agent_pks", pg)))
        .order_by(AgentRow.pk)
    )


_GROUPS = (_groups(False), _groups(True).with_for_update(key_share=True).execution_options(populate_existing=True))
_AGENTS = (
    _agents(False),
    _agents(True).with_for_update(of=AgentRow, key_share=True).execution_options(populate_existing=True),
)
_queue_head = (
    select(C)
    .where(C.group_pk == bindparam("group_pk"), C.status == Status.OPEN.value)
    .order_by(C.created_at, C.pk)
    .limit(1)
)
_QUEUE_HEAD = (
    _queue_head,
    _queue_head.with_for_update(skip_locked=True, key_share=True).execution_options(populate_existing=True),
)
_GROUPS_OF = select(Membership.group_pk).where(Membership.agent_pk == bindparam("agent_pk"))
_AGENT_ID = select(AgentRow.id).where(AgentRow.pk == bindparam("agent_pk"))
_SAVEPOINT = text("SAVEPOINT routing_locks")
_BACK_TO_SAVEPOINT = text("ROLLBACK TO SAVEPOINT routing_locks")
# the agent of the customer's (same phone's) latest other conversation that had one
_PREVIOUS_AGENT = (
    select(C.agent_pk)
    .where(
        C.customer_pk.in_(
            select(CustomerRow.pk).where(
                CustomerRow.phone
                == select(CustomerRow.phone).where(CustomerRow.pk == bindparam("customer_pk")).scalar_subquery()
            )
        ),
        C.pk != bindparam("conversation_pk"),
        C.agent_pk.is_not(None),
    )
    .order_by(func.coalesce(C.assigned_at, C.created_at).desc(), C.pk.desc())
    .limit(1)
)


def locking(ctx: Context, pair: tuple[Select, Select]) -> Select:  # type: ignore[type-arg]
    """The statement of ``pair`` this store runs: the locking one on PostgreSQL."""
    return pair[1] if ctx.lock_rows else pair[0]


# Loads, counted on the (agent_pk, status) index alone, each only as far as a limit: one
# statement for any number of agents (its compiled form and plan are reused; one subquery per
# agent was 12-40 ms to compile the first time for each number of agents). PostgreSQL reads
# each agent's limit from their row: the cap and one more (none without a cap). SQLite cannot
# take a LIMIT from a column, so there one limit serves all: the highest such (none when an
# agent without a cap is counted).
def _loads(limit: Any) -> Select:  # type: ignore[type-arg]
    rows = (
        select(C.agent_pk).where(C.agent_pk == AgentRow.pk, C.status == IN_PROGRESS).limit(limit).correlate(AgentRow)
    )
    return select(AgentRow.pk, select(func.count()).select_from(rows.subquery()).correlate(AgentRow).scalar_subquery())


_PG_LOADS = _loads(cast(AgentRow.max_active, BigInteger) + 1)  # a cap of 2**31-1 fits
_counted = _pk_in(AgentRow.pk, "agent_pks", pg=True)
_LOADS = _PG_LOADS.where(_counted)
# with one agent's groups as they are now (see lock_for), in the same round trip: that agent's
# row is read as well, its load counted only if asked for
_LOADS_AND_GROUPS = select(
    AgentRow.pk,
    case((_counted, _PG_LOADS.selected_columns[1])),
    select(func.array_agg(Membership.group_pk)).where(Membership.agent_pk == bindparam("agent_pk")).scalar_subquery(),
).where(or_(_counted, AgentRow.pk == bindparam("agent_pk")))
_SQLITE_LOADS = _loads(bindparam("limit", type_=BigInteger)).where(_pk_in(AgentRow.pk, "agent_pks", pg=False))


def count_loads(
    session: Session, agents: list[AgentRow], groups_of_agent: int | None = None
) -> tuple[dict[int, int], set[int]]:
    """Each agent's in_progress conversations (past their cap, at least the cap and one more);
    on PostgreSQL also the groups of agent ``groups_of_agent``, read in the same statement."""
    pks = [a.pk for a in agents]
    if session.get_bind().dialect.name == "postgresql":
        if groups_of_agent is None:
            return {pk: load for pk, load in session.execute(_LOADS, {"agent_pks": pks})}, set()
        loads, groups = {}, set()
        for pk, load, agent_groups in session.execute(_LOADS_AND_GROUPS, {"agent_pks": pks, "agent_pk": groups_of_agent}):
            if load is not None:
                loads[pk] = load
            groups = set(agent_groups or ())
        return loads, groups
    assert groups_of_agent is None, "read with the loads on PostgreSQL only"
    caps = [a.max_active for a in agents]
    limit = -1 if None in caps or not caps else max(caps) + 1  # type: ignore[type-var]
    return {pk: load for pk, load in session.execute(_SQLITE_LOADS, {"agent_pks": pks, "limit": limit})}, set()


def config_of(group: GroupRow) -> RoutingConfig:
    return RoutingConfig(rule=RoutingRule(group.routing_rule), only_available=group.only_available, sticky=group.sticky)


def groups_of(session: Session, agent_pk: int) -> set[int]:
    return set(session.scalars(_GROUPS_OF, {"agent_pk": agent_pk}))


class Held:
    """The groups and agents a write holds (locked on PostgreSQL), and what routing in them needs.

    ``members``: each held group's members in primary-key order; ``agent_groups``: the groups of
    the agent ``lock_for`` was given, read once that agent was locked.
    """

    def __init__(self, groups: dict[int, GroupRow], members: dict[int, list[AgentRow]], agents: dict[int, AgentRow]):
        self.groups = groups
        self.members = members
        self.agents = agents
        self.agent_groups: set[int] = set()
        # agent pk -> load; exact, or (not in _exact) a lower bound that reached the count's limit
        self._loads: dict[int, int] = {}
        self._exact: set[int] = set()

    def add(self, other: Held) -> None:
        self.groups.update(other.groups)
        self.members.update(other.members)
        self.agents.update(other.agents)

    def member(self, group_pk: int, agent_pk: int) -> AgentRow | None:
        return next((m for m in self.members.get(group_pk, ()) if m.pk == agent_pk), None)

    def join(self, agent: AgentRow, group_pk: int) -> None:
        """``agent`` became a member of the held group ``group_pk`` in this transaction."""
        members = self.members[group_pk]
        members.append(agent)
        members.sort(key=lambda m: m.pk)

    def leave(self, agent_pk: int, group_pk: int) -> None:
        self.members[group_pk] = [m for m in self.members[group_pk] if m.pk != agent_pk]

    # -- loads ---------------------------------------------------------------------------------

    def _routed_in(self, agent: AgentRow) -> list[RoutingConfig]:
        return [
            config
            for pk, members in self.members.items()
            if agent in members and (config := config_of(self.groups[pk])).rule is not RoutingRule.MANUAL
        ]

    @staticmethod
    def _matters(agent: AgentRow, config: RoutingConfig) -> bool:
        """Whether ``agent``'s load can change what routing with ``config`` decides."""
        if config.only_available and not agent.available:
            return False  # never eligible there
        return agent.max_active is not None or config.rule is RoutingRule.LEAST_BUSY

    def _known(self, agent: AgentRow) -> bool:
        if agent.pk in self._exact:
            return True
        # a count that reached its limit: enough while it stays at or past the cap
        return agent.pk in self._loads and agent.max_active is not None and self._loads[agent.pk] >= agent.max_active

    def count(self, session: Session, agents: Iterable[AgentRow] = (), groups_of_agent: int | None = None) -> set[int]:
        """Count the loads of ``agents`` not known yet, and of every held agent routing may need;
        with ``groups_of_agent`` (PostgreSQL), that agent's groups read in the same statement."""
        wanted = {a.pk: a for a in agents if not self._known(a)}
        if not wanted and groups_of_agent is None:
            return set()
        for agent in self.agents.values():
            if (
                agent.pk not in wanted
                and not self._known(agent)
                and any(self._matters(agent, config) for config in self._routed_in(agent))
            ):
                wanted[agent.pk] = agent
        session.flush()  # the count sees this transaction's own changes (and caps)
        loads, groups = count_loads(session, list(wanted.values()), groups_of_agent)
        for agent_pk, load in loads.items():
            self._loads[agent_pk] = load
            cap = wanted[agent_pk].max_active
            if cap is None or load <= cap:
                self._exact.add(agent_pk)
            else:
                self._exact.discard(agent_pk)
        return groups

    def load(self, session: Session, agent: AgentRow, exclude: ConversationRecord | None = None) -> int:
        """``agent``'s load without ``exclude`` (the conversation being routed); past the cap, at least the cap."""
        self.count(session, [agent])
        return self._loads[agent.pk] - _holds(exclude, agent.pk)

    def moved(self, from_agent_pk: int | None, to_agent_pk: int | None) -> None:
        """An in_progress conversation went from one agent to another (None: from or to nobody)."""
        for pk, change in ((from_agent_pk, -1), (to_agent_pk, 1)):
            if pk is not None and pk in self._loads:
                self._loads[pk] += change

    # -- routing ---------------------------------------------------------------------------------

    def candidates(
        self, session: Session, group: GroupRow, config: RoutingConfig, conversation: ConversationRecord
    ) -> list[Candidate]:
        """The group's members as routing sees them, their loads without ``conversation``."""
        members = self.members.get(group.pk, [])
        self.count(session, [m for m in members if self._matters(m, config)])
        return [
            Candidate(
                m.id,
                m.available,
                self._loads.get(m.pk, 0) - (_holds(conversation, m.pk) if m.pk in self._loads else 0),
                m.max_active,
                m.last_assigned_at,
            )
            for m in members
        ]

    def choose(
        self, session: Session, ctx: Context, group: GroupRow, conversation: ConversationRecord
    ) -> tuple[AgentRow | None, str]:
        """The agent routing gives ``conversation`` in ``group`` (None: it waits in the queue), and the rule.

        A round-robin pick moves the group's stored position to the agent picked.
        """
        config = config_of(group)
        if config.rule is RoutingRule.MANUAL:
            return None, RoutingRule.MANUAL.value
        candidates = self.candidates(session, group, config, conversation)
        if not any(eligible(c, config) for c in candidates):
            return None, config.rule.value  # what the rule says for nobody, without asking for the rest
        by_pk = {m.pk: m for m in self.members[group.pk]}
        previous = previous_agent(session, conversation) if config.sticky else None
        last_id = None
        if config.rule is RoutingRule.ROUND_ROBIN and group.rr_last_agent_pk is not None:
            last = by_pk.get(group.rr_last_agent_pk)
            last_id = last.id if last else session.scalar(_AGENT_ID, {"agent_pk": group.rr_last_agent_pk})
        choice = choose_rule(
            config,
            candidates,
            last_assigned=last_id,
            previous_agent=by_pk[previous].id if previous in by_pk else None,
        )
        if choice.agent_id is None:
            return None, choice.rule
        agent = next(m for m in by_pk.values() if m.id == choice.agent_id)
        if choice.rule == RoutingRule.ROUND_ROBIN.value:
            group.rr_last_agent_pk = agent.pk
        return agent, choice.rule

    def _drain_group(self, session: Session, ctx: Context, group: GroupRow) -> int:
        """Assign the group's queued chats, oldest first, while routing finds an eligible agent.

        Each assignment is an ``assigned`` event by ``system`` with the rule that decided.
        """
        from chatadmin.store.actions import assign_to, audit

        config = config_of(group)
        if config.rule is RoutingRule.MANUAL:
            return 0
        assigned = 0
        # nobody eligible: nothing to take from the queue (a queued chat is open, so it changes no load)
        while any(eligible(c, config) for c in self.candidates(session, group, config, None)):
            queued = session.scalar(locking(ctx, _QUEUE_HEAD), {"group_pk": group.pk})
            if queued is None:
                break
            agent, rule = self.choose(session, ctx, group, queued)
            if agent is None:
                break
            assigned_event = audit(
                ctx, EventKind.ASSIGNED,
                from_group_pk=group.pk, to_agent_pk=agent.pk, to_group_pk=group.pk, rule=rule, actor=SYSTEM_ACTOR,
            )  # fmt: skip
            assign_to(session, ctx, self, queued, group, agent, assigned_event)
            assigned += 1
        return assigned

    def drain(self, session: Session, ctx: Context, group_pks: Iterable[int]) -> int:
        """Drain each of these held groups' queues, in group-id order."""
        groups = sorted((self.groups[pk] for pk in set(group_pks)), key=lambda g: g.id)
        return sum(self._drain_group(session, ctx, group) for group in groups)

    def capacity_freed(self, session: Session, ctx: Context) -> int:
        """The agent ``lock_for`` was given may take more chats: drain the queues of their groups."""
        return self.drain(session, ctx, self.agent_groups)


def _holds(conversation: ConversationRecord | None, agent_pk: int) -> int:
    """1 when ``conversation`` counts in ``agent_pk``'s load."""
    return int(conversation is not None and conversation.status == IN_PROGRESS and conversation.agent_pk == agent_pk)


def lock(session: Session, ctx: Context, group_pks: Iterable[int], agent_pks: Iterable[int] = ()) -> Held:
    """Lock the groups, then their members and ``agent_pks``, each in primary-key order."""
    pks = sorted(set(group_pks))
    extra = sorted(set(agent_pks))
    if not pks and not extra:
        return Held({}, {}, {})
    groups = {g.pk: g for g in session.scalars(locking(ctx, _GROUPS), {"group_pks": pks})} if pks else {}
    members: dict[int, list[AgentRow]] = {pk: [] for pk in groups}
    agents: dict[int, AgentRow] = {}
    for agent, group_pk in session.execute(locking(ctx, _AGENTS), {"group_pks": pks, "agent_pks": extra}):
        agents[agent.pk] = agent
        if group_pk is not None:
            members[group_pk].append(agent)
    return Held(groups, members, agents)


def lock_for(
    session: Session,
    ctx: Context,
    group_pks: Iterable[int] = (),
    agent_pk: int | None = None,
    agent_groups: set[int] | None = None,
) -> Held:
    """Lock ``group_pks`` and, with ``agent_pk``, that agent and every group they belong to.

    The agent's groups (``agent_groups`` when the caller read them already) are read before
    they can be locked; when a membership change commits in between, the locks taken so far
    are released (a savepoint) and taken again in order.
    """
    wanted = set(group_pks)
    if agent_pk is None:
        return lock(session, ctx, wanted)
    seen = groups_of(session, agent_pk) if agent_groups is None else agent_groups
    if not ctx.lock_rows:
        held = lock(session, ctx, wanted | seen, (agent_pk,))
        held.agent_groups = seen
        return held
    # The savepoint is the database's alone: only locks are taken under it (anything pending is
    # written first), so rolling back to it leaves the session's objects true. Once the locks
    # hold it is left for the commit to end: releasing it would be one more round trip.
    session.flush()
    for _ in range(LOCK_ATTEMPTS - 1):
        pks = wanted | seen
        session.execute(_SAVEPOINT)
        held = lock(session, ctx, pks, (agent_pk,))
        # their groups again, now that they are locked, with the loads routing may need
        seen = held.count(session, groups_of_agent=agent_pk)
        if seen <= pks:
            held.agent_groups = seen
            return held
        session.execute(_BACK_TO_SAVEPOINT)
    # memberships kept changing: lock what there is now, in order, and what joined later after it
    held = lock(session, ctx, wanted | seen, (agent_pk,))
    held.agent_groups = groups_of(session, agent_pk)
    held.add(lock(session, ctx, held.agent_groups - set(held.groups)))
    return held


def previous_agent(session: Session, conversation: ConversationRecord) -> int | None:
    """The customer's previous agent: the agent of their latest other conversation that had one."""
    return session.scalar(_PREVIOUS_AGENT, {"customer_pk": conversation.customer_pk, "conversation_pk": conversation.pk})

