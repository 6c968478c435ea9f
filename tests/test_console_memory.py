"""The console over 100,000 conversations holds only a few pages of rows, wherever it scrolls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from chatadmin.app import ChatAdminApp
from chatadmin.clock import Clock
from chatadmin.store.models import ConversationRecord, CustomerRow, GroupRow, to_micros
from chatadmin.widgets.table import ConversationTable
from tests.console_fixtures import NOW, NamedStore, open_store, settle

pytestmark = pytest.mark.anyio
TOTAL = 100_000
PAGE = 100
MAX_PAGES = 6


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def big_store(sqlite_url: str, clock: Clock) -> Iterator[NamedStore]:
    """The fixture's groups and agents plus 100,000 open conversations, one a minute back in time."""
    store = open_store(sqlite_url, clock, count=0)
    with store.engine.begin() as connection:
        group_pk = connection.scalar(select(GroupRow.pk).where(GroupRow.id == "sales"))
        customers = [
            {"pk": n, "phone": f"+52551{n:07d}", "wa_id": f"52551{n:07d}", "name": f"Customer {n:06d}",
             "country": "MX", "name_fold": f"customer {n:06d}", "digits": f"52551{n:07d}"}
            for n in range(1, TOTAL + 1)
        ]
        connection.execute(insert(CustomerRow.__table__), customers)
        conversations = [
            {"pk": n, "id": f"b-{n:06d}", "version": 1, "customer_pk": n, "group_pk": group_pk, "agent_pk": None,
             "status": "open", "created_at": to_micros(NOW - timedelta(minutes=n)), "country": "MX",
             "tag_list": "", "changed_seq": 0}
            for n in range(1, TOTAL + 1)
        ]
        connection.execute(insert(ConversationRecord.__table__), conversations)
    yield store
    store.dispose()


def assert_few_pages(table: ConversationTable) -> None:
    assert table.window.pages_held <= MAX_PAGES
    assert table.window.rows_held <= MAX_PAGES * PAGE


async def test_a_hundred_thousand_conversations_keep_only_a_few_pages(big_store: NamedStore) -> None:
    app = ChatAdminApp(big_store, refresh_seconds=3600, page_size=PAGE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.table
        assert table.total == TOTAL
        assert table.current_row.id == "b-000001"
        assert_few_pages(table)

        await pilot.press("G")
        await settle(pilot)
        assert table.cursor == TOTAL - 1
        assert table.current_row.id == f"b-{TOTAL:06d}"
        assert_few_pages(table)

        for middle in (50_000, 12_345, 87_654):
            table.scroll_to(y=middle, animate=False)
            await settle(pilot)
            top = round(table.scroll_offset.y)
            assert table.window.row(top).id == f"b-{top + 1:06d}"
            assert_few_pages(table)

        await pilot.press("g")
        for _ in range(12):
            await pilot.press("pagedown")
            await settle(pilot)
            assert_few_pages(table)
        assert table.current_row.id == f"b-{table.cursor + 1:06d}"
        assert table.cursor == 12 * (table.scrollable_content_region.height - 1)

        await pilot.press("slash", *"customer 0999", "enter")
        await settle(pilot)
        assert table.total == 100
        assert table.window.rows_held == 100
