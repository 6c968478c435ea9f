"""The demo store's customers: valid WhatsApp numbers by country, names as people set them, prices."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from faker import Faker

from chatadmin.demo.world import Dice

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


@dataclass(slots=True)
class Customer:
    phone: str  # E.164 as stored (+52…, never +521…)
    wa_id: str
    name: str
    first: str  # how agents address them
    country: str
    portuguese: bool
    vip: bool
    offset: int = 0  # seconds their clock is ahead of UTC (their zone at now)
    agent: str | None = None  # the agent of their latest conversation
    conversations: int = 0
    pk: int = 0  # once written to the store


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
