"""A real ``chatadmin serve`` process for tests: on 127.0.0.1, a free port, the test's fixed clock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from chatadmin.clock import Clock, format_instant
from chatadmin.server.tokens import create_token
from chatadmin.store.engine import make_engine

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
