"""Durations: parsing ``1h30m``, and writing them short (``2h 05m``) or exact (``2h5m30s``)."""

from __future__ import annotations

import re

from chatadmin.errors import InvalidInput

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)\s*([dhms])")

# 68 years, the most whole days the stores' 32-bit columns hold in seconds (response times are
# such columns, and PostgreSQL refuses to compare them with a bigger number); every real wait is
# far shorter, and "now" minus a much longer one can fall before year 1.
MAX_DURATION_DAYS = 24855
MAX_DURATION_S = MAX_DURATION_DAYS * 86400  # 2_147_472_000 <= 2**31 - 1


def parse_duration(text: str) -> int:
    """Seconds in ``90s``, ``15m``, ``2h``, ``1d`` or ``1h30m``, up to 68 years; anything else is an error."""
    raw = text.strip().lower().replace(" ", "")
    if not raw or not re.fullmatch(r"(\d+[dhms])+", raw):
        raise InvalidInput(f"not a duration: {text!r} (like 90s, 15m, 2h, 1d, 1h30m)")
    seen: set[str] = set()
    total = 0
    for amount, unit in _PART.findall(raw):
        if unit in seen:
            raise InvalidInput(f"not a duration: {text!r} ({unit} given twice)")
        seen.add(unit)
        # a few thousand digits would stop int() itself; any amount past twelve is too long anyway
        total += int(amount) * _UNITS[unit] if len(amount.lstrip("0")) <= 12 else MAX_DURATION_S + 1
    if total > MAX_DURATION_S:
        raise InvalidInput(f"too long: {text!r} (at most {MAX_DURATION_DAYS}d, 68 years)")
    return total


def format_duration(seconds: int | None, empty: str = "—") -> str:
    """Two most significant units: ``45s``, ``3m``, ``2h 05m``, ``4d 3h``."""
    if seconds is None:
        return empty
    if seconds < 0:
        seconds = 0
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def exact_duration(seconds: int) -> str:
    """Every unit, as :func:`parse_duration` reads it back: ``1d2h30m15s``, ``15m``, ``0s``."""
    parts = []
    for unit, size in _UNITS.items():
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"
