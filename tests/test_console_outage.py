"""The console on a server that goes away and comes back: it says so, keeps its rows, recovers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from chatadmin.app import ChatAdminApp
from chatadmin.widgets.metrics import MetricsBar

from .console_fixtures import settle, wait_until
from .server_process import Served, served  # noqa: F401 - fixture

pytestmark = pytest.mark.anyio


async def pause_until(pilot: Pilot[object], condition: Callable[[], bool], seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never held")


async def test_an_outage_is_shown_the_rows_stay_and_the_console_recovers(served: Served) -> None:  # noqa: F811
    backend = served.remote("ana", backoff=0.01)
    app = ChatAdminApp(backend, refresh_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        metrics = app.query_one(MetricsBar)
        await wait_until(pilot, lambda: app.table.total == 4 and metrics.metrics is not None)
        shown = app.table.total

        served.server.kill()
        # polls now fail by design: wait by pausing (settling would re-raise their errors)
        await pause_until(pilot, lambda: metrics.stale)
        assert app.is_running
        assert app.table.total == shown  # the last data stays on screen
        assert "did not answer" in str(metrics.render())

        served.server.start()  # the same port
        await pause_until(pilot, lambda: not metrics.stale)
        assert "did not answer" not in str(metrics.render())
        # and it acts again: a note goes through the same back end
        assert backend.add_note("s-1", "back").author == "ana"
