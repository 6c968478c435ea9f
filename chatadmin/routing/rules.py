"""The routing rules as pure functions: the group's members and their loads in, a choice out.

Definitions (the same in the docs and the tests):

- **Eligible agent**: a member of the group who is available (unless the group's
  ``only_available`` is off) and whose load is below their cap (``max_active``; None = no cap).
  Load = the agent's ``in_progress`` conversations across all groups.
- ``round_robin``: the next eligible member after the one this group last assigned to, in
  agent-id order, wrapping around.
- ``least_busy``: the eligible member with the lowest load; ties go to the one whose last
  assignment is oldest (never assigned counts as oldest), then to the lowest agent id.
- ``manual``: no automatic pick; the chat waits in the group's queue.
- ``sticky`` (any rule): the customer's previous agent gets the chat when eligible.
- Nobody eligible: no pick; the chat waits ``open`` in the group's queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chatadmin.domain import RoutingConfig, RoutingRule


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
    agent_id: str | None
    rule: str  # the rule that decided: round_robin, least_busy, sticky or manual


def eligible(candidate: Candidate, config: RoutingConfig) -> bool:
    if config.only_available and not candidate.available:
        return False
    return candidate.max_active is None or candidate.load < candidate.max_active


def choose(
    config: RoutingConfig,
    members: Sequence[Candidate],
    *,
    last_assigned: str | None = None,
    previous_agent: str | None = None,
) -> Choice:
    """Who of ``members`` gets the next chat of the group, or nobody (``agent_id`` None)."""
    if config.rule is RoutingRule.MANUAL:
        return Choice(None, RoutingRule.MANUAL.value)
    pool = sorted((m for m in members if eligible(m, config)), key=lambda m: m.agent_id)
    if not pool:
        return Choice(None, config.rule.value)
    if config.sticky and previous_agent is not None:
        for member in pool:
            if member.agent_id == previous_agent:
                return Choice(member.agent_id, "sticky")
    if config.rule is RoutingRule.ROUND_ROBIN:
        after = [m for m in pool if last_assigned is not None and m.agent_id > last_assigned]
        return Choice((after or pool)[0].agent_id, RoutingRule.ROUND_ROBIN.value)
    oldest = datetime.min
    best = min(
        pool,
        key=lambda m: (
            m.load,
            m.last_assigned_at.replace(tzinfo=None) if m.last_assigned_at else oldest,
            m.agent_id,
        ),
    )
    return Choice(best.agent_id, RoutingRule.LEAST_BUSY.value)
