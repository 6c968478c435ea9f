"""Per-group assignment rules: which agent of a group gets a chat (pure, no I/O)."""

from chatadmin.routing.changes import RoutingChange, Setting, describe
from chatadmin.routing.rules import Candidate, Choice, choose, eligible

__all__ = ["Candidate", "Choice", "RoutingChange", "Setting", "choose", "describe", "eligible"]
