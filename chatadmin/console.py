"""Opening the console on a backend: what ``chatadmin`` and ``chatadmin demo`` call."""

from __future__ import annotations

from collections.abc import Mapping

from chatadmin.backend import Backend


def run_console(backend: Backend, *, refresh_seconds: float = 5.0, keymap: Mapping[str, str] | None = None) -> None:
    """Run the console until the user quits; ``keymap`` maps binding ids to other keys."""
    from chatadmin.app import ChatAdminApp

    app = ChatAdminApp(backend, refresh_seconds=refresh_seconds)
    if keymap:
        app.set_keymap(dict(keymap))
    app.run()
