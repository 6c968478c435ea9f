"""The live view's poll: ask the back end what changed since the last poll, and read more only then.

A poll costs one indexed read when nothing changed. When something did (or the user asked,
or the list depends on the clock), it reads the metrics and the counts, and the table reads
its visible rows again. Runs in a worker thread; no Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from chatadmin.backend import Backend
from chatadmin.clock import Clock
from chatadmin.domain import ConversationFilter, Metrics


@dataclass(frozen=True)
class PollRequest:
    since: int | None  # the change number of the last poll; None: the first poll
    filters: ConversationFilter
    generation: int
    read_all: bool  # read metrics and counts even when nothing changed
    counts: bool = True  # False: the metrics only (the console's first frame counts later)


@dataclass(frozen=True)
class Polled:
    seq: int
    changed: tuple[str, ...]  # conversations changed since the last poll (empty when too many)
    too_many: bool
    generation: int
    # None when nothing changed and nothing was read (the counts also when not asked for)
    metrics: Metrics | None = None
    all_conversations: int | None = None
    filtered: int | None = None

    @property
    def quiet(self) -> bool:
        return self.metrics is None


def poll(backend: Backend, request: PollRequest) -> Polled:
    changes = backend.changes_since(request.since or 0)
    polled = Polled(changes.seq, changes.ids, changes.too_many, request.generation)
    if request.since is not None and changes.seq == request.since and not request.read_all:
        return polled
    metrics = backend.metrics()
    if not request.counts:
        return Polled(changes.seq, changes.ids, changes.too_many, request.generation, metrics)
    everything = backend.count_conversations(ConversationFilter())
    filters = request.filters
    filtered = everything if filters.is_empty() else backend.count_conversations(filters)
    return Polled(changes.seq, changes.ids, changes.too_many, request.generation, metrics, everything, filtered)


def runs_with_the_clock(filters: ConversationFilter, clock: object) -> bool:
    """Whether the list changes by time alone: a real clock and a filter on a running time."""
    if isinstance(clock, Clock) and clock.fixed is not None:
        return False
    return filters.no_response_over is not None or filters.inactive_over is not None


def day_changed(metrics: Metrics | None, now: datetime, zone: tzinfo) -> bool:
    """The reporting day moved on since the metrics were read ("completed today" starts again)."""
    return metrics is not None and metrics.now.astimezone(zone).date() != now.astimezone(zone).date()
