"""Every key binding of the console by id: what the ``keymap`` setting remaps, and ``chatadmin keys`` lists."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding

PACKAGES = ("chatadmin.screens", "chatadmin.widgets")


@dataclass(frozen=True)
class Bound:
    id: str
    keys: str
    description: str
    where: str


def console_bindings() -> list[Bound]:
    """The bindings of the app, its widgets and its screens, by id (each once)."""
    from chatadmin.app import ChatAdminApp

    owners: list[type] = [ChatAdminApp]
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__, package + "."):
            loaded = importlib.import_module(info.name)
            owners += [v for v in vars(loaded).values() if isinstance(v, type) and v.__module__ == info.name]
    found: dict[str, Bound] = {}
    for owner in owners:
        for binding in vars(owner).get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id and binding.id not in found:
                where = getattr(owner, "BINDING_GROUP_TITLE", None) or owner.__name__
                found[binding.id] = Bound(binding.id, binding.key, binding.description, where)
    return sorted(found.values(), key=lambda b: b.id)


def unknown_ids(keymap: Mapping[str, str], known: Iterable[Bound] | None = None) -> list[str]:
    """The ids of ``keymap`` that name no binding (a typo would otherwise do nothing, silently)."""
    ids = {b.id for b in (known if known is not None else console_bindings())}
    return sorted(set(keymap) - ids)
