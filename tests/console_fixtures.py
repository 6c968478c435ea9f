"""A small fixed store for the console's tests: groups, agents and 30 varied conversations."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from chatadmin.clock import Clock, format_instant, parse_instant
from chatadmin.store.engine import make_engine, upgrade
from chatadmin.store.load import import_ndjson
from chatadmin.store.sql import SqlStore

NOW = parse_instant("2026-11-24T18:00:00Z")

GROUPS = [("sales", "Sales"), ("support", "Support"), ("billing", "Billing")]
AGENTS = [
    ("ana", "Ana Pérez", ["sales"], "agent"),
    ("bruno", "Bruno Díaz", ["sales", "support"], "agent"),
    ("carla", "Carla Núñez", ["support"], "agent"),
    ("dario", "Darío Ruiz", ["billing"], "agent"),
    ("lead", "Lucía Lead", ["sales", "support"], "supervisor"),
]
CUSTOMERS = [
    ("+525512345678", "Luis Gómez"),
    ("+5215587654321", "María José Hernández"),
    ("+17875550123", "José Rivera"),
    ("+12125550187", "Emily Carter"),
    ("+5511987654321", "João Silva"),
    ("+34612345678", "Álvaro Martín"),
    ("+5491123456789", "Sofía Fernández"),
    ("+573001234567", "Camila Restrepo"),
    ("+525598765432", "Ricardo Ortega"),
    ("+525511112222", "Fernanda López"),
]
TAGS = ["vip", "refund", "wholesale", "complaint"]


def _at(minutes_before_now: int) -> datetime:
    return NOW - timedelta(minutes=minutes_before_now)


def conversation(number: int) -> dict[str, object]:
    """Conversation ``c-1000 + number``: its facts follow from ``number`` alone."""
    phone, name = CUSTOMERS[number % len(CUSTOMERS)]
    group, _ = GROUPS[(number // 2) % 3]
    members = [a for a in AGENTS if group in a[2] and a[3] == "agent"]
    agent = members[number % len(members)][0]
    created = _at(40 + number * 97)  # from 40 minutes ago back over about two days
    status = ("in_progress", "open", "closed")[number % 3 if number % 7 else 2]
    messages = [{"at": format_instant(created), "from": "customer", "text": f"Hola, pedido {number}"}]
    record: dict[str, object] = {
        "type": "conversation",
        "id": f"c-{1000 + number}",
        "customer": {"phone": phone, "name": name},
        "group": group,
        "status": status,
        "created_at": format_instant(created),
        "tags": [TAGS[number % len(TAGS)]] if number % 2 == 0 else [],
    }
    if status != "open":
        assigned = created + timedelta(minutes=3 + number % 5)
        record |= {"agent": agent, "assigned_at": format_instant(assigned)}
        reply = assigned + timedelta(minutes=1 + number % 4)
        messages.append({"at": format_instant(reply), "from": "agent", "agent": agent, "text": "¡Hola! ¿En qué te ayudo?"})
        if number % 4 == 1:
            messages.append({"at": format_instant(reply + timedelta(minutes=2)), "from": "customer", "text": "Gracias"})
    if status == "closed":
        closed = created + timedelta(minutes=30 + number)
        record |= {"closed_at": format_instant(closed), "rating": 1 + number % 5}
    record["messages"] = messages
    return record


def ndjson_lines(count: int = 30, extra: list[dict[str, object]] | None = None) -> list[str]:
    records: list[dict[str, object]] = [{"type": "group", "id": g, "name": n} for g, n in GROUPS]
    records += [
        {"type": "agent", "id": i, "name": n, "role": role, "groups": groups, "max_active": 5}
        for i, n, groups, role in AGENTS
    ]
    records += [conversation(number) for number in range(1, count + 1)]
    records += extra or []
    return [json.dumps(record, ensure_ascii=False) for record in records]


class NamedStore(SqlStore):
    """The fixture store under a fixed name, so headers (and snapshots) do not show a temp path."""

    @property
    def location(self) -> str:
        return "fixture.sqlite3"


def open_store(url: str, clock: Clock, *, count: int = 30, extra: list[dict[str, object]] | None = None,
               acting_as: str | None = None) -> NamedStore:
    """A store at ``url`` holding the fixed dataset (``count`` conversations, plus ``extra``)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        import_ndjson(engine, ndjson_lines(count, extra), "fixture.ndjson")
    finally:
        engine.dispose()
    return NamedStore.open(url, clock, acting_as=acting_as)  # type: ignore[return-value]


async def settle(pilot: Pilot[object], rounds: int = 50) -> None:
    """Wait until no worker runs and no message is pending (workers start workers, so loop)."""
    app = pilot.app
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an exclusive worker replaced by a newer one: the loop waits for that one
        await pilot.pause()
        if _quiet(app):
            await pilot.pause()
            if _quiet(app):
                return
    raise AssertionError("the console did not settle")


def _quiet(app: App[object]) -> bool:
    """No worker started or running, and nothing waiting for the screen's next refresh (the
    console reads the count and the drop-downs' choices after its first frame): a worker just
    created is PENDING, not running, and settling then passed or failed by timing."""
    return all(worker.is_finished for worker in app.workers) and not app.screen._callbacks


async def wait_until(pilot: Pilot[object], condition: Callable[[], bool], rounds: int = 100) -> None:
    """Pause in small steps until ``condition()`` holds (debounce timers, worker replies)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
        await settle(pilot)
    raise AssertionError("condition never held")
