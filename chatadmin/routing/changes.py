"""Changes to the routing configuration, as the audit trail records and shows them (pure, no I/O)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from chatadmin.domain import RoutingConfig

MAX_LOG = 1000  # the most changes one read of the log returns


class Setting(StrEnum):
    """What a change touched: a group's routing, an agent's availability or cap, a membership."""

    RULE = "rule"
    ONLY_AVAILABLE = "only_available"
    STICKY = "sticky"
    AVAILABLE = "available"
    MAX_ACTIVE = "max_active"
    MEMBER = "member"


class RoutingChange(BaseModel):
    """One audited change: ``setting`` of ``group`` and/or ``agent`` went from ``old`` to ``new``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime
    actor: str
    group: str | None = None
    agent: str | None = None
    setting: Setting
    old: str | None = None
    new: str | None = None


def flag(value: bool) -> str:
    return "true" if value else "false"


def cap(value: int | None) -> str:
    return "none" if value is None else str(value)


def config_diff(old: RoutingConfig, new: RoutingConfig) -> list[tuple[Setting, str, str]]:
    """The settings that differ between two routing configurations, as stored values."""
    pairs = [
        (Setting.RULE, old.rule.value, new.rule.value),
        (Setting.ONLY_AVAILABLE, flag(old.only_available), flag(new.only_available)),
        (Setting.STICKY, flag(old.sticky), flag(new.sticky)),
    ]
    return [(setting, before, after) for setting, before, after in pairs if before != after]


_WORDS = {"true": "on", "false": "off"}
LABELS = {
    Setting.RULE: "rule",
    Setting.ONLY_AVAILABLE: "only available",
    Setting.STICKY: "sticky",
    Setting.AVAILABLE: "available",
    Setting.MAX_ACTIVE: "cap",
    Setting.MEMBER: "member",
}


def describe(change: RoutingChange) -> str:
    """One line for people: ``sales: rule round_robin → manual``, ``ana: cap 5 → none``, ``ana joined sales``."""
    if change.setting is Setting.MEMBER:
        verb = "joined" if change.new == "true" else "left"
        return f"{change.agent} {verb} {change.group}"
    subject = change.group if change.setting in (Setting.RULE, Setting.ONLY_AVAILABLE, Setting.STICKY) else change.agent
    before = _WORDS.get(change.old or "", change.old or "—")
    after = _WORDS.get(change.new or "", change.new or "—")
    return f"{subject}: {LABELS[change.setting]} {before} → {after}"
