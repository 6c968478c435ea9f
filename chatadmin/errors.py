"""Errors a user can cause, each with the command line's exit status."""

from __future__ import annotations


class ChatAdminError(Exception):
    """Base of every error shown to a user as one clear line."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ChatAdminError):
    exit_code = 2
    code = "invalid_input"


class NotFound(ChatAdminError):
    exit_code = 2
    code = "not_found"


class PermissionDenied(ChatAdminError):
    exit_code = 3
    code = "forbidden"


class Conflict(ChatAdminError):
    """The object changed since it was read; nothing was changed."""

    exit_code = 4
    code = "conflict"


class BackendUnavailable(ChatAdminError):
    """The store or server could not be reached."""

    exit_code = 1
    code = "unavailable"


class Interrupted(ChatAdminError):
    """A read was stopped by its caller (a count that a newer one made useless); nothing changed."""

    exit_code = 1
    code = "interrupted"
