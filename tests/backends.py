"""The back ends the shared contract suite runs on; each test gets fresh data in a fresh database.

``make_backend(records)`` loads NDJSON-shaped records into a new store of the kind under test
and returns a :class:`chatadmin.backend.Backend` on it; ``make_backend(acting_as="ana")``
then opens another one on the same data as another user.

The ``remote-*`` kinds are the HTTP client against a real ``chatadmin serve`` process on
127.0.0.1 over that store, with a token acting as ``acting_as`` (the operator when None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chatadmin.backend import Backend
from chatadmin.clock import Clock

from .builders import load_store
from .server_process import ServerProcess

MakeBackend = Callable[..., Backend]

BACKEND_KINDS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    "remote-sqlite",
    pytest.param("remote-postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKEND_KINDS)
def make_backend(request: pytest.FixtureRequest, clock: Clock, tmp_path: Path) -> Iterator[MakeBackend]:
    kind = request.param
    url = request.getfixturevalue("pg_url" if kind.endswith("postgres") else "sqlite_url")
    opened: list[Backend] = []
    servers: list[ServerProcess] = []

    def make(records: list[dict[str, Any]] | None = None, acting_as: str | None = None) -> Backend:
        """With ``records``: load them (once, first). Then: a back end acting as ``acting_as``."""
        from chatadmin.store.remote import RemoteBackend
        from chatadmin.store.sql import SqlStore

        if records is not None:
            assert not opened, "load the records with the first call"
            load_store(url, clock, records).dispose()
        if kind.startswith("remote"):
            if not servers:
                servers.append(ServerProcess(url, clock, tmp_path / "server"))
                servers[0].start()
            server = servers[0]
            backend: Backend = RemoteBackend(server.url, token=server.token(acting_as), clock=clock)
        else:
            backend = SqlStore.open(url, clock, acting_as=acting_as)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        backend.dispose()
    for server in servers:
        server.stop()
