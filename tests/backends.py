"""The back ends the shared contract suite runs on; each test gets fresh data in a fresh database.

``make_backend(records)`` loads NDJSON-shaped records into a new store of the kind under test
and returns a :class:`chatadmin.backend.Backend` on it; ``make_backend(acting_as="ana")``
then opens another one on the same data as another user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chatadmin.backend import Backend
from chatadmin.clock import Clock

from .builders import load_store

MakeBackend = Callable[..., Backend]

BACKEND_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKEND_KINDS)
def make_backend(request: pytest.FixtureRequest, clock: Clock) -> Iterator[MakeBackend]:
    kind = request.param
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "pg_url")
    opened: list[Backend] = []

    def make(records: list[dict[str, Any]] | None = None, acting_as: str | None = None) -> Backend:
        """With ``records``: load them (once, first). Then: a back end acting as ``acting_as``."""
        from chatadmin.store.sql import SqlStore

        if records is not None:
            assert not opened, "load the records with the first call"
            load_store(url, clock, records).dispose()
        backend = SqlStore.open(url, clock, acting_as=acting_as)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        backend.dispose()
