"""Importing NDJSON: every line checked against the file and the store, then stored all or nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from chatadmin.domain import SYSTEM_ACTOR
from chatadmin.errors import Conflict, InvalidInput
from chatadmin.ndjson import RECORD_TYPES, AgentRecord, AnyRecord, ConversationRecord
from chatadmin.store.bulk import CHUNK_SIZE, BulkWriter, ImportSummary, write_records
from chatadmin.store.engine import refresh_statistics
from chatadmin.store.models import AgentRow, ConversationRecord as ConversationTable, GroupRow, Membership

__all__ = ["ImportSummary", "Known", "import_ndjson", "parse_lines", "validated_chunks", "write_records"]


class _Reject(Exception):
    """One line's problem, as the reason the user reads after ``FILE:LINE:``."""


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _invalid(source: str, line: int, reason: str) -> InvalidInput:
    """``FILE:LINE: reason`` with control characters (from ids, names, file names) made visible."""
    message = f"{source}:{line}: {reason}"
    return InvalidInput(_CONTROLS.sub(lambda m: repr(m.group())[1:-1], message))


def _no_conversations(ids: Collection[str]) -> set[str]:
    return set()


@dataclass
class Known:
    """What the store already holds: group ids, agent ids with their groups, conversation ids."""

    groups: set[str] = field(default_factory=set)
    agents: dict[str, set[str]] = field(default_factory=dict)
    existing_conversations: Callable[[Collection[str]], set[str]] = _no_conversations

    @classmethod
    def of(cls, connection: Connection) -> Known:
        agents: dict[str, set[str]] = {a: set() for a in connection.execute(select(AgentRow.id)).scalars()}
        membership = (
            select(AgentRow.id, GroupRow.id)
            .select_from(Membership)
            .join(AgentRow, AgentRow.pk == Membership.agent_pk)
            .join(GroupRow, GroupRow.pk == Membership.group_pk)
        )
        for agent, group in connection.execute(membership):
            agents[agent].add(group)

        def existing_conversations(ids: Collection[str]) -> set[str]:
            query = select(ConversationTable.id).where(ConversationTable.id.in_(list(ids)))
            return set(connection.execute(query).scalars())

        groups = set(connection.execute(select(GroupRow.id)).scalars())
        return cls(groups=groups, agents=agents, existing_conversations=existing_conversations)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Reject(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def _where(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a path: ``messages[2].from``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else ("." if path else "") + str(part)
    return path


def _describe(error: Any) -> str:
    """One pydantic error as one short human reason."""
    where = _where(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {where!r}"
    if kind == "missing":
        return f"missing key {where!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    return f"{where}: {message}" if where else message


def _label(data: dict[str, Any], kind: str) -> str:
    ident = data.get("id")
    if not isinstance(ident, str) or not ident:
        return kind
    return f"{kind} {ident[:64]}{'…' if len(ident) > 64 else ''}"


def parse_record(text: str) -> AnyRecord:
    """One line as a record, checked on its own; raises :class:`_Reject` with the reason."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise _Reject(f"bad JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:
        raise _Reject(f"bad JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _Reject("each line must be one JSON object")
    kind = data.get("type")
    if kind is None:
        raise _Reject("missing key 'type'")
    model = RECORD_TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise _Reject(f"unknown type {kind!r} (one of: {', '.join(RECORD_TYPES)})")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _Reject(f"{_label(data, kind)}: {_describe(exc.errors()[0])}") from None


class _Checker:
    """The rules that need the whole file and the store: ids new, names that resolve."""

    def __init__(self, known: Known) -> None:
        self.store_groups = known.groups
        self.agents = {agent: set(groups) for agent, groups in known.agents.items()}
        self.store_agents = set(known.agents)
        self.lines: dict[tuple[str, str], int] = {}  # (type, id) -> line of this file

    def check(self, record: AnyRecord, line: int) -> None:
        self._new_id(record.type, record.id, line)
        if isinstance(record, AgentRecord):
            self._check_agent(record)
            self.agents[record.id] = set(record.groups)
        elif isinstance(record, ConversationRecord):
            self._check_conversation(record)
        self.lines[(record.type, record.id)] = line

    def _new_id(self, kind: str, ident: str, line: int) -> None:
        earlier = self.lines.get((kind, ident))
        if earlier is not None:
            raise _Reject(f"{kind} {ident}: duplicate id (also on line {earlier})")
        if (kind == "group" and ident in self.store_groups) or (kind == "agent" and ident in self.store_agents):
            raise _Reject(f"{kind} {ident}: duplicate id (already in the store)")

    def _group(self, ident: str) -> bool:
        return ident in self.store_groups or ("group", ident) in self.lines

    def _check_agent(self, record: AgentRecord) -> None:
        seen: set[str] = set()
        for group in record.groups:
            if not self._group(group):
                raise _Reject(f"agent {record.id}: unknown group {group!r}")
            if group in seen:
                raise _Reject(f"agent {record.id}: group {group!r} named twice")
            seen.add(group)

    def _check_conversation(self, record: ConversationRecord) -> None:
        label = f"conversation {record.id}"
        if record.group is not None and not self._group(record.group):
            raise _Reject(f"{label}: unknown group {record.group!r}")
        if record.agent is not None:
            if record.agent not in self.agents:
                raise _Reject(f"{label}: unknown agent {record.agent!r}")
            if record.group not in self.agents[record.agent]:
                raise _Reject(f"{label}: agent {record.agent!r} is not in group {record.group!r}")
        if len(set(record.tags)) != len(record.tags):
            twice = next(tag for i, tag in enumerate(record.tags) if tag in record.tags[:i])
            raise _Reject(f"{label}: tag {twice!r} named twice")
        for n, message in enumerate(record.messages, 1):
            if message.agent is not None and message.agent not in self.agents:
                raise _Reject(f"{label}: message {n}: unknown agent {message.agent!r}")
        for n, note in enumerate(record.notes, 1):
            if note.author != SYSTEM_ACTOR and note.author not in self.agents:
                raise _Reject(f"{label}: note {n}: unknown author {note.author!r}")
        for n, event in enumerate(record.events or (), 1):
            if event.actor != SYSTEM_ACTOR and event.actor not in self.agents:
                raise _Reject(f"{label}: event {n}: unknown actor {event.actor!r}")
            for key in ("from_agent", "to_agent"):
                value = getattr(event, key)
                if value is not None and value not in self.agents:
                    raise _Reject(f"{label}: event {n}: unknown {key} {value!r}")
            for key in ("from_group", "to_group"):
                value = getattr(event, key)
                if value is not None and not self._group(value):
                    raise _Reject(f"{label}: event {n}: unknown {key} {value!r}")


def validated_chunks(
    lines: Iterable[str], source: str, known: Known | None = None, size: int = CHUNK_SIZE
) -> Iterator[list[AnyRecord]]:
    """The records of ``lines`` in chunks of about ``size``, each chunk fully checked.

    Raises :class:`InvalidInput` ``"{source}:{line}: {reason}"`` for the first bad line; a chunk
    is only yielded once every line in it passed, including the store's conversation ids
    (asked once per chunk). Blank lines are skipped.
    """
    known = known or Known()
    checker = _Checker(known)
    chunk: list[AnyRecord] = []
    pending: dict[str, int] = {}  # conversation id -> line, not yet looked up in the store

    def check_store() -> None:
        if not pending:
            return
        clashes = known.existing_conversations(pending.keys())
        if clashes:
            line, ident = min((pending[ident], ident) for ident in clashes)
            raise _invalid(source, line, f"conversation {ident}: duplicate id (already in the store)")
        pending.clear()

    for number, text in enumerate(lines, 1):
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            record = parse_record(text)
            checker.check(record, number)
        except _Reject as exc:
            check_store()  # a clash on an earlier line is the first error
            raise _invalid(source, number, str(exc)) from None
        chunk.append(record)
        if isinstance(record, ConversationRecord):
            pending[record.id] = number
        if len(chunk) >= size:
            check_store()
            yield chunk
            chunk = []
    check_store()
    if chunk:
        yield chunk


# a load this large changes the planner's picture of the tables: gather statistics afterwards
STATISTICS_AFTER = 1000


def parse_lines(lines: Iterable[str], source: str, known: Known | None = None) -> list[AnyRecord]:
    """Every record of ``lines``, checked against each other and ``known`` (default: an empty store).

    Raises :class:`InvalidInput` ``"{source}:{line}: {reason}"`` for the first bad line.
    """
    return [record for chunk in validated_chunks(lines, source, known) for record in chunk]


def import_ndjson(
    engine: Engine,
    lines: Iterable[str],
    source: str,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ImportSummary:
    """Load NDJSON ``lines`` (``source`` names them in errors) into the store, all or nothing.

    One write transaction holds the whole import: the lines are checked against the store as
    it is inside that transaction and written in chunks as they pass; the first bad line
    (``InvalidInput("FILE:LINE: reason")``) rolls everything back, so nothing of the file is
    stored. Memory holds one chunk of records and the ids seen so far, never the whole file.
    ``progress(n)`` gets the number of conversations written so far, after each chunk.
    """
    with engine.connect() as connection:
        connection.execution_options(immediate=True)  # SQLite: take the write lock up front
        try:
            with connection.begin():
                writer = BulkWriter(connection, chunk_size, progress)
                for chunk in validated_chunks(lines, source, Known.of(connection), chunk_size):
                    for record in chunk:
                        writer.add(record)
                summary = writer.finish()
        except IntegrityError:
            # someone else added the same id between our check and our write
            raise Conflict(
                f"{source}: the store changed during the import; nothing was imported, try again"
            ) from None
    if summary.conversations >= STATISTICS_AFTER:
        refresh_statistics(engine)
    return summary
