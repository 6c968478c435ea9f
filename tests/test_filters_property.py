"""Every list filter, alone and combined, against a plain-Python reading of the same data."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatadmin.clock import Clock, parse_instant
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.phones import digits, normalize_phone
from chatadmin.text import fold

from .backends import MakeBackend, make_backend  # noqa: F401 - fixture
from .builders import agent, conversation, group, msg

PHONES = [
    "+5215512345678", "+525587654321", "+5511987654321", "+541123456789", "+573001234567",
    "+56987654321", "+51912345678", "+12025550123", "+17875550123", "+34612345678",
]  # fmt: skip
NAMES = ["José Pérez", "JOAO conceição", "María-José Núñez", "Ana", "Luis Gómez", "[b]x[/b]", "100% real", "Zoë"]
GROUPS = ["default", "sales", "support"]
AGENTS = {"ana": ["sales"], "bo": ["sales", "support"], "cy": ["support", "default"], "di": ["default"]}
TAGS = ["vip", "refund", "lead", "queja"]
NOW = parse_instant("2026-11-24T18:00:00Z")


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_dataset(seed: int = 11, size: int = 90) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    records: list[dict[str, Any]] = [group(g) for g in GROUPS]
    records += [agent(a, gs) for a, gs in AGENTS.items()]
    for index in range(size):
        created = NOW - timedelta(minutes=rnd.randint(5, 60 * 24 * 6))
        status = rnd.choice(["open", "in_progress", "closed"])
        grp = rnd.choice(GROUPS + [None]) if status == "open" else rnd.choice(GROUPS)
        agt = None
        if status == "in_progress" or (status == "closed" and rnd.random() < 0.8):
            agt = rnd.choice([a for a, gs in AGENTS.items() if grp in gs])
        assigned = created + timedelta(minutes=rnd.randint(0, 90)) if agt else None
        t = created
        messages = []
        for _ in range(rnd.randint(0, 6)):
            sender = rnd.choice(["customer", "customer", "agent", "system"])
            if sender == "agent" and agt is None:
                sender = "customer"
            t = min(t + timedelta(minutes=rnd.randint(0, 80)), NOW)
            messages.append(msg(iso(t), sender, "hola", agt if sender == "agent" else None))
        closed = None
        if status == "closed":
            closed = iso(min(t + timedelta(minutes=rnd.randint(1, 300)), NOW))
        records.append(
            conversation(
                f"c-{index:03d}",
                iso(created),
                phone=rnd.choice(PHONES),
                name=rnd.choice(NAMES),
                status=status,
                group_id=grp,
                agent_id=agt,
                assigned_at=iso(assigned) if assigned else None,
                closed_at=closed,
                messages=messages,
                rating=rnd.choice([None, None, 1, 3, 4, 5, 5]) if status == "closed" else None,
                tags=rnd.sample(TAGS, rnd.randint(0, 2)),
            )
        )
    return records


class Expected:
    """The contract's definitions, computed the slow, obvious way from a record."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.r = record
        self.created = parse_instant(record["created_at"])
        self.assigned = parse_instant(record["assigned_at"]) if record["assigned_at"] else None
        self.messages = sorted(
            ((parse_instant(m["at"]), i, m["from"]) for i, m in enumerate(record["messages"])),
        )
        self.country = normalize_phone(record["customer"]["phone"]).country

    def first_agent_after(self, since: datetime | None) -> datetime | None:
        if since is None:
            return None
        return next((at for at, _, s in self.messages if s == "agent" and at >= since), None)

    @property
    def response_creation(self) -> int | None:
        first = self.first_agent_after(self.created)
        return None if first is None else int((first - self.created).total_seconds())

    @property
    def response_assignment(self) -> int | None:
        first = self.first_agent_after(self.assigned)
        return None if first is None or self.assigned is None else int((first - self.assigned).total_seconds())

    @property
    def waiting_since(self) -> datetime | None:
        if self.r["status"] == "closed" or not self.messages or self.messages[-1][2] != "customer":
            return None
        since = None
        for at, _, sender in reversed(self.messages):
            if sender == "agent":
                break
            if sender == "customer":
                since = at
        return since

    @property
    def last_message(self) -> datetime | None:
        return self.messages[-1][0] if self.messages else None

    def matches(self, f: ConversationFilter, clock: Clock) -> bool:
        r = self.r
        if f.search:
            name_hit = fold(f.search.strip()) in fold(r["customer"]["name"])
            needle = digits(f.search)
            numberish = needle and all(ch.isdigit() or ch in "+ -()." for ch in f.search.strip())
            phone_digits = digits(normalize_phone(r["customer"]["phone"]).e164) + " " + digits(r["customer"]["phone"])
            if not (name_hit or (numberish and needle in phone_digits)):
                return False
        checks = [
            (f.statuses, lambda: Status(r["status"]) in f.statuses),
            (f.groups, lambda: r["group"] in f.groups),
            (f.agents, lambda: r["agent"] in f.agents),
            (f.countries, lambda: self.country in f.countries),
            (f.tags, lambda: bool(set(r["tags"]) & f.tags)),
            (f.ratings, lambda: r["rating"] in f.ratings),
        ]
        if not all(fn() for given_, fn in checks if given_):
            return False
        if f.created_from and self.created < clock.day_bounds(f.created_from)[0]:
            return False
        if f.created_to and self.created >= clock.day_bounds(f.created_to)[1]:
            return False
        if f.no_response_over is not None:
            since = self.waiting_since
            if since is None or (NOW - since).total_seconds() <= f.no_response_over:
                return False
        if f.inactive_over is not None:
            last = self.last_message
            if last is None or (NOW - last).total_seconds() <= f.inactive_over:
                return False
        for limit, value in (
            (f.response_creation_over, self.response_creation),
            (f.response_assignment_over, self.response_assignment),
        ):
            if limit is not None and (value is None or value <= limit):
                return False
        return True


def subsets(values: list[Any]) -> st.SearchStrategy[frozenset[Any]]:
    return st.frozensets(st.sampled_from(values), max_size=2)


DURATIONS = [0, 59, 60, 300, 900, 3600, 7200, 86400, 3 * 86400]
days = st.one_of(st.none(), st.dates(min_value=date(2026, 11, 17), max_value=date(2026, 11, 25)))


def filters(boundaries: list[int]) -> st.SearchStrategy[ConversationFilter]:
    """Filters whose durations include values that occur in the data, to probe the boundaries."""
    durations = st.one_of(st.none(), st.sampled_from(sorted(set(DURATIONS + boundaries))))
    return st.builds(
        ConversationFilter,
        search=st.one_of(
            st.none(),
            st.sampled_from(["perez", "JOSÉ", "conceicao", "nunez", "[b]", "%", "55 1234", "(787) 555", "98765", "+34", "zoe", "a"]),
        ),
        statuses=subsets(list(Status)),
        groups=subsets(GROUPS),
        agents=subsets(list(AGENTS)),
        countries=subsets(["MX", "BR", "AR", "US", "PR", "ES", "CA"]),
        tags=subsets(TAGS + ["never-used"]),
        ratings=subsets([1, 2, 3, 4, 5]),
        created_from=days,
        created_to=days,
        no_response_over=durations,
        inactive_over=durations,
        response_creation_over=durations,
        response_assignment_over=durations,
    )


def test_filters_agree_with_the_definitions(make_backend: MakeBackend, clock: Clock) -> None:
    records = make_dataset()
    backend = make_backend(records)
    expected = [Expected(r) for r in records if r["type"] == "conversation"]
    # the dataset must exercise every definition, or the property proves little
    assert any(e.waiting_since for e in expected) and any(e.response_assignment for e in expected)
    assert len({e.country for e in expected}) >= 6

    boundaries = [
        int(v)
        for e in expected
        for v in (
            e.response_creation,
            e.response_assignment,
            (NOW - e.waiting_since).total_seconds() if e.waiting_since else None,
            (NOW - e.last_message).total_seconds() if e.last_message else None,
        )
        if v is not None
    ]

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(f=filters(boundaries))
    def check(f: ConversationFilter) -> None:
        want = sorted(e.r["id"] for e in expected if e.matches(f, clock))
        got = sorted(r.id for r in backend.iter_conversations(f, Sort(key=SortKey.ID, descending=False)))
        assert got == want
        assert backend.count_conversations(f) == len(want)

    check()


def test_every_sort_orders_by_its_value_with_nulls_last(make_backend: MakeBackend) -> None:
    backend = make_backend(make_dataset(seed=5, size=60))
    for key in SortKey:
        for descending in (False, True):
            rows = list(backend.iter_conversations(sort=Sort(key=key, descending=descending)))
            values = [_sort_value(row, key) for row in rows]
            present = [v for v in values if v is not None]
            assert values == present + [None] * (len(values) - len(present)), key
            assert present == sorted(present, reverse=descending), (key, descending)


def _sort_value(row: Any, key: SortKey) -> Any:
    if key is SortKey.CUSTOMER_NAME:
        return fold(row.customer_name)
    if key is SortKey.AGENT:
        return row.agent_name
    if key is SortKey.GROUP:
        return row.group_name
    value = getattr(row, key.value)
    return value.value if hasattr(value, "value") else value


def test_each_filter_alone_at_every_value_the_data_holds(make_backend: MakeBackend, clock: Clock) -> None:
    """Exhaustive single filters: every boundary the data has, where off-by-one errors hide."""
    records = make_dataset(seed=3, size=70)
    backend = make_backend(records)
    expected = [Expected(r) for r in records if r["type"] == "conversation"]
    values: dict[str, set[int]] = {
        "response_creation_over": {e.response_creation for e in expected if e.response_creation is not None},
        "response_assignment_over": {e.response_assignment for e in expected if e.response_assignment is not None},
        "no_response_over": {int((NOW - e.waiting_since).total_seconds()) for e in expected if e.waiting_since},
        "inactive_over": {int((NOW - e.last_message).total_seconds()) for e in expected if e.last_message},
    }
    cases = [ConversationFilter(**{name: v}) for name, vs in values.items() for v in vs]
    cases += [ConversationFilter(statuses=frozenset({s})) for s in Status]
    cases += [ConversationFilter(groups=frozenset({g})) for g in GROUPS]
    cases += [ConversationFilter(agents=frozenset({a})) for a in AGENTS]
    cases += [ConversationFilter(tags=frozenset({t})) for t in TAGS]
    cases += [ConversationFilter(ratings=frozenset({n})) for n in range(1, 6)]
    cases += [ConversationFilter(created_from=d) for d in {clock.today() - timedelta(days=n) for n in range(8)}]
    cases += [ConversationFilter(created_to=d) for d in {clock.today() - timedelta(days=n) for n in range(8)}]
    assert len(cases) > 60
    for f in cases:
        want = sorted(e.r["id"] for e in expected if e.matches(f, clock))
        got = sorted(r.id for r in backend.iter_conversations(f))
        assert got == want, f
