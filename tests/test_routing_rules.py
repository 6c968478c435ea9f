"""The routing rules on hand-made situations, and their properties over generated ones."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatadmin.domain import RoutingConfig, RoutingRule
from chatadmin.routing import Candidate, Choice, choose, eligible
from chatadmin.routing.changes import RoutingChange, Setting, config_diff, describe

RR = RoutingConfig(rule=RoutingRule.ROUND_ROBIN)
LB = RoutingConfig(rule=RoutingRule.LEAST_BUSY)
MANUAL = RoutingConfig(rule=RoutingRule.MANUAL)
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def member(
    agent_id: str, load: int = 0, cap: int | None = None, available: bool = True, last: datetime | None = None
) -> Candidate:
    return Candidate(agent_id, available=available, load=load, max_active=cap, last_assigned_at=last)


# -- eligibility --------------------------------------------------------------------------------


def test_an_unavailable_agent_is_eligible_only_when_the_group_takes_anyone() -> None:
    away = member("ana", available=False)
    assert not eligible(away, RR)
    assert eligible(away, RR.model_copy(update={"only_available": False}))


def test_load_must_be_below_the_cap_and_no_cap_means_any_load() -> None:
    assert eligible(member("ana", load=4, cap=5), RR)
    assert not eligible(member("ana", load=5, cap=5), RR)
    assert not eligible(member("ana", load=0, cap=0), RR)
    assert eligible(member("ana", load=10_000, cap=None), RR)
    # only_available off never lifts a cap
    assert not eligible(member("ana", load=5, cap=5), RoutingConfig(only_available=False))


# -- round robin --------------------------------------------------------------------------------


def test_round_robin_takes_the_next_member_by_id_after_the_last_one_and_wraps() -> None:
    members = [member("carla"), member("ana"), member("bo")]
    assert choose(RR, members) == Choice("ana", "round_robin")
    assert choose(RR, members, last_assigned="ana") == Choice("bo", "round_robin")
    assert choose(RR, members, last_assigned="bo") == Choice("carla", "round_robin")
    assert choose(RR, members, last_assigned="carla") == Choice("ana", "round_robin")


def test_round_robin_skips_members_who_are_away_or_full() -> None:
    members = [member("ana"), member("bo", available=False), member("carla", load=2, cap=2), member("dora")]
    assert choose(RR, members, last_assigned="ana").agent_id == "dora"
    assert choose(RR, members, last_assigned="dora").agent_id == "ana"


def test_round_robin_continues_after_a_last_agent_who_left_the_group() -> None:
    members = [member("ana"), member("carla")]
    assert choose(RR, members, last_assigned="bo").agent_id == "carla"
    assert choose(RR, members, last_assigned="zed").agent_id == "ana"


# -- least busy ---------------------------------------------------------------------------------


def test_least_busy_takes_the_lowest_load() -> None:
    members = [member("ana", load=3), member("bo", load=1), member("carla", load=2)]
    assert choose(LB, members) == Choice("bo", "least_busy")


def test_least_busy_ties_go_to_the_oldest_last_assignment_then_the_lowest_id() -> None:
    members = [
        member("ana", load=1, last=T0),
        member("bo", load=1, last=T0 - timedelta(minutes=5)),
        member("carla", load=1, last=T0 - timedelta(minutes=5)),
        member("dora", load=2),
    ]
    assert choose(LB, members).agent_id == "bo"
    never = [*members, member("zed", load=1, last=None)]
    assert choose(LB, never).agent_id == "zed"  # never assigned counts as oldest


def test_least_busy_compares_instants_not_wall_clock_readings() -> None:
    plus_five = timezone(timedelta(hours=5))
    # 12:00+05:00 is 07:00Z: older than 10:00Z although its clock reading is later
    members = [
        member("ana", last=datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
        member("bo", last=datetime(2026, 11, 24, 12, 0, tzinfo=plus_five)),
    ]
    assert choose(LB, members).agent_id == "bo"


def test_least_busy_never_picks_a_full_agent_even_when_others_are_busier() -> None:
    members = [member("ana", load=0, cap=0), member("bo", load=7)]
    assert choose(LB, members).agent_id == "bo"


# -- manual, sticky, nobody -------------------------------------------------------------------------


def test_manual_never_picks_even_with_sticky_and_free_agents() -> None:
    config = MANUAL.model_copy(update={"sticky": True})
    assert choose(config, [member("ana")], previous_agent="ana") == Choice(None, "manual")


def test_sticky_gives_the_previous_agent_the_chat_when_eligible() -> None:
    config = RR.model_copy(update={"sticky": True})
    members = [member("ana"), member("bo"), member("carla")]
    assert choose(config, members, last_assigned="ana", previous_agent="carla") == Choice("carla", "sticky")


@pytest.mark.parametrize(
    "previous",
    [member("carla", available=False), member("carla", load=1, cap=1)],
    ids=["away", "full"],
)
def test_sticky_falls_back_to_the_rule_when_the_previous_agent_is_not_eligible(previous: Candidate) -> None:
    config = LB.model_copy(update={"sticky": True})
    members = [member("ana", load=2), member("bo", load=1), previous]
    assert choose(config, members, previous_agent="carla") == Choice("bo", "least_busy")


def test_sticky_ignores_a_previous_agent_outside_the_group() -> None:
    config = RR.model_copy(update={"sticky": True})
    assert choose(config, [member("ana"), member("bo")], last_assigned="ana", previous_agent="zed") == Choice(
        "bo", "round_robin"
    )


def test_without_sticky_the_previous_agent_gets_no_preference() -> None:
    assert choose(RR, [member("ana"), member("bo")], last_assigned="ana", previous_agent="ana").agent_id == "bo"


@pytest.mark.parametrize("config", [RR, LB], ids=["round_robin", "least_busy"])
def test_nobody_eligible_leaves_the_chat_in_the_queue_under_the_groups_rule(config: RoutingConfig) -> None:
    members = [member("ana", available=False), member("bo", load=3, cap=3)]
    assert choose(config, members) == Choice(None, config.rule.value)
    assert choose(config, []) == Choice(None, config.rule.value)


# -- the audit trail's wording ----------------------------------------------------------------------


def test_config_diff_lists_only_what_changed() -> None:
    new = RoutingConfig(rule=RoutingRule.MANUAL, only_available=True, sticky=True)
    assert config_diff(RR, new) == [(Setting.RULE, "round_robin", "manual"), (Setting.STICKY, "false", "true")]
    assert config_diff(RR, RR) == []


def test_changes_read_as_one_line_each() -> None:
    def change(setting: Setting, old: str, new: str, group: str | None = None, agent: str | None = None) -> str:
        return describe(
            RoutingChange(at=T0, actor="alicia", group=group, agent=agent, setting=setting, old=old, new=new)
        )

    assert change(Setting.RULE, "round_robin", "manual", group="sales") == "sales: rule round_robin → manual"
    assert change(Setting.ONLY_AVAILABLE, "true", "false", group="sales") == "sales: only available on → off"
    assert change(Setting.MAX_ACTIVE, "5", "none", agent="ana") == "ana: cap 5 → none"
    assert change(Setting.AVAILABLE, "true", "false", agent="ana") == "ana: available on → off"
    assert change(Setting.MEMBER, "false", "true", group="sales", agent="ana") == "ana joined sales"
    assert change(Setting.MEMBER, "true", "false", group="sales", agent="ana") == "ana left sales"


# -- properties ---------------------------------------------------------------------------------------

IDS = st.sampled_from(["ana", "bo", "carla", "dora", "eli", "fer", "gus"])
INSTANTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC))

candidates = st.builds(
    Candidate,
    agent_id=IDS,
    available=st.booleans(),
    load=st.integers(0, 8),
    max_active=st.none() | st.integers(0, 8),
    last_assigned_at=st.none() | INSTANTS,
)
groups_of_members = st.lists(candidates, max_size=7, unique_by=lambda c: c.agent_id)
configs = st.builds(
    RoutingConfig, rule=st.sampled_from(RoutingRule), only_available=st.booleans(), sticky=st.booleans()
)
pointers = st.none() | IDS | st.text(max_size=4)


@given(config=configs, members=groups_of_members, last=pointers, previous=st.none() | IDS)
def test_routing_picks_an_eligible_member_or_nobody_only_when_none_is(
    config: RoutingConfig, members: list[Candidate], last: str | None, previous: str | None
) -> None:
    choice = choose(config, members, last_assigned=last, previous_agent=previous)
    by_id = {m.agent_id: m for m in members}
    if choice.agent_id is None:
        # nobody: the rule is manual, or truly no member can take it
        assert config.rule is RoutingRule.MANUAL or not any(eligible(m, config) for m in members)
        return
    assert config.rule is not RoutingRule.MANUAL
    picked = by_id[choice.agent_id]  # never a non-member
    if config.only_available:
        assert picked.available  # never an unavailable agent when only_available
    assert picked.max_active is None or picked.load < picked.max_active  # never over cap
    if choice.rule == "sticky":
        assert config.sticky and choice.agent_id == previous
    elif config.sticky and previous in by_id and eligible(by_id[previous], config):
        pytest.fail("an eligible previous agent must win under sticky")
    if choice.rule == "least_busy":
        assert picked.load == min(m.load for m in members if eligible(m, config))


@settings(max_examples=200)
@given(config=configs, members=groups_of_members, start=pointers, steps=st.integers(0, 60))
def test_a_run_of_routing_never_pushes_anyone_past_their_cap(
    config: RoutingConfig, members: list[Candidate], start: str | None, steps: int
) -> None:
    """Each pick adds one to the agent's load, as the store does; no cap is ever passed by routing."""
    loads = {m.agent_id: m.load for m in members}
    last = start
    for _ in range(steps):
        current = [Candidate(m.agent_id, m.available, loads[m.agent_id], m.max_active) for m in members]
        choice = choose(config, current, last_assigned=last)
        if choice.agent_id is None:
            break
        picked = next(m for m in members if m.agent_id == choice.agent_id)
        loads[picked.agent_id] += 1
        if picked.max_active is not None:
            assert loads[picked.agent_id] <= max(picked.max_active, picked.load)
        last = choice.agent_id
    assert all(m.max_active is None or loads[m.agent_id] <= max(m.max_active, m.load) for m in members)


@settings(max_examples=200)
@given(
    members=st.lists(
        st.builds(
            Candidate,
            agent_id=IDS,
            available=st.booleans(),
            load=st.integers(0, 3),
            max_active=st.none() | st.integers(0, 3),
        ),
        min_size=1,
        max_size=7,
        unique_by=lambda c: c.agent_id,
    ),
    only_available=st.booleans(),
    start=pointers,
    steps=st.integers(1, 80),
)
def test_round_robin_visits_the_eligible_members_evenly(
    members: list[Candidate], only_available: bool, start: str | None, steps: int
) -> None:
    """With the eligible members fixed over a run, their counts never differ by more than one."""
    config = RoutingConfig(rule=RoutingRule.ROUND_ROBIN, only_available=only_available)
    pool = {m.agent_id for m in members if eligible(m, config)}
    counts: Counter[str] = Counter()
    last = start
    for _ in range(steps):
        choice = choose(config, members, last_assigned=last)
        if not pool:
            assert choice.agent_id is None
            return
        assert choice.agent_id in pool
        counts[choice.agent_id] += 1
        last = choice.agent_id
        visited = [counts[a] for a in pool]
        assert max(visited) - min(visited) <= 1
