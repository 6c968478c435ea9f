"""The routing configuration's audit trail in the store: writing a change, reading the log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from chatadmin import permissions
from chatadmin.errors import InvalidInput
from chatadmin.routing.changes import MAX_LOG, RoutingChange, Setting
from chatadmin.store.models import AgentRow, GroupRow, RoutingChangeRow

if TYPE_CHECKING:
    from chatadmin.store.actions import Context
    from chatadmin.store.sql import SqlStore


def record(
    session: Session,
    ctx: Context,
    setting: Setting,
    old: str | None,
    new: str | None,
    *,
    group_pk: int | None = None,
    agent_pk: int | None = None,
) -> None:
    """Write one change, by the acting user, at the transaction's ``now``."""
    session.add(
        RoutingChangeRow(
            at=ctx.now,
            actor=ctx.principal.actor,
            group_pk=group_pk,
            agent_pk=agent_pk,
            setting=setting.value,
            old_value=old,
            new_value=new,
        )
    )


def read(session: Session, group: str | None = None, agent: str | None = None, limit: int = 50) -> list[RoutingChange]:
    """The newest ``limit`` changes, oldest first; only those of ``group`` / ``agent`` when given."""
    if not 0 < limit <= MAX_LOG:
        raise InvalidInput(f"the log shows between 1 and {MAX_LOG} changes")
    g = aliased(GroupRow)
    a = aliased(AgentRow)
    statement = (
        select(RoutingChangeRow, g.id, a.id)
        .outerjoin(g, g.pk == RoutingChangeRow.group_pk)
        .outerjoin(a, a.pk == RoutingChangeRow.agent_pk)
        .order_by(RoutingChangeRow.at.desc(), RoutingChangeRow.pk.desc())
        .limit(limit)
    )
    for model, column, wanted in ((GroupRow, g.id, group), (AgentRow, a.id, agent)):
        if wanted is None:
            continue
        if session.scalar(select(model.pk).where(model.id == wanted)) is None:
            raise InvalidInput(f"unknown {model.__tablename__[:-1]} {wanted!r}")
        statement = statement.where(column == wanted)
    rows = session.execute(statement).all()
    return [
        RoutingChange(
            at=row.at,
            actor=row.actor,
            group=group_id,
            agent=agent_id,
            setting=Setting(row.setting),
            old=row.old_value,
            new=row.new_value,
        )
        for row, group_id, agent_id in reversed(rows)
    ]


def routing_log(
    store: SqlStore, group: str | None = None, agent: str | None = None, limit: int = 50
) -> list[RoutingChange]:
    """The log as the store's acting user may see it (the admin section: supervisors and admins)."""
    permissions.require_admin_section(store.principal)
    with Session(store.engine) as session:
        return read(session, group, agent, limit)
