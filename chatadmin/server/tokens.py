"""Bearer tokens: create one (shown once), list, revoke, and find the user a token acts as.

A token reads ``ca_<id>_<secret>``: ``id`` is its public handle (``token list``, ``token
revoke``), ``secret`` 256 random bits. The store keeps only the SHA-256 of the whole token,
so a copy of the database lets nobody in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from chatadmin.clock import Clock
from chatadmin.errors import InvalidInput, NotFound
from chatadmin.store.models import AgentRow, ApiTokenRow

PREFIX = "ca_"
TOKEN_PATTERN = re.compile(r"^ca_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")
MAX_NAME = 100
# last use is written at most this often per token, so that reads stay reads
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenInfo:
    """What ``token list`` shows: never the token itself."""

    id: str
    agent: str | None  # None: the operator (acts as the local administrator)
    role: str  # the agent's role (admin, supervisor, agent); the operator's is admin
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Bearer:
    """Who a valid token acts as."""

    token_id: str
    agent: str | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _info(row: ApiTokenRow, agent: str | None, role: str | None) -> TokenInfo:
    return TokenInfo(row.id, agent, role or "admin", row.name, row.created_at, row.last_used_at, row.revoked_at)


def create_token(engine: Engine, clock: Clock, agent: str | None, name: str = "") -> tuple[TokenInfo, str]:
    """A new token acting as ``agent`` (None: the operator); returns it with the only copy of the secret."""
    name = name.strip()
    if len(name) > MAX_NAME or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise InvalidInput(f"a token name is at most {MAX_NAME} characters, without control characters")
    with Session(engine) as session, session.begin():
        agent_pk, role = None, None
        if agent is not None:
            found = session.execute(select(AgentRow.pk, AgentRow.role).where(AgentRow.id == agent)).first()
            if found is None:
                raise InvalidInput(f"unknown acting user {agent!r}: a token acts as an existing agent id")
            agent_pk, role = found
        token_id = secrets.token_hex(6)
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        row = ApiTokenRow(
            id=token_id, agent_pk=agent_pk, name=name, token_hash=digest(token), created_at=clock.now()
        )
        session.add(row)
        session.flush()
        return _info(row, agent, role), token


def list_tokens(engine: Engine) -> list[TokenInfo]:
    with Session(engine) as session:
        rows = session.execute(
            select(ApiTokenRow, AgentRow.id, AgentRow.role)
            .outerjoin(AgentRow, AgentRow.pk == ApiTokenRow.agent_pk)
            .order_by(ApiTokenRow.created_at, ApiTokenRow.pk)
        ).all()
        return [_info(row, agent, role) for row, agent, role in rows]


def token_id_of(text: str) -> str:
    """The handle ``token revoke`` takes: the id itself, or a whole token (its id is inside)."""
    text = text.strip()
    match = TOKEN_PATTERN.match(text)
    return match.group(1) if match else text


def revoke_token(engine: Engine, clock: Clock, handle: str) -> TokenInfo:
    """Revoke at once: the next request with the token gets 401. Revoking twice is harmless."""
    token_id = token_id_of(handle)
    with Session(engine) as session, session.begin():
        found = session.execute(
            select(ApiTokenRow, AgentRow.id, AgentRow.role)
            .outerjoin(AgentRow, AgentRow.pk == ApiTokenRow.agent_pk)
            .where(ApiTokenRow.id == token_id)
        ).first()
        if found is None:
            raise NotFound(f"unknown token {token_id!r} (see chatadmin token list)")
        row, agent, role = found
        if row.revoked_at is None:
            row.revoked_at = clock.now()
            session.flush()
        return _info(row, agent, role)


def authenticate(engine: Engine, clock: Clock, token: str) -> Bearer | None:
    """The user a token acts as; None when it is malformed, unknown or revoked."""
    if not TOKEN_PATTERN.match(token):
        return None
    with Session(engine) as session:
        found = session.execute(
            select(ApiTokenRow.pk, ApiTokenRow.id, ApiTokenRow.revoked_at, ApiTokenRow.last_used_at, AgentRow.id)
            .outerjoin(AgentRow, AgentRow.pk == ApiTokenRow.agent_pk)
            .where(ApiTokenRow.token_hash == digest(token))
        ).first()
    if found is None or found[2] is not None:
        return None
    pk, token_id, _, last_used, agent = found
    now = clock.now()
    if last_used is None or abs(now - last_used) >= LAST_USED_EVERY:
        _touch(engine, pk, now)
    return Bearer(token_id, agent)


def _touch(engine: Engine, pk: int, now: datetime) -> None:
    """Record the last use; bookkeeping only, so a busy store never fails the request for it."""
    try:
        with Session(engine) as session, session.begin():
            session.execute(update(ApiTokenRow).where(ApiTokenRow.pk == pk).values(last_used_at=now))
    except OperationalError:
        pass
