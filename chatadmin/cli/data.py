"""Commands that move whole stores: import, export, demo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chatadmin.cli.common import clock_from, connection_options, handle_errors, settings
from chatadmin.config import default_db_path, demo_db_path
from chatadmin.errors import ChatAdminError, InvalidInput


def _local_store(what: str):  # type: ignore[no-untyped-def]
    from chatadmin.store.sql import SqlStore

    config = settings()
    if config.remote:
        raise ChatAdminError(f"{what} works on a local store (--db), not on a server (--remote)")
    return SqlStore.open(config.db or str(default_db_path()), clock_from(config), acting_as=config.acting_as)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@connection_options
@handle_errors
def import_command(file: str) -> None:
    """Load NDJSON (``-`` = stdin): all of it, or nothing when any line is invalid."""
    from chatadmin.store.load import import_ndjson

    store = _local_store("import")
    try:
        if file == "-":
            summary = import_ndjson(store.engine, sys.stdin, "<stdin>")
        else:
            path = Path(file)
            try:
                handle = path.open(encoding="utf-8", newline="")
            except OSError as exc:
                raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
            with handle:
                summary = import_ndjson(store.engine, handle, file)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{file}: not UTF-8 text ({exc.reason})") from None
    finally:
        store.dispose()
    click.echo(f"imported {summary}", err=True)


@click.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@connection_options
@handle_errors
def export_command(file: str | None) -> None:
    """Write the whole store as NDJSON (stdout by default)."""
    from chatadmin.store.dump import export_ndjson

    store = _local_store("export")
    try:
        if file in (None, "-"):
            export_ndjson(store.engine, sys.stdout)
            sys.stdout.flush()
        else:
            target = Path(file)
            partial = target.with_name(target.name + ".partial")
            try:
                with partial.open("w", encoding="utf-8", newline="\n") as out:
                    export_ndjson(store.engine, out)
                partial.replace(target)
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise InvalidInput(f"cannot write {file}: {exc.strerror}") from None
    finally:
        store.dispose()


@click.command("demo")
@click.option("--conversations", type=click.IntRange(min=1), default=2000, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--no-console", is_flag=True, help="create the store and print its metrics; do not open the console")
@connection_options
@handle_errors
def demo_command(conversations: int, seed: int, no_console: bool) -> None:
    """Create a realistic demo store if there is none, then open the console on it."""
    from chatadmin.cli.output import console, metrics_table
    from chatadmin.demo import create_demo_store, demo_exists
    from chatadmin.store.engine import database_url
    from chatadmin.store.sql import SqlStore

    config = settings()
    if config.remote:
        raise ChatAdminError("demo creates a local store; drop --remote")
    url = database_url(config.db or str(demo_db_path()))
    clock = clock_from(config)
    if not demo_exists(url):
        from chatadmin.demo import rich_progress

        with rich_progress(f"Creating a demo store with {conversations:,} conversations") as progress:
            create_demo_store(url, conversations=conversations, seed=seed, now=clock.now(), zone=clock.zone, progress=progress)
    store = SqlStore.open(url, clock, acting_as=config.acting_as)
    if no_console or not (sys.stdin.isatty() and sys.stdout.isatty()):
        try:
            out = console()
            out.print(f"demo store: {store.location}")
            out.print(metrics_table(store.metrics()))
        finally:
            store.dispose()
        return
    from chatadmin.console import run_console

    run_console(store, refresh_seconds=config.refresh_seconds, keymap=config.keymap, thresholds=config.thresholds)
