"""Shared fixtures: a fresh real database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs
import pytest
import sqlalchemy as sa

from chatadmin.clock import Clock, parse_instant

PG_URL = os.environ.get("CHATADMIN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# CI sets this: there the PostgreSQL tests must run, and fail when the server is unreachable.
PG_REQUIRED = os.environ.get("CHATADMIN_REQUIRE_PG", "") not in ("", "0")

FIXED_NOW = "2026-11-24T18:00:00Z"


def _pg_problem() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {sa.engine.make_url(PG_URL).render_as_string()}: {type(exc).__name__}"
    return None


_PG_PROBLEM: list[str | None] = []


def pg_problem() -> str | None:
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_pg_problem())
    return _PG_PROBLEM[0]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema, dropped afterwards."""
    problem = pg_problem()
    if problem:
        if PG_REQUIRED:
            pytest.fail(f"{problem} (CHATADMIN_REQUIRE_PG is set, so PostgreSQL tests must run)")
        pytest.skip(f"{problem}; set CHATADMIN_TEST_PG to a server URL to run these tests")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (the console's Pilot tests) run on asyncio."""
    return "asyncio"


@pytest.fixture(autouse=True)
def own_config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the user's own config directory (settings, keymap, saved views)."""
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda *args, **kwargs: str(home))
    return home


@pytest.fixture
def clock() -> Clock:
    return Clock(zone=ZoneInfo("America/Mexico_City"), fixed=parse_instant(FIXED_NOW))


def at(text: str) -> datetime:
    return parse_instant(text)
