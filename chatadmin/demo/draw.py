"""Drawing the demo store from a seed: the team, then conversations in time order with their customers."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from chatadmin.demo.chats import Chat, Simulator
from chatadmin.demo.customers import COUNTRIES, MX_WHATSAPP_1, Customer, NamePools
from chatadmin.demo.world import (
    DAY,
    GROUP_BY_ID,
    HOUR,
    Arrivals,
    DemoAgent,
    Dice,
    Team,
    TeamHours,
    arrivals,
    cumulative,
    make_team,
)
from chatadmin.domain import Role, RoutingRule, Status

WINDOW_DAYS = 30
RECENT_SHARE = 0.05  # of conversations drawn from today, so that today's numbers are never empty
RETURNING = 0.25  # of conversations from a customer seen before
VIP = 0.04  # of customers


@dataclass
class DemoPlan:
    """Everything the demo store holds, drawn from ``seed`` as of ``now`` (team in ``zone``)."""

    seed: int
    now: int
    zone: tzinfo
    conversations: int

    def __post_init__(self) -> None:
        self.names = NamePools(self.seed)
        self.agents: list[DemoAgent] = make_team(random.Random(f"{self.seed}/team"), self.names)
        self.team = Team(self.agents)
        start = self.now - WINDOW_DAYS * DAY
        self.hours = TeamHours.around(self.zone, start, self.now)
        self.start = start
        moment = datetime.fromtimestamp(self.now, UTC)
        self._offsets = {
            plan.zone: int(ZoneInfo(plan.zone).utcoffset(moment).total_seconds())  # type: ignore[union-attr]
            for country in COUNTRIES
            for plan in country.plans
        }

    def conversation_ids(self) -> list[str]:
        width = max(6, len(str(self.conversations)))
        return [f"c-{i:0{width}d}" for i in range(1, self.conversations + 1)]

    def _arrival_times(self, dice: Dice) -> list[tuple[int, int, int]]:
        """(created, country index, number plan index) per conversation, oldest first."""
        n = self.conversations
        trend = [0.85 + 0.3 * d / WINDOW_DAYS + 0.24 * (dice.random() - 0.5) for d in range(WINDOW_DAYS + 1)]
        for _ in range(2):
            trend[dice.below(WINDOW_DAYS - 1)] *= 1.6  # a campaign day
        today = datetime.fromtimestamp(self.now, self.zone).replace(hour=0, minute=0, second=0, microsecond=0)
        recent_start = min(int(today.timestamp()), self.now - 6 * HOUR)
        tables: dict[str, Arrivals] = {}
        for country in COUNTRIES:
            for plan in country.plans:
                if plan.zone not in tables:
                    tables[plan.zone] = arrivals(ZoneInfo(plan.zone), self.start, self.now, recent_start, trend)
        weights = cumulative([c.weight for c in COUNTRIES])
        indexes = range(len(COUNTRIES))
        zones = [[tables[plan.zone] for plan in country.plans] for country in COUNTRIES]
        drawn = []
        for i in range(n):
            c = dice.weighted(indexes, weights)
            p = dice.below(len(zones[c]))
            created = zones[c][p].draw(dice, dice.random() < RECENT_SHARE)
            drawn.append((created, i, c, p))
        drawn.sort()
        return [(created, c, p) for created, _, c, p in drawn]

    def chats(self) -> Iterator[Chat]:
        """The conversations, oldest first."""
        dice = Dice(f"{self.seed}/conversations")
        simulator = Simulator(dice, self.team, self.hours, self.now)
        phones: set[str] = set()
        seen: list[list[Customer]] = [[] for _ in COUNTRIES]
        for ident, (created, c, p) in zip(self.conversation_ids(), self._arrival_times(dice), strict=True):
            if seen[c] and dice.random() < RETURNING:
                customer = dice.pick(seen[c])
            else:
                customer = self._new_customer(dice, c, p, phones)
                seen[c].append(customer)
            yield simulator.chat(ident, created, customer)

    def _new_customer(self, dice: Dice, c: int, p: int, phones: set[str]) -> Customer:
        country = COUNTRIES[c]
        plan = country.plans[p]
        phone = plan.number(dice)
        while phone in phones:
            phone = plan.number(dice)
        phones.add(phone)
        wa_id = phone[1:]
        if country.code == "MX" and dice.random() < MX_WHATSAPP_1:
            wa_id = "521" + phone[3:]
        locales, weights = zip(*country.locales, strict=True)
        name, first = self.names.customer_name(dice.weighted(locales, cumulative(weights)), dice)
        vip = dice.random() < VIP
        return Customer(phone, wa_id, name, first, country.code, country.portuguese, vip, self._offsets[plan.zone])


def settle_agents(agents: list[DemoAgent], chats_open: dict[str, int], loads: dict[str, int], working: bool) -> None:
    """Make the team's state at now agree with the queues routing left behind.

    A chat waits in an automatically routed group only when nobody there is eligible: off
    hours everyone but the agents on call is away; in hours, members with chats are full
    (cap = load) and the rest away.
    """
    for agent in agents:
        if not working and agent.role is Role.AGENT and not agent.on_call:
            agent.available = False
    for group, waiting in chats_open.items():
        if not waiting or GROUP_BY_ID[group].routing.rule is RoutingRule.MANUAL:
            continue
        for agent in agents:
            if group not in agent.groups or not agent.available:
                continue
            load = loads.get(agent.id, 0)
            if agent.max_active is not None and load >= agent.max_active:
                continue
            if working and load >= 2:
                agent.max_active = load
            else:
                agent.available = False


def tally(chat: Chat, waiting: dict[str, int], loads: dict[str, int]) -> None:
    """Count the chat into the queues and agents' loads at now."""
    if chat.status == Status.OPEN.value and chat.group is not None:
        waiting[chat.group] = waiting.get(chat.group, 0) + 1
    elif chat.status == Status.IN_PROGRESS.value and chat.agent is not None:
        loads[chat.agent] = loads.get(chat.agent, 0) + 1
