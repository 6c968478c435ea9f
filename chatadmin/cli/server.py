"""Commands of the HTTP server: ``serve``, and ``token create|list|revoke`` for its bearer tokens."""

from __future__ import annotations

import click
from rich.table import Table

from chatadmin.cli import output
from chatadmin.cli.common import clock_from, connection_options, handle_errors, settings
from chatadmin.clock import Clock, format_instant
from chatadmin.config import Settings, default_db_path
from chatadmin.errors import ChatAdminError


def _database(what: str) -> tuple[Settings, str, Clock]:
    config = settings()
    if config.remote:
        raise ChatAdminError(f"{what} works on a database (--db), not through a server (--remote)")
    return config, config.db or str(default_db_path()), clock_from(config)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (loopback: this machine only)")
@click.option("--port", default=8750, show_default=True, type=click.IntRange(0, 65535), help="port (0: any free one)")
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info", show_default=True
)
@connection_options
@handle_errors
def serve_command(host: str, port: int, log_level: str) -> None:
    """Serve the store over HTTP to consoles and commands run with --remote and a token.

    Each request acts as its token's agent, within that agent's role. CHATADMIN_NOW and
    CHATADMIN_TZ set the server's clock and default reporting zone.
    """
    from chatadmin.server.run import serve

    _, db, clock = _database("serve")
    serve(db, clock, host, port, log_level)


@click.group("token")
def token_group() -> None:
    """Bearer tokens of the HTTP server (only their hashes are stored)."""


def _store(what: str):  # type: ignore[no-untyped-def]
    from chatadmin.store.sql import SqlStore

    _, db, clock = _database(what)
    return SqlStore.open(db, clock), clock


@token_group.command("create")
@click.argument("agent", required=False)
@click.option("--operator", is_flag=True, help="act as the local administrator instead of an agent (for automation)")
@click.option("--name", "label", default="", help="what the token is for, shown by token list")
@connection_options
@handle_errors
def token_create(agent: str | None, operator: bool, label: str) -> None:
    """Create a token acting as AGENT; it is printed once, here, and never again."""
    from chatadmin.server.tokens import create_token

    if (agent is None) == (not operator):
        raise ChatAdminError("name the AGENT the token acts as, or give --operator (not both)")
    store, clock = _store("token create")
    try:
        info, token = create_token(store.engine, clock, agent, label)
    finally:
        store.dispose()
    if info.role == "agent":
        click.echo(f"chatadmin: note: {agent} has the agent role, so the server refuses its requests (403)", err=True)
    click.echo(f"created token {info.id} for {agent or 'the operator'}; store it now, it is not shown again:", err=True)
    click.echo(token)


@token_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@connection_options
@handle_errors
def token_list(fmt: str) -> None:
    """Every token: id, agent, name, when created, last used and revoked (never the token)."""
    from chatadmin.server.tokens import list_tokens

    store, _ = _store("token list")
    try:
        tokens = list_tokens(store.engine)
    finally:
        store.dispose()

    def when(value):  # type: ignore[no-untyped-def]
        return None if value is None else format_instant(value)

    if fmt == "json":
        click.echo(
            output.to_json(
                [
                    {
                        "id": t.id,
                        "agent": t.agent,
                        "role": t.role,
                        "name": t.name,
                        "created_at": when(t.created_at),
                        "last_used_at": when(t.last_used_at),
                        "revoked_at": when(t.revoked_at),
                    }
                    for t in tokens
                ],
                indent=2,
            )
        )
        return
    table = Table(header_style="bold", pad_edge=False)
    for name in ("Id", "Acts as", "Role", "Name", "Created", "Last used", "Revoked"):
        table.add_column(name)
    for t in tokens:
        table.add_row(
            t.id,
            output.cell(t.agent or "(operator)"),
            t.role,
            output.cell(t.name or None),
            when(t.created_at),
            when(t.last_used_at) or "—",
            when(t.revoked_at) or "—",
        )
    output.console().print(table)


@token_group.command("revoke")
@click.argument("handle", metavar="TOKEN")
@connection_options
@handle_errors
def token_revoke(handle: str) -> None:
    """Revoke TOKEN (its id from token list, or the token itself): refused from the next request on."""
    from chatadmin.server.tokens import revoke_token

    store, clock = _store("token revoke")
    try:
        info = revoke_token(store.engine, clock, handle)
    finally:
        store.dispose()
    click.echo(f"revoked token {info.id} ({info.agent or 'operator'})", err=True)
