"""The fixed dataset and the tiny host app the modal screen tests share."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.worker import WorkerCancelled, WorkerFailed

from chatadmin.clock import Clock
from chatadmin.domain import Principal, Role
from chatadmin.screens.timeline import Timeline
from chatadmin.store.load import import_ndjson
from chatadmin.store.sql import SqlStore

HOSTILE = "[bold]x[/] [@click=app.quit] $accent \x1b]52;c;aGVsbG8=\x07 \x1b[2J \x9b end"
# what must be on screen: the markup-looking parts literally, no control characters
HOSTILE_SHOWN = ("[@click=app.quit]", "[bold]x[/]", "$accent", "end")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def records() -> list[dict[str, Any]]:
    conversation = {
        "customer": {"phone": "+525512345678", "name": "Luis Gómez"},
        "created_at": "2026-11-24T08:00:00Z",
        "assigned_at": "2026-11-24T08:03:00Z",
        "tags": ["vip"],
        "group": "sales",
        "agent": "ana",
        "status": "in_progress",
    }
    return [
        {"type": "group", "id": "sales", "name": "Sales"},
        {"type": "group", "id": "support", "name": "Support", "routing": {"rule": "least_busy"}},
        {"type": "group", "id": "billing", "name": "Billing", "routing": {"rule": "manual"}},
        {"type": "agent", "id": "alicia", "name": "Alicia Admin", "role": "admin"},
        {"type": "agent", "id": "sergio", "name": "Sergio Supervisor", "role": "supervisor", "groups": ["sales"]},
        {"type": "agent", "id": "ana", "name": "Ana Pérez", "groups": ["sales", "support"], "max_active": 5},
        {"type": "agent", "id": "bruno", "name": "Bruno Díaz", "groups": ["support", "billing"], "max_active": 1},
        {"type": "agent", "id": "carla", "name": "Carla Ruiz", "groups": ["sales", "billing"], "available": False},
        {
            "type": "conversation", "id": "c-1001", **conversation,
            "messages": [
                {"at": "2026-11-24T08:00:00Z", "from": "customer", "text": "Hola, my order has not arrived"},
                {"at": "2026-11-24T08:04:10Z", "from": "agent", "agent": "ana", "text": "¡Hola Luis! Let me check."},
                {"at": "2026-11-24T08:05:00Z", "from": "agent", "agent": "ana", "text": "It ships tomorrow."},
                {"at": "2026-11-24T08:09:00Z", "from": "customer", "text": "Thanks!"},
            ],
            "notes": [{"at": "2026-11-24T08:06:00Z", "author": "ana", "text": "Wants a refund if late"}],
        },
        {
            "type": "conversation", "id": "c-1002",
            "customer": {"phone": "+5215587654321", "name": HOSTILE},
            "group": "support", "agent": "bruno", "status": "in_progress",
            "created_at": "2026-11-24T09:00:00Z", "assigned_at": "2026-11-24T09:01:00Z",
            "tags": ["[bold]x[/]", "$accent"],
            "messages": [{"at": "2026-11-24T09:00:00Z", "from": "customer", "text": HOSTILE}],
            "notes": [{"at": "2026-11-24T09:02:00Z", "author": "bruno", "text": HOSTILE}],
        },
        {
            "type": "conversation", "id": "c-1003",
            "customer": {"phone": "+5213312345678", "name": "Marta Ríos"},
            "group": "sales", "agent": "ana", "status": "closed",
            "created_at": "2026-11-23T15:00:00Z", "assigned_at": "2026-11-23T15:01:00Z",
            "closed_at": "2026-11-23T16:00:00Z", "rating": 4, "rating_comment": "Quick and kind",
            "messages": [
                {"at": "2026-11-23T15:00:00Z", "from": "customer", "text": "Do you ship to Guadalajara?"},
                {"at": "2026-11-23T15:02:00Z", "from": "agent", "agent": "ana", "text": "Yes, in two days."},
            ],
            "events": [
                {"at": "2026-11-23T15:01:00Z", "kind": "assigned", "actor": "system", "to_agent": "ana",
                 "to_group": "sales", "rule": "round_robin"},
                {"at": "2026-11-23T16:00:00Z", "kind": "closed", "actor": "ana", "from_agent": "ana",
                 "from_group": "sales"},
            ],
        },
        {
            "type": "conversation", "id": "c-1004",
            "customer": {"phone": "+14155550123", "name": "Jane Doe"},
            "group": "support", "status": "open", "created_at": "2026-11-24T17:30:00Z",
            "messages": [{"at": "2026-11-24T17:30:00Z", "from": "customer", "text": "Anyone there?"}],
        },
    ]


LINES = [json.dumps(record, ensure_ascii=False) for record in records()]


def open_store(url: str, clock: Clock, acting_as: str | None = "alicia", lines: list[str] | None = None) -> SqlStore:
    """A real store with the fixed dataset, seen as ``acting_as``."""
    loader = SqlStore.open(url, clock)
    import_ndjson(loader.engine, lines or LINES, "fixture")
    loader.dispose()
    return SqlStore.open(url, clock, acting_as=acting_as)


class Harness(App[None]):
    """A bare app that pushes one screen and records what it dismissed with."""

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make = make
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.make(), self.results.append)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker has finished and the screen has caught up."""
    for _ in range(2):
        await _workers_done(pilot.app)
        await pilot.pause()


async def _workers_done(app: App[Any]) -> None:
    """Every worker ended. A worker that failed is the screen's to show (the tests check what
    it shows); ``wait_for_complete`` raised it again whenever the failed worker was still
    listed, so a test of an expected failure passed or failed by timing."""
    ended = await asyncio.gather(*(worker.wait() for worker in list(app.workers)), return_exceptions=True)
    for outcome in ended:
        if isinstance(outcome, BaseException) and not isinstance(outcome, (WorkerFailed, WorkerCancelled)):
            raise outcome


def shown(screen: Screen[Any]) -> str:
    """All text the screen's Static widgets and option lists show."""
    parts = [str(static.visual) for static in screen.query(Static)]
    for options in screen.query(OptionList):
        parts += [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    for timeline in screen.query(Timeline):
        parts += timeline.plain_lines()
    return "\n".join(parts)


ADMIN = Principal(agent_id="alicia", name="Alicia Admin", role=Role.ADMIN)
SUPERVISOR = Principal(agent_id="sergio", name="Sergio Supervisor", role=Role.SUPERVISOR, groups=("sales",))
