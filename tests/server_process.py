"""A real ``chatadmin serve`` process for tests: on 127.0.0.1, a free port, the test's fixed clock."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatadmin.clock import Clock, format_instant
from chatadmin.server.tokens import create_token
from chatadmin.store.dump import export_ndjson
from chatadmin.store.engine import make_engine
from chatadmin.store.remote import RemoteBackend

from .builders import agent, conversation, group, load_store, msg

READY = re.compile(r"serving .* on (http://127\.0\.0\.1:\d+)")
START_WITHIN = 60.0  # seconds; a sick machine may be slow, a healthy one takes about one


def server_env(clock: Clock, home: Path) -> dict[str, str]:
    """The environment without the developer's CHATADMIN_* settings, with the test's clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATADMIN_")}
    env.update(
        CHATADMIN_TZ=clock.zone_name,
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        PYTHONUNBUFFERED="1",
    )
    if clock.fixed is not None:
        env["CHATADMIN_NOW"] = format_instant(clock.fixed)
    return env


class ServerProcess:
    """``chatadmin serve --db URL`` in a subprocess; ``start`` waits until it answers."""

    def __init__(self, db_url: str, clock: Clock, workdir: Path) -> None:
        self.db_url = db_url
        self.clock = clock
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "server.log"
        self.port = 0
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start (again, on the same port after a stop) and return the base URL."""
        assert self.process is None, "already running"
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        command = [sys.executable, "-m", "chatadmin", "serve", "--db", self.db_url, "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=server_env(self.clock, self.workdir), cwd=self.workdir
        )
        log.close()
        deadline = time.monotonic() + START_WITHIN
        while time.monotonic() < deadline:
            match = READY.search(self.log_path.read_bytes()[offset:].decode("utf-8", "replace"))
            if match and self._healthy(match.group(1)):
                self.url = match.group(1)
                self.port = int(self.url.rsplit(":", 1)[1])
                return self.url
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        output = self.log_text()[-3000:]
        self.stop()
        raise RuntimeError(f"chatadmin serve did not start:\n{output}")

    @staticmethod
    def _healthy(url: str) -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Stop at once, as a crash would (no graceful shutdown)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    def token(self, agent: str | None, name: str = "test") -> str:
        """A new token acting as ``agent`` (None: the operator), written straight to the store."""
        engine = make_engine(self.db_url)
        try:
            return create_token(engine, self.clock, agent, name)[1]
        finally:
            engine.dispose()


# -- a served store with one user of each kind, for the remote tests ----------------------------

SERVED_DATA = [
    group("sales", "Sales"),
    group("support", "Support"),
    agent("ana", ["sales"], role="admin", name="Ana Admin"),
    agent("sam", ["sales"], role="supervisor", name="Sam Sales"),
    agent("sol", ["support"], role="supervisor", name="Sol Support"),
    agent("eve", ["support"], role="agent", name="Eve Agent"),
    agent("bo", ["sales", "support"], name="Bo Silva"),
    conversation("s-1", "2026-11-24T10:00:00Z", group_id="sales", messages=[msg("2026-11-24T10:00:00Z", "customer")]),
    conversation(
        "s-2", "2026-11-24T11:00:00Z", status="in_progress", group_id="sales", agent_id="bo",
        assigned_at="2026-11-24T11:00:00Z", phone="+17875550123", tags=["vip"],
    ),
    conversation("t-1", "2026-11-24T12:00:00Z", group_id="support"),
    conversation("a/b%c?d#e", "2026-11-24T13:00:00Z", group_id="support", name="Odd Id"),
]  # fmt: skip

USERS = ("ana", "sam", "sol", "eve", "bo")


@dataclass
class Served:
    """A running server over a store loaded with :data:`SERVED_DATA`, and a token per user."""

    server: ServerProcess
    tokens: dict[str, str]  # user (or "operator") -> token
    clock: Clock

    @property
    def url(self) -> str:
        return self.server.url

    def http(self, who: str | None = "ana", **headers: str) -> httpx.Client:
        """A plain HTTP client: ``who`` names a user of :data:`USERS`, or None for no token."""
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def remote(self, who: str = "ana", **options: Any) -> RemoteBackend:
        return RemoteBackend(self.url, token=self.tokens[who], clock=self.clock, **options)

    def snapshot(self) -> str:
        """Everything the store holds, as NDJSON: equal snapshots mean nothing changed."""
        engine = make_engine(self.server.db_url)
        try:
            out = io.StringIO()
            export_ndjson(engine, out)
            return out.getvalue()
        finally:
            engine.dispose()


@pytest.fixture
def served(db_url: str, clock: Clock, tmp_path: Path) -> Iterator[Served]:
    """On SQLite and on PostgreSQL (``db_url``): the store, the server and the tokens."""
    load_store(db_url, clock, SERVED_DATA).dispose()
    server = ServerProcess(db_url, clock, tmp_path / "server")
    tokens = {user: server.token(user) for user in USERS}
    tokens["operator"] = server.token(None)
    server.start()
    try:
        yield Served(server, tokens, clock)
    finally:
        server.stop()
