"""Who may do what: the one place the local store and the HTTP server both ask.

The product's roles: an **admin** does everything; a **supervisor** sees and acts on the
conversations of the groups they belong to (notes, transfers within those groups, close,
reopen, unassign, tags) and cannot change routing; an **agent** has no access to the admin
section at all.
"""

from __future__ import annotations

from enum import StrEnum

from chatadmin.domain import Principal, Role
from chatadmin.errors import PermissionDenied


class Action(StrEnum):
    VIEW = "view"
    NOTE = "note"
    TRANSFER = "transfer"
    CLOSE = "close"
    REOPEN = "reopen"
    UNASSIGN = "unassign"
    TAGS = "tags"
    ROUTING = "routing"
    AGENTS = "agents"


_SUPERVISOR = frozenset(
    {Action.VIEW, Action.NOTE, Action.TRANSFER, Action.CLOSE, Action.REOPEN, Action.UNASSIGN, Action.TAGS}
)


def require_admin_section(principal: Principal) -> None:
    if principal.role is Role.AGENT:
        raise PermissionDenied(f"{principal.agent_id} is an agent: the admin section needs a supervisor or admin")


def allowed_actions(principal: Principal) -> frozenset[Action]:
    """What the role allows at all (before looking at a conversation's group)."""
    if principal.role is Role.ADMIN:
        return frozenset(Action)
    if principal.role is Role.SUPERVISOR:
        return _SUPERVISOR
    return frozenset()


def visible_groups(principal: Principal) -> frozenset[str] | None:
    """The groups whose conversations this user sees; None means every conversation."""
    if principal.role is Role.ADMIN:
        return None
    return frozenset(principal.groups)


def check(principal: Principal, action: Action, group: str | None = None) -> None:
    """Raise PermissionDenied unless ``principal`` may do ``action`` on a conversation of ``group``."""
    require_admin_section(principal)
    if action not in allowed_actions(principal):
        raise PermissionDenied(f"a {principal.role.value} may not {_describe(action)}")
    scope = visible_groups(principal)
    if scope is not None and group not in scope:
        where = f"group {group!r}" if group else "no group"
        raise PermissionDenied(f"{principal.agent_id} is not a member of {where}")


def _describe(action: Action) -> str:
    return {
        Action.ROUTING: "change routing rules",
        Action.AGENTS: "change agents",
    }.get(action, f"{action.value} conversations")
