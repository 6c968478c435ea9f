"""Seeing frames: apps that note every frame they paint, and waits for the first frame showing a state.

A benchmark arms a :class:`Expectation` *before* it acts (a key press, a new filter), then
awaits it: the answer is the time of the first frame painted while ``predicate()`` held, so
the figure runs from the action to the frame that shows its result, with the real workers in
between and no sleeps. Headless, Textual computes each frame but writes no bytes; here the
frame is also turned into the terminal's bytes, which a real terminal would be sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App


class Expectation:
    """A state to wait for: resolved with the perf_counter time of the first frame showing it."""

    def __init__(self, predicate: Callable[[], bool]) -> None:
        self.predicate = predicate
        self.future: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    async def wait(self, timeout: float = 120.0) -> float:
        return await asyncio.wait_for(asyncio.shield(self.future), timeout)


class FrameWatch:
    """Counts the frames an app paints and resolves expectations on them."""

    def __init__(self) -> None:
        self.frames = 0
        self.last_frame = 0.0
        self._expected: list[Expectation] = []

    def expect(self, predicate: Callable[[], bool]) -> Expectation:
        expectation = Expectation(predicate)
        self._expected.append(expectation)
        return expectation

    def painted(self) -> None:
        now = time.perf_counter()
        self.frames += 1
        self.last_frame = now
        for expectation in list(self._expected):
            if expectation.future.done():
                self._expected.remove(expectation)
            elif expectation.predicate():
                expectation.future.set_result(now)
                self._expected.remove(expectation)


class MeasuredApp(App[Any]):
    """Mix in before an App class: every painted frame reaches ``self.frame_watch``."""

    frame_watch: FrameWatch

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is None or self._batch_count:
            return
        if self.is_headless and hasattr(renderable, "render_segments"):
            renderable.render_segments(self.console)
        self.frame_watch.painted()


async def timed(watch: FrameWatch, predicate: Callable[[], bool], act: Callable[[], Any], timeout: float = 120.0) -> float:
    """Seconds from ``act()`` to the first frame on which ``predicate()`` holds."""
    expectation = watch.expect(predicate)
    start = time.perf_counter()
    result = act()
    if asyncio.iscoroutine(result):
        await result
    return await expectation.wait(timeout) - start
