"""Each group's queue and today's assignments hour by hour, read in three grouped queries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from chatadmin.clock import Clock
from chatadmin.domain import GroupActivity, Status
from chatadmin.store.metrics import ASSIGNING, assigned_per_group
from chatadmin.store.models import (
    ConversationRecord,
    EventRow,
    GroupRow,
    from_micros,
    to_micros,
)

HOUR_US = 3600 * 1_000_000


def group_activity(session: Session, clock: Clock, scope: frozenset[int] | None) -> list[GroupActivity]:
    """The groups (all, or the pks in ``scope``) by id, with queue and today's assignments per hour.

    The hours are read through the index on ``events(at, kind, to_group_pk, …)``: only
    today's rows, counted in the database, so the cost follows today's activity, not the store;
    the conversations assigned today per group come from ``group_loads`` (``store/metrics.py``).
    """
    now = clock.now()
    start, end = clock.day_bounds(clock.today())
    hours = int((now - start) / timedelta(hours=1)) + 1  # the hour of now included
    start_us, end_us = to_micros(start), to_micros(end)

    groups = select(GroupRow.pk, GroupRow.id, GroupRow.name).order_by(GroupRow.id)
    if scope is not None:
        groups = groups.where(GroupRow.pk.in_(sorted(scope)))
    found = session.execute(groups).all()
    if not found:
        return []
    pks = [g.pk for g in found]

    at = type_coerce(EventRow.at, BigInteger)
    hour = ((at - start_us) // HOUR_US).label("hour")
    today = [at >= start_us, at < end_us, EventRow.kind.in_(ASSIGNING), EventRow.to_group_pk.in_(pks)]
    per_hour: dict[int, list[int]] = {pk: [0] * hours for pk in pks}
    for group_pk, index, count in session.execute(
        select(EventRow.to_group_pk, hour, func.count()).where(*today).group_by(EventRow.to_group_pk, hour)
    ):
        if int(index) < hours:  # later today (a fixed clock's future) is not drawn
            per_hour[group_pk][int(index)] += count
    assigned = assigned_per_group(session, start, end, pks)

    C = ConversationRecord
    waiting = type_coerce(C.waiting_since, BigInteger)
    queues = {
        group_pk: (count, oldest)
        for group_pk, count, oldest in session.execute(
            select(C.group_pk, func.count(), func.min(waiting))
            .where(C.status == Status.OPEN.value, C.group_pk.in_(pks))
            .group_by(C.group_pk)
        )
    }
    result = []
    for g in found:
        count, oldest = queues.get(g.pk, (0, None))
        result.append(
            GroupActivity(
                group=g.id,
                name=g.name,
                queue_length=count,
                oldest_waiting_since=None if oldest is None else from_micros(int(oldest)),
                assigned_today=assigned.get(g.pk, 0),
                day_start=start,
                assignments_per_hour=tuple(per_hour[g.pk]),
            )
        )
    return result

