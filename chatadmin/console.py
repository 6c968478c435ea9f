"""Opening the console on a backend: what ``chatadmin`` and ``chatadmin demo`` call."""

from __future__ import annotations

import os
from collections.abc import Mapping

from chatadmin.backend import Backend
from chatadmin.views import SavedView
from chatadmin.waiting import WaitThresholds

# Textual paints a frame at most once per tick of 1/TEXTUAL_FPS seconds (60 a second unless
# set), and a frame that follows another waits for the next tick, two after a slow frame.
# Typing in the search paints the letter, then the rows a few milliseconds later: at 60 they
# waited up to 17-33 ms for their tick, at 120 up to 8-17. Frames are only painted when
# something changed, so an idle console costs nothing more.
FRAMES_PER_SECOND = 120


def prepare_textual() -> None:
    """Settings Textual reads when it is first imported (a user's own TEXTUAL_FPS wins)."""
    os.environ.setdefault("TEXTUAL_FPS", str(FRAMES_PER_SECOND))


def run_console(
    backend: Backend,
    *,
    refresh_seconds: float = 5.0,
    keymap: Mapping[str, str] | None = None,
    view: SavedView | None = None,
    thresholds: Mapping[str, WaitThresholds] | None = None,
) -> None:
    """Run the console until the user quits, then release the backend.

    ``keymap`` maps binding ids (``table.down``, ``app.search``, …) to other keys; ``view``
    is a saved view to open on; ``thresholds`` colour the time without response, per group id.
    """
    prepare_textual()
    from chatadmin.app import ChatAdminApp

    app = ChatAdminApp(backend, refresh_seconds=refresh_seconds, view=view, thresholds=thresholds)
    if keymap:
        app.set_keymap(dict(keymap))
    try:
        app.run()
    finally:
        backend.dispose()
