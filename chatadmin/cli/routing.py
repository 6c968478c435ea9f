"""Commands for the routing configuration: rules per group, agents' availability and caps."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from chatadmin.backend import UNSET, Backend
from chatadmin.cli import output
from chatadmin.cli.common import connection_options, handle_errors, open_backend
from chatadmin.domain import MAX_CAP, RoutingConfig, RoutingRule
from chatadmin.errors import InvalidInput
from chatadmin.routing.changes import MAX_LOG, describe
from chatadmin.text import one_line


@click.group("routing")
def routing_group() -> None:
    """Per-group assignment rules."""


@routing_group.command("show")
@click.argument("group", required=False)
@click.option(
    "--log", "show_log", is_flag=True, help="the audit trail of routing changes instead (GROUP's only, when given)"
)
@click.option(
    "--limit", type=click.IntRange(1, MAX_LOG), default=20, show_default=True, help="with --log: the newest N changes"
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@connection_options
@handle_errors
def routing_show(group: str | None, show_log: bool, limit: int, fmt: str) -> None:
    """Each group's rule, options, queue and members; or, with --log, who changed what and when."""
    backend = open_backend()
    try:
        if show_log:
            _show_log(backend, group, limit, fmt)
            return
        groups = backend.list_groups()
        agents = {a.id: a for a in backend.list_agents()}
    finally:
        backend.dispose()
    if group is not None:
        groups = [g for g in groups if g.id == group]
        if not groups:
            raise InvalidInput(f"unknown group {group!r}")
    if fmt == "json":
        click.echo(output.to_json([g.model_dump(mode="json") for g in groups], indent=2))
        return
    table = Table(header_style="bold", pad_edge=False)
    for name in ("Group", "Rule", "Only available", "Sticky", "Queue", "Members (load/cap)"):
        table.add_column(name)
    for g in groups:
        members = Text()
        for index, member_id in enumerate(g.members):
            agent = agents.get(member_id)
            if index:
                members.append(", ")
            if agent is None:
                members.append(one_line(member_id))
                continue
            cap = "∞" if agent.max_active is None else str(agent.max_active)
            members.append(f"{one_line(member_id)} {agent.load}/{cap}", style=None if agent.available else "dim")
            if not agent.available:
                members.append(" (away)", style="dim")
        table.add_row(
            Text(f"{one_line(g.id)} ({one_line(g.name)})"),
            g.routing.rule.value,
            "yes" if g.routing.only_available else "no",
            "yes" if g.routing.sticky else "no",
            str(g.queue_length),
            members,
        )
    output.console().print(table)


def _show_log(backend: Backend, group: str | None, limit: int, fmt: str) -> None:
    changes = backend.routing_log(group=group, limit=limit)
    if fmt == "json":
        click.echo(output.to_json([c.model_dump(mode="json") for c in changes], indent=2))
        return
    zone = output.backend_zone(backend)
    table = Table(header_style="bold", pad_edge=False)
    for name in ("When", "Actor", "Change"):
        table.add_column(name)
    for change in changes:
        table.add_row(
            output.local_time(change.at, zone), Text(one_line(change.actor)), Text(one_line(describe(change)))
        )
    if not changes:
        click.echo("no routing changes yet" + (f" in {one_line(group)}" if group else ""))
        return
    output.console().print(table)


@routing_group.command("set")
@click.argument("group")
@click.option("--rule", type=click.Choice([r.value for r in RoutingRule]), help="assignment rule")
@click.option("--only-available/--any", "only_available", default=None, help="route only to available agents")
@click.option("--sticky/--no-sticky", default=None, help="give the customer's previous agent the chat when eligible")
@connection_options
@handle_errors
def routing_set(group: str, rule: str | None, only_available: bool | None, sticky: bool | None) -> None:
    """Set a group's routing rule and options (the options not given keep their value)."""
    backend = open_backend()
    try:
        current = next((g for g in backend.list_groups() if g.id == group), None)
        if current is None:
            raise InvalidInput(f"unknown group {group!r}")
        config = RoutingConfig(
            rule=RoutingRule(rule) if rule else current.routing.rule,
            only_available=current.routing.only_available if only_available is None else only_available,
            sticky=current.routing.sticky if sticky is None else sticky,
        )
        updated = backend.set_routing(group, config)
    finally:
        backend.dispose()
    r = updated.routing
    click.echo(
        f"{one_line(updated.id)}: {r.rule.value}, {'only available' if r.only_available else 'any'} agents, "
        f"{'sticky' if r.sticky else 'not sticky'}; {updated.queue_length} waiting"
    )


@click.group("agent")
def agent_group() -> None:
    """Agents' availability, caps and groups."""


def _cap(text: str | None) -> int | None:
    if text is None or text.lower() == "none":
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_CAP:
        raise InvalidInput(f"--max-active takes a number from 0 to {MAX_CAP} or none, not {text!r}")
    return int(text)


@agent_group.command("set")
@click.argument("agent")
@click.option("--available/--unavailable", default=None, help="whether routing may give them chats")
@click.option("--max-active", metavar="N|none", help="cap on in-progress chats (none: no cap)")
@click.option("--add-group", multiple=True, metavar="G", help="make them a member of G")
@click.option("--remove-group", multiple=True, metavar="G", help="remove them from G")
@connection_options
@handle_errors
def agent_set(
    agent: str,
    available: bool | None,
    max_active: str | None,
    add_group: tuple[str, ...],
    remove_group: tuple[str, ...],
) -> None:
    """Change an agent's availability, cap or groups (freed capacity drains queues)."""
    backend = open_backend()
    try:
        updated = backend.set_agent(
            agent,
            available=available,
            max_active=UNSET if max_active is None else _cap(max_active),
            add_groups=add_group,
            remove_groups=remove_group,
        )
    finally:
        backend.dispose()
    cap = "no cap" if updated.max_active is None else f"cap {updated.max_active}"
    state = "available" if updated.available else "unavailable"
    groups = one_line(", ".join(updated.groups)) or "—"
    click.echo(f"{one_line(updated.id)}: {state}, load {updated.load}, {cap}, groups {groups}")


@agent_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@connection_options
@handle_errors
def agent_list(fmt: str) -> None:
    """Every agent with role, availability, load against cap and groups."""
    backend = open_backend()
    try:
        agents = backend.list_agents()
    finally:
        backend.dispose()
    if fmt == "json":
        click.echo(output.to_json([a.model_dump(mode="json") for a in agents], indent=2))
        return
    table = Table(header_style="bold", pad_edge=False)
    for name in ("Agent", "Name", "Role", "Available", "Load/cap", "Groups"):
        table.add_column(name)
    for a in agents:
        cap = "∞" if a.max_active is None else str(a.max_active)
        table.add_row(
            Text(one_line(a.id)),
            Text(one_line(a.name)),
            a.role.value,
            "yes" if a.available else "no",
            f"{a.load}/{cap}",
            Text(one_line(", ".join(a.groups))),
        )
    output.console().print(table)
