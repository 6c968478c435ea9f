"""The back end never imports Textual: the CLI, the server and scripts use it without a UI."""

from __future__ import annotations

import subprocess
import sys

from chatadmin.store.engine import make_engine, upgrade

BACKEND_PACKAGES = ["chatadmin.store", "chatadmin.routing", "chatadmin.server", "chatadmin.demo"]
BACKEND_MODULES = [
    "chatadmin.domain",
    "chatadmin.backend",
    "chatadmin.errors",
    "chatadmin.clock",
    "chatadmin.durations",
    "chatadmin.phones",
    "chatadmin.text",
    "chatadmin.config",
    "chatadmin.permissions",
    "chatadmin.ndjson",
    "chatadmin.demo",
    "chatadmin.cli",
    "chatadmin.views",
    "chatadmin.list_output",
]

PROBE = """
import importlib, pkgutil, sys
names = {modules!r}
for package in {packages!r}:
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name == package:
            continue
        raise
    names += [m.name for m in pkgutil.walk_packages(module.__path__, package + ".")]
for name in names:
    importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    if loaded:
        print(name)
        sys.exit(1)
print(len(names))
"""


def test_backend_modules_import_without_textual() -> None:
    code = PROBE.format(modules=BACKEND_MODULES, packages=BACKEND_PACKAGES)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, f"imports textual: {proc.stdout.strip()} {proc.stderr[-2000:]}"
    assert int(proc.stdout.strip()) >= len(BACKEND_MODULES) + 5


START = """
import sys
from zoneinfo import ZoneInfo
from chatadmin.clock import Clock
from chatadmin.store.sql import SqlStore
import chatadmin.app, chatadmin.cli
store = SqlStore.open({url!r}, Clock(zone=ZoneInfo("UTC")))
store.list_conversations()
store.metrics()
print(sorted(m for m in sys.modules if m.startswith("sqlalchemy.dialects.postgresql")))
"""


def test_a_console_on_sqlite_imports_no_postgresql_dialect(sqlite_url: str) -> None:
    """The console's start on a SQLite store pays for SQLite's dialect alone (PostgreSQL's module
    is about a twentieth of its imports)."""
    engine = make_engine(sqlite_url)
    upgrade(engine)  # a store already made: Alembic, which a new one loads, is no part of a start
    engine.dispose()
    proc = subprocess.run([sys.executable, "-c", START.format(url=sqlite_url)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[]"
