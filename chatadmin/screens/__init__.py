"""The console's modal screens: the row menu, details, transfer, tags, help and errors."""

from chatadmin.screens.details import DetailsScreen
from chatadmin.screens.error import ErrorScreen
from chatadmin.screens.help import HelpEntry, HelpScreen, help_entries
from chatadmin.screens.row_menu import RowMenuScreen, menu_actions
from chatadmin.screens.tags import TagsScreen
from chatadmin.screens.transfer import TransferScreen

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
