"""Saved views on the command line: ``--view NAME`` for ``list`` and the console, and ``chatadmin views``."""

from __future__ import annotations

import shlex

import click

from chatadmin.backend import Backend
from chatadmin.cli.common import handle_errors
from chatadmin.text import visible_controls
from chatadmin.views import SETS, SavedView, ViewStore, resolve, to_table


def read_view(name: str) -> SavedView:
    """The saved view ``name`` (an unknown name or a broken file: exit 2, before any store is opened)."""
    return ViewStore().get(name)


def resolved(view: SavedView, backend: Backend) -> SavedView:
    """``view`` without the groups and agents that are gone, each said on stderr as a warning."""
    if not (view.filters.groups or view.filters.agents):
        return view
    groups = [g.id for g in backend.list_groups()] if view.filters.groups else []
    agents = [a.id for a in backend.list_agents()] if view.filters.agents else []
    view, warnings = resolve(view, groups, agents)
    for warning in warnings:
        click.echo(f"chatadmin: warning: {warning}", err=True)
    return view


def as_flags(view: SavedView) -> str:
    """The view as the ``chatadmin list`` options that give the same list."""
    table = to_table(view)
    flags = [f"--sort {table.pop('sort')}"]
    for key, value in table.items():
        values = value if key in SETS else [value]
        flags += [f"--{key} {shlex.quote(visible_controls(str(v)))}" for v in values]
    return " ".join(flags)



@click.group("views", invoke_without_command=True)
@click.pass_context
@handle_errors
def views_group(ctx: click.Context) -> None:
    """Saved views (saved from the console): list them, or delete one."""
    if ctx.invoked_subcommand is not None:
        return
    store = ViewStore()
    views = store.load()
    if not views:
        click.echo(f"no saved views yet (the console saves them: ctrl+s); they live in {store.path}")
        return
    width = max(len(name) for name in views)
    for name, view in views.items():
        click.echo(f"{visible_controls(name).ljust(width)}  {as_flags(view)}")


@views_group.command("delete")
@click.argument("name")
@handle_errors
def delete_view(name: str) -> None:
    """Delete the saved view NAME."""
    ViewStore().delete(name)
    click.echo(f"deleted the view {visible_controls(name)!r}")
