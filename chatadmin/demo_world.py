"""The demo store's world: the team (groups, agents, hours) and its customers (numbers, names, zones)."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from math import exp
from statistics import NormalDist
from typing import TypeVar
from zoneinfo import ZoneInfo

from faker import Faker

from chatadmin.domain import Role, RoutingConfig, RoutingRule
from chatadmin.text import fold

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
    """20–40 agents in one to three groups each: two admins, three supervisors, the rest agents."""
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
            )
        )
    return agents


# -- customers: numbers, zones, names ------------------------------------------------------


@dataclass(frozen=True)
class NumberPlan:
    """Valid numbers ``+{prefix}`` followed by ``digits`` digits in ``[low, high)``, in one zone."""

    prefix: str
    digits: int
    zone: str
    weight: float = 1.0
    low: int = 0
    high: int = 0

    def number(self, dice: Dice) -> str:
        high = self.high or 10**self.digits
        return f"+{self.prefix}{self.low + dice.below(high - self.low):0{self.digits}d}"


def _plans(prefixes: str, digits: int, zone: str, low: int = 0, high: int = 0) -> list[NumberPlan]:
    return [NumberPlan(p, digits, zone, 1.0, low, high) for p in prefixes.split()]


_MX = "America/Mexico_City"
_NANP_LOW, _NANP_HIGH = 2_000_000, 10_000_000  # a North American exchange starts with 2–9


@dataclass(frozen=True)
class Country:
    code: str
    weight: float
    locales: tuple[tuple[str, float], ...]
    plans: tuple[NumberPlan, ...]
    portuguese: bool = False


COUNTRIES = (
    Country(
        "MX", 34, (("es_MX", 1.0),),
        tuple(
            _plans("5255 5233 5281", 8, _MX) * 3
            + _plans("52222 52442 52477 52999", 7, _MX)
            + _plans("52614", 7, "America/Chihuahua")
            + _plans("52664", 7, "America/Tijuana")
            + _plans("52998", 7, "America/Cancun")
        ),
    ),
    Country("CO", 12, (("es_CO", 1.0),), tuple(_plans("57300 57301 57310 57311 57312 57313 57315 57317 57320 57350", 7, "America/Bogota"))),
    Country("BR", 13, (("pt_BR", 1.0),), tuple(
        _plans("55119 55219 55319 55419 55519", 8, "America/Sao_Paulo") + _plans("55719 55819 55859", 8, "America/Bahia")
    ), portuguese=True),
    Country("AR", 8, (("es_AR", 1.0),), tuple(
        _plans("54911", 8, "America/Argentina/Buenos_Aires", 20_000_000, 90_000_000) * 3
        + _plans("549351 549341", 7, "America/Argentina/Cordoba", 2_000_000, 9_000_000)
    )),
    Country("CL", 6, (("es_CL", 1.0),), tuple(_plans("5692 5694 5695 5698", 7, "America/Santiago"))),
    Country("PE", 7, (("es_CO", 0.5), ("es_MX", 0.5)), tuple(_plans("519", 8, "America/Lima"))),
    Country("US", 9, (("es_MX", 0.6), ("en_US", 0.4)), tuple(
        _plans("1212 1718 1305 1786", 7, "America/New_York", _NANP_LOW, _NANP_HIGH)
        + _plans("1713 1210 1956 1915", 7, "America/Chicago", _NANP_LOW, _NANP_HIGH)
        + _plans("1213 1323", 7, "America/Los_Angeles", _NANP_LOW, _NANP_HIGH)
    )),
    Country("ES", 6, (("es_ES", 1.0),), tuple(_plans("346", 8, "Europe/Madrid"))),
    Country("PR", 5, (("es", 0.5), ("es_MX", 0.5)), tuple(_plans("1787 1939", 7, "America/Puerto_Rico", _NANP_LOW, _NANP_HIGH))),
)

# share of Mexican customers whose WhatsApp id keeps the old "1" after the country code
MX_WHATSAPP_1 = 0.35
_NOT_NAMES = {"Dom", "Sr.", "Sra.", "Dr.", "Dra."}
EMOJI = ("🌸", "✨", "⚽", "💙", "🙏", "🌻", "😎", "🇲🇽", "💫", "🦋")


class NamePools:
    """First and last names per Faker locale, drawn once (Faker per record is too slow)."""

    def __init__(self, seed: int, size: int = 400) -> None:
        self._first: dict[str, list[str]] = {}
        self._last: dict[str, list[str]] = {}
        locales = {loc for country in COUNTRIES for loc, _ in country.locales} | {"es_MX", "es_CO", "pt_BR"}
        for locale in sorted(locales):
            fake = Faker(locale)
            fake.seed_instance(seed)
            first = [fake.first_name_male() for _ in range(size // 2)] + [fake.first_name_female() for _ in range(size // 2)]
            self._first[locale] = sorted({n for n in first if n not in _NOT_NAMES})
            self._last[locale] = sorted({fake.last_name() for _ in range(size)})

    def agent_name(self, locale: str, rng: random.Random) -> tuple[str, str]:
        return rng.choice(self._first[locale]), rng.choice(self._last[locale])

    def customer_name(self, locale: str, dice: Dice) -> tuple[str, str]:
        """A WhatsApp profile name as people set them, and the first name agents address."""
        first = dice.pick(self._first[locale])
        last = dice.pick(self._last[locale])
        style = dice.random()
        if style < 0.52:
            return f"{first} {last}", first
        if style < 0.68:
            return first, first
        if style < 0.78:
            return f"{first} {last} {dice.pick(self._last[locale])}", first
        if style < 0.85:
            return f"{first} {last}".lower(), first
        if style < 0.91:
            return f"{first.split()[0]} {dice.pick(EMOJI)}", first
        if style < 0.96:
            return f"{first} {last[0]}.", first
        return "", first


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
    """When the team works, in its own zone: Monday–Friday 8–20 h, Saturday 9–14 h."""

    opens: list[int] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)

    @classmethod
    def around(cls, zone: ZoneInfo, start: int, end: int) -> TeamHours:
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


# -- money as each country writes it -------------------------------------------------------


def _grouped(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


@lru_cache(maxsize=1024)
def price(country: str, usd: float) -> str:
    """A shop price in the customer's currency and notation: ``$1,549``, ``R$ 462,90``, ``81,99 €``."""
    if country == "MX":
        return f"${_grouped(round(usd * 17.5 / 10) * 10 - 1, ',')}"
    if country == "BR":
        return f"R$ {_grouped(int(usd * 5.2), '.')},90"
    if country == "CO":
        return f"${_grouped(round(usd * 40) * 100 - 100, '.')}"
    if country == "AR":
        return f"$ {_grouped(round(usd * 1.15) * 1000 - 1, '.')}"
    if country == "CL":
        return f"${_grouped(round(usd * 0.93) * 1000 - 10, '.')}"
    if country == "PE":
        return f"S/ {int(usd * 3.75)}.90"
    if country == "ES":
        return f"{int(usd * 0.92)},99 €"
    return f"${usd - 0.01:,.2f}"
