"""The demo store: reproducible from seed and now, valid by the contract, and lively today."""

from __future__ import annotations

import io
import os
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest
import sqlalchemy as sa

from chatadmin import demo
from chatadmin.demo import es as demo_es, feed as demo_feed, pt as demo_pt, write as demo_write
from chatadmin.clock import Clock, parse_instant
from chatadmin.demo import create_demo_store, demo_exists, rich_progress
from chatadmin.demo.customers import COUNTRIES
from chatadmin.demo.world import Dice
from chatadmin.domain import ConversationFilter, Role, RoutingRule, Sender, Status
from chatadmin.errors import BackendUnavailable, InvalidInput
from chatadmin.ndjson import AgentRecord, ConversationRecord, GroupRecord
from chatadmin.phones import normalize_phone
from chatadmin.routing import Candidate, eligible
from chatadmin.store.dump import export_ndjson
from chatadmin.store.engine import make_engine, upgrade
from chatadmin.store.load import import_ndjson, parse_lines
from chatadmin.store.sql import SqlStore
from chatadmin.text import fold

SIZE = 400


def build(url: str, clock: Clock, *, size: int = SIZE, seed: int = 7) -> None:
    create_demo_store(url, conversations=size, seed=seed, now=clock.now(), zone=clock.zone)


def export(url: str) -> str:
    engine = make_engine(url)
    try:
        out = io.StringIO()
        export_ndjson(engine, out)
        return out.getvalue()
    finally:
        engine.dispose()


def records(url: str) -> list[GroupRecord | AgentRecord | ConversationRecord]:
    """The store's export, read back through the importer's checks (they raise on any violation)."""
    return parse_lines(export(url).splitlines(), "demo")  # type: ignore[return-value]


@pytest.fixture
def demo_url(db_url: str, clock: Clock) -> str:
    build(db_url, clock)
    return db_url


def conversations_of(items: list[GroupRecord | AgentRecord | ConversationRecord]) -> list[ConversationRecord]:
    return [r for r in items if isinstance(r, ConversationRecord)]


# -- reproducible ---------------------------------------------------------------------------


def test_the_same_seed_and_now_give_the_same_store_on_every_back_end(demo_url: str, clock: Clock, tmp_path: Path) -> None:
    again = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    build(again, clock)
    first = export(demo_url)
    assert first == export(again)
    assert first.count('"type":"conversation"') == SIZE


def test_another_seed_or_now_gives_another_store(clock: Clock, tmp_path: Path) -> None:
    base = f"sqlite:///{tmp_path / 'base.sqlite3'}"
    seeded = f"sqlite:///{tmp_path / 'seed.sqlite3'}"
    later = f"sqlite:///{tmp_path / 'later.sqlite3'}"
    build(base, clock, size=100)
    build(seeded, clock, size=100, seed=8)
    build(later, Clock(zone=clock.zone, fixed=clock.now() + timedelta(days=1)), size=100)
    assert len({export(base), export(seeded), export(later)}) == 3


# -- valid by the contract ------------------------------------------------------------------


def test_every_customer_number_is_a_valid_whatsapp_number(demo_url: str) -> None:
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        customers = connection.execute(sa.text("SELECT phone, wa_id, country, digits FROM customers")).all()
    engine.dispose()
    assert customers
    for phone, wa_id, country, digits in customers:
        parsed = normalize_phone(phone)
        assert parsed.e164 == phone
        assert parsed.country == country
        assert wa_id.isdigit() and digits == f"{phone[1:]} {wa_id}"
        # WhatsApp's Mexican form keeps a 1 after the country code; the stored number does not
        assert wa_id == phone[1:] or (phone.startswith("+52") and wa_id == "521" + phone[3:])
    assert any(wa_id.startswith("521") for _, wa_id, _, _ in customers)
    countries = Counter(country for _, _, country, _ in customers)
    assert {"MX", "BR", "CO", "AR", "US", "ES", "PR"} <= countries.keys()
    assert countries.most_common(1)[0][0] == "MX"
    assert any(phone.startswith(("+1787", "+1939")) for phone, _, country, _ in customers if country == "PR")


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c.code)
def test_every_numbering_plan_only_makes_valid_numbers_of_its_country(country: object) -> None:
    """Many more numbers than a test store holds, and each plan's lowest and highest number."""
    dice = Dice("plans")
    for plan in country.plans:  # type: ignore[attr-defined]
        high = (plan.high or 10**plan.digits) - 1
        numbers = [plan.number(dice) for _ in range(1500)]
        numbers += [f"+{plan.prefix}{plan.low:0{plan.digits}d}", f"+{plan.prefix}{high:0{plan.digits}d}"]
        for number in numbers:
            parsed = phonenumbers.parse(number)
            assert phonenumbers.is_valid_number(parsed), number
            assert phonenumbers.region_code_for_number(parsed) == country.code, number  # type: ignore[attr-defined]


def test_conversations_pass_the_importers_checks_and_agree_with_their_audit_trail(demo_url: str) -> None:
    items = records(demo_url)
    agents = {r.id: r for r in items if isinstance(r, AgentRecord)}
    for conversation in conversations_of(items):
        assert conversation.events is not None
        agent = assigned = closed = group = None
        holders: list[tuple[datetime, str | None]] = [(conversation.created_at, None)]
        for event in conversation.events:
            assert event.at >= conversation.created_at
            if event.kind.value == "closed":
                closed = event.at
            elif event.kind.value == "reopened":
                closed = None
            else:
                agent, group = event.to_agent, event.to_group
                assigned = event.at if agent else None
                holders.append((event.at, agent))
        assert (conversation.agent, conversation.assigned_at, conversation.closed_at) == (agent, assigned, closed)
        if len(holders) > 1:
            assert conversation.group == group
        expected = Status.CLOSED if closed else Status.IN_PROGRESS if agent else Status.OPEN
        assert conversation.status is expected
        if conversation.agent is not None:
            assert conversation.group in agents[conversation.agent].groups
        times = [m.at for m in conversation.messages]
        assert conversation.messages and times == sorted(times)
        for message in conversation.messages:
            if message.from_ is Sender.AGENT:
                # the agent writing is the one holding the chat at that moment
                holder = [who for at, who in holders if at <= message.at][-1]
                assert message.agent == holder, conversation.id


def _templates(module: ModuleType) -> re.Pattern[str]:
    """Every text the module can produce, as one pattern (fields match anything)."""
    texts = [text for script in module.SCRIPTS for step in script.steps for text in step.texts]
    texts += [text for script in module.SCRIPTS for end in script.endings for step in end.steps for text in step.texts]
    for name in ("GREETING", "AWAY", "REOPEN_CUSTOMER", "REOPEN_AGENT", "REOPEN_FOLLOW", "HANDOFF_FROM_DEFAULT", "NUDGES"):
        texts += getattr(module, name)
    texts = [t for t in texts if t != "{hello}"] + list(module.HELLO_ANY) + [t for ts in module.HELLO_BY_TIME for t in ts]
    numbers = {"o": r"\d{6}", "g": r"(QB)?\d+(BR)?"}  # order and tracking numbers; the rest is text
    parts = sorted(
        {re.sub(r"\\\{([a-z]+)\\\}", lambda m: numbers.get(m[1], ".+"), re.escape(t)) for t in texts},
        key=len,
        reverse=True,
    )
    assert ".+" not in parts  # a bare text field would match anything
    return re.compile("|".join(parts))


def test_customers_are_answered_in_their_language(demo_url: str) -> None:
    spanish, portuguese = _templates(demo_es), _templates(demo_pt)
    conversations = conversations_of(records(demo_url))
    assert any(c.customer.phone.startswith("+55") for c in conversations)
    for conversation in conversations:
        language = portuguese if conversation.customer.phone.startswith("+55") else spanish
        for message in conversation.messages:
            assert language.fullmatch(message.text), (conversation.id, message.text)


def test_every_text_is_filled_in(demo_url: str) -> None:
    for conversation in conversations_of(records(demo_url)):
        texts = [m.text for m in conversation.messages] + [n.text for n in conversation.notes]
        texts.append(conversation.rating_comment or "")
        for text in texts:
            assert "{" not in text and "}" not in text, (conversation.id, text)


def test_importing_the_export_gives_the_same_list_and_metrics(demo_url: str, clock: Clock, tmp_path: Path) -> None:
    """The derived columns the demo writes are those the importer computes from the same data."""
    copy = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    engine = make_engine(copy)
    upgrade(engine)
    import_ndjson(engine, export(demo_url).splitlines(), "demo")
    engine.dispose()
    original, imported = SqlStore.open(demo_url, clock), SqlStore.open(copy, clock)
    try:
        assert list(original.iter_conversations()) == list(imported.iter_conversations())
        assert original.metrics() == imported.metrics()
    finally:
        original.dispose()
        imported.dispose()


def _schema(url: str) -> list[tuple[str, ...]]:
    """What a store's schema is made of: indexes, triggers and (PostgreSQL) constraints included."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                rows = connection.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all()
            else:
                rows = connection.exec_driver_sql(
                    "SELECT 'index', indexname, replace(indexdef, current_schema(), 'S') FROM pg_indexes"
                    " WHERE schemaname = current_schema() ORDER BY indexname"
                ).all()
                # foreign keys (validated), primary keys, unique and check constraints, on their tables
                rows += connection.exec_driver_sql(
                    "SELECT 'constraint', conrelid::regclass::text || '.' || conname,"
                    " pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END"
                    " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 2"
                ).all()
                rows += connection.exec_driver_sql(
                    "SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                    " WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class"
                    " WHERE relnamespace = current_schema()::regnamespace) ORDER BY 2"
                ).all()
        return [tuple(r) for r in rows]
    finally:
        engine.dispose()


def test_an_empty_store_is_filled_with_its_indexes_triggers_and_search_intact(db_url: str, clock: Clock) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    before = _schema(db_url)
    if db_url.startswith("postgresql"):  # the load sets foreign keys aside: they must all be back
        assert sum(1 for kind, _, sql in before if kind == "constraint" and "FOREIGN KEY" in sql) >= 20
    assert not demo_exists(db_url)
    build(db_url, clock, size=150)
    assert _schema(db_url) == before
    store = SqlStore.open(db_url, clock)
    try:
        rows = list(store.iter_conversations())
        # accents and case do not matter to search, and WhatsApp's +521 form is found by its digits
        accented = next(r for r in rows if fold(r.customer_name) != r.customer_name.lower())
        found = store.list_conversations(ConversationFilter(search=fold(accented.customer_name).upper()), limit=1000)
        assert accented.id in {r.id for r in found.rows}
        whatsapp = next(r for r in rows if r.customer_wa_id.startswith("521"))
        found = store.list_conversations(ConversationFilter(search=whatsapp.customer_wa_id[:9]), limit=1000)
        assert whatsapp.id in {r.id for r in found.rows}
    finally:
        store.dispose()


def test_the_store_takes_ordinary_writes_and_imports_afterwards(demo_url: str, clock: Clock) -> None:
    """Primary keys the demo gave explicitly leave every sequence past them (PostgreSQL)."""
    store = SqlStore.open(demo_url, clock)
    try:
        waiting = next(store.iter_conversations(ConversationFilter(statuses=frozenset({Status.OPEN}))))
        store.add_note(waiting.id, "Cliente pide llamada")
        store.set_tags(waiting.id, [*waiting.tags, "a-brand-new-tag"])
        result = store.transfer(waiting.id, "support")
        assert result.group == "support"
    finally:
        store.dispose()
    engine = make_engine(demo_url)
    try:
        lines = [
            '{"type":"group","id":"wholesale-desk","name":"Mayoreo"}',
            '{"type":"agent","id":"new.agent","name":"Nueva Agente","groups":["wholesale-desk"]}',
            (
                '{"type":"conversation","id":"c-new","customer":{"phone":"+525598765432","name":"Nuevo"},'
                '"group":"wholesale-desk","status":"open","created_at":"2026-11-24T17:00:00Z","tags":["another-new-tag"],'
                '"messages":[{"at":"2026-11-24T17:00:00Z","from":"customer","text":"Hola"}]}'
            ),
        ]
        import_ndjson(engine, lines, "more.ndjson")
    finally:
        engine.dispose()
    assert '"id":"c-new"' in export(demo_url)


# -- realistic ------------------------------------------------------------------------------


def test_the_team_has_groups_roles_and_memberships(demo_url: str) -> None:
    items = records(demo_url)
    groups = [r.id for r in items if isinstance(r, GroupRecord)]
    agents = [r for r in items if isinstance(r, AgentRecord)]
    assert "default" in groups and 4 <= len(groups) <= 6
    assert 20 <= len(agents) <= 40
    assert all(1 <= len(a.groups) <= 3 for a in agents)
    roles = Counter(a.role for a in agents)
    assert roles[Role.ADMIN] >= 2 and roles[Role.SUPERVISOR] >= 2 and roles[Role.AGENT] > len(agents) / 2
    assert any(not a.available for a in agents) and any(a.available for a in agents)
    assert any(a.max_active is None for a in agents) and any(a.max_active for a in agents)


def test_the_chats_look_like_a_real_month(demo_url: str, clock: Clock) -> None:
    conversations = conversations_of(records(demo_url))
    now = clock.now()
    assert all(now - timedelta(days=31) <= c.created_at <= now for c in conversations)
    statuses = Counter(c.status for c in conversations)
    assert statuses[Status.CLOSED] > SIZE * 0.75 and statuses[Status.OPEN] and statuses[Status.IN_PROGRESS]
    assert 4 <= statistics.mean(len(c.messages) for c in conversations) <= 9
    closed = [c for c in conversations if c.status is Status.CLOSED]
    ratings = [c.rating for c in closed if c.rating is not None]
    assert 0.2 < len(ratings) / len(closed) < 0.7  # many customers never rate
    assert Counter(ratings).most_common(1)[0][0] == 5 and sum(r >= 4 for r in ratings) > len(ratings) / 2  # rate high
    tags = Counter(t for c in conversations for t in c.tags)
    assert {"vip", "refund", "lead", "complaint", "wholesale"} <= tags.keys()
    assert any(c.notes for c in conversations)
    kinds = Counter(e.kind.value for c in conversations for e in c.events or ())
    assert {"assigned", "transferred", "unassigned", "closed", "reopened"} <= kinds.keys()


def test_reply_times_are_log_normal_and_arrivals_follow_business_hours(demo_url: str, clock: Clock) -> None:
    store = SqlStore.open(demo_url, clock)
    try:
        rows = list(store.iter_conversations())
    finally:
        store.dispose()
    replies = sorted(r.response_assignment_s for r in rows if r.response_assignment_s is not None)
    median = statistics.median(replies)
    assert 15 <= median <= 600
    assert replies[-1] > 20 * median  # a long tail, not a bell
    local_hours = Counter(r.created_at.astimezone(clock.zone).hour for r in rows if r.country == "MX")
    assert sum(local_hours[h] for h in range(9, 21)) > 4 * sum(local_hours[h] for h in (0, 1, 2, 3, 4, 5))


def test_today_is_busy_and_some_chats_wait_for_an_answer(demo_url: str, clock: Clock) -> None:
    store = SqlStore.open(demo_url, clock)
    try:
        metrics = store.metrics()
        waiting = list(store.iter_conversations(ConversationFilter(statuses=frozenset({Status.OPEN}))))
        engine = store.engine
        start, end = clock.day_bounds(clock.today())
        with engine.connect() as connection:
            assigned_today = connection.execute(
                sa.text("SELECT count(*) FROM events WHERE kind IN ('assigned', 'transferred') AND at >= :s AND at < :e"),
                {"s": int(start.timestamp()) * 1_000_000, "e": int(end.timestamp()) * 1_000_000},
            ).scalar()
    finally:
        store.dispose()
    assert metrics.completed_today > 0 and metrics.active > 0 and metrics.unassigned > 0
    assert metrics.highest_load_group is not None and metrics.highest_load_group.assigned_today > 0
    assert assigned_today and assigned_today >= metrics.highest_load_group.assigned_today
    assert any(row.sent_by is Sender.CUSTOMER and row.no_response_s is not None for row in waiting)
    assert len({row.country for row in waiting} | {metrics.timezone}) >= 2


@pytest.mark.parametrize("local", ["03:00 on a Tuesday", "14:00 on a Sunday"])
def test_the_night_and_the_weekend_are_not_dead(local: str, clock: Clock, tmp_path: Path) -> None:
    """Agents on call answer sales and support after hours, so today is never empty for long."""
    now = {"03:00 on a Tuesday": "2026-11-24T09:00:00Z", "14:00 on a Sunday": "2026-11-22T20:00:00Z"}[local]
    at = Clock(zone=clock.zone, fixed=parse_instant(now))
    url = f"sqlite:///{tmp_path / 'night.sqlite3'}"
    build(url, at, size=1000)
    store = SqlStore.open(url, at)
    try:
        metrics = store.metrics()
        agents = store.list_agents()
    finally:
        store.dispose()
    assert metrics.completed_today > 0 and metrics.highest_load_group is not None
    assert metrics.unassigned > 0  # what waits for the morning: triage and billing
    assert 0 < sum(a.available for a in agents if a.role is Role.AGENT) < len(agents) / 3


def test_routing_would_leave_every_waiting_chat_where_it_is(demo_url: str, clock: Clock) -> None:
    """A chat waits in an automatically routed group only while nobody there is eligible."""
    store = SqlStore.open(demo_url, clock)
    try:
        groups = store.list_groups()
        agents = {a.id: a for a in store.list_agents()}
        waiting = Counter(r.group for r in store.iter_conversations(ConversationFilter(statuses=frozenset({Status.OPEN}))))
    finally:
        store.dispose()
    assert sum(waiting.values()) > 0
    for group in groups:
        if group.routing.rule is RoutingRule.MANUAL or not waiting[group.id]:
            continue
        candidates = [
            Candidate(a.id, a.available, a.load, a.max_active) for a in agents.values() if a.id in group.members
        ]
        assert not any(eligible(c, group.routing) for c in candidates), group.id


# -- creating ---------------------------------------------------------------------------------


def test_demo_exists_only_once_there_is_data_and_a_store_is_never_overwritten(clock: Clock, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    assert not demo_exists(str(path))
    assert not path.exists()  # asking does not create the file
    build(str(path), clock, size=50)
    assert demo_exists(str(path))
    before = export(f"sqlite:///{path}")
    with pytest.raises(InvalidInput, match="already holds data"):
        build(str(path), clock, size=60, seed=3)
    assert export(f"sqlite:///{path}") == before


def test_an_unreachable_server_is_one_line_without_the_password(clock: Clock) -> None:
    with pytest.raises(BackendUnavailable) as caught:
        build("postgresql+psycopg://chatadmin:s3cret@127.0.0.1:1/demo", clock, size=10)
    assert "s3cret" not in caught.value.message and "\n" not in caught.value.message
    assert caught.value.message.startswith("cannot open the store at postgresql+psycopg://chatadmin:***@127.0.0.1:1/demo")


def test_progress_counts_up_to_the_total(clock: Clock, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    create_demo_store(
        str(tmp_path / "p.sqlite3"), conversations=120, now=clock.now(), zone=clock.zone,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (0, 120) and seen[-1] == (120, 120)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_an_interrupted_build_leaves_nothing_behind(db_url: str, clock: Clock, tmp_path: Path) -> None:
    def interrupt(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        create_demo_store(db_url, conversations=50, now=clock.now(), zone=clock.zone, progress=interrupt)
    assert not demo_exists(db_url)
    if db_url.startswith("sqlite"):
        assert list(tmp_path.iterdir()) == []  # neither the store nor a partial file


def test_a_file_that_is_not_a_store_is_left_alone(clock: Clock, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, " * 100)
    with pytest.raises(InvalidInput, match="cannot read the store"):
        build(str(path), clock, size=20)
    assert path.read_text() == "not a database, " * 100


def test_drawing_in_a_child_process_or_in_process_gives_the_same_store(
    clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked = f"sqlite:///{tmp_path / 'forked.sqlite3'}"
    build(forked, clock, size=120)
    monkeypatch.setattr(demo, "FORK", False)
    local = f"sqlite:///{tmp_path / 'local.sqlite3'}"
    build(local, clock, size=120)
    assert export(forked) == export(local)


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "in-process"])
def test_a_failure_while_drawing_reaches_the_caller_and_leaves_nothing(
    fork: bool, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: object, chat: object) -> None:
        raise ValueError("no more conversations today")

    monkeypatch.setattr(demo, "FORK", fork)
    monkeypatch.setattr(demo_write.Numbering, "drawn", broken)  # runs where the drawing does
    with pytest.raises(ValueError, match="no more conversations today"):
        build(str(tmp_path / "broken.sqlite3"), clock, size=50)
    assert list(tmp_path.iterdir()) == []


def test_a_drawing_process_that_dies_is_reported(clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def die(plan: object, chunk_size: int = 0) -> Iterator[object]:
        os._exit(3)
        yield

    monkeypatch.setattr(demo_feed, "produce", die)
    with pytest.raises(RuntimeError, match="ended early .exit code 3"):
        build(str(tmp_path / "dead.sqlite3"), clock, size=50)
    assert list(tmp_path.iterdir()) == []


def test_rich_progress_draws_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with rich_progress("Creating [bold]a demo") as progress:
        progress(0, 10)
        progress(10, 10)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Creating [bold]a demo" in captured.err
