"""Commands on conversations: list, metrics, show, transfer, note, close, reopen, unassign, tag."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from chatadmin.cli import output
from chatadmin.cli.common import connection_options, handle_errors, open_backend
from chatadmin.cli.views import read_view, resolved
from chatadmin.clock import format_instant
from chatadmin.domain import ConversationDetail, ConversationFilter, Sort, Status
from chatadmin.durations import parse_duration
from chatadmin.errors import InvalidInput
from chatadmin.list_output import WRITERS
from chatadmin.phones import format_phone
from chatadmin.text import strip_controls
from chatadmin.views import overlay

TABLE_LIMIT = 100


def _date(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{flag} takes a date like 2026-11-24, not {text!r}") from None


def _duration(text: str | None, flag: str) -> int | None:
    if text is None:
        return None
    try:
        return parse_duration(text)  # which refuses more than 68 years
    except InvalidInput as exc:
        raise InvalidInput(f"{flag}: {exc.message}") from None


def build_filter(options: dict[str, Any]) -> ConversationFilter:
    """The contract's list filters, from command-line values."""
    ratings = set()
    for value in options.get("rating") or ():
        if not value.isdigit() or not 1 <= int(value) <= 5:
            raise InvalidInput(f"--rating takes 1 to 5, not {value!r}")
        ratings.add(int(value))
    return ConversationFilter(
        search=options.get("search"),
        statuses=frozenset(Status.parse(s) for s in options.get("status") or ()),
        groups=frozenset(options.get("group") or ()),
        agents=frozenset(options.get("agent") or ()),
        countries=frozenset(options.get("country") or ()),
        tags=frozenset(options.get("tag") or ()),
        ratings=frozenset(ratings),
        created_from=_date(options.get("date_from"), "--from"),
        created_to=_date(options.get("date_to"), "--to"),
        no_response_over=_duration(options.get("no_response_over"), "--no-response-over"),
        inactive_over=_duration(options.get("inactive_over"), "--inactive-over"),
        response_creation_over=_duration(options.get("response_creation_over"), "--response-creation-over"),
        response_assignment_over=_duration(options.get("response_assignment_over"), "--response-assignment-over"),
    )


def filter_options(command: Any) -> Any:
    options = [
        click.option("--search", help="customer name (any case, any accents) or digits of the number"),
        click.option("--status", multiple=True, help="open|in_progress|closed (unassigned|assigned|completed)"),
        click.option("--group", multiple=True, help="group id"),
        click.option("--agent", multiple=True, help="agent id"),
        click.option("--country", multiple=True, help="ISO 3166-1 alpha-2 code, e.g. MX"),
        click.option("--tag", multiple=True, help="tag"),
        click.option("--from", "date_from", metavar="DATE", help="created on or after DATE (reporting zone)"),
        click.option("--to", "date_to", metavar="DATE", help="created on or before DATE (reporting zone)"),
        click.option("--no-response-over", metavar="DUR", help="customer waiting longer than DUR, e.g. 15m"),
        click.option("--inactive-over", metavar="DUR", help="no message for longer than DUR"),
        click.option("--response-creation-over", metavar="DUR", help="response time (creation) over DUR"),
        click.option("--response-assignment-over", metavar="DUR", help="response time (assignment) over DUR"),
        click.option("--rating", multiple=True, metavar="N", help="rating 1-5"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("list")
@filter_options
@click.option(
    "--sort", "sort_text", metavar="COL[:asc|desc]", help="order of the rows  [default: created_at:desc, or the view's]"
)
@click.option("--limit", type=click.IntRange(min=0), help="at most N rows (table: 100 unless given)")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "ndjson", "csv"]), default="table", show_default=True
)
@click.option("--view", "view_name", metavar="NAME", help="start from a saved view; the filters given here replace its own")
@connection_options
@handle_errors
def list_command(sort_text: str | None, limit: int | None, fmt: str, view_name: str | None, **options: Any) -> None:
    """The conversation list, filtered and sorted."""
    filters = build_filter(options)
    sort = Sort.parse(sort_text) if sort_text else None
    view = read_view(view_name) if view_name is not None else None
    backend = open_backend()
    try:
        if view is not None:
            view = resolved(view, backend)
            filters, sort = overlay(view.filters, filters), sort or view.sort
        sort = sort or Sort()
        if fmt == "table":
            shown = TABLE_LIMIT if limit is None else limit
            rows = list(backend.iter_conversations(filters, sort, limit=shown))
            total = backend.count_conversations(filters)
            console = output.console()
            console.print(output.conversation_table(rows, output.backend_zone(backend), width=console.width))
            console.print(f"{len(rows)} of {total} conversations")
            return
        WRITERS[fmt](backend.iter_conversations(filters, sort, limit=limit), sys.stdout)
    finally:
        backend.dispose()


@click.command("metrics")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@connection_options
@handle_errors
def metrics_command(fmt: str) -> None:
    """The four metrics: unassigned, active, completed today, highest-load group today."""
    backend = open_backend()
    try:
        metrics = backend.metrics()
    finally:
        backend.dispose()
    if fmt == "json":
        click.echo(output.to_json(output.metrics_json(metrics)))
    else:
        output.console().print(output.metrics_table(metrics))


def detail_json(detail: ConversationDetail) -> dict[str, Any]:
    return {
        "id": detail.row.id,
        "messages": [
            {"at": format_instant(m.at), "from": m.sender.value, "agent": m.agent, "text": m.text}
            for m in detail.messages
        ],
        "notes": [{"at": format_instant(n.at), "author": n.author, "text": n.text} for n in detail.notes],
        "events": [
            {"at": format_instant(e.at), "kind": e.kind.value, "actor": e.actor, "to_agent": e.to_agent, "to_group": e.to_group}
            for e in detail.events
        ],
    }


def detail_text(detail: ConversationDetail, zone: Any) -> str:
    row = detail.row
    def clean(text: str) -> str:
        return strip_controls(text)
    lines = [
        f"{row.id}  {format_phone(row.customer_phone)}  {clean(row.customer_name)}",
        f"status {row.status.value}  agent {row.agent or '—'}  group {row.group or '—'}  "
        f"country {row.country or '—'}  tags {clean(', '.join(row.tags)) or '—'}",
    ]
    if row.rating is not None:
        comment = f" “{clean(detail.rating_comment)}”" if detail.rating_comment else ""
        lines.append(f"rating {row.rating}/5{comment}")
    timeline: list[tuple[Any, int, str]] = []
    for m in detail.messages:
        who = f"agent {m.agent_name or m.agent}" if m.agent else m.sender.value
        timeline.append((m.at, 0, f"{output.local_time(m.at, zone)}  {clean(who)}: {clean(m.text)}"))
    for e in detail.events:
        moved = " → ".join(filter(None, [e.to_agent, e.to_group])) or ""
        rule = f" by {e.rule}" if e.rule else ""
        timeline.append((e.at, 1, f"{output.local_time(e.at, zone)}  · {e.kind.value} {moved}{rule} ({clean(e.actor)})"))
    lines.append("")
    lines.append("Conversation")
    lines.extend(text for _, _, text in sorted(timeline, key=lambda t: (t[0], t[1])))
    lines.append("")
    lines.append("Notes")
    lines.extend(
        f"{output.local_time(n.at, zone)}  {clean(n.author_name or n.author)}: {clean(n.text)}" for n in detail.notes
    )
    if not detail.notes:
        lines.append("(none)")
    return "\n".join(lines)


@click.command("show")
@click.argument("conversation_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@connection_options
@handle_errors
def show_command(conversation_id: str, fmt: str) -> None:
    """History, notes and events of one conversation."""
    backend = open_backend()
    try:
        detail = backend.conversation_detail(conversation_id)
        zone = output.backend_zone(backend)
    finally:
        backend.dispose()
    if fmt == "json":
        click.echo(output.to_json(detail_json(detail)))
    else:
        click.echo(detail_text(detail, zone))


@click.command("transfer")
@click.argument("conversation_id")
@click.option("--group", required=True, help="target group (with --agent: one of the agent's groups)")
@click.option("--agent", help="target agent (else routing picks one, or the chat waits in the queue)")
@click.option("--expect-version", type=int, help="refuse (exit 4) if the conversation changed since this version")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@connection_options
@handle_errors
def transfer_command(
    conversation_id: str, group: str, agent: str | None, expect_version: int | None, fmt: str
) -> None:
    """Transfer to a group (routing picks the agent) or to an agent in one of their groups."""
    backend = open_backend()
    try:
        result = backend.transfer(conversation_id, group, agent, expected_version=expect_version)
    finally:
        backend.dispose()
    if fmt == "json":
        click.echo(output.to_json({"id": result.id, "agent": result.agent, "group": result.group, "status": result.status.value}))
    elif result.agent:
        warning = " (over their cap)" if result.over_cap else ""
        click.echo(f"{result.id} → {result.agent} in {result.group}{warning}")
    else:
        click.echo(f"{result.id} waits in the {result.group} queue")


@click.command("note")
@click.argument("conversation_id")
@click.argument("text")
@connection_options
@handle_errors
def note_command(conversation_id: str, text: str) -> None:
    """Add a note to a conversation as the acting user."""
    backend = open_backend()
    try:
        note = backend.add_note(conversation_id, text)
    finally:
        backend.dispose()
    click.echo(f"note added to {conversation_id} by {note.author}")


def _state_command(name: str, method: str, summary: str) -> click.Command:
    @click.command(name, help=summary)
    @click.argument("conversation_id")
    @click.option("--expect-version", type=int, help="refuse (exit 4) if the conversation changed since")
    @connection_options
    @handle_errors
    def command(conversation_id: str, expect_version: int | None) -> None:
        backend = open_backend()
        try:
            row = getattr(backend, method)(conversation_id, expected_version=expect_version)
        finally:
            backend.dispose()
        click.echo(f"{row.id} is {row.status.value}")

    return command


close_command = _state_command("close", "close_conversation", "Close (complete) a conversation.")
reopen_command = _state_command("reopen", "reopen_conversation", "Reopen a closed conversation.")
unassign_command = _state_command("unassign", "unassign_conversation", "Take a conversation from its agent; it waits in its group's queue.")


@click.command("tag")
@click.argument("conversation_id")
@click.option("--add", "add", multiple=True, help="tag to add")
@click.option("--remove", "remove", multiple=True, help="tag to remove")
@click.option("--set", "set_", multiple=True, help="replace all tags with these")
@connection_options
@handle_errors
def tag_command(conversation_id: str, add: tuple[str, ...], remove: tuple[str, ...], set_: tuple[str, ...]) -> None:
    """Change a conversation's tags."""
    backend = open_backend()
    try:
        row = backend.get_conversation(conversation_id)
        tags = set(set_) if set_ else set(row.tags)
        tags |= set(add)
        tags -= set(remove)
        row = backend.set_tags(conversation_id, sorted(tags), expected_version=row.version)
    finally:
        backend.dispose()
    click.echo(f"{row.id} tags: {strip_controls(', '.join(row.tags)) or '(none)'}")
