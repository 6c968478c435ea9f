"""Waiting-time thresholds: when a chat's time without response turns amber (warn), then red (breach)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from chatadmin.durations import format_duration, parse_duration
from chatadmin.errors import InvalidInput

DEFAULT_WARN = 5 * 60
DEFAULT_BREACH = 15 * 60
OTHER_GROUPS = "*"  # the thresholds of every group not named


class WaitLevel(StrEnum):
    OK = "ok"
    WARN = "warn"
    BREACH = "breach"


class WaitThresholds(BaseModel):
    """A group's thresholds: durations like ``"5m"`` or ``"1h30m"`` (or seconds); warn ≤ breach."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    warn: int = DEFAULT_WARN
    breach: int = DEFAULT_BREACH

    @field_validator("warn", "breach", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return parse_duration(value)
        except InvalidInput as error:
            raise ValueError(error.message) from None

    @model_validator(mode="after")
    def _ordered(self) -> WaitThresholds:
        if not 0 <= self.warn <= self.breach:
            raise ValueError(
                f"warn ({format_duration(self.warn)}) must be at most breach ({format_duration(self.breach)})"
            )
        return self

    def level(self, seconds: int) -> WaitLevel:
        if seconds >= self.breach:
            return WaitLevel.BREACH
        if seconds >= self.warn:
            return WaitLevel.WARN
        return WaitLevel.OK


DEFAULT_THRESHOLDS = WaitThresholds()


def thresholds_for(table: Mapping[str, WaitThresholds], group: str | None) -> WaitThresholds:
    """The group's own thresholds, else those under ``"*"``, else 5 and 15 minutes."""
    if group is not None and group in table:
        return table[group]
    return table.get(OTHER_GROUPS, DEFAULT_THRESHOLDS)
