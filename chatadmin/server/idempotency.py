"""Safe retries of writes: the first answer to an ``Idempotency-Key`` is kept and replayed.

The key, the request's fingerprint and the answer are written in the same transaction as the
change itself, so either both are stored or neither is: a retry after a lost answer replays
the stored one and changes nothing more; a retry after a failure runs the request again (the
failed attempt changed nothing). Keys belong to one user and are kept for 24 hours.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chatadmin.errors import InvalidInput
from chatadmin.server.protocol import IDEMPOTENCY_HEADER as HEADER
from chatadmin.server.store import RequestStore
from chatadmin.store.models import IdempotencyRow

KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
KEEP = timedelta(hours=24)


class KeyReused(InvalidInput):
    """The key was first sent with a different request."""

    code = "idempotency_key_reused"


class KeyInFlight(Exception):
    """Another request with the same key committed while this one ran; read its answer."""


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: str
    replayed: bool = False


def fingerprint(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def _stored(session: Session, subject: str, key: str, print_: str) -> Answer | None:
    row = session.scalar(select(IdempotencyRow).where(IdempotencyRow.subject == subject, IdempotencyRow.key == key))
    if row is None:
        return None
    if row.fingerprint != print_:
        raise KeyReused(f"{HEADER} {key!r} was already used for a different request; use a new key")
    return Answer(row.status_code, row.body, replayed=True)


def run_once(
    store: RequestStore,
    key: str,
    print_: str,
    write: Callable[[RequestStore], str],
    status_code: int,
) -> Answer:
    """``write`` (returning the JSON answer) once per key, in one transaction with the record of it."""
    subject = store.principal.agent_id or ""
    try:
        with store.transaction() as session:
            answer = _stored(session, subject, key, print_)
            if answer is not None:
                return answer
            body = write(store)
            session.flush()  # the write's own problems are its own, not a concurrent key's
            session.add(
                IdempotencyRow(
                    subject=subject,
                    key=key,
                    fingerprint=print_,
                    status_code=status_code,
                    body=body,
                    created_at=store.clock.now(),
                )
            )
            try:
                session.flush()
            except IntegrityError:
                # PostgreSQL: a concurrent request with this key committed first; undo ours
                raise KeyInFlight from None
            return Answer(status_code, body)
    except KeyInFlight:
        with store.transaction() as session:
            answer = _stored(session, subject, key, print_)
        if answer is None:  # the other request's row vanished (expired): this one is lost
            raise InvalidInput(f"{HEADER} {key!r} was used at the same time by another request; retry") from None
        return answer


def forget_expired(session: Session, now: datetime) -> int:
    """Drop answers older than 24 hours."""
    result = session.execute(delete(IdempotencyRow).where(IdempotencyRow.created_at < now - KEEP))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
