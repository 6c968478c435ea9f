"""Opening the console on a backend: what ``chatadmin`` and ``chatadmin demo`` call."""

from __future__ import annotations

from collections.abc import Mapping

from chatadmin.backend import Backend
from chatadmin.views import SavedView
from chatadmin.waiting import WaitThresholds


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
    from chatadmin.app import ChatAdminApp

    app = ChatAdminApp(backend, refresh_seconds=refresh_seconds, view=view, thresholds=thresholds)
    if keymap:
        app.set_keymap(dict(keymap))
    try:
        app.run()
    finally:
        backend.dispose()
