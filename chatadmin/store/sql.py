"""The local store: the Backend interface over SQLite or PostgreSQL with SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from chatadmin import permissions
from chatadmin.backend import UNSET, Interrupt, Unset
from chatadmin.clock import Clock
from chatadmin.domain import (
    Agent,
    Changes,
    ConversationDetail,
    ConversationFilter,
    ConversationPage,
    ConversationRow,
    Event,
    EventKind,
    Group,
    GroupActivity,
    GroupLoad,
    Message,
    MessagePage,
    Metrics,
    Note,
    Principal,
    Role,
    RoutingConfig,
    RoutingRule,
    Sender,
    Sort,
    Status,
    TransferResult,
)
from chatadmin.errors import BackendUnavailable, Interrupted, InvalidInput, NotFound
from chatadmin.permissions import Action
from chatadmin.routing.changes import RoutingChange
from chatadmin.store import actions, activity, changes, history, routing_log
from chatadmin.store.engine import describe_url, make_engine, upgrade
from chatadmin.store.metrics import highest_load
from chatadmin.store.models import (
    AgentRow,
    ConversationRecord,
    EventRow,
    GroupRow,
    Membership,
    MessageRow,
    NoteRow,
    TagRow,
)
from chatadmin.store.paging import count_rows, list_page, tags_by_row
from chatadmin.store.query import (
    ROW_COLUMNS,
    C,
    base_select,
    filter_conditions,
    sort_columns,
    to_row,
)
from chatadmin.store.search import SearchShape, page_shape

MAX_PAGE = 1000


class SqlStore:
    """Conversations in a SQL database, seen and changed as one acting user."""

    def __init__(self, engine: Engine, clock: Clock, acting_as: str | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self._acting_as = acting_as
        self.principal = self._resolve_principal(acting_as)

    @classmethod
    def open(cls, url: str, clock: Clock, acting_as: str | None = None) -> SqlStore:
        engine = make_engine(url)
        try:
            upgrade(engine)
            return cls(engine, clock, acting_as)
        except BaseException:
            engine.dispose()
            raise

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def location(self) -> str:
        return describe_url(self.engine.url.render_as_string(hide_password=True))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with Session(self.engine) as session:
                yield session
        except OperationalError as exc:
            raise BackendUnavailable(f"the store cannot be read: {exc.orig}") from None

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One short transaction; on SQLite an immediate one, so concurrent writers queue."""
        try:
            with self.engine.connect() as connection:
                if self.is_sqlite:
                    connection.execution_options(immediate=True)
                with Session(bind=connection) as session, session.begin():
                    yield session
                connection.commit()
        except OperationalError as exc:
            raise BackendUnavailable(f"the store cannot be written: {exc.orig}") from None
        except DBAPIError as exc:  # integrity problems are bugs or races; say so plainly
            raise BackendUnavailable(f"the store refused the change: {exc.orig}") from None

    def _resolve_principal(self, acting_as: str | None) -> Principal:
        if acting_as is None:
            return Principal()
        with self._read() as session:
            agent = session.scalar(select(AgentRow).where(AgentRow.id == acting_as))
            if agent is None:
                raise InvalidInput(f"unknown acting user {acting_as!r} (CHATADMIN_AS names an agent id)")
            groups = session.scalars(
                select(GroupRow.id)
                .join(Membership, Membership.group_pk == GroupRow.pk)
                .where(Membership.agent_pk == agent.pk)
                .order_by(GroupRow.id)
            ).all()
        return Principal(agent_id=agent.id, name=agent.name, role=Role(agent.role), groups=tuple(groups))

    def whoami(self) -> Principal:
        return self.principal

    def dispose(self) -> None:
        self.engine.dispose()

    def _scope(self, session: Session) -> frozenset[int] | None:
        permissions.require_admin_section(self.principal)
        groups = permissions.visible_groups(self.principal)
        if groups is None:
            return None
        return frozenset(session.scalars(select(GroupRow.pk).where(GroupRow.id.in_(groups))).all())

    def _pks(self, session: Session, filters: ConversationFilter) -> dict[str, dict[str, int]]:
        """Resolve the ids a filter names; an unknown group or agent is the user's mistake."""
        found: dict[str, dict[str, int]] = {"groups": {}, "agents": {}, "tags": {}}
        for key, model, column, wanted in (
            ("groups", GroupRow, GroupRow.id, filters.groups),
            ("agents", AgentRow, AgentRow.id, filters.agents),
            ("tags", TagRow, TagRow.name, filters.tags),
        ):
            if not wanted:
                continue
            rows = session.execute(select(column, model.pk).where(column.in_(sorted(wanted)))).all()
            found[key] = {name: pk for name, pk in rows}
            missing = sorted(set(wanted) - set(found[key]))
            if missing and key != "tags":
                raise InvalidInput(f"unknown {key[:-1]} {', '.join(repr(m) for m in missing)}")
        return found

    def _where(self, session: Session, filters: ConversationFilter, now: Any, page: bool = False) -> list[Any]:
        """The filter's conditions; ``page``: shaped for reading one page (same rows, faster plan)."""
        pks, scope = self._pks(session, filters), self._scope(session)
        shape = page_shape(session, filters.search) if page and filters.search else SearchShape.SET
        by_row = page and bool(filters.tags) and tags_by_row(session, pks["tags"].values())
        return filter_conditions(filters, self.clock, now, pks, scope, search_shape=shape, tags_by_row=by_row)

    # -- reading ----------------------------------------------------------------------------

    def list_conversations(
        self,
        filters: ConversationFilter = ConversationFilter(),
        sort: Sort = Sort(),
        offset: int = 0,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ConversationPage:
        if offset < 0 or not 0 < limit <= MAX_PAGE:
            raise InvalidInput(f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}")
        now = self.clock.now()
        with self._read() as session:
            where = self._where(session, filters, now, page=True)
            return list_page(session, where, filters, sort, now, offset, limit, cursor)

    def iter_conversations(
        self,
        filters: ConversationFilter = ConversationFilter(),
        sort: Sort = Sort(),
        limit: int | None = None,
    ) -> Iterator[ConversationRow]:
        if limit is not None and limit < 0:
            raise InvalidInput("limit must be 0 or more")
        now = self.clock.now()
        with self._read() as session:
            statement = base_select(*ROW_COLUMNS).where(*self._where(session, filters, now)).order_by(
                *sort_columns(sort, now)
            )
            if limit is not None:
                statement = statement.limit(limit)
            for row in session.execute(statement.execution_options(yield_per=1000)):
                yield to_row(row, now)

    def count_conversations(self, filters: ConversationFilter = ConversationFilter(), interrupt: Interrupt | None = None) -> int:
        now = self.clock.now()
        with self._read() as session:
            # kept while no conversation changes: a live poll of an unchanged store counts nothing,
            # and the console's count is the one a jump to the end then reads with
            where = self._where(session, filters, now)
            if interrupt is None:
                return count_rows(session, where)
            driver = session.connection().connection.dbapi_connection
            stop = driver.interrupt if self.is_sqlite else driver.cancel_safe  # type: ignore[union-attr]
            try:
                with interrupt.armed(stop):
                    return count_rows(session, where)
            except OperationalError:
                if interrupt.pulled:  # SQLite's "interrupted", PostgreSQL's query_canceled
                    raise Interrupted("the count was interrupted") from None
                raise

    def _row(self, session: Session, conversation_id: str) -> ConversationRow:
        row = session.execute(base_select(*ROW_COLUMNS).where(C.id == conversation_id)).first()
        if row is None:
            raise NotFound(f"unknown conversation {conversation_id!r}")
        result = to_row(row, self.clock.now())
        permissions.check(self.principal, Action.VIEW, result.group)
        return result

    def get_conversation(self, conversation_id: str) -> ConversationRow:
        with self._read() as session:
            return self._row(session, conversation_id)

    def conversation_detail(self, conversation_id: str) -> ConversationDetail:
        with self._read() as session:
            row = self._row(session, conversation_id)
            conversation = session.scalar(select(ConversationRecord).where(ConversationRecord.id == conversation_id))
            assert conversation is not None
            agents = dict(session.execute(select(AgentRow.pk, AgentRow.id)).all())
            groups = dict(session.execute(select(GroupRow.pk, GroupRow.id)).all())
            names = dict(session.execute(select(AgentRow.id, AgentRow.name)).all())
            messages = session.scalars(
                select(MessageRow)
                .where(MessageRow.conversation_pk == conversation.pk)
                .order_by(MessageRow.at, MessageRow.pk)
            ).all()
            notes = session.scalars(
                select(NoteRow).where(NoteRow.conversation_pk == conversation.pk).order_by(NoteRow.at, NoteRow.pk)
            ).all()
            events = session.scalars(
                select(EventRow).where(EventRow.conversation_pk == conversation.pk).order_by(EventRow.at, EventRow.pk)
            ).all()
            return ConversationDetail(
                row=row,
                rating_comment=conversation.rating_comment,
                messages=tuple(
                    Message(
                        at=m.at,
                        sender=Sender(m.sender),
                        agent=agents.get(m.agent_pk) if m.agent_pk else None,
                        agent_name=names.get(agents.get(m.agent_pk)) if m.agent_pk else None,
                        text=m.text,
                    )
                    for m in messages
                ),
                notes=tuple(Note(at=n.at, author=n.author, author_name=names.get(n.author), text=n.text) for n in notes),
                events=tuple(
                    Event(
                        at=e.at,
                        kind=EventKind(e.kind),
                        actor=e.actor,
                        from_agent=agents.get(e.from_agent_pk) if e.from_agent_pk else None,
                        from_group=groups.get(e.from_group_pk) if e.from_group_pk else None,
                        to_agent=agents.get(e.to_agent_pk) if e.to_agent_pk else None,
                        to_group=groups.get(e.to_group_pk) if e.to_group_pk else None,
                        rule=e.rule,
                    )
                    for e in events
                ),
            )

    def conversation_messages(
        self,
        conversation_id: str,
        after: str | None = None,
        before: str | None = None,
        limit: int = 50,
        newest: bool = False,
    ) -> MessagePage:
        if not 0 < limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
        with self._read() as session:
            self._row(session, conversation_id)  # unknown, or not the user's to see, as in the detail
            pk = session.scalar(select(C.pk).where(C.id == conversation_id))
            assert pk is not None
            return history.message_page(session, pk, conversation_id, after, before, limit, newest)

    def metrics(self) -> Metrics:
        now = self.clock.now()
        start, end = self.clock.day_bounds(self.clock.today())
        with self._read() as session:
            scope = self._scope(session)
            scoped = [] if scope is None else [C.group_pk.in_(sorted(scope))]
            counts = dict(
                session.execute(
                    select(C.status, func.count())
                    .where(C.status.in_([Status.OPEN.value, Status.IN_PROGRESS.value]), *scoped)
                    .group_by(C.status)
                ).all()
            )
            completed = session.scalar(
                select(func.count()).select_from(C).where(C.closed_at >= start, C.closed_at < end, *scoped)
            )
            top = highest_load(session, start, end, scope)
        return Metrics(
            unassigned=counts.get(Status.OPEN.value, 0),
            active=counts.get(Status.IN_PROGRESS.value, 0),
            completed_today=int(completed or 0),
            highest_load_group=GroupLoad(group=top[0], name=top[1], assigned_today=top[2]) if top else None,
            timezone=self.clock.zone_name,
            now=now,
        )

    def list_agents(self) -> list[Agent]:
        with self._read() as session:
            permissions.require_admin_section(self.principal)
            return actions.load_agents(session)

    def list_groups(self) -> list[Group]:
        with self._read() as session:
            permissions.require_admin_section(self.principal)
            return actions.load_groups(session)

    def group_activity(self) -> list[GroupActivity]:
        with self._read() as session:
            return activity.group_activity(session, self.clock, self._scope(session))

    def changes_since(self, seq: int) -> Changes:
        with self._read() as session:
            return changes.changes_since(session, seq, self._scope(session))

    def list_tags(self) -> list[str]:
        with self._read() as session:
            permissions.require_admin_section(self.principal)
            return list(session.scalars(select(TagRow.name).order_by(TagRow.name)).all())

    def list_countries(self) -> list[str]:
        """The countries of the customers, read as a skip scan of the ``(country, pk)`` index: one
        seek per country (a DISTINCT read every entry: 60 ms on SQLite, 130 on PostgreSQL at 1M)."""
        with self._read() as session:
            permissions.require_admin_section(self.principal)
            seen = select(select(func.min(C.country)).scalar_subquery().label("country")).cte("seen", recursive=True)
            after = select(func.min(C.country)).where(C.country > seen.c.country).scalar_subquery()
            seen = seen.union_all(select(after).where(seen.c.country.is_not(None)))
            return list(session.scalars(select(seen.c.country).where(seen.c.country.is_not(None)).order_by(seen.c.country)))

    # -- acting on a conversation -------------------------------------------------------------

    def add_note(self, conversation_id: str, text: str) -> Note:
        with self._write() as session:
            return actions.add_note(session, self._ctx(), conversation_id, text)

    def transfer(
        self,
        conversation_id: str,
        group: str,
        agent: str | None = None,
        expected_version: int | None = None,
    ) -> TransferResult:
        with self._write() as session:
            return actions.transfer(session, self._ctx(), conversation_id, group, agent, expected_version)

    def close_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow:
        return self._change(actions.close, conversation_id, expected_version)

    def reopen_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow:
        return self._change(actions.reopen, conversation_id, expected_version)

    def unassign_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow:
        return self._change(actions.unassign, conversation_id, expected_version)

    def set_tags(
        self, conversation_id: str, tags: list[str], expected_version: int | None = None
    ) -> ConversationRow:
        with self._write() as session:
            actions.set_tags(session, self._ctx(), conversation_id, tags, expected_version)
            return self._row(session, conversation_id)

    def _change(self, change: Any, conversation_id: str, expected_version: int | None) -> ConversationRow:
        with self._write() as session:
            change(session, self._ctx(), conversation_id, expected_version)
            return self._row(session, conversation_id)

    def _ctx(self) -> actions.Context:
        return actions.Context(
            principal=self.principal, now=self.clock.now(), lock_rows=not self.is_sqlite
        )

    # -- routing configuration ---------------------------------------------------------------

    def routing_log(self, group: str | None = None, agent: str | None = None, limit: int = 50) -> list[RoutingChange]:
        with self._read() as session:
            permissions.require_admin_section(self.principal)
            return routing_log.read(session, group, agent, limit)

    def set_routing(self, group: str, config: RoutingConfig) -> Group:
        with self._write() as session:
            return actions.set_routing(session, self._ctx(), group, config)

    def set_agent(
        self,
        agent: str,
        available: bool | None = None,
        max_active: int | None | Unset = UNSET,
        add_groups: tuple[str, ...] = (),
        remove_groups: tuple[str, ...] = (),
    ) -> Agent:
        with self._write() as session:
            return actions.set_agent(session, self._ctx(), agent, available, max_active, add_groups, remove_groups)


__all__ = ["RoutingRule", "SqlStore"]
