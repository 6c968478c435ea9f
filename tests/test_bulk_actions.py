"""Bulk actions: marks across pages, a confirmation that says how many and where, each chat on its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from textual.widgets import Static

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock, format_instant
from chatadmin.domain import ConversationFilter, EventKind, Status
from chatadmin.errors import InvalidInput
from chatadmin.screens.bulk import BulkScreen, Step
from chatadmin.store.models import ConversationRecord, EventRow
from chatadmin.widgets.marks import Marks
from chatadmin.widgets.status import StatusLine
from tests.console_fixtures import NOW, NamedStore, open_store, settle, wait_until
from tests.test_console_main import choose

SIZE = (120, 40)
pytestmark = pytest.mark.anyio
OPEN_CHATS = 300
CLOSED = ["s-closed-1", "s-closed-2", "s-closed-3"]


def sales_chat(ident: str, minutes_ago: int, *, closed: bool = False) -> dict[str, object]:
    from datetime import timedelta

    created = format_instant(NOW - timedelta(minutes=minutes_ago))
    record: dict[str, object] = {
        "type": "conversation",
        "id": ident,
        "customer": {"phone": "+525512345678", "name": f"Cliente {ident}"},
        "group": "sales",
        "status": "closed" if closed else "open",
        "created_at": created,
        "messages": [{"at": created, "from": "customer", "text": "Hola"}],
    }
    if closed:
        record["closed_at"] = format_instant(NOW - timedelta(minutes=minutes_ago - 1))
    return record


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    extra = [sales_chat(f"s-{n:03d}", 10 + n) for n in range(OPEN_CHATS)]
    extra += [sales_chat(ident, 5 + n, closed=True) for n, ident in enumerate(CLOSED)]
    store = open_store(sqlite_url, clock, count=0, extra=extra)
    yield store
    store.dispose()


def status_text(app: ChatAdminApp) -> str:
    return str(app.query_one(StatusLine).visual)


def screen_text(screen: BulkScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).visual)


def transfers_by_conversation(store: NamedStore) -> dict[str, int]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(ConversationRecord.id, func.count(EventRow.pk))
            .join(EventRow, EventRow.conversation_pk == ConversationRecord.pk)
            .where(EventRow.kind == EventKind.TRANSFERRED.value)
            .group_by(ConversationRecord.id)
        ).all()
    return dict(rows)


async def test_bulk_transfer_of_hundreds_routes_each_audits_each_and_reports_failures_precisely(
    store: NamedStore,
) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "#filter-group", "Sales")
        await settle(pilot)
        app.table.focus()
        await pilot.press("asterisk")  # every match, on every page (the table holds a few pages only)
        await settle(pilot)
        assert app.table.total == OPEN_CHATS + len(CLOSED) > app.table.window.rows_held
        assert f"all {OPEN_CHATS + len(CLOSED)} marked" in status_text(app)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BulkScreen)
        await pilot.press("enter")  # Transfer…
        await settle(pilot)
        await pilot.press(*"support", "enter")
        await settle(pilot)
        assert screen.step is Step.CONFIRM
        assert "Transfer 303 conversations to the Support group?" in screen_text(screen, "#bulk-summary")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.step is Step.DONE, rounds=500)
        report = screen.report
        assert report is not None
        expected_reasons = {}
        for ident in CLOSED:
            with pytest.raises(InvalidInput) as single:
                store.transfer(ident, "support")  # what a transfer of that chat alone says
            expected_reasons[ident] = single.value.message
        assert {(f.id, f.reason) for f in report.failures} == set(expected_reasons.items())
        assert sorted(report.done) == sorted(f"s-{n:03d}" for n in range(OPEN_CHATS))
        shown = screen_text(screen, "#bulk-failure-list")
        assert all(ident in shown and reason in shown for ident, reason in expected_reasons.items())
        assert "300 transferred, 3 failed" in screen_text(screen, "#bulk-prompt")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, BulkScreen)
        # what failed stays marked, to try again; the others are done
        assert app.table.marks.ids == set(CLOSED) and "3 marked" in status_text(app)

    # each chat was routed and audited on its own: one transfer event each, none for the failures
    assert transfers_by_conversation(store) == {f"s-{n:03d}": 1 for n in range(OPEN_CHATS)}
    rows = list(store.iter_conversations(ConversationFilter(groups=frozenset({"support"}))))
    assert len(rows) == OPEN_CHATS
    members = {a.id for a in store.list_agents() if "support" in a.groups}
    assigned = [row for row in rows if row.agent is not None]
    assert assigned and {row.agent for row in assigned} <= members
    caps = {a.id: a.max_active for a in store.list_agents()}
    for agent in {row.agent for row in assigned}:
        assert sum(row.agent == agent for row in assigned) <= (caps[agent] or OPEN_CHATS)
    assert {row.status for row in rows if row.agent is None} == {Status.OPEN}  # waiting in the support queue
    assert all(store.get_conversation(ident).group == "sales" for ident in CLOSED)


async def test_marks_space_every_match_and_escape(store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        first, second = table.window.row(0), table.window.row(1)
        await pilot.press("space", "space")
        assert table.marks.ids == {first.id, second.id} and table.cursor == 2
        assert "2 marked" in status_text(app)
        assert table.render_line(1).text.startswith("●")
        await pilot.press("up", "space")  # unmark the second
        assert table.marks.ids == {first.id}
        await pilot.press("escape")
        assert not table.marks and "marked" not in status_text(app)
        await pilot.press("asterisk")
        assert table.marks.count == table.total == OPEN_CHATS + len(CLOSED)
        await pilot.press("g", "space")  # unmark one of every match: an exception, not a list
        assert table.marks.count == OPEN_CHATS + len(CLOSED) - 1 and table.marks.excluded == {first.id}
        assert not table.marks.ids


def footer_line(app: ChatAdminApp) -> str:
    """The bottom line as painted: what does not fit the width is not there."""
    return app.screen._compositor.render_strips()[-1].text


@pytest.mark.parametrize("width", [80, 120])
async def test_the_footer_shows_bulk_mark_and_clear_once_rows_are_marked(store: NamedStore, width: int) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        assert "space Mark" in footer_line(app) and "b Bulk" not in footer_line(app)  # nothing to act on yet
        await pilot.press("space")
        await settle(pilot)
        line = footer_line(app)
        assert all(key in line for key in ("space Mark", "esc Clear marks", "b Bulk")), line
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BulkScreen)


def test_marking_every_match_holds_no_ids_and_resolves_them_when_the_action_runs(store: NamedStore) -> None:
    marks = Marks()
    filters = ConversationFilter(statuses=frozenset({Status.OPEN}))
    marks.mark_all(filters, 1_000_000)  # the count alone: nothing is read or held
    assert marks.count == 1_000_000 and not marks.ids
    marks.toggle("s-000", filters)
    assert marks.count == 999_999 and marks.is_marked("s-001", filters) and not marks.is_marked("s-000", filters)
    resolved = list(marks.resolve(store, app_sort()))
    assert len(resolved) == OPEN_CHATS - 1 and "s-000" not in resolved and not set(CLOSED) & set(resolved)
    marks.toggle("s-001", ConversationFilter())  # a row of another list: start again from that row
    assert not marks.all_matching and marks.ids == {"s-001"}


def app_sort():  # type: ignore[no-untyped-def]
    from chatadmin.domain import Sort

    return Sort()


async def test_bulk_close_and_tag_of_a_few_marked(store: NamedStore) -> None:
    app = ChatAdminApp(store, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        await pilot.press("space", "space", "space")
        marked = sorted(table.marks.ids)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BulkScreen)
        await pilot.press("down", "down", "enter")  # Add tags…
        await pilot.press(*"vip, urgent", "enter")
        await settle(pilot)
        assert "Add the tags vip, urgent to 3 conversations?" in screen_text(screen, "#bulk-summary")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.step is Step.DONE)
        await pilot.press("enter")
        await settle(pilot)
        assert [store.get_conversation(i).tags for i in marked] == [("urgent", "vip")] * 3
        assert not table.marks

        await pilot.press("g", "j", "j", "j", "space", "space")  # the newest three are closed already
        closing = sorted(table.marks.ids)
        assert closing == ["s-000", "s-001"]
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        await pilot.press("down", "enter")  # Close
        await settle(pilot)
        assert "Close 2 conversations?" in screen_text(screen, "#bulk-summary")
        await pilot.press("escape")  # back: nothing happens
        await settle(pilot)
        assert screen.step is Step.ACTION and all(store.get_conversation(i).status is Status.OPEN for i in closing)
        await pilot.press("down", "enter", "enter")
        await wait_until(pilot, lambda: screen.step is Step.DONE)
        await pilot.press("escape")
        await settle(pilot)
        assert all(store.get_conversation(i).status is Status.CLOSED for i in closing)
        assert any("2 closed" in n.message for n in app._notifications)
