"""The routing rules as pure functions: the group's members and their loads in, a choice out.

Definitions (the same in ``docs/routing.md`` and the tests):

- **Eligible agent**: a member of the group who is available (unless the group's
  ``only_available`` is off) and whose load is below their cap (``max_active``; None = no cap).
  Load = the agent's ``in_progress`` conversations across all groups.
- ``round_robin``: the next eligible member after the one this group's round robin last
  picked, in agent-id order, wrapping around. Sticky picks and transfers to a named agent do
  not move the position.
- ``least_busy``: the eligible member with the lowest load; ties go to the one whose last
  assignment is oldest (never assigned counts as oldest), then to the lowest agent id.
- ``manual``: no automatic pick; the chat waits in the group's queue.
- ``sticky`` (any rule but manual): the customer's previous agent gets the chat when eligible.
- Nobody eligible: no pick; the chat waits ``open`` in the group's queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chatadmin.domain import RoutingConfig, RoutingRule

STICKY = "sticky"


@dataclass(frozen=True)
class Candidate:
    """A member of the group, as routing sees them."""

    agent_id: str
    available: bool
    load: int
    max_active: int | None
    last_assigned_at: datetime | None = None


@dataclass(frozen=True)
class Choice:
    """Who gets the chat (None: it waits in the queue) and the rule that decided.

    ``rule`` is ``round_robin``, ``least_busy``, ``sticky`` or ``manual``; when nobody is
    eligible it is the group's rule.
    """

    agent_id: str | None
    rule: str


def has_room(candidate: Candidate) -> bool:
    """The agent's load is below their cap (or they have none)."""
    return candidate.max_active is None or candidate.load < candidate.max_active


def eligible(candidate: Candidate, config: RoutingConfig) -> bool:
    """Available (when the group asks for it) and below the cap."""
    if config.only_available and not candidate.available:
        return False
    return has_room(candidate)


def next_in_turn(pool: Sequence[Candidate], last_assigned: str | None) -> Candidate:
    """Round robin: the first of ``pool`` (sorted by id) after ``last_assigned``, wrapping around."""
    if last_assigned is not None:
        for member in pool:
            if member.agent_id > last_assigned:
                return member
    return pool[0]


def least_busy(pool: Sequence[Candidate]) -> Candidate:
    """Lowest load; then the oldest last assignment (never assigned first); then the lowest id."""
    return min(
        pool,
        key=lambda m: (m.load, m.last_assigned_at is not None, m.last_assigned_at or datetime.min, m.agent_id),
    )


def choose(
    config: RoutingConfig,
    members: Sequence[Candidate],
    *,
    last_assigned: str | None = None,
    previous_agent: str | None = None,
) -> Choice:
    """Who of ``members`` gets the next chat of the group, or nobody (``agent_id`` None).

    ``last_assigned`` is the agent id the group's round robin picked last (it need not be a
    member any more); ``previous_agent`` is the customer's previous agent, for ``sticky``.
    """
    if config.rule is RoutingRule.MANUAL:
        return Choice(None, RoutingRule.MANUAL.value)
    pool = sorted((m for m in members if eligible(m, config)), key=lambda m: m.agent_id)
    if not pool:
        return Choice(None, config.rule.value)
    if config.sticky and previous_agent is not None:
        for member in pool:
            if member.agent_id == previous_agent:
                return Choice(member.agent_id, STICKY)
    if config.rule is RoutingRule.ROUND_ROBIN:
        return Choice(next_in_turn(pool, last_assigned).agent_id, RoutingRule.ROUND_ROBIN.value)
    return Choice(least_busy(pool).agent_id, RoutingRule.LEAST_BUSY.value)
