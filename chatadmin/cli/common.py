"""What every command shares: the connection options, opening the back end, and errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from chatadmin.backend import Backend
from chatadmin.clock import Clock
from chatadmin.config import Settings, default_db_path
from chatadmin.errors import ChatAdminError
from chatadmin.text import visible_controls

F = TypeVar("F", bound=Callable[..., Any])

# option name -> Settings field
_CONNECTION = {
    "db": "db",
    "remote": "remote",
    "token": "token",
    "now": "now",
    "tz": "tz",
    "acting_as": "acting_as",
}


def connection_options(command: F) -> F:
    """``--db --remote --token --now --tz --as``, accepted before or after the command name."""
    options = [
        click.option("--db", help="SQLAlchemy URL or SQLite file of the local store [env CHATADMIN_DB]"),
        click.option("--remote", help="URL of a chatadmin server [env CHATADMIN_REMOTE]"),
        click.option("--token", help="bearer token for --remote [env CHATADMIN_TOKEN]"),
        click.option("--now", help="fixed 'now', ISO 8601 with offset [env CHATADMIN_NOW]"),
        click.option("--tz", help="reporting time zone, IANA name [env CHATADMIN_TZ]"),
        click.option("--as", "acting_as", help="acting user's agent id [env CHATADMIN_AS]"),
    ]
    for option in reversed(options):
        command = option(command)

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        given = ctx.ensure_object(dict).setdefault("connection", {})
        for name in _CONNECTION:
            value = kwargs.pop(name, None)
            if value is not None:
                given[name] = value
        return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def settings() -> Settings:
    ctx = click.get_current_context()
    given = ctx.ensure_object(dict).get("connection", {})
    try:
        return Settings(**{_CONNECTION[k]: v for k, v in given.items()})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ChatAdminError(f"bad setting {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def clock_from(config: Settings) -> Clock:
    return Clock.from_settings(config.tz, config.now)


def open_backend(config: Settings | None = None) -> Backend:
    """The configured back end: a server (``--remote``) or the local store (``--db``)."""
    config = config or settings()
    clock = clock_from(config)
    if config.remote:
        from chatadmin.store.remote import RemoteBackend

        return RemoteBackend(config.remote, token=config.token, clock=clock)
    from chatadmin.store.sql import SqlStore

    return SqlStore.open(config.db or str(default_db_path()), clock, acting_as=config.acting_as)


def fail(message: str, code: int = 2) -> None:
    """One line on stderr; messages may quote what a user typed, so controls are made visible."""
    click.echo(f"chatadmin: {visible_controls(message)}", err=True)
    sys.exit(code)


def handle_errors(command: F) -> F:
    """A user's mistake is one line on stderr and the contract's exit status, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ChatAdminError as exc:
            fail(exc.message, exc.exit_code)
        except ValueError as exc:
            fail(str(exc), 2)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)

    return wrapper  # type: ignore[return-value]
