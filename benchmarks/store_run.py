"""The store's figures through the Backend on one store: metrics, counts, pages, sorts, search, transfer.

Run as a child process by the suite (``python -m benchmarks.store_run SPEC``, SPEC a JSON
object); prints one JSON object ``{"figures": {name: [seconds, …]}, "detail": {…}}``. The
pages are the console's reads: 100 rows, at the top, deeper (PageDown), in the middle and
at the very end of the list.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chatadmin.clock import Clock, parse_instant
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.store.paging import forget_counts
from chatadmin.store.sql import SqlStore

PAGE = 100


def counted_afresh(count: Callable[[], int]) -> Callable[[], int]:
    """A count as the console's first after a change: none kept from the run before (the store
    keeps a list's count while no conversation changes)."""

    def call() -> int:
        forget_counts()
        return count()

    return call


def seconds(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


class StoreFigures:
    def __init__(self, store: SqlStore, runs: int) -> None:
        self.store = store
        self.runs = runs
        self.figures: dict[str, list[float]] = {}
        self.detail: dict[str, list[float]] = {}

    def note(self, name: str, value: float, detail: str | None = None) -> None:
        self.figures.setdefault(name, []).append(value)
        if detail is not None:
            self.detail.setdefault(f"{name} · {detail}", []).append(value)

    def repeat(self, name: str, call: Callable[[], Any], detail: str | None = None, runs: int | None = None) -> None:
        call()  # once to warm the caches the console would have warmed too
        for _ in range(runs or self.runs):
            self.note(name, seconds(call), detail)

    def filters(self) -> dict[str, ConversationFilter]:
        store = self.store
        today = store.clock.today()
        groups = [g.id for g in store.list_groups()]
        agents = [a.id for a in store.list_agents()]
        tags = store.list_tags()
        return {
            "status": ConversationFilter(statuses=frozenset({Status.OPEN})),
            "group": ConversationFilter(groups=frozenset(groups[:1])),
            "agent": ConversationFilter(agents=frozenset(agents[:1])),
            "country": ConversationFilter(countries=frozenset({"BR"})),
            "tag": ConversationFilter(tags=frozenset(tags[:1])),
            "rating": ConversationFilter(ratings=frozenset({1})),
            "date range": ConversationFilter(created_from=today - timedelta(days=3), created_to=today - timedelta(days=1)),
            "no response over 15m": ConversationFilter(no_response_over=900),
            "inactive over 1d": ConversationFilter(inactive_over=86400),
            "response (creation) over 5m": ConversationFilter(response_creation_over=300),
        }

    def run(self, search_words: list[str]) -> None:
        store = self.store
        self.repeat("metrics()", store.metrics)
        self.repeat("count: everything", counted_afresh(store.count_conversations))
        total = store.count_conversations()
        self.repeat("list: first page", lambda: store.list_conversations(limit=PAGE))
        for offset in (PAGE, 5 * PAGE, 20 * PAGE):
            self.repeat("list: PageDown pages", lambda o=offset: store.list_conversations(offset=o, limit=PAGE), f"offset {offset}")
        self.repeat("list: middle page", lambda: store.list_conversations(offset=total // 2, limit=PAGE))
        # the console has counted the list it shows, so the count a deep page starts with is kept
        self.repeat("list: last page (jump to end)", lambda: store.list_conversations(offset=max(0, total - PAGE), limit=PAGE))
        self.repeat(
            "list: last page, first read after a change",
            counted_afresh(lambda: len(store.list_conversations(offset=max(0, total - PAGE), limit=PAGE).rows)),
        )
        for key in SortKey:
            for descending in (False, True):
                sort = Sort(key=key, descending=descending)
                label = f"{key.value} {'desc' if descending else 'asc'}"
                self.repeat("sort: first page", lambda s=sort: store.list_conversations(sort=s, limit=PAGE), label, runs=max(2, self.runs // 4))
                self.repeat(
                    "sort: last page",
                    lambda s=sort: store.list_conversations(sort=s, offset=max(0, total - PAGE), limit=PAGE),
                    label,
                    runs=max(2, self.runs // 4),
                )
        for name, filters in self.filters().items():
            self.repeat("filter: first page", lambda f=filters: store.list_conversations(f, limit=PAGE), name)
            self.repeat("count: per filter", counted_afresh(lambda f=filters: store.count_conversations(f)), name)
        for word in search_words:
            for end in range(1, len(word) + 1):
                filters = ConversationFilter(search=word[:end])
                self.repeat("search keystroke: first page", lambda f=filters: store.list_conversations(f, limit=PAGE), word[:end])
                self.repeat(
                    "count: search",
                    counted_afresh(lambda f=filters: store.count_conversations(f)),
                    word[:end],
                    runs=max(2, self.runs // 4),
                )
        self.transfers()

    def transfers(self) -> None:
        """Transfers to a group and back (routing picks the agent): each one is a real, audited write."""
        store = self.store
        groups = [g.id for g in store.list_groups()]
        chats = store.list_conversations(ConversationFilter(statuses=frozenset({Status.IN_PROGRESS})), limit=self.runs)
        for row in chats.rows:
            home = row.group or groups[0]
            away = next(g for g in groups if g != home)
            self.note("transfer (routing + audit event)", seconds(lambda r=row, g=away: store.transfer(r.id, g)))
            self.note("transfer (routing + audit event)", seconds(lambda r=row, g=home: store.transfer(r.id, g)))


def main(spec: dict[str, Any]) -> dict[str, Any]:
    clock = Clock(zone=ZoneInfo(spec["zone"]), fixed=parse_instant(spec["now"]))
    store = SqlStore.open(spec["url"], clock)
    try:
        figures = StoreFigures(store, int(spec["runs"]))
        figures.run(spec["search_words"])
    finally:
        store.dispose()
    return {"figures": figures.figures, "detail": figures.detail}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(json.loads(sys.argv[1]))) + "\n")
