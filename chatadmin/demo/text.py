"""The shape of the demo store's chat scripts: steps, alternative endings, fill-in fields.

A script is the skeleton of one kind of WhatsApp chat (a quote, a late order, a refund…) in
one language: who speaks at each step, a few ways to say it, optional steps, a transfer to
another group, and alternative endings. Texts may name fields in braces, filled in per
conversation: ``{n}`` the customer's first name, ``{a}`` the agent's first name, ``{b}`` the
brand, ``{p}`` a product, ``{pr}`` its price, ``{s}`` a shipping cost, ``{o}`` an order
number, ``{g}`` a tracking number, ``{d}`` a delivery day, ``{q}`` a quantity.
"""

from __future__ import annotations

from dataclasses import dataclass

CUSTOMER = "customer"
AGENT = "agent"
SYSTEM = "system"
TRANSFER = "transfer"


@dataclass(frozen=True)
class Step:
    """One turn: ``who`` speaks one of ``texts`` with probability ``p`` (else the step is skipped).

    A step that ``follows`` is said exactly when the step before it was (an answer to an
    optional question). A ``TRANSFER`` step moves the chat to the group named in ``texts[0]``.
    """

    who: str
    texts: tuple[str, ...]
    p: float = 1.0
    follows: bool = False


@dataclass(frozen=True)
class Ending:
    weight: float
    steps: tuple[Step, ...]
    tags: tuple[str, ...] = ()
    closes: bool = True  # False: the chat is left hanging (nobody closes it)


@dataclass(frozen=True)
class Script:
    kind: str
    steps: tuple[Step, ...]
    endings: tuple[Ending, ...]


def c(*texts: str, p: float = 1.0, follows: bool = False) -> Step:
    """A customer message."""
    return Step(CUSTOMER, texts, p, follows)


def a(*texts: str, p: float = 1.0, follows: bool = False) -> Step:
    """An agent message."""
    return Step(AGENT, texts, p, follows)


def transfer(group: str, p: float = 1.0) -> Step:
    """The agent hands the chat over to ``group`` (routing there picks the next agent)."""
    return Step(TRANSFER, (group,), p)


def ending(weight: float, *steps: Step, tags: tuple[str, ...] = (), closes: bool = True) -> Ending:
    return Ending(weight, steps, tags, closes)


@dataclass(frozen=True)
class Kind:
    """What a kind of chat is about: where it is routed and how it is tagged."""

    name: str
    weight: float  # share of inbound chats
    group: str  # the group whose agents handle it
    tags: tuple[tuple[str, float], ...] = ()  # (tag, probability)
    outbound: bool = False  # the agent starts the chat


KINDS: tuple[Kind, ...] = (
    Kind("quote", 30, "sales", (("lead", 0.55),)),
    Kind("wholesale", 6, "sales", (("wholesale", 0.9), ("lead", 0.4))),
    Kind("order_status", 18, "support", (("shipping", 0.6),)),
    Kind("return", 8, "support", (("refund", 0.85), ("complaint", 0.35))),
    Kind("invoice", 8, "billing", (("invoice", 0.8),)),
    Kind("payment", 6, "billing", (("payment", 0.6), ("refund", 0.15))),
    Kind("warranty", 9, "support", (("warranty", 0.75), ("complaint", 0.15))),
    Kind("store_info", 7, "default", ()),
    Kind("follow_up", 8, "sales", (("lead", 0.7), ("follow-up", 0.8)), outbound=True),
)

KIND_BY_NAME = {kind.name: kind for kind in KINDS}
