"""Saved views: named filters and sort, kept per user as TOML in the config directory.

The file is meant to be read and edited by people: one table per view, whose keys are the
options of ``chatadmin list``::

    [views."Sales queue"]
    sort = "no_response_s:desc"
    status = ["open"]
    group = ["sales"]
    no-response-over = "5m"

Writes replace the whole file at once (a temporary file renamed over it), so a crash or a
full disk never leaves half a file; a file that cannot be read is never overwritten.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from chatadmin.config import config_dir
from chatadmin.domain import ConversationFilter, Sort, Status
from chatadmin.durations import exact_duration, parse_duration
from chatadmin.errors import InvalidInput, NotFound
from chatadmin.text import one_line, visible_controls

MAX_NAME = 64

# file key -> ConversationFilter field, for each kind of value
SETS = {"status": "statuses", "group": "groups", "agent": "agents", "country": "countries", "tag": "tags", "rating": "ratings"}
DATES = {"from": "created_from", "to": "created_to"}
DURATIONS = {
    "no-response-over": "no_response_over",
    "inactive-over": "inactive_over",
    "response-creation-over": "response_creation_over",
    "response-assignment-over": "response_assignment_over",
}
KEYS = ("sort", "search", *SETS, *DATES, *DURATIONS)


@dataclass(frozen=True)
class SavedView:
    """A name for a filter and a sort."""

    name: str
    filters: ConversationFilter
    sort: Sort


def views_file() -> Path:
    return config_dir() / "views.toml"


def check_name(name: str) -> str:
    """The name as it will be saved: trimmed, one line, not empty, at most 64 characters."""
    clean = one_line(name).strip()
    if not clean:
        raise InvalidInput("a view needs a name")
    if len(clean) > MAX_NAME:
        raise InvalidInput(f"a view's name has at most {MAX_NAME} characters")
    return clean


def to_table(view: SavedView) -> dict[str, Any]:
    """The view as its TOML table: only what is set, sets sorted."""
    f = view.filters
    table: dict[str, Any] = {"sort": str(view.sort)}
    if f.search:
        table["search"] = f.search
    for key, field in SETS.items():
        values = getattr(f, field)
        if values:
            table[key] = sorted(v.value if isinstance(v, Status) else v for v in values)
    for key, field in DATES.items():
        if getattr(f, field) is not None:
            table[key] = getattr(f, field)
    for key, field in DURATIONS.items():
        if getattr(f, field) is not None:
            table[key] = exact_duration(getattr(f, field))
    return table


def from_table(name: str, table: Any) -> SavedView:
    """A view read from its TOML table; a wrong value is an error that names the view and the key."""
    where = f"view {visible_controls(name)!r}"
    if not isinstance(table, dict):
        raise InvalidInput(f"{where} is not a table of options")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise InvalidInput(f"{where}: unknown key {visible_controls(unknown[0])!r} (known: {', '.join(KEYS)})")
    data: dict[str, Any] = {}
    key = "sort"
    try:
        sort = Sort.parse(_text(table, "sort")) if "sort" in table else Sort()
        if "search" in table:
            key = "search"
            data["search"] = _text(table, "search")
        for key, field in SETS.items():
            if key in table:
                values = table[key] if isinstance(table[key], list) else [table[key]]
                if key == "status":
                    values = [Status.parse(str(v)) for v in values]
                data[field] = frozenset(values)
        for key, field in DATES.items():
            if key in table:
                value = table[key]
                data[field] = value if isinstance(value, date) else date.fromisoformat(str(value))
        for key, field in DURATIONS.items():
            if key in table:
                value = table[key]
                data[field] = value if isinstance(value, int) and not isinstance(value, bool) else parse_duration(str(value))
        return SavedView(name=name, filters=ConversationFilter.model_validate(data), sort=sort)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else key
        file_key = {v: k for k, v in {**SETS, **DATES, **DURATIONS}.items()}.get(field, field)
        raise InvalidInput(f"{where}: bad {file_key}: {first['msg']}") from None
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: bad {key}: {exc.message}") from None
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{where}: bad {key}: {visible_controls(str(exc))}") from None


def _text(table: Mapping[str, Any], key: str) -> str:
    value = table[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is text in quotes")
    return value


class ViewStore:
    """The saved views in one file (by default ``views.toml`` in the user's config directory)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or views_file()

    def load(self) -> dict[str, SavedView]:
        """Every saved view by name, in the file's order; a broken file is one clear error."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read {self.path}: {getattr(exc, 'strerror', None) or exc}") from None
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"{self.path}: not valid TOML ({exc})") from None
        views = document.get("views", {})
        if not isinstance(views, dict):
            raise InvalidInput(f"{self.path}: 'views' is not a table of views")
        try:
            return {name: from_table(name, table) for name, table in views.items()}
        except InvalidInput as exc:
            raise InvalidInput(f"{self.path}: {exc.message}") from None

    def get(self, name: str) -> SavedView:
        views = self.load()
        wanted = name.strip()
        if wanted in views:
            return views[wanted]
        known = ", ".join(repr(n) for n in views) or "none yet"
        raise NotFound(f"no saved view {visible_controls(wanted)!r} (saved: {known})")

    def save(self, view: SavedView) -> SavedView:
        """Add or replace ``view`` (under its checked name); the other views are kept as they are."""
        name = check_name(view.name)
        view = SavedView(name, view.filters, view.sort)
        self._write(self._document() | {name: to_table(view)})
        return view

    def delete(self, name: str) -> None:
        document = self._document()
        if name not in document:
            raise NotFound(f"no saved view {visible_controls(name)!r}")
        del document[name]
        self._write(document)

    def _document(self) -> dict[str, Any]:
        """The views as tables; reading them all first means a broken file is never overwritten."""
        return {name: to_table(view) for name, view in self.load().items()}

    def _write(self, views: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".views-", suffix=".toml", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    tomli_w.dump({"views": views}, out)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise InvalidInput(f"cannot save views to {self.path}: {exc.strerror or exc}") from None


def resolve(view: SavedView, groups: Collection[str], agents: Collection[str]) -> tuple[SavedView, list[str]]:
    """The view with the groups and agents that no longer exist left out, and a warning for each."""
    warnings: list[str] = []
    update: dict[str, frozenset[str]] = {}
    for kind, field, known in (("group", "groups", groups), ("agent", "agents", agents)):
        wanted: frozenset[str] = getattr(view.filters, field)
        gone = sorted(wanted - set(known))
        if gone:
            update[field] = wanted - set(gone)
            names = ", ".join(repr(visible_controls(g)) for g in gone)
            said = f"{kind} {names} no longer exists and is" if len(gone) == 1 else f"{kind}s {names} no longer exist and are"
            warnings.append(f"view {visible_controls(view.name)!r}: {said} left out of the view")
    if not update:
        return view, []
    return SavedView(view.name, view.filters.model_copy(update=update), view.sort), warnings


def overlay(base: ConversationFilter, given: ConversationFilter) -> ConversationFilter:
    """``base`` with every filter that ``given`` sets replaced by ``given``'s (command-line flags over a view)."""
    empty = ConversationFilter()
    update = {field: getattr(given, field) for field in type(given).model_fields if getattr(given, field) != getattr(empty, field)}
    return base.model_copy(update=update)
