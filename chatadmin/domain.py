"""Domain models: what crosses layers (store, routing, CLI, console, HTTP)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chatadmin.durations import MAX_DURATION_S


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"

    @classmethod
    def parse(cls, text: str) -> Status:
        """Accept the contract's names and aliases (unassigned, assigned, completed)."""
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        key = STATUS_ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            names = ", ".join([s.value for s in cls] + list(STATUS_ALIASES))
            raise ValueError(f"unknown status {text!r} (one of: {names})") from None


STATUS_ALIASES = {"unassigned": "open", "assigned": "in_progress", "completed": "closed"}

STATUS_LABELS = {Status.OPEN: "Open", Status.IN_PROGRESS: "In progress", Status.CLOSED: "Closed"}


class Sender(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"


class EventKind(StrEnum):
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    UNASSIGNED = "unassigned"
    CLOSED = "closed"
    REOPENED = "reopened"


class RoutingRule(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_BUSY = "least_busy"
    MANUAL = "manual"


SYSTEM_ACTOR = "system"
MAX_CAP = 2**31 - 1  # the largest cap (max_active) every store's integer column holds
Cap = Annotated[int, Field(ge=0, le=MAX_CAP)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoutingConfig(Model):
    rule: RoutingRule = RoutingRule.ROUND_ROBIN
    only_available: bool = True
    sticky: bool = False


class Group(Model):
    id: str
    name: str
    routing: RoutingConfig = RoutingConfig()
    members: tuple[str, ...] = ()
    queue_length: int = 0


class Agent(Model):
    id: str
    name: str
    role: Role = Role.AGENT
    groups: tuple[str, ...] = ()
    available: bool = True
    max_active: Cap | None = None
    load: int = 0
    last_assigned_at: datetime | None = None


class Principal(Model):
    """Who is acting: an agent of the store, or the local operator (``agent_id`` None)."""

    agent_id: str | None = None
    name: str = "local administrator"
    role: Role = Role.ADMIN
    groups: tuple[str, ...] = ()

    @property
    def actor(self) -> str:
        return self.agent_id or SYSTEM_ACTOR


class ConversationRow(Model):
    """One line of the conversation table; times in seconds are computed at ``now``."""

    id: str
    version: int
    customer_phone: str
    customer_wa_id: str
    customer_name: str
    country: str | None
    agent: str | None
    agent_name: str | None
    group: str | None
    group_name: str | None
    created_at: datetime
    assigned_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    status: Status
    last_message_at: datetime | None
    waiting_since: datetime | None
    duration_s: int
    inactivity_s: int | None
    response_creation_s: int | None
    response_assignment_s: int | None
    no_response_s: int | None
    sent_by: Sender | None
    tags: tuple[str, ...] = ()


class ConversationPage(Model):
    """Rows of the list, and cursors to the pages on either side of them.

    ``offset`` is the offset asked for (0 for a page read from a cursor). ``next_cursor``
    continues after the last row, ``prev_cursor`` before the first; each is null when nothing
    lies that way (or the page is empty). A cursor belongs to the filter and sort it came with.
    """

    rows: tuple[ConversationRow, ...]
    offset: int
    now: datetime
    next_cursor: str | None = None
    prev_cursor: str | None = None


class Message(Model):
    at: datetime
    sender: Sender
    agent: str | None = None
    agent_name: str | None = None
    text: str


class MessagePage(Model):
    """A stretch of one conversation's history, oldest first, with cursors to its neighbours.

    ``older`` is the ``before`` cursor for the messages right before these, ``newer`` the
    ``after`` cursor for those right after; each is null when nothing lies that way (or the
    page is empty). Messages of one instant keep the order they were stored in.
    """

    messages: tuple[Message, ...]
    older: str | None = None
    newer: str | None = None


class Note(Model):
    at: datetime
    author: str
    author_name: str | None = None
    text: str


class Event(Model):
    at: datetime
    kind: EventKind
    actor: str
    from_agent: str | None = None
    from_group: str | None = None
    to_agent: str | None = None
    to_group: str | None = None
    rule: str | None = None


class ConversationDetail(Model):
    row: ConversationRow
    rating_comment: str | None = None
    messages: tuple[Message, ...] = ()
    notes: tuple[Note, ...] = ()
    events: tuple[Event, ...] = ()


class GroupLoad(Model):
    group: str
    name: str
    assigned_today: int


class GroupActivity(Model):
    """One group at a glance: its queue, and today's assignments hour by hour (reporting zone).

    ``assignments_per_hour[i]`` counts the assign and transfer events into the group in the
    hour starting ``day_start + i`` hours, from the start of today up to the hour of now.
    ``assigned_today`` counts conversations once each, as the highest-load metric does.
    ``oldest_waiting_since`` is where the longest time without response among the group's
    open conversations starts (none waiting: null).
    """

    group: str
    name: str
    queue_length: int
    oldest_waiting_since: datetime | None
    assigned_today: int
    day_start: datetime
    assignments_per_hour: tuple[int, ...]


class Metrics(Model):
    unassigned: int
    active: int
    completed_today: int
    highest_load_group: GroupLoad | None
    timezone: str
    now: datetime


class TransferResult(Model):
    id: str
    agent: str | None
    group: str | None
    status: Status
    version: int
    rule: str | None = None
    over_cap: bool = False


class Changes(Model):
    """What changed in the store after a change number, for a live view's poll.

    ``seq`` is the store's change counter now: pass it to the next poll. ``ids`` are the
    visible conversations changed after the number asked for, oldest change first. When more
    changed than one poll reports (or the counter is behind the number asked for, as after the
    store was rebuilt), ``too_many`` is set, ``ids`` is empty, and the reader reads everything again.
    """

    seq: int
    ids: tuple[str, ...] = ()
    too_many: bool = False


class SortKey(StrEnum):
    """Columns the list sorts on; names follow ``list --format json``."""

    ID = "id"
    CUSTOMER_PHONE = "customer_phone"
    CUSTOMER_NAME = "customer_name"
    COUNTRY = "country"
    AGENT = "agent"
    GROUP = "group"
    CREATED_AT = "created_at"
    DURATION = "duration_s"
    RATING = "rating"
    STATUS = "status"
    INACTIVITY = "inactivity_s"
    RESPONSE_CREATION = "response_creation_s"
    RESPONSE_ASSIGNMENT = "response_assignment_s"
    NO_RESPONSE = "no_response_s"
    SENT_BY = "sent_by"


SORT_ALIASES = {
    "created": "created_at",
    "date": "created_at",
    "customer": "customer_name",
    "name": "customer_name",
    "phone": "customer_phone",
    "duration": "duration_s",
    "inactivity": "inactivity_s",
    "response_creation": "response_creation_s",
    "response_assignment": "response_assignment_s",
    "no_response": "no_response_s",
    "waiting": "no_response_s",
}


class Sort(Model):
    key: SortKey = SortKey.CREATED_AT
    descending: bool = True

    @classmethod
    def parse(cls, text: str) -> Sort:
        """``COL[:asc|desc]`` as on the command line."""
        col, _, direction = text.strip().partition(":")
        col = col.strip().lower().replace("-", "_")
        col = SORT_ALIASES.get(col, col)
        try:
            key = SortKey(col)
        except ValueError:
            names = ", ".join(k.value for k in SortKey)
            raise ValueError(f"unknown sort column {text!r} (one of: {names})") from None
        direction = direction.strip().lower() or "desc"
        if direction not in ("asc", "desc"):
            raise ValueError(f"sort direction must be asc or desc, not {direction!r}")
        return cls(key=key, descending=direction == "desc")

    def __str__(self) -> str:
        return f"{self.key.value}:{'desc' if self.descending else 'asc'}"


Seconds = Annotated[int, Field(ge=0, le=MAX_DURATION_S)]  # up to 68 years, as parse_duration reads


class ConversationFilter(Model):
    """Every list filter of the contract: sets are any-of, different filters AND."""

    search: str | None = None
    statuses: frozenset[Status] = frozenset()
    groups: frozenset[str] = frozenset()
    agents: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    ratings: frozenset[Annotated[int, Field(ge=1, le=5)]] = frozenset()
    created_from: date | None = None
    created_to: date | None = None
    no_response_over: Seconds | None = None
    inactive_over: Seconds | None = None
    response_creation_over: Seconds | None = None
    response_assignment_over: Seconds | None = None

    @field_validator("countries", mode="before")
    @classmethod
    def _upper_countries(cls, value: object) -> object:
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(str(v).strip().upper() for v in value)
        return value

    @field_validator("search", mode="before")
    @classmethod
    def _blank_search(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def is_empty(self) -> bool:
        return self == ConversationFilter()
