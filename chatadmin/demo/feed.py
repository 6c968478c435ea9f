"""Feeding the demo's conversations to the writer: drawn in a forked process, so drawing and writing share two cores.

Drawing conversations and inserting rows are both CPU-bound Python. In two threads of one
process they take turns on the GIL (the database driver gives it up for every row and then
waits to get it back), so a second process does the drawing and sends each chunk of drawn
conversations through a pipe, as plain tuples (:data:`~chatadmin.demo.write.Drawn`) that
marshal writes fast. The drawing is what the whole load waits on, so the writer, not the
drawing process, turns them into table rows. Where ``fork`` is not available they are drawn
in-process, one chunk ahead of nothing: the same rows either way, in the same order.
"""

from __future__ import annotations

import marshal
import multiprocessing
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Self

from chatadmin.demo.draw import DemoPlan, settle_agents, tally
from chatadmin.demo.write import Drawn, Numbering

CHUNK = 20_000  # conversations per batch


@dataclass
class Settled:
    """What is known once every conversation is drawn: the team's state at now."""

    agents: list[tuple[bool, int | None]]  # (available, max_active), in the plan's agent order


def produce(plan: DemoPlan, chunk_size: int = CHUNK) -> Iterator[list[Drawn] | Settled]:
    """The drawn conversations, chunk after chunk, then the :class:`Settled` state."""
    numbering = Numbering()
    waiting: dict[str, int] = {}
    loads: dict[str, int] = {}
    chats = plan.chats()
    while batch := list(islice(chats, chunk_size)):
        for chat in batch:
            tally(chat, waiting, loads)
        yield [numbering.drawn(chat) for chat in batch]
    settle_agents(plan.agents, waiting, loads, plan.hours.working(plan.now))
    yield Settled([(a.available, a.max_active) for a in plan.agents])


class Feed:
    """:func:`produce`, run in a forked child (started at once) when ``fork`` is asked for and available.

    Use it as a context manager and iterate it; leaving the block stops the child.
    """

    def __init__(self, plan: DemoPlan, chunk_size: int = CHUNK, *, fork: bool = True) -> None:
        self._local: Iterator[list[Drawn] | Settled] | None = None
        self._child: BaseProcess | None = None
        if not fork or "fork" not in multiprocessing.get_all_start_methods():
            self._local = produce(plan, chunk_size)
            return
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._child = context.Process(target=_child, args=(plan, chunk_size, sender), name="chatadmin-demo", daemon=True)
        self._child.start()
        sender.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[list[Drawn] | Settled]:
        if self._local is not None:
            yield from self._local
            return
        assert self._child is not None
        while True:
            try:
                item = _decode(self._receiver.recv_bytes())
            except EOFError:
                self._child.join(timeout=10)
                raise RuntimeError(f"the demo's drawing process ended early (exit code {self._child.exitcode})") from None
            if isinstance(item, BaseException):
                raise item
            yield item
            if isinstance(item, Settled):
                return

    def close(self) -> None:
        if self._child is None:
            return
        self._receiver.close()
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        self._child = None


def _child(plan: DemoPlan, chunk_size: int, sender: Connection) -> None:
    try:
        for item in produce(plan, chunk_size):
            sender.send_bytes(_encode(item))
    except BrokenPipeError:
        pass  # the parent stopped listening (interrupted); nothing left to tell
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            sender.send_bytes(_encode(exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            sender.send_bytes(_encode(RuntimeError(f"demo drawing failed: {exc!r}")))
    finally:
        sender.close()


def _encode(item: object) -> bytes:
    """A chunk (a list of plain tuples of numbers, strings and None) goes as marshal, a third
    cheaper than pickle to write; anything else (the settled state, an exception) as pickle."""
    if isinstance(item, list):
        return b"m" + marshal.dumps(item)
    return b"p" + pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(data: bytes) -> list[Drawn] | Settled | BaseException:
    body = memoryview(data)[1:]
    if data[:1] == b"m":
        return marshal.loads(body)  # type: ignore[no-any-return]
    return pickle.loads(body)  # type: ignore[no-any-return]
