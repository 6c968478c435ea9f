"""The demo store's team and its clock: seeded draws, groups, agents, working hours, arrival hours."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from math import exp
from statistics import NormalDist
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from chatadmin.domain import Role, RoutingConfig, RoutingRule
from chatadmin.text import fold

if TYPE_CHECKING:
    from chatadmin.demo.customers import NamePools

BRAND = "Casa Aurora"
HOUR = 3600
DAY = 86400

T = TypeVar("T")
_QUANTILES = 4096
_NORMAL = tuple(NormalDist().inv_cdf((k + 0.5) / _QUANTILES) for k in range(_QUANTILES))


class Dice:
    """Seeded draws fast enough for a million conversations (``random.Random``'s helpers are not)."""

    __slots__ = ("random",)

    def __init__(self, seed: str) -> None:
        self.random = random.Random(seed).random

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        """One of ``items``, by cumulative weights."""
        return items[bisect_right(cumulative, self.random() * cumulative[-1])]

    def lag(self, median: float, sigma: float) -> int:
        """A log-normal delay in whole seconds (at least one)."""
        return int(median * exp(sigma * _NORMAL[int(self.random() * _QUANTILES)])) + 1


def cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    result = []
    for weight in weights:
        total += weight
        result.append(total)
    return result


# -- groups and agents ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoGroup:
    id: str
    name: str
    routing: RoutingConfig


GROUPS = (
    # chats nobody routed by menu land in "default", where a supervisor triages them by hand
    DemoGroup("default", "General", RoutingConfig(rule=RoutingRule.MANUAL)),
    DemoGroup("sales", "Ventas", RoutingConfig(rule=RoutingRule.ROUND_ROBIN, sticky=True)),
    DemoGroup("support", "Soporte", RoutingConfig(rule=RoutingRule.LEAST_BUSY)),
    DemoGroup("billing", "Facturación", RoutingConfig(rule=RoutingRule.LEAST_BUSY)),
    DemoGroup("vip", "Clientes VIP", RoutingConfig(rule=RoutingRule.MANUAL, sticky=True)),
)
GROUP_BY_ID = {g.id: g for g in GROUPS}


@dataclass
class DemoAgent:
    id: str
    name: str
    first: str
    role: Role
    groups: tuple[str, ...]
    available: bool
    max_active: int | None
    speed: float  # multiplies this agent's reply delays
    weight: float  # how much of their groups' work they take
    portuguese: bool = False
    on_call: bool = False  # answers sales and support chats after hours too


def _agent_id(first: str, last: str, taken: set[str]) -> str:
    base = fold(first.split()[0]).replace(" ", "")
    for candidate in (base, f"{base}.{fold(last)[0]}", f"{base}.{fold(last).replace(' ', '')}"):
        if candidate not in taken:
            return candidate
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def make_team(rng: random.Random, names: NamePools) -> list[DemoAgent]:
    """20–40 agents in one to three groups each: two admins, three supervisors, the rest agents.

    Four agents of sales and support are on call: they take those groups' chats after hours.
    """
    count = rng.randint(24, 32)
    taken: set[str] = set()
    agents: list[DemoAgent] = []
    # who does what, by position: admins, supervisors, then agents spread over the groups
    plans: list[tuple[Role, tuple[str, ...]]] = [
        (Role.ADMIN, ("default",)),
        (Role.ADMIN, ("default", "vip")),
        (Role.SUPERVISOR, ("sales", "vip", "default")),
        (Role.SUPERVISOR, ("support", "default")),
        (Role.SUPERVISOR, ("billing", "support")),
    ]
    staff = count - len(plans)
    portuguese: set[int] = set()
    on_call: set[int] = set()
    previous = ""
    for i in range(staff):
        share = i / staff
        main = "sales" if share < 0.45 else "support" if share < 0.8 else "billing"
        groups = [main]
        if main == "sales" and i % 3 == 0:
            groups.append("vip")
        if main == "support" and rng.random() < 0.3:
            groups.append("billing")
        if rng.random() < 0.3:
            groups.append("default")
        if main != previous:
            portuguese.add(len(plans) + 1)  # the second agent of each group speaks Portuguese
            if main != "billing":
                on_call.update((len(plans), len(plans) + 1))  # the first two take the night and Sunday
            previous = main
        plans.append((Role.AGENT, tuple(groups)))
    for i, (role, groups) in enumerate(plans):
        locale = "pt_BR" if i in portuguese else "es_CO" if i % 7 == 6 else "es_MX"
        first, last = names.agent_name(locale, rng)
        ident = _agent_id(first, last, taken)
        taken.add(ident)
        agents.append(
            DemoAgent(
                id=ident,
                name=f"{first} {last}",
                first=first.split()[0],
                role=role,
                groups=groups,
                available=role is not Role.AGENT or rng.random() < 0.85,
                max_active=None if role is Role.ADMIN else 12 if role is Role.SUPERVISOR else rng.choice((4, 5, 6, 6, 8, 8, 10)),
                speed=rng.lognormvariate(0, 0.35),
                weight=0.15 if role is Role.ADMIN else 0.4 if role is Role.SUPERVISOR else rng.uniform(0.6, 1.4),
                portuguese=i in portuguese,
                on_call=i in on_call,
            )
        )
    return agents


# -- when things happen --------------------------------------------------------------------

# how busy an hour is in the customer's own zone: WhatsApp traffic peaks late morning and evening
HOURLY = (0.05, 0.03, 0.02, 0.02, 0.03, 0.06, 0.15, 0.35, 0.65, 1.0, 1.3, 1.4, 1.3, 1.1, 1.0, 1.1, 1.2, 1.2,
          1.1, 1.0, 0.95, 0.85, 0.5, 0.2)
WEEKDAY = (1.15, 1.1, 1.05, 1.0, 0.95, 0.7, 0.45)


@dataclass
class Arrivals:
    """Hour slots of the last days in one zone, weighted by the traffic of that local hour."""

    starts: list[int]
    widths: list[int]
    cumulative: list[float]
    recent_index: int  # the first slot of the recent window

    def draw(self, dice: Dice, recent: bool) -> int:
        low = self.cumulative[self.recent_index - 1] if recent and self.recent_index else 0.0
        x = low + dice.random() * (self.cumulative[-1] - low)
        i = min(bisect_right(self.cumulative, x), len(self.starts) - 1)
        return self.starts[i] + dice.below(self.widths[i])


def arrivals(zone: ZoneInfo, start: int, now: int, recent_start: int, day_factor: list[float]) -> Arrivals:
    """``day_factor[d]`` scales day ``d`` after ``start`` (a campaign, a slow day)."""
    starts: list[int] = []
    widths: list[int] = []
    cumulative: list[float] = []
    total = 0.0
    recent_index = 0
    slot = start - start % HOUR
    while slot < now:
        begin = max(slot, start)
        width = min(slot + HOUR, now) - begin
        if width > 0:
            local = datetime.fromtimestamp(slot, zone)
            total += HOURLY[local.hour] * WEEKDAY[local.weekday()] * day_factor[(slot - start) // DAY] * width / HOUR
            if begin < recent_start:
                recent_index = len(starts) + 1
            starts.append(begin)
            widths.append(width)
            cumulative.append(total)
        slot += HOUR
    return Arrivals(starts, widths, cumulative, min(recent_index, len(starts) - 1))


@dataclass
class TeamHours:
    """When the team works, in its own zone: Monday–Friday 8–20 h, Saturday 9–14 h (on call otherwise)."""

    opens: list[int] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)

    @classmethod
    def around(cls, zone: tzinfo, start: int, end: int) -> TeamHours:
        hours = cls()
        day = datetime.fromtimestamp(start, zone).date() - timedelta(days=1)
        last = datetime.fromtimestamp(end, zone).date() + timedelta(days=8)
        while day <= last:
            shift = {5: (9, 14), 6: None}.get(day.weekday(), (8, 20))
            if shift:
                for bound, hour in ((hours.opens, shift[0]), (hours.closes, shift[1])):
                    bound.append(int(datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(UTC).timestamp()))
            day += timedelta(days=1)
        return hours

    def next_open(self, t: int) -> int:
        """``t`` when the team is at work then, else the next opening."""
        i = bisect_right(self.opens, t) - 1
        if i >= 0 and t < self.closes[i]:
            return t
        return self.opens[i + 1] if i + 1 < len(self.opens) else t

    def working(self, t: int) -> bool:
        return self.next_open(t) == t


# -- the team at work -------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """One group as the simulation sees it: its rule, who takes its chats, who triages them."""

    id: str
    rule: str
    manual: bool
    sticky: bool
    members: frozenset[str]
    handlers: tuple[list[str], list[float]]
    portuguese: tuple[list[str], list[float]]
    on_call: tuple[list[str], list[float]]  # who takes the chats after hours (none: they wait)
    triagers: list[str]


class Team:
    """The agents, and each group's desk."""

    def __init__(self, agents: list[DemoAgent]) -> None:
        self.agents = {a.id: a for a in agents}
        self.desks: dict[str, Desk] = {}
        for group in GROUP_BY_ID.values():
            members = [a for a in agents if group.id in a.groups]
            speakers = [a for a in members if a.portuguese]
            self.desks[group.id] = Desk(
                id=group.id,
                rule=group.routing.rule.value,
                manual=group.routing.rule is RoutingRule.MANUAL,
                sticky=group.routing.sticky,
                members=frozenset(a.id for a in members),
                handlers=([a.id for a in members], cumulative([a.weight for a in members])),
                portuguese=([a.id for a in speakers], cumulative([a.weight for a in speakers])),
                on_call=([a.id for a in members if a.on_call], cumulative([a.weight for a in members if a.on_call])),
                triagers=[a.id for a in members if a.role is not Role.AGENT] or [members[0].id],
            )
