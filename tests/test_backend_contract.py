"""The contract's definitions, checked through the Backend interface on every back end."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from chatadmin.backend import Interrupt
from chatadmin.clock import parse_instant
from chatadmin.domain import MAX_CAP, ConversationFilter, EventKind, RoutingConfig, RoutingRule, Sort, SortKey, Status
from chatadmin.durations import MAX_DURATION_S
from chatadmin.errors import Conflict, Interrupted, InvalidInput, NotFound, PermissionDenied

from .backends import MakeBackend, make_backend  # noqa: F401 - fixture
from .builders import agent, conversation, group, msg

BASE = [
    group("sales", "Sales"),
    group("support", "Support"),
    agent("ana", ["sales"], name="Ana Pérez"),
    agent("bo", ["sales", "support"], name="Bo Silva"),
    agent("sol", ["support"], role="supervisor", name="Sol Ruiz"),
    agent("eve", ["support"], role="agent", name="Eve Agent"),
]


def ids(rows) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.id for r in rows]


def test_worked_example_response_times(make_backend: MakeBackend) -> None:
    """A customer writes at 00:00, assigned at 09:00, agent answers at 09:01: 9 h 1 min and 1 min."""
    backend = make_backend(
        BASE
        + [
            conversation(
                "c-1",
                "2026-11-24T00:00:00Z",
                status="in_progress",
                group_id="sales",
                agent_id="ana",
                assigned_at="2026-11-24T09:00:00Z",
                messages=[
                    msg("2026-11-24T00:00:00Z", "customer", "Hola"),
                    msg("2026-11-24T09:01:00Z", "agent", "Buenos días", "ana"),
                ],
            )
        ]
    )
    row = backend.get_conversation("c-1")
    assert row.response_creation_s == 9 * 3600 + 60
    assert row.response_assignment_s == 60
    assert row.sent_by is not None and row.sent_by.value == "customer"
    # now is 18:00Z: the last message was at 09:01
    assert row.inactivity_s == 18 * 3600 - (9 * 3600 + 60)
    assert row.duration_s == 18 * 3600
    assert row.no_response_s is None  # the agent spoke last


def test_unanswered_and_unassigned_times_are_null(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE
        + [
            conversation(
                "c-1",
                "2026-11-24T10:00:00Z",
                messages=[msg("2026-11-24T10:00:00Z", "customer"), msg("2026-11-24T10:05:00Z", "customer")],
            ),
            conversation(
                "c-2",
                "2026-11-24T10:00:00Z",
                status="closed",
                closed_at="2026-11-24T11:00:00Z",
                messages=[msg("2026-11-24T10:00:00Z", "customer")],
            ),
        ]
    )
    waiting = backend.get_conversation("c-1")
    assert waiting.response_creation_s is None
    assert waiting.response_assignment_s is None
    # waiting since the first customer message after the last agent message (none): 10:00
    assert waiting.no_response_s == 8 * 3600
    closed = backend.get_conversation("c-2")
    assert closed.duration_s == 3600  # closed_at - created_at, not now
    assert closed.no_response_s is None  # closed chats wait for nobody


def test_time_without_response_counts_from_first_message_after_the_last_agent_reply(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE
        + [
            conversation(
                "c-1",
                "2026-11-24T10:00:00Z",
                status="in_progress",
                group_id="sales",
                agent_id="ana",
                assigned_at="2026-11-24T10:00:00Z",
                messages=[
                    msg("2026-11-24T10:00:00Z", "customer"),
                    msg("2026-11-24T10:10:00Z", "agent", agent_id="ana"),
                    msg("2026-11-24T17:00:00Z", "customer"),
                    msg("2026-11-24T17:30:00Z", "customer"),
                ],
            )
        ]
    )
    row = backend.get_conversation("c-1")
    assert row.no_response_s == 3600
    assert ids(backend.list_conversations(ConversationFilter(no_response_over=3599)).rows) == ["c-1"]
    assert ids(backend.list_conversations(ConversationFilter(no_response_over=3600)).rows) == []


def test_metrics_counts(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE
        + [
            conversation("o-1", "2026-11-24T10:00:00Z"),
            conversation("o-2", "2026-11-24T11:00:00Z", group_id="sales"),
            conversation(
                "p-1", "2026-11-24T10:00:00Z", status="in_progress", group_id="sales", agent_id="ana",
                assigned_at="2026-11-24T10:01:00Z",
            ),
        ]
    )
    metrics = backend.metrics()
    assert (metrics.unassigned, metrics.active, metrics.completed_today) == (2, 1, 0)
    assert metrics.timezone == "America/Mexico_City"
    assert metrics.highest_load_group is not None and metrics.highest_load_group.group == "sales"


def _closed(cid: str, closed_at: str) -> dict:
    return conversation(cid, "2026-11-23T00:00:00Z", status="closed", closed_at=closed_at)


def test_today_is_the_reporting_zones_day(make_backend: MakeBackend) -> None:
    """Now is 2026-11-24 12:00 in Mexico City (18:00Z)."""
    records = BASE + [
        _closed("late-utc-night", "2026-11-24T02:00:00Z"),  # 2026-11-23 20:00 in Mexico City
        _closed("mx-morning", "2026-11-24T07:00:00Z"),  # 01:00 local: today in both
    ]
    backend = make_backend(records)
    assert backend.metrics().completed_today == 1
    # both were created at 2026-11-23T00:00Z, which is still the 22nd in Mexico City
    on_22nd = ConversationFilter(created_from=date(2026, 11, 22), created_to=date(2026, 11, 22))
    assert sorted(ids(backend.list_conversations(on_22nd).rows)) == ["late-utc-night", "mx-morning"]
    assert ids(backend.list_conversations(ConversationFilter(created_from=date(2026, 11, 23))).rows) == []


def test_today_the_other_way_round(make_backend: MakeBackend) -> None:
    from zoneinfo import ZoneInfo

    from chatadmin.clock import Clock

    backend = make_backend(BASE + [_closed("late-utc-night", "2026-11-24T02:00:00Z"), _closed("x", "2026-11-24T07:00:00Z")])
    assert isinstance(backend.clock, Clock)  # type: ignore[attr-defined]
    backend.clock = Clock(ZoneInfo("UTC"), backend.clock.fixed)  # type: ignore[attr-defined]
    assert backend.metrics().completed_today == 2
    assert backend.metrics().timezone == "UTC"


def test_highest_load_group_ties_go_to_the_lowest_id(make_backend: MakeBackend) -> None:
    def assigned(cid: str, gid: str, aid: str, at: str = "2026-11-24T15:00:00Z") -> dict:
        return conversation(cid, "2026-11-24T14:00:00Z", status="in_progress", group_id=gid, agent_id=aid, assigned_at=at)

    backend = make_backend(
        BASE
        + [
            assigned("s-1", "support", "bo"),
            assigned("a-1", "sales", "ana"),
            # one conversation assigned twice to support today still counts once
            {
                **assigned("s-2", "support", "bo"),
                "events": [
                    {"at": "2026-11-24T15:00:00Z", "kind": "assigned", "actor": "system", "to_agent": "bo", "to_group": "support"},
                    {"at": "2026-11-24T15:10:00Z", "kind": "transferred", "actor": "sol", "to_agent": "bo", "to_group": "support"},
                ],
            },
            assigned("a-2", "sales", "ana"),
            # yesterday's assignments do not count
            assigned("old", "support", "bo", at="2026-11-23T15:00:00Z"),
        ]
    )
    top = backend.metrics().highest_load_group
    assert top is not None
    assert (top.group, top.assigned_today) == ("sales", 2)  # 2 each: "sales" < "support"


def test_no_assignments_today_means_no_highest_load_group(make_backend: MakeBackend) -> None:
    backend = make_backend(BASE + [conversation("o", "2026-11-24T10:00:00Z")])
    assert backend.metrics().highest_load_group is None


@pytest.mark.parametrize(
    ("phone", "country"),
    [("+17875550123", "PR"), ("+12025550123", "US"), ("+14165550123", "CA"), ("+5215512345678", "MX"), ("+34612345678", "ES")],
)
def test_country_comes_from_the_full_number(make_backend: MakeBackend, phone: str, country: str) -> None:
    others = [("+17875550123", "PR"), ("+12025550123", "US"), ("+14165550123", "CA")]
    records = BASE + [conversation(f"c-{c}", "2026-11-24T10:00:00Z", phone=p) for p, c in others if p != phone]
    records.append(conversation("target", "2026-11-24T10:00:00Z", phone=phone))
    backend = make_backend(records)
    assert backend.get_conversation("target").country == country
    assert ids(backend.list_conversations(ConversationFilter(countries=frozenset({country}))).rows) == ["target"]


def test_search_by_name_ignores_case_and_accents_and_by_number_ignores_punctuation(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE
        + [
            conversation("mx", "2026-11-24T10:00:00Z", phone="+5215512345678", name="José Pérez"),
            conversation("br", "2026-11-24T11:00:00Z", phone="+5511987654321", name="João Conceição"),
            conversation("pct", "2026-11-24T12:00:00Z", phone="+34612345678", name="100% [bold]real[/]"),
        ]
    )

    def search(text: str) -> list[str]:
        return sorted(ids(backend.list_conversations(ConversationFilter(search=text)).rows))

    assert search("PEREZ") == ["mx"]
    assert search("josé pé") == ["mx"]
    assert search("conceicao") == ["br"]
    assert search("(55) 1234-5678") == ["mx"]
    assert search("+52 55 1234") == ["mx"]
    assert search("5215512") == ["mx"]  # the WhatsApp id keeps the 1
    assert search("98765") == ["br"]
    assert search("100%") == ["pct"]  # LIKE wildcards are literal
    assert search("%") == ["pct"]
    assert search("_") == []
    assert search("[bold]") == ["pct"]
    assert backend.count_conversations(ConversationFilter(search="55")) == 2


def test_an_interrupted_count_answers_nothing_on_every_back_end(make_backend: MakeBackend) -> None:
    backend = make_backend(BASE + [conversation("c-1", "2026-11-24T10:00:00Z")])
    pulled = Interrupt()
    pulled.pull()
    with pytest.raises(Interrupted):
        backend.count_conversations(ConversationFilter(), interrupt=pulled)
    late = Interrupt()
    assert backend.count_conversations(ConversationFilter(), interrupt=late) == 1
    late.pull()  # after the count: nothing to stop
    assert backend.count_conversations(ConversationFilter()) == 1


def test_a_wait_filter_goes_up_to_68_years_on_every_back_end(make_backend: MakeBackend) -> None:
    """The longest wait parse_duration reads lists on every store and over the API; one second more is no filter."""
    backend = make_backend(BASE + [conversation("c-1", "2026-11-24T10:00:00Z", messages=[msg("2026-11-24T10:00:00Z", "customer")])])
    for key in ("no_response_over", "inactive_over", "response_creation_over", "response_assignment_over"):
        longest = ConversationFilter.model_validate({key: MAX_DURATION_S})
        assert ids(backend.list_conversations(longest).rows) == []
        assert backend.count_conversations(longest) == 0
        with pytest.raises(ValidationError):
            ConversationFilter.model_validate({key: MAX_DURATION_S + 1})


def test_sorting_puts_nulls_last_and_breaks_ties_stably(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE
        + [
            conversation("a", "2026-11-24T10:00:00Z", status="closed", closed_at="2026-11-24T11:00:00Z", rating=5),
            conversation("b", "2026-11-24T09:00:00Z", status="closed", closed_at="2026-11-24T12:00:00Z", rating=3),
            conversation("c", "2026-11-24T08:00:00Z"),
        ]
    )
    by = lambda text: ids(backend.list_conversations(sort=Sort.parse(text)).rows)  # noqa: E731
    assert by("created_at") == ["a", "b", "c"]
    assert by("created_at:asc") == ["c", "b", "a"]
    assert by("rating:desc") == ["a", "b", "c"]
    assert by("rating:asc") == ["b", "a", "c"]
    assert by("duration_s:desc") == ["c", "b", "a"]  # c is open: 10 h so far
    assert by("id:asc") == ["a", "b", "c"]
    page = backend.list_conversations(sort=Sort(key=SortKey.CREATED_AT, descending=False), offset=1, limit=1)
    assert ids(page.rows) == ["b"] and page.offset == 1


def test_transfer_to_an_agent_checks_membership_and_writes_an_event(make_backend: MakeBackend) -> None:
    backend = make_backend(BASE + [conversation("c-1", "2026-11-24T10:00:00Z", group_id="sales")])
    with pytest.raises(InvalidInput, match="not a member"):
        backend.transfer("c-1", "support", "ana")
    row = backend.get_conversation("c-1")
    result = backend.transfer("c-1", "support", "bo", expected_version=row.version)
    assert (result.agent, result.group, result.status) == ("bo", "support", Status.IN_PROGRESS)
    after = backend.get_conversation("c-1")
    assert after.version == row.version + 1 and after.assigned_at is not None
    events = backend.conversation_detail("c-1").events
    assert [(e.kind, e.to_agent, e.to_group, e.from_group) for e in events] == [
        (EventKind.TRANSFERRED, "bo", "support", "sales")
    ]


def test_stale_version_is_a_conflict_and_changes_nothing(make_backend: MakeBackend) -> None:
    backend = make_backend(BASE + [conversation("c-1", "2026-11-24T10:00:00Z", group_id="sales")])
    version = backend.get_conversation("c-1").version
    backend.transfer("c-1", "sales", "ana", expected_version=version)
    before = backend.conversation_detail("c-1")
    with pytest.raises(Conflict):
        backend.transfer("c-1", "support", "bo", expected_version=version)
    with pytest.raises(Conflict):
        backend.close_conversation("c-1", expected_version=version)
    assert backend.conversation_detail("c-1") == before


def test_closed_conversations_are_not_transferred(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE + [conversation("c-1", "2026-11-24T10:00:00Z", status="closed", closed_at="2026-11-24T11:00:00Z")]
    )
    with pytest.raises(InvalidInput, match="closed"):
        backend.transfer("c-1", "sales")


def test_close_reopen_unassign_and_tags(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE
        + [
            conversation(
                "c-1", "2026-11-24T10:00:00Z", status="in_progress", group_id="sales", agent_id="ana",
                assigned_at="2026-11-24T10:00:00Z", tags=["vip"],
            )
        ]
    )
    closed = backend.close_conversation("c-1")
    assert closed.status is Status.CLOSED and closed.closed_at == backend.metrics().now
    assert backend.metrics().completed_today == 1
    reopened = backend.reopen_conversation("c-1")
    assert reopened.status is Status.IN_PROGRESS and reopened.closed_at is None
    unassigned = backend.unassign_conversation("c-1")
    assert unassigned.status is Status.OPEN and unassigned.agent is None and unassigned.group == "sales"
    tagged = backend.set_tags("c-1", ["refund", " vip ", "refund"])
    assert tagged.tags == ("refund", "vip")
    assert ids(backend.list_conversations(ConversationFilter(tags=frozenset({"refund"}))).rows) == ["c-1"]
    assert backend.list_tags() == ["refund", "vip"]
    kinds = [e.kind for e in backend.conversation_detail("c-1").events]
    assert kinds[-3:] == [EventKind.CLOSED, EventKind.REOPENED, EventKind.UNASSIGNED]
    with pytest.raises(InvalidInput):
        backend.unassign_conversation("c-1")


def test_notes_are_written_as_the_acting_user(make_backend: MakeBackend) -> None:
    make_backend(BASE + [conversation("c-1", "2026-11-24T10:00:00Z", group_id="support")])
    supervisor = make_backend(acting_as="sol")
    note = supervisor.add_note("c-1", "  Wants a refund [b]now[/b]  ")
    assert note.author == "sol" and note.text == "Wants a refund [b]now[/b]"
    notes = supervisor.conversation_detail("c-1").notes
    assert [(n.author, n.text) for n in notes] == [("sol", "Wants a refund [b]now[/b]")]
    with pytest.raises(InvalidInput):
        supervisor.add_note("c-1", "   ")
    with pytest.raises(InvalidInput, match="NUL"):
        supervisor.add_note("c-1", "a\x00b")
    assert len(supervisor.conversation_detail("c-1").notes) == 1


def test_roles_limit_what_each_user_sees_and_does(make_backend: MakeBackend) -> None:
    make_backend(
        BASE
        + [
            conversation("sales-1", "2026-11-24T10:00:00Z", group_id="sales"),
            conversation("support-1", "2026-11-24T10:00:00Z", group_id="support"),
            conversation("nogroup", "2026-11-24T10:00:00Z"),
        ]
    )
    supervisor = make_backend(acting_as="sol")
    assert ids(supervisor.list_conversations().rows) == ["support-1"]
    assert supervisor.count_conversations() == 1
    assert supervisor.metrics().unassigned == 1
    with pytest.raises(PermissionDenied):
        supervisor.get_conversation("sales-1")
    with pytest.raises(PermissionDenied):
        supervisor.transfer("support-1", "sales")
    with pytest.raises(PermissionDenied):
        supervisor.set_routing("support", supervisor.list_groups()[1].routing)
    agent_user = make_backend(acting_as="eve")
    with pytest.raises(PermissionDenied):
        agent_user.list_conversations()
    with pytest.raises(PermissionDenied):
        agent_user.metrics()
    with pytest.raises(InvalidInput, match="unknown acting user"):
        make_backend(acting_as="nobody")


def test_unknown_ids_are_clear_errors(make_backend: MakeBackend) -> None:
    backend = make_backend(BASE + [conversation("c-1", "2026-11-24T10:00:00Z")])
    with pytest.raises(NotFound):
        backend.get_conversation("nope")
    with pytest.raises(NotFound):
        backend.transfer("nope", "sales")
    with pytest.raises(InvalidInput, match="unknown group"):
        backend.transfer("c-1", "nope")
    with pytest.raises(InvalidInput, match="unknown group"):
        backend.list_conversations(ConversationFilter(groups=frozenset({"nope"})))


def test_agents_and_groups_report_load_and_queue(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE
        + [
            conversation(
                "p", "2026-11-24T10:00:00Z", status="in_progress", group_id="sales", agent_id="bo",
                assigned_at="2026-11-24T10:00:00Z",
            ),
            conversation("q", "2026-11-24T10:00:00Z", group_id="support"),
        ]
    )
    agents = {a.id: a for a in backend.list_agents()}
    assert agents["bo"].load == 1 and agents["bo"].groups == ("sales", "support")
    assert agents["ana"].load == 0
    groups = {g.id: g for g in backend.list_groups()}
    assert groups["support"].queue_length == 1 and groups["sales"].members == ("ana", "bo")
    assert backend.list_countries() == ["MX"]


def test_group_activity_counts_todays_assignments_per_hour_and_the_queue(make_backend: MakeBackend) -> None:
    """Today in Mexico City starts at 06:00Z; now is 18:00Z, so 13 hours (00:00 to 12:59) are drawn."""

    def event(at: str, kind: str, to_group: str, to_agent: str | None = None) -> dict:
        return {"at": at, "kind": kind, "actor": "system", "to_agent": to_agent, "to_group": to_group}

    def assigned(cid: str, gid: str, aid: str, events: list[dict], created: str = "2026-11-24T07:00:00Z") -> dict:
        return conversation(
            cid, created, status="in_progress", group_id=gid, agent_id=aid, assigned_at=events[-1]["at"], events=events
        )

    backend = make_backend(
        BASE
        + [
            assigned("a", "sales", "ana", [event("2026-11-24T07:10:00Z", "assigned", "sales", "ana")]),
            # assigned, then moved within the group in the same hour: two assignments, one conversation
            assigned(
                "b", "sales", "bo",
                [event("2026-11-24T15:00:00Z", "assigned", "sales", "ana"),
                 event("2026-11-24T15:20:00Z", "transferred", "sales", "bo")],
            ),  # fmt: skip
            # 23:00 yesterday in Mexico City
            assigned(
                "old", "sales", "ana", [event("2026-11-24T05:00:00Z", "assigned", "sales", "ana")],
                created="2026-11-24T04:00:00Z",
            ),  # fmt: skip
            # moved from sales to support's queue: counts for support, and it waits there
            conversation(
                "moved", "2026-11-24T16:00:00Z", group_id="support",
                messages=[msg("2026-11-24T16:00:00Z", "customer")],
                events=[event("2026-11-24T16:05:00Z", "assigned", "sales", "ana"),
                        {"at": "2026-11-24T17:30:00Z", "kind": "unassigned", "actor": "sol"},
                        event("2026-11-24T17:31:00Z", "transferred", "support")],
            ),  # fmt: skip
            conversation("q-2", "2026-11-24T17:00:00Z", group_id="support", messages=[msg("2026-11-24T17:00:00Z", "customer")]),
            # open, but the agent spoke last: in the queue, not waiting for a response
            conversation(
                "q-3", "2026-11-24T09:00:00Z", group_id="support",
                messages=[msg("2026-11-24T09:00:00Z", "customer"), msg("2026-11-24T09:05:00Z", "agent", "…", "bo")],
            ),  # fmt: skip
        ]
    )
    activity = {a.group: a for a in backend.group_activity()}
    assert list(activity) == ["sales", "support"]
    sales, support = activity["sales"], activity["support"]
    assert sales.day_start == support.day_start == parse_instant("2026-11-24T06:00:00Z")
    assert len(sales.assignments_per_hour) == len(support.assignments_per_hour) == 13
    hours = dict(enumerate(sales.assignments_per_hour))
    assert (hours[1], hours[9], hours[10]) == (1, 2, 1)  # 07:10Z, 15:00Z + 15:20Z, 16:05Z
    assert sum(sales.assignments_per_hour) == 4 and sales.assigned_today == 3
    assert support.assignments_per_hour[11] == 1 and sum(support.assignments_per_hour) == 1
    assert (sales.name, sales.queue_length, sales.oldest_waiting_since) == ("Sales", 0, None)
    assert (support.queue_length, support.oldest_waiting_since) == (3, parse_instant("2026-11-24T16:00:00Z"))
    # the top metric and the activity agree on today's load
    top = backend.metrics().highest_load_group
    assert top is not None and (top.group, top.assigned_today) == ("sales", sales.assigned_today)

    # a supervisor sees the groups they belong to; an agent sees none
    assert [a.group for a in make_backend(acting_as="sol").group_activity()] == ["support"]
    with pytest.raises(PermissionDenied):
        make_backend(acting_as="eve").group_activity()


def test_changes_since_reports_what_changed_after_a_number_oldest_first(make_backend: MakeBackend) -> None:
    from chatadmin.store.changes import MAX_CHANGES

    make_backend(
        BASE
        + [
            conversation("c-1", "2026-11-24T10:00:00Z", group_id="sales"),
            conversation("c-2", "2026-11-24T10:05:00Z", group_id="support"),
            conversation("c-3", "2026-11-24T10:10:00Z", group_id="sales"),
        ]
    )
    backend = make_backend()
    everything = backend.changes_since(0)
    assert sorted(everything.ids) == ["c-1", "c-2", "c-3"] and not everything.too_many
    start = everything.seq
    assert backend.changes_since(start) == everything.model_copy(update={"ids": ()})

    backend.set_tags("c-3", ["vip"])
    backend.add_note("c-1", "called back")
    middle = backend.changes_since(start).seq
    backend.close_conversation("c-2")
    backend.set_tags("c-3", ["vip", "refund"])  # changed twice: reported once, at its last change
    changed = backend.changes_since(start)
    assert changed.ids == ("c-1", "c-2", "c-3") and changed.seq > middle > start and not changed.too_many
    assert backend.changes_since(changed.seq).ids == ()
    assert backend.changes_since(middle) == changed.model_copy(update={"ids": ("c-2", "c-3")})

    # a supervisor of support hears only of support's conversations
    assert make_backend(acting_as="sol").changes_since(start).ids == ("c-2",)
    # a number past the counter (another store) says: read everything again
    assert backend.changes_since(changed.seq + 10) == backend.changes_since(changed.seq).model_copy(
        update={"too_many": True}
    )
    with pytest.raises(InvalidInput):
        backend.changes_since(-1)
    assert MAX_CHANGES >= 100


def test_changes_since_says_too_many_past_its_cap(make_backend: MakeBackend) -> None:
    from chatadmin.store.changes import MAX_CHANGES

    many = [conversation(f"c-{n}", "2026-11-24T10:00:00Z", group_id="sales") for n in range(MAX_CHANGES + 1)]
    backend = make_backend(BASE + many)
    everything = backend.changes_since(0)
    assert everything.too_many and everything.ids == () and everything.seq >= MAX_CHANGES + 1
    last = backend.changes_since(everything.seq - MAX_CHANGES)
    assert not last.too_many and len(last.ids) == MAX_CHANGES


# -- keyset paging ---------------------------------------------------------------------------

PAGED = BASE + [
    conversation("k-1", "2026-11-24T08:00:00Z", status="closed", closed_at="2026-11-24T09:00:00Z", rating=4,
                 group_id="sales", agent_id="ana", assigned_at="2026-11-24T08:10:00Z", name="Zoe"),
    conversation("k-2", "2026-11-24T08:00:00Z", status="closed", closed_at="2026-11-24T16:00:00Z", rating=4,
                 group_id="sales", agent_id="bo", assigned_at="2026-11-24T08:05:00Z", name="álvaro"),
    conversation("k-3", "2026-11-24T09:00:00Z", group_id="support", name="Alvaro",
                 messages=[msg("2026-11-24T09:00:00Z", "customer")]),
    conversation("k-4", "2026-11-24T10:00:00Z", status="in_progress", group_id="support", agent_id="bo",
                 assigned_at="2026-11-24T10:30:00Z", phone="+5491123456789",
                 messages=[msg("2026-11-24T10:00:00Z", "customer"), msg("2026-11-24T10:40:00Z", "agent", agent_id="bo")]),
    conversation("k-5", "2026-11-24T10:00:00Z", status="closed", closed_at="2026-11-24T10:20:00Z", rating=1,
                 name="Bea", phone="+34600111222"),
    conversation("k-6", "2026-11-24T11:00:00Z", status="in_progress", group_id="sales", agent_id="ana",
                 assigned_at="2026-11-24T11:00:00Z", messages=[msg("2026-11-24T17:00:00Z", "customer")]),
    conversation("k-7", "2026-11-24T12:00:00Z", name="Bea"),
]


def walk(backend, sort: Sort, filters: ConversationFilter = ConversationFilter(), limit: int = 2):  # type: ignore[no-untyped-def]
    """Every page of a list by next_cursor, then back by prev_cursor: the two walks' ids."""
    pages = [backend.list_conversations(filters, sort, limit=limit)]
    while pages[-1].next_cursor is not None:
        assert len(pages) < 50
        pages.append(backend.list_conversations(filters, sort, limit=limit, cursor=pages[-1].next_cursor))
    back = [pages[-1]]
    while back[-1].prev_cursor is not None:
        assert len(back) < 50
        back.append(backend.list_conversations(filters, sort, limit=limit, cursor=back[-1].prev_cursor))
    assert pages[0].prev_cursor is None and back[-1].prev_cursor is None
    return [ids(p.rows) for p in pages], [ids(p.rows) for p in reversed(back)]


def test_a_cursor_walks_every_sort_both_ways_in_the_lists_order(make_backend: MakeBackend) -> None:
    backend = make_backend(PAGED)
    for key in SortKey:
        for descending in (False, True):
            sort = Sort(key=key, descending=descending)
            expected = ids(backend.iter_conversations(sort=sort))
            forward, backward = walk(backend, sort)
            assert sum(forward, []) == expected, sort
            assert forward == [expected[i : i + 2] for i in range(0, len(expected), 2)], sort
            assert sum(backward, []) == expected, sort
    # a filtered list, and a cursor taken from an offset page
    open_only = ConversationFilter(statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}))
    forward, _ = walk(backend, Sort(key=SortKey.AGENT), open_only, limit=1)
    assert sum(forward, []) == ids(backend.iter_conversations(open_only, Sort(key=SortKey.AGENT)))
    middle = backend.list_conversations(sort=Sort(key=SortKey.ID, descending=False), offset=3, limit=2)
    assert ids(middle.rows) == ["k-4", "k-5"] and middle.prev_cursor and middle.next_cursor
    after = backend.list_conversations(sort=Sort(key=SortKey.ID, descending=False), limit=2, cursor=middle.next_cursor)
    before = backend.list_conversations(sort=Sort(key=SortKey.ID, descending=False), limit=5, cursor=middle.prev_cursor)
    assert ids(after.rows) == ["k-6", "k-7"] and after.next_cursor is None
    assert ids(before.rows) == ["k-1", "k-2", "k-3"] and before.prev_cursor is None and after.offset == 0


def test_a_cursor_walk_neither_skips_nor_repeats_while_rows_leave_enter_and_move(make_backend: MakeBackend) -> None:
    backend = make_backend(PAGED)
    waiting = ConversationFilter(statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}))
    newest = Sort()
    first = backend.list_conversations(waiting, newest, limit=2)
    assert ids(first.rows) == ["k-7", "k-6"]
    backend.close_conversation("k-7")  # leaves the list before the cursor
    backend.reopen_conversation("k-5")  # enters it after the cursor, where it belongs (10:00, after k-4 by key)
    # an offset counts from the top, which moved: it would skip k-5
    assert ids(backend.list_conversations(waiting, newest, offset=2, limit=2).rows) == ["k-4", "k-3"]
    second = backend.list_conversations(waiting, newest, limit=2, cursor=first.next_cursor)
    assert ids(second.rows) == ["k-5", "k-4"]
    # by agent name (read block by block): a row moving to another agent moves; the rest stay put
    by_agent = Sort(key=SortKey.AGENT, descending=False)
    first = backend.list_conversations(sort=by_agent, limit=3)
    assert ids(first.rows) == ["k-1", "k-6", "k-2"]  # Ana Pérez: k-1, k-6; Bo Silva: k-2, k-4
    backend.transfer("k-6", "sales", "bo")  # now Bo's, after the cursor: seen again, as it moved
    backend.unassign_conversation("k-4")  # from Bo's block to the unassigned, still after the cursor
    rest = backend.list_conversations(sort=by_agent, limit=10, cursor=first.next_cursor)
    assert ids(rest.rows) == ["k-6", "k-3", "k-4", "k-5", "k-7"]


def test_a_cursor_belongs_to_its_filter_and_sort(make_backend: MakeBackend) -> None:
    backend = make_backend(PAGED)
    page = backend.list_conversations(limit=2)
    cursor = page.next_cursor
    assert cursor is not None
    with pytest.raises(InvalidInput, match="another filter or sort"):
        backend.list_conversations(sort=Sort(key=SortKey.ID), limit=2, cursor=cursor)
    with pytest.raises(InvalidInput, match="another filter or sort"):
        backend.list_conversations(ConversationFilter(groups=frozenset({"sales"})), limit=2, cursor=cursor)
    with pytest.raises(InvalidInput, match="offset or a cursor"):
        backend.list_conversations(offset=2, limit=2, cursor=cursor)
    flipped = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]
    for bad in (flipped, "nope", "e30", cursor[:-3], "!" * 20):
        with pytest.raises(InvalidInput):
            backend.list_conversations(limit=2, cursor=bad)


# -- history, a page at a time ------------------------------------------------------------------

def history_of(count: int, same_instant: int) -> list[dict]:  # type: ignore[type-arg]
    """``count`` messages m0…; the first ``same_instant`` of them all at 10:00."""
    out = []
    for i in range(count):
        minute = 0 if i < same_instant else i
        sender, who = ("agent", "ana") if i % 3 == 2 else ("customer", None)
        out.append(msg(f"2026-11-24T10:{minute:02d}:00Z", sender, f"m{i}", who))
    return out


def test_history_pages_walk_oldest_to_newest_and_back_with_ties_in_stored_order(make_backend: MakeBackend) -> None:
    backend = make_backend(
        BASE
        + [
            conversation("h-1", "2026-11-24T10:00:00Z", status="in_progress", group_id="sales", agent_id="ana",
                         assigned_at="2026-11-24T10:00:00Z", messages=history_of(11, same_instant=5)),
            conversation("h-2", "2026-11-24T10:00:00Z", group_id="support", messages=history_of(2, 0)),
        ]
    )
    whole = [m.text for m in backend.conversation_detail("h-1").messages]
    assert whole == [f"m{i}" for i in range(11)]
    text = lambda page: [m.text for m in page.messages]  # noqa: E731
    pages = [backend.conversation_messages("h-1", limit=3)]
    assert pages[0].older is None
    while pages[-1].newer is not None:
        assert len(pages) < 10
        pages.append(backend.conversation_messages("h-1", after=pages[-1].newer, limit=3))
    assert [text(p) for p in pages] == [whole[i : i + 3] for i in range(0, 11, 3)]
    assert pages[0].messages[2].agent == "ana" and pages[0].messages[2].agent_name == "Ana Pérez"
    last = backend.conversation_messages("h-1", newest=True, limit=4)
    assert text(last) == whole[-4:] and last.newer is None and last.older is not None
    back = [last]
    while back[-1].older is not None:
        assert len(back) < 10
        back.append(backend.conversation_messages("h-1", before=back[-1].older, limit=4))
    assert [text(p) for p in reversed(back)] == [whole[:3], whole[3:7], whole[7:]]
    assert backend.conversation_messages("h-1", limit=1000).messages == backend.conversation_detail("h-1").messages
    empty = backend.conversation_messages("h-2", newest=True)
    assert len(empty.messages) == 2 and empty.older is None and empty.newer is None


def test_history_pages_follow_the_details_rules(make_backend: MakeBackend) -> None:
    admin = make_backend(
        BASE
        + [
            conversation("sales-1", "2026-11-24T10:00:00Z", group_id="sales", messages=history_of(3, 0)),
            conversation("support-1", "2026-11-24T10:00:00Z", group_id="support", messages=history_of(3, 0)),
        ]
    )
    supervisor = make_backend(acting_as="sol")
    agent_user = make_backend(acting_as="eve")
    assert len(supervisor.conversation_messages("support-1").messages) == 3
    for user, conversation_id in ((supervisor, "sales-1"), (agent_user, "support-1")):
        with pytest.raises(PermissionDenied):
            user.conversation_messages(conversation_id)
    with pytest.raises(NotFound):
        admin.conversation_messages("nope")
    other = admin.conversation_messages("support-1", limit=1).newer
    page = admin.conversation_messages("sales-1", limit=1)
    assert other is not None and page.newer is not None
    with pytest.raises(InvalidInput, match="another conversation"):
        admin.conversation_messages("sales-1", after=other)
    with pytest.raises(InvalidInput, match="not both"):
        admin.conversation_messages("sales-1", after=page.newer, before=page.newer)
    with pytest.raises(InvalidInput, match="no cursor"):
        admin.conversation_messages("sales-1", after=page.newer, newest=True)
    listed = admin.list_conversations(limit=1).next_cursor
    assert listed is not None
    for bad in (listed, "nope", page.newer[:-2]):
        with pytest.raises(InvalidInput):
            admin.conversation_messages("sales-1", after=bad)
    with pytest.raises(InvalidInput):
        admin.conversation_messages("sales-1", limit=0)


def test_the_routing_log_says_who_changed_what_newest_last(make_backend: MakeBackend) -> None:
    admin = make_backend(BASE)
    assert admin.routing_log() == []
    admin.set_routing("sales", RoutingConfig(rule=RoutingRule.LEAST_BUSY, only_available=False))
    admin.set_agent("ana", available=False, add_groups=("support",))
    log = admin.routing_log()
    assert [(c.group, c.agent, c.setting.value, c.old, c.new) for c in log] == [
        ("sales", None, "rule", "round_robin", "least_busy"),
        ("sales", None, "only_available", "true", "false"),
        (None, "ana", "available", "true", "false"),
        ("support", "ana", "member", "false", "true"),
    ]
    assert all(c.actor == "system" for c in log)
    assert log[0].at == parse_instant("2026-11-24T18:00:00Z")
    assert admin.routing_log(group="sales", limit=1) == [log[1]]
    assert admin.routing_log(agent="ana") == log[2:]
    assert make_backend(acting_as="sol").routing_log() == log  # a supervisor reads it, as the groups
    with pytest.raises(PermissionDenied):
        make_backend(acting_as="eve").routing_log()
    with pytest.raises(InvalidInput, match="unknown group"):
        admin.routing_log(group="nope")
    with pytest.raises(InvalidInput):
        admin.routing_log(limit=0)


def test_a_cap_is_what_every_stores_integer_holds_and_nothing_past_it(make_backend: MakeBackend) -> None:
    """A cap past 2**31-1 reached SQLite as an OverflowError (a 500 over the API): it is bad input, and changes nothing."""
    backend = make_backend(BASE)
    for wrong in (-1, MAX_CAP + 1, 10**30):
        with pytest.raises(InvalidInput):
            backend.set_agent("bo", max_active=wrong)
    assert next(a for a in backend.list_agents() if a.id == "bo").max_active is None
    backend.set_agent("bo", max_active=MAX_CAP)
    assert next(a for a in backend.list_agents() if a.id == "bo").max_active == MAX_CAP
