"""The store one request sees: a SqlStore acting as the token's user, whose writes can join the
transaction the server opened around them (so that an idempotency record commits with them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from chatadmin.store.sql import SqlStore


class RequestStore(SqlStore):
    """A SqlStore for one request; cheap to build on the server's shared engine."""

    _joined: Session | None = None

    @contextmanager
    def _write(self) -> Iterator[Session]:
        if self._joined is not None:
            yield self._joined
            return
        with super()._write() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction that every write of this store made inside it joins."""
        if self._joined is not None:
            raise RuntimeError("transactions do not nest")
        with super()._write() as session:
            self._joined = session
            try:
                yield session
            finally:
                self._joined = None
