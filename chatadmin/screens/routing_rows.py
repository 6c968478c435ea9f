"""How the routing panel shows groups and members, and reads what an admin types there."""

from __future__ import annotations

from textual.content import Content
from textual.widgets.option_list import Option

from chatadmin.domain import MAX_CAP, Agent, Group, RoutingRule
from chatadmin.screens.common import load_label, over_cap
from chatadmin.text import fold, one_line

RULE_ORDER = (RoutingRule.ROUND_ROBIN, RoutingRule.LEAST_BUSY, RoutingRule.MANUAL)
NAME_WIDTH = 24
ID_WIDTH = 14


def rule_label(rule: RoutingRule) -> str:
    return rule.value.replace("_", " ")


def next_rule(rule: RoutingRule) -> RoutingRule:
    return RULE_ORDER[(RULE_ORDER.index(rule) + 1) % len(RULE_ORDER)]


def parse_cap(text: str) -> int | None:
    """A cap as typed: a whole number, or ``none`` (no cap)."""
    value = text.strip().lower()
    if value in ("none", "no", "-", "∞"):
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 10 or int(value) > MAX_CAP:
        raise ValueError(f"a cap is a whole number from 0 to {MAX_CAP}, or none")
    return int(value)


def find_agent(text: str, agents: list[Agent]) -> Agent:
    """The agent ``text`` names: their id, or their name (accents and case aside), or the one prefix match."""
    wanted = text.strip()
    key = fold(wanted)
    if not key:
        raise ValueError("type an agent's id or name")
    for matches in (
        [a for a in agents if a.id == wanted],
        [a for a in agents if fold(a.name) == key or fold(a.id) == key],
        [a for a in agents if fold(a.name).startswith(key) or fold(a.id).startswith(key)],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(one_line(a.id) for a in matches[:5])
            raise ValueError(f"{wanted!r} could be {names}: type more of it")
    raise ValueError(f"no agent outside this group is called {wanted!r}")


def _cell(text: str, width: int, style: str = "") -> Content:
    return Content.styled(one_line(text), style).truncate(width, ellipsis=True, pad=True)


def group_option(group: Group) -> Option:
    r = group.routing
    parts: list[Content | str | tuple[str, str]] = [
        _cell(group.name, NAME_WIDTH, "bold"), " ", _cell(group.id, ID_WIDTH, "$text-muted"), " ",
        (rule_label(r.rule).ljust(12), "$accent"),
        ("only available" if r.only_available else "any agent     ", ""), "  ",
        ("sticky" if r.sticky else "      ", ""), "  ",
        (f"{group.queue_length} waiting".ljust(14), "$warning" if group.queue_length else "$text-muted"),
        (f"{len(group.members)} agent{'' if len(group.members) == 1 else 's'}", "$text-muted"),
    ]  # fmt: skip
    return Option(Content.assemble(*parts), id=group.id)


def member_option(agent: Agent) -> Option:
    dot = ("● ", "$success") if agent.available else ("○ ", "$text-muted")
    parts: list[Content | str | tuple[str, str]] = [
        dot, _cell(agent.name, NAME_WIDTH), " ", _cell(agent.id, ID_WIDTH, "$text-muted"), " ",
        (load_label(agent).ljust(18), ""),
        ("available" if agent.available else "away     ", "" if agent.available else "$warning"),
    ]  # fmt: skip
    if over_cap(agent):
        parts.append(("  full", "bold $error"))
    return Option(Content.assemble(*parts), id=agent.id)
