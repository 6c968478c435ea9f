"""The ``chatadmin`` command line: the console, and every headless command of the contract."""

from __future__ import annotations

import click

from chatadmin import __version__
from chatadmin.cli.common import connection_options, handle_errors, open_backend, settings
from chatadmin.cli.conversations import (
    close_command,
    list_command,
    metrics_command,
    note_command,
    reopen_command,
    show_command,
    tag_command,
    transfer_command,
    unassign_command,
)
from chatadmin.cli.data import demo_command, export_command, import_command
from chatadmin.cli.keys import keys_command
from chatadmin.cli.routing import agent_group, routing_group
from chatadmin.cli.server import serve_command, token_group
from chatadmin.cli.views import read_view, views_group


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chatadmin")
@click.option("--view", "view_name", metavar="NAME", help="open the console on a saved view")
@connection_options
@click.pass_context
@handle_errors
def cli(ctx: click.Context, view_name: str | None) -> None:
    """Terminal console for the admin section of a WhatsApp agent platform.

    Without a command, opens the console on the configured store (--db) or server (--remote).
    """
    if ctx.invoked_subcommand is not None:
        if view_name is not None:
            raise click.UsageError("--view before a command opens the console; give it after the command (list --view NAME)")
        return
    from chatadmin.console import run_console

    view = read_view(view_name) if view_name is not None else None
    config = settings()
    backend = open_backend(config)
    run_console(
        backend, refresh_seconds=config.refresh_seconds, keymap=config.keymap, view=view, thresholds=config.thresholds
    )


for command in (
    list_command,
    metrics_command,
    show_command,
    transfer_command,
    note_command,
    close_command,
    reopen_command,
    unassign_command,
    tag_command,
    import_command,
    export_command,
    demo_command,
    routing_group,
    agent_group,
    views_group,
    keys_command,
):
    cli.add_command(command)
cli.add_command(serve_command)
cli.add_command(token_group)


def main() -> None:
    cli(prog_name="chatadmin")
