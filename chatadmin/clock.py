"""The clock and the reporting time zone: "now" and "today" as the contract defines them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatadmin.errors import InvalidInput


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with an offset or ``Z``; naive text is an error."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 instant: {text!r}") from None
    if value.tzinfo is None:
        raise InvalidInput(f"timestamp has no offset (add Z or +hh:mm): {text!r}")
    return value.astimezone(UTC)


def format_instant(value: datetime) -> str:
    """ISO 8601 in UTC with ``Z``; fractional seconds only when present."""
    value = value.astimezone(UTC)
    spec = "seconds" if value.microsecond == 0 else "microseconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def load_zone(name: str | None) -> ZoneInfo:
    if not name:
        return local_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r} (use an IANA name like America/Mexico_City)") from None


def local_zone() -> ZoneInfo:
    """The machine's zone as an IANA zone (UTC when it cannot be named)."""
    import os
    from pathlib import Path

    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        target = Path("/etc/localtime").resolve()
        parts = target.parts
        if "zoneinfo" in parts:
            return ZoneInfo("/".join(parts[parts.index("zoneinfo") + 1 :]))
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return ZoneInfo("UTC")


@dataclass(frozen=True)
class Clock:
    """Real time, or a fixed instant (``CHATADMIN_NOW``) so every number is reproducible."""

    zone: ZoneInfo
    fixed: datetime | None = None

    def now(self) -> datetime:
        if self.fixed is not None:
            return self.fixed
        return datetime.now(UTC).replace(microsecond=0)

    @property
    def zone_name(self) -> str:
        return self.zone.key

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The UTC instants where ``day`` in the reporting zone starts and the next one starts."""
        start = datetime.combine(day, time.min, tzinfo=self.zone)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    @classmethod
    def from_settings(cls, tz: str | None, now: str | None) -> Clock:
        zone = load_zone(tz)
        fixed = parse_instant(now) if now else None
        return cls(zone=zone, fixed=fixed)
