"""The console over 100,000 conversations holds only a few pages of rows, wherever it scrolls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

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



@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NamedStore]:
    """The fixture's groups and agents plus 100,000 open conversations, one a minute back in time.

    Built once for this module: no test here writes to it.
    """
    clock = Clock(zone=ZoneInfo("America/Mexico_City"), fixed=NOW)
    url = f"sqlite:///{tmp_path_factory.mktemp('big') / 'store.sqlite3'}"
    store = open_store(url, clock, count=0)
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


def _page(store: NamedStore, request) -> object:
    from chatadmin.widgets.window import fetch_window

    return fetch_window(store, request)


def test_the_window_evicts_the_least_recently_used_pages(big_store: NamedStore) -> None:
    from chatadmin.widgets.table_data import TableData

    data = TableData(page_size=PAGE, max_pages=MAX_PAGES)
    data.start(data.query.filters, data.query.sort)
    visited = [0, 40_000, 99_950, 5_000, 70_000, 123, 60_000, 20_000]
    for top in visited:
        while (request := data.next_read(top, top + 30)) is not None:
            assert data.next_read(top, top + 30) is None  # one read at a time
            data.arrived(_page(big_store, request))
        assert data.row(top).id == f"b-{top + 1:06d}"
        assert data.window.pages_held <= MAX_PAGES and data.window.rows_held <= MAX_PAGES * PAGE
    assert data.row(0) is None  # read long ago, since dropped


def test_a_new_query_keeps_the_old_rows_until_its_own_arrive(big_store: NamedStore) -> None:
    from chatadmin.domain import ConversationFilter
    from chatadmin.widgets.table_data import TableData

    data = TableData(page_size=PAGE, max_pages=MAX_PAGES)
    data.start(ConversationFilter(), data.query.sort)
    data.arrived(_page(big_store, data.next_read(0, 30)))
    data.counted(data.query.generation, TOTAL)
    old_generation = data.query.generation
    assert data.start(ConversationFilter(search="customer 0004"), data.query.sort)
    assert data.pending and data.row(0).id == "b-000001" and data.total == TOTAL
    request = data.next_read(500, 530)  # the new query reads from the top, wherever the screen was
    assert request.first_page == 0
    assert not data.counted(old_generation, 5)  # an answer for the old filter changes nothing
    assert not data.counted(data.query.generation, 100)  # kept for when the rows come
    assert data.total == TOTAL
    assert data.arrived(_page(big_store, request)) is True
    assert not data.pending and data.total == 100 and data.row(0).id == "b-000400"


def test_a_failed_read_is_not_retried_until_a_reload(big_store: NamedStore) -> None:
    from chatadmin.widgets.table_data import TableData

    data = TableData(page_size=PAGE, max_pages=MAX_PAGES)
    data.start(data.query.filters, data.query.sort)
    assert data.next_read(0, 30) is not None
    assert data.failed("the store is gone") is True
    assert data.error == "the store is gone" and data.extent == 0
    assert data.next_read(0, 30) is None
    data.reload()
    assert data.next_read(0, 30) is not None
