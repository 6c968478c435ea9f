"""One demo conversation's life: arrival, routing, the chat, transfers and closing, cut off at now.

Times are integer seconds since the epoch. A conversation is simulated to its end and then
everything after ``now`` is dropped; its final group, agent and status are replayed from the
events that remain, so status, agent, ``assigned_at`` and ``closed_at`` always agree with the
audit trail and with the messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from chatadmin.demo import es as demo_es, pt as demo_pt
from chatadmin.demo.customers import Customer, price
from chatadmin.demo.text import AGENT, CUSTOMER, KINDS, TRANSFER, Kind, Script
from chatadmin.demo.world import BRAND, DAY, Desk, Dice, Team, TeamHours, cumulative
from chatadmin.domain import EventKind, RoutingRule, Status

ASSIGNED = EventKind.ASSIGNED.value
TRANSFERRED = EventKind.TRANSFERRED.value
UNASSIGNED = EventKind.UNASSIGNED.value
CLOSED = EventKind.CLOSED.value
REOPENED = EventKind.REOPENED.value
SYSTEM = "system"
MANUAL = RoutingRule.MANUAL.value

RATINGS = (1, 2, 3, 4, 5)
RATING_WEIGHTS = cumulative((6, 3, 7, 20, 64))  # J-shaped, as customer surveys are
UNHAPPY_WEIGHTS = cumulative((35, 20, 25, 12, 8))


# (at, sender, agent id, text); (at, author, text);
# (at, kind, actor, from_agent, from_group, to_agent, to_group, rule)
Message = tuple[int, str, str | None, str]
Note = tuple[int, str, str]
Event = tuple[int, str, str, str | None, str | None, str | None, str | None, str | None]


@dataclass(slots=True)
class Chat:
    id: str
    customer: Customer
    group: str | None
    agent: str | None
    status: str
    created: int
    assigned: int | None
    closed: int | None
    rating: int | None
    comment: str | None
    tags: tuple[str, ...]
    messages: list[Message]
    notes: list[Note]
    events: list[Event]


def _at(item: Message) -> int:
    return item[0]


_SCRIPTS = {module: {s.kind: s for s in module.SCRIPTS} for module in (demo_es, demo_pt)}


class Simulator:
    """Plays conversations forward in time for one world (team, hours, now)."""

    def __init__(self, dice: Dice, team: Team, hours: TeamHours, now: int) -> None:
        self.dice = dice
        self.team = team
        self.desks = team.desks
        self._first_names = {a.id: a.first for a in team.agents.values()}
        self._speeds = {a.id: a.speed for a in team.agents.values()}
        self._on_call = frozenset(a.id for a in team.agents.values() if a.on_call)
        self.hours = hours
        self.now = now
        self._kinds = list(KINDS)
        self._kind_weights = cumulative([k.weight for k in KINDS])
        vip = {"quote": 3.0, "wholesale": 4.0, "follow_up": 2.0}
        self._vip_weights = cumulative([k.weight * vip.get(k.name, 1.0) for k in KINDS])
        self._endings = {
            (module, script.kind): (script.endings, cumulative([e.weight for e in script.endings]))
            for module, scripts in _SCRIPTS.items()
            for script in scripts.values()
        }

    # -- delays ---------------------------------------------------------------------------

    def agent_time(self, t: int, agent: str) -> int:
        """When ``agent`` acts on something due at ``t``: then (in hours, or on call), or once back."""
        opened = self.hours.next_open(t)
        if opened == t or agent in self._on_call:
            return t
        return opened + self.dice.lag(240, 0.8)

    def customer_lag(self) -> int:
        if self.dice.random() < 0.06:
            return self.dice.lag(2.5 * 3600, 1.0)  # went away and came back a while later
        return self.dice.lag(100, 1.2)

    def queue_time(self, t: int, desk: Desk) -> int:
        """When a chat that entered ``desk``'s queue at ``t`` gets an agent."""
        dice = self.dice
        manual = desk.manual
        if not self.hours.working(t):
            if desk.on_call[0] and not manual:
                return t + dice.lag(300, 1.0)  # the agent on call picks it up
            return self.hours.next_open(t) + dice.lag(1200 if manual else 180, 1.0)
        if manual:
            return t + dice.lag(360, 1.0)  # a supervisor triages by hand
        if dice.random() < 0.15:
            return t + dice.lag(720, 0.9)  # everyone at capacity for a while
        return t + dice.lag(8, 1.0)  # routing is instant when someone is free

    # -- who ------------------------------------------------------------------------------

    def pick(self, desk: Desk, customer: Customer, at: int, avoid: str | None = None) -> tuple[str, str]:
        """The agent routing gives ``customer`` at ``desk`` at ``at``, and the rule that decided."""
        dice = self.dice
        previous = customer.agent
        on_call = desk.on_call[0] and not self.hours.working(at)
        if (
            desk.sticky and previous in desk.members and previous != avoid
            and (not on_call or previous in self._on_call) and dice.random() < 0.85
        ):
            return previous, "sticky"
        ids, weights = desk.handlers
        if on_call:
            ids, weights = desk.on_call
        elif customer.portuguese and desk.portuguese[0] and dice.random() < 0.8:
            ids, weights = desk.portuguese
        choice = dice.weighted(ids, weights)
        for _ in range(4):
            if choice != avoid:
                break
            choice = dice.weighted(ids, weights)
        return choice, desk.rule

    def _hello(self, language: ModuleType, hour: int) -> str:
        """How the customer greets, by their local hour."""
        if self.dice.random() < 0.5:
            return self.dice.pick(language.HELLO_ANY)
        return self.dice.pick(language.HELLO_BY_TIME[0 if 5 <= hour < 12 else 1 if 12 <= hour < 19 else 2])

    # -- one conversation -----------------------------------------------------------------

    def chat(self, ident: str, created: int, customer: Customer) -> Chat:
        dice = self.dice
        chance = dice.random
        lag = dice.lag
        desks = self.desks
        language = demo_pt if customer.portuguese else demo_es
        kind: Kind = dice.weighted(self._kinds, self._vip_weights if customer.vip else self._kind_weights)
        script: Script = _SCRIPTS[language][kind.name]
        product, usd = dice.pick(language.PRODUCTS)
        fields = {
            "n": customer.first,
            "a": "",
            "b": BRAND,
            "p": product,
            "pr": price(customer.country, usd),
            "s": price(customer.country, dice.pick((5, 6, 8))),
            "o": str(100000 + dice.below(900000)),
            "g": f"QB{10**8 + dice.below(9 * 10**8)}BR" if customer.portuguese else str(10**9 + dice.below(9 * 10**9)),
            "d": dice.pick(language.DAYS),
            "q": dice.pick(("12", "20", "24", "50", "100", "200")),
            "hello": self._hello(language, (created + customer.offset) // 3600 % 24),
        }
        messages: list[Message] = []
        events: list[Event] = []
        notes: list[Note] = []
        agents = self.team.agents

        def say(t: int, sender: str, agent: str | None, texts: tuple[str, ...]) -> None:
            text = texts[int(chance() * len(texts))]
            if "{" in text:
                fields["a"] = agents[agent].first if agent else ""
                text = text.format_map(fields)
            messages.append((t, sender, agent, text))

        endings, weights = self._endings[language, kind.name]
        ending = dice.weighted(endings, weights)
        steps = script.steps + ending.steps
        ending_at = len(script.steps)
        t = created
        agent: str | None = None
        group: str | None = None
        handoff: str | None = None  # the group a triage agent passes the chat on to

        # -- arrival and routing ------------------------------------------------------------
        if kind.outbound:
            group = "vip" if customer.vip and chance() < 0.7 else kind.group
            agent, _ = self.pick(desks[group], customer, t)
            events.append((t, ASSIGNED, agent, None, None, agent, group, MANUAL))
            intake = group
        else:
            r = chance()
            if r < 0.008:
                intake = None
            elif customer.vip and chance() < 0.8:
                intake = "vip"
            elif kind.group == "default" or r < 0.17:
                intake = "default"
            else:
                intake = kind.group
            first_agent = 0
            while steps[first_agent].who == CUSTOMER:
                step = steps[first_agent]
                if step.p >= 1 or chance() < step.p:
                    say(t, CUSTOMER, None, step.texts)
                    t += lag(15, 1.0)
                first_agent += 1
            steps = steps[first_agent:]
            ending_at -= first_agent
            working = self.hours.working(created)
            if not working and chance() < 0.7:
                say(created + 2, SYSTEM, None, language.AWAY)
            elif working and chance() < 0.15:
                say(created + 1, SYSTEM, None, language.GREETING)
            manual = intake is None or desks[intake].manual
            # only hand-routed chats wait for good: routing serves the others as soon as someone is free
            if chance() < (0.5 if intake is None else 0.025 if manual else 0.0):
                return self._unanswered(ident, created, customer, intake, kind, messages, language, t)
            at = max(self.queue_time(created, desks[intake or "default"]), t)
            triage = desks["default"]
            if intake is None:
                group = kind.group
                agent, rule = self.pick(desks[group], customer, at)
                events.append((at, TRANSFERRED, dice.pick(triage.triagers), None, None, agent, group, rule))
            elif intake == "default" and kind.group != "default" and chance() < 0.6:
                group = kind.group
                agent, rule = self.pick(desks[group], customer, at)
                events.append((at, TRANSFERRED, dice.pick(triage.triagers), None, "default", agent, group, rule))
            else:
                group = intake
                desk = desks[group]
                agent, rule = self.pick(desk, customer, at)
                actor = dice.pick(desk.triagers) if manual else SYSTEM
                events.append((at, ASSIGNED, actor, None, None, agent, group, rule))
                if group == "default" and kind.group != "default":
                    handoff = kind.group
            t = at

        # -- the conversation ---------------------------------------------------------------
        assigned = t
        answered = False
        ending_from = None
        opening = kind.outbound  # the agent's first message opens the chat
        next_open = self.hours.next_open
        firsts, speeds, on_call = self._first_names, self._speeds, self._on_call
        said = True  # whether the step before was said
        for i, step in enumerate(steps):
            if i == ending_at:
                ending_from = len(messages)
            if step.follows:
                skip = not said
            else:
                skip = step.p < 1 and chance() >= step.p
            said = not skip
            if skip:
                continue
            who = step.who
            if who == CUSTOMER:  # the hot path, inlined: a million conversations pass here
                t += lag(2.5 * 3600, 1.0) if chance() < 0.06 else lag(100, 1.2)  # or went away a while
                text = step.texts[int(chance() * len(step.texts))]
                messages.append((t, CUSTOMER, None, text.format_map(fields) if "{" in text else text))
                continue
            if who == TRANSFER or handoff:
                target = handoff or step.texts[0]
                if handoff:
                    t = self.agent_time(max(t, assigned) + lag(50, 0.8), agent)
                    say(t, AGENT, agent, language.HANDOFF_FROM_DEFAULT)
                    handoff = None
                t += lag(40, 0.8)
                new, rule = self.pick(desks[target], customer, t, avoid=agent)
                events.append((t, TRANSFERRED, agent, agent, group, new, target, rule))
                agent, group, assigned, answered = new, target, t, False
                if who == TRANSFER:
                    continue
            if opening:
                opening = False
            else:
                speed = speeds[agent]
                t = max(t, assigned) + (lag(20 + 30 * speed, 1.1) if answered else lag(70 * speed, 1.0))
                opened = next_open(t)
                if opened != t and agent not in on_call:  # after hours: the agent answers once back
                    t = opened + lag(240, 0.8)
            text = step.texts[int(chance() * len(step.texts))]
            if "{" in text:
                fields["a"] = firsts[agent]
                text = text.format_map(fields)
            messages.append((t, AGENT, agent, text))
            answered = True
            if i + 2 < len(steps) and chance() < 0.012:
                t, agent = self._unassign(t, agent, desks[group], customer, events, notes)
                assigned, answered = t, False

        if chance() < 0.14:
            # the agent sums the case up for whoever reads it next
            author = agent if chance() < 0.8 else dice.pick(desks[group].triagers)
            note = dice.pick(demo_es.NOTES[kind.name])
            notes.append((t + lag(60, 0.8), author, note.format_map(fields) if "{" in note else note))

        # -- closing ------------------------------------------------------------------------
        closed_by_agent = False
        if ending.closes and chance() > 0.02:
            t = self.agent_time(t + lag(150, 1.0), agent)
            events.append((t, CLOSED, agent, agent, group, None, None, None))
            closed_by_agent = True
            if chance() < 0.04:
                t += lag(18 * 3600, 1.0)
                say(t, CUSTOMER, None, language.REOPEN_CUSTOMER)
                events.append((t, REOPENED, SYSTEM, None, None, agent, group, None))
                t = self.agent_time(t + lag(90 * agents[agent].speed, 1.0), agent)
                say(t, AGENT, agent, language.REOPEN_AGENT)
                t += self.customer_lag()
                say(t, CUSTOMER, None, language.REOPEN_FOLLOW)
                t = self.agent_time(t + lag(150, 1.0), agent)
                events.append((t, CLOSED, agent, agent, group, None, None, None))
        elif chance() < 0.8:
            # nobody closed it: the inactivity rule does, a day after the last message
            events.append((t + DAY, CLOSED, SYSTEM, agent, group, None, None, None))

        tags = {tag for tag, p in kind.tags if chance() < p}
        if ending_from is not None and ending_from < len(messages) and messages[ending_from][0] <= self.now:
            tags.update(ending.tags)
        return self._finish(ident, created, customer, intake, messages, notes, events, tags, closed_by_agent, language)

    def _unassign(
        self, t: int, agent: str, desk: Desk, customer: Customer, events: list[Event], notes: list[Note]
    ) -> tuple[int, str]:
        """The agent drops the chat back into the queue (end of shift); someone else takes it."""
        dice = self.dice
        t += dice.lag(120, 1.0)
        events.append((t, UNASSIGNED, agent, agent, desk.id, None, desk.id, None))
        if dice.random() < 0.5:
            notes.append((t, agent, dice.pick(demo_es.UNASSIGN_NOTES)))
        at = self.queue_time(t, desk)
        new, rule = self.pick(desk, customer, at, avoid=agent)
        events.append((at, ASSIGNED, dice.pick(desk.triagers) if desk.manual else SYSTEM, None, None, new, desk.id, rule))
        return at, new

    def _unanswered(
        self, ident: str, created: int, customer: Customer, intake: str | None, kind: Kind,
        messages: list[Message], language: ModuleType, t: int,
    ) -> Chat:
        """Nobody picked the chat up: the customer nudges; after two days the system closes it."""
        dice = self.dice
        for _ in range(dice.pick((0, 1, 1, 2))):
            t += dice.lag(40 * 60, 1.0)
            messages.append((t, CUSTOMER, None, dice.pick(language.NUDGES)))
        events: list[Event] = []
        if dice.random() < 0.6:
            events.append((t + 2 * DAY, CLOSED, SYSTEM, None, intake, None, None, None))
        tags = {tag for tag, p in kind.tags if dice.random() < p / 2}
        return self._finish(ident, created, customer, intake, messages, [], events, tags, False, language)

    def _finish(
        self, ident: str, created: int, customer: Customer, group: str | None, messages: list[Message],
        notes: list[Note], events: list[Event], tags: set[str], closed_by_agent: bool, language: ModuleType,
    ) -> Chat:
        """Cut at now and replay the events that remain into the conversation's state."""
        dice = self.dice
        now = self.now
        messages = [m for m in messages if m[0] <= now]
        messages.sort(key=_at)  # an automatic reply may come between two customer messages
        if notes:
            notes = sorted(n for n in notes if n[0] <= now)
        if events and events[-1][0] > now:
            events = [e for e in events if e[0] <= now]
        agent = assigned = closed = None
        for at, kind, _actor, _fa, _fg, to_agent, to_group, _rule in events:
            if kind == CLOSED:
                closed = at
            elif kind == REOPENED:
                closed = None
            else:
                agent, group = to_agent, to_group
                assigned = at if to_agent else None
        status = Status.CLOSED if closed is not None else Status.IN_PROGRESS if agent else Status.OPEN
        rating = comment = None
        if closed is not None and closed_by_agent and dice.random() < 0.42:
            rating = dice.weighted(RATINGS, UNHAPPY_WEIGHTS if "complaint" in tags else RATING_WEIGHTS)
            if dice.random() < 0.35:
                comment = dice.pick(language.RATING_COMMENTS[rating])
                if "{" in comment:
                    comment = comment.format(a=self.team.agents[agent].first if agent else "")
        if customer.vip:
            tags.add("vip")
        if customer.conversations == 0 and dice.random() < 0.12:
            tags.add("new-customer")
        if "complaint" in tags and dice.random() < 0.3:
            tags.add("urgent")
        customer.conversations += 1
        if agent:
            customer.agent = agent
        return Chat(
            ident, customer, group, agent, status.value, created, assigned, closed, rating, comment,
            tuple(sorted(tags)), messages, notes, events,
        )
