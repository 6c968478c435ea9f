"""``chatadmin keys``: every key of the console by binding id, for the ``keymap`` setting."""

from __future__ import annotations

import click

from chatadmin.cli.common import handle_errors, settings


@click.command("keys")
@handle_errors
def keys_command() -> None:
    """Every key of the console, by binding id: remap them in the config file's [keymap] table."""
    from chatadmin.config import config_file
    from chatadmin.screens.keymap import console_bindings, unknown_ids

    keymap = settings().keymap
    bindings = console_bindings()
    width = max(len(b.id) for b in bindings)
    keys_width = max(len(keymap.get(b.id, b.keys)) for b in bindings)
    for bound in bindings:
        keys = keymap.get(bound.id, bound.keys)
        mark = "*" if bound.id in keymap else " "
        click.echo(f"{bound.id.ljust(width)}  {mark}{keys.ljust(keys_width)}  {bound.description} ({bound.where})")
    click.echo(f"\n* remapped in {config_file()}, e.g.  [keymap]  \"table.down\" = \"n,down\"")
    for unknown in unknown_ids(keymap, bindings):
        click.echo(f"chatadmin: warning: the keymap names {unknown!r}, which no key binding is called", err=True)
