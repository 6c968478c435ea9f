"""What the filter bar's fields mean: raw text in, one ConversationFilter (or field errors) out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from chatadmin.domain import STATUS_LABELS, ConversationFilter, Status
from chatadmin.durations import exact_duration, format_duration, parse_duration
from chatadmin.errors import InvalidInput
from chatadmin.text import one_line


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    placeholder: str
    kind: str  # "text", "choice", "date" or "duration"


FIELDS: tuple[Field, ...] = (
    Field("search", "search", "/ name or number", "text"),
    Field("status", "status", "status", "choice"),
    Field("group", "group", "group", "choice"),
    Field("agent", "agent", "agent", "choice"),
    Field("country", "country", "country", "choice"),
    Field("tag", "tag", "tag", "choice"),
    Field("rating", "rating", "rating", "choice"),
    Field("created_from", "from", "from YYYY-MM-DD", "date"),
    Field("created_to", "to", "to YYYY-MM-DD", "date"),
    Field("no_response_over", "no reply >", "no reply > 15m", "duration"),
    Field("inactive_over", "inactive >", "inactive > 1h", "duration"),
    Field("response_creation_over", "rsp.new >", "rsp.new > 5m", "duration"),
    Field("response_assignment_over", "rsp.asg >", "rsp.asg > 5m", "duration"),
)

FIELDS_BY_KEY = {field.key: field for field in FIELDS}

STATUS_CHOICES = tuple((STATUS_LABELS[s], s.value) for s in Status)
RATING_CHOICES = tuple((f"{'★' * n} {n}", str(n)) for n in range(5, 0, -1))


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text.strip()!r} is not a date (YYYY-MM-DD)") from None


def parse_form(values: Mapping[str, str | None]) -> tuple[ConversationFilter | None, dict[str, str]]:
    """The filter the fields describe, or None and a message per field that is wrong."""
    errors: dict[str, str] = {}
    data: dict[str, object] = {}

    def text(key: str) -> str:
        return (values.get(key) or "").strip()

    if text("search"):
        data["search"] = text("search")
    for key, target in (("group", "groups"), ("agent", "agents"), ("country", "countries"), ("tag", "tags")):
        if text(key):
            data[target] = frozenset({text(key)})
    if text("status"):
        data["statuses"] = frozenset({Status.parse(text("status"))})
    if text("rating"):
        data["ratings"] = frozenset({int(text("rating"))})
    for key in ("created_from", "created_to"):
        if text(key):
            try:
                data[key] = parse_date(text(key))
            except InvalidInput as exc:
                errors[key] = exc.message
    for field in FIELDS:
        if field.kind == "duration" and text(field.key):
            try:
                data[field.key] = parse_duration(text(field.key))
            except InvalidInput as exc:
                errors[field.key] = exc.message
    start, end = data.get("created_from"), data.get("created_to")
    if isinstance(start, date) and isinstance(end, date) and start > end:
        errors["created_to"] = f"'to' ({end}) is before 'from' ({start})"
    if errors:
        return None, errors
    return ConversationFilter.model_validate(data), {}


def describe(filters: ConversationFilter, names: Mapping[str, str] | None = None) -> list[str]:
    """One short chip per active filter, in the order of the fields, names instead of ids."""
    names = names or {}

    def name(kind: str, ident: str) -> str:
        return one_line(names.get(f"{kind}:{ident}", ident))

    chips: list[str] = []
    if filters.search:
        chips.append(f"“{one_line(filters.search)}”")
    chips += [STATUS_LABELS[s] for s in sorted(filters.statuses)]
    chips += [f"group {name('group', g)}" for g in sorted(filters.groups)]
    chips += [f"agent {name('agent', a)}" for a in sorted(filters.agents)]
    chips += [f"country {one_line(c)}" for c in sorted(filters.countries)]
    chips += [f"#{one_line(t)}" for t in sorted(filters.tags)]
    chips += [f"rating {r}" for r in sorted(filters.ratings)]
    if filters.created_from:
        chips.append(f"from {filters.created_from}")
    if filters.created_to:
        chips.append(f"to {filters.created_to}")
    for key in ("no_response_over", "inactive_over", "response_creation_over", "response_assignment_over"):
        seconds = getattr(filters, key)
        if seconds is not None:
            chips.append(f"{FIELDS_BY_KEY[key].label} {format_duration(seconds)}")
    return chips


def form_values(filters: ConversationFilter) -> tuple[dict[str, str | None], list[str]]:
    """The fields that show ``filters`` (as a saved view fills them), and what one field cannot hold.

    A drop-down holds one value: of a set of several, the first (in sorted order) is kept and
    the rest named in the second list.
    """
    values: dict[str, str | None] = dict.fromkeys(FIELDS_BY_KEY, "")
    left_out: list[str] = []
    values["search"] = filters.search or ""
    for key, chosen in (
        ("status", sorted(s.value for s in filters.statuses)),
        ("group", sorted(filters.groups)),
        ("agent", sorted(filters.agents)),
        ("country", sorted(filters.countries)),
        ("tag", sorted(filters.tags)),
        ("rating", [str(r) for r in sorted(filters.ratings, reverse=True)]),
    ):
        values[key] = chosen[0] if chosen else None
        if len(chosen) > 1:
            others = ", ".join(one_line(c) for c in chosen[1:])
            left_out.append(f"the filter bar holds one {key}: {one_line(chosen[0])} (left out: {others})")
    for key in ("created_from", "created_to"):
        day = getattr(filters, key)
        values[key] = day.isoformat() if day else ""
    for field in FIELDS:
        if field.kind == "duration":
            seconds = getattr(filters, field.key)
            values[field.key] = "" if seconds is None else exact_duration(seconds)
    return values, left_out
