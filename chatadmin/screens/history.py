"""A conversation's messages, events and notes as timeline entries, with people's names."""

from __future__ import annotations

from collections.abc import Mapping

from chatadmin.domain import (
    SYSTEM_ACTOR,
    ConversationDetail,
    Event,
    EventKind,
    Message,
    Note,
    Principal,
    Sender,
)
from chatadmin.screens.layout import Entry

Names = Mapping[str, str]

# What the header calls the operator (a local store with no CHATADMIN_AS, or an operator token).
# Notes are only ever written by a person, so a note by "system" is theirs; events by "system"
# stay unnamed: routing's own assignments share that actor and cannot be told apart from them.
OPERATOR_NAME = Principal().name


def conversation_entries(detail: ConversationDetail, agents: Names, groups: Names) -> list[Entry]:
    """Messages and events interleaved by time (an event first when both share an instant)."""
    items: list[tuple[tuple[object, int, int], Entry]] = []
    for index, event in enumerate(detail.events):
        items.append(((event.at, 0, index), Entry(event.at, "event", text=describe_event(event, agents, groups))))
    for index, message in enumerate(detail.messages):
        items.append(((message.at, 1, index), message_entry(message, detail.row.customer_name, agents)))
    items.sort(key=lambda item: item[0])
    return [entry for _, entry in items]


def message_entry(message: Message, customer_name: str, agents: Names) -> Entry:
    if message.sender is Sender.CUSTOMER:
        who = customer_name.strip() or "Customer"
    elif message.sender is Sender.AGENT:
        who = message.agent_name or (agents.get(message.agent) if message.agent else None) or message.agent or "Agent"
    else:
        who = "System"
    return Entry(message.at, message.sender.value, who, message.text)


def note_entry(note: Note) -> Entry:
    if note.author == SYSTEM_ACTOR:
        who = OPERATOR_NAME
    else:
        who = note.author_name or note.author
    return Entry(note.at, "note", who, note.text)


def note_entries(detail: ConversationDetail) -> list[Entry]:
    return [note_entry(note) for note in detail.notes]


def describe_event(event: Event, agents: Names, groups: Names) -> str:
    """One sentence: what happened, to whom, by whom, by which routing rule."""

    def place(agent: str | None, group: str | None) -> str:
        agent_name = agents.get(agent, agent) if agent else None
        group_name = groups.get(group, group) if group else None
        if agent_name and group_name:
            return f"{agent_name} in {group_name}"
        if agent_name:
            return agent_name
        if group_name:
            return f"the {group_name} queue"
        return "no group"

    target = place(event.to_agent, event.to_group)
    origin = place(event.from_agent, event.from_group)
    if event.kind is EventKind.ASSIGNED:
        what = f"Assigned to {target}"
    elif event.kind is EventKind.TRANSFERRED:
        what = f"Transferred from {origin} to {target}" if event.from_agent or event.from_group else f"Transferred to {target}"
    elif event.kind is EventKind.UNASSIGNED:
        what = f"Unassigned from {origin}" if event.from_agent or event.from_group else "Unassigned"
    elif event.kind is EventKind.CLOSED:
        what = "Closed"
    else:
        what = "Reopened"
    if event.rule:
        what += f" ({event.rule.replace('_', ' ')})"
    if event.actor != SYSTEM_ACTOR:
        what += f" · by {agents.get(event.actor, event.actor)}"
    return what
