"""Small builders for NDJSON test data, and loading it into a fresh store."""

from __future__ import annotations

import json
from typing import Any

from chatadmin.clock import Clock
from chatadmin.store.engine import make_engine, upgrade
from chatadmin.store.load import import_ndjson
from chatadmin.store.sql import SqlStore


def group(gid: str, name: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "group", "id": gid, "name": name or gid.title(), **extra}


def agent(aid: str, groups: list[str], role: str = "agent", **extra: Any) -> dict[str, Any]:
    return {"type": "agent", "id": aid, "name": extra.pop("name", aid.title()), "role": role, "groups": groups, **extra}


def msg(at: str, sender: str, text: str = "…", agent_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"at": at, "from": sender, "text": text}
    if agent_id:
        out["agent"] = agent_id
    return out


def conversation(
    cid: str,
    created_at: str,
    *,
    phone: str = "+525512345678",
    name: str = "Luis Gómez",
    status: str = "open",
    group_id: str | None = None,
    agent_id: str | None = None,
    assigned_at: str | None = None,
    closed_at: str | None = None,
    messages: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "type": "conversation",
        "id": cid,
        "customer": {"phone": phone, "name": name},
        "group": group_id,
        "agent": agent_id,
        "status": status,
        "created_at": created_at,
        "assigned_at": assigned_at,
        "closed_at": closed_at,
        "messages": messages or [],
        **extra,
    }


def lines(*records: dict[str, Any]) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) + "\n" for r in records]


def load_store(url: str, clock: Clock, records: list[dict[str, Any]], acting_as: str | None = None) -> SqlStore:
    engine = make_engine(url)
    upgrade(engine)
    import_ndjson(engine, lines(*records), "test.ndjson")
    engine.dispose()
    return SqlStore.open(url, clock, acting_as=acting_as)
