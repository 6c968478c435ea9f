"""The console's modal screens: the row menu, details, transfer, tags, help and errors.

Each screen is imported when first asked for (PEP 562), not with the package: the console
imports ``chatadmin.screens.common`` and the app's mixins at start, and the screens' own
imports (phone formatting, timelines, forms) are no part of the first frame.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatadmin.screens.details import DetailsScreen
    from chatadmin.screens.error import ErrorScreen
    from chatadmin.screens.help import HelpEntry, HelpScreen, help_entries
    from chatadmin.screens.row_menu import RowMenuScreen, menu_actions
    from chatadmin.screens.tags import TagsScreen
    from chatadmin.screens.transfer import TransferScreen

_WHERE = {
    "DetailsScreen": "details",
    "ErrorScreen": "error",
    "HelpEntry": "help",
    "HelpScreen": "help",
    "help_entries": "help",
    "RowMenuScreen": "row_menu",
    "menu_actions": "row_menu",
    "TagsScreen": "tags",
    "TransferScreen": "transfer",
}

__all__ = [
    "DetailsScreen",
    "ErrorScreen",
    "HelpEntry",
    "HelpScreen",
    "RowMenuScreen",
    "TagsScreen",
    "TransferScreen",
    "help_entries",
    "menu_actions",
]


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
