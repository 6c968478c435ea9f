"""``chatadmin serve``: where it listens, how it says so, how it stops, and its one-line failures."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from chatadmin.clock import Clock

from .builders import agent, group, load_store
from .server_process import ServerProcess, server_env


def test_it_listens_on_loopback_and_stops_cleanly_on_sigterm(sqlite_url: str, clock: Clock, tmp_path: Path) -> None:
    load_store(sqlite_url, clock, [group("sales"), agent("ana", ["sales"], role="admin")]).dispose()
    server = ServerProcess(sqlite_url, clock, tmp_path / "server")
    token = server.token("ana")
    url = server.start()
    assert url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["agent_id"] == "ana"
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
    server.process = None
    log = server.log_text()
    assert "serving" in log and "America/Mexico_City" in log and log.rstrip().endswith("stopped")
    assert "Traceback" not in log


def run_serve(tmp_path: Path, clock: Clock, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatadmin", "serve", *args],
        capture_output=True, text=True, timeout=120, env=server_env(clock, tmp_path), cwd=tmp_path,
    )  # fmt: skip


def test_a_port_in_use_is_a_one_line_error(sqlite_url: str, clock: Clock, tmp_path: Path) -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    try:
        port = taken.getsockname()[1]
        result = run_serve(tmp_path, clock, "--db", sqlite_url, "--port", str(port))
    finally:
        taken.close()
    assert result.returncode == 1
    assert f"chatadmin: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_needs_a_database_not_a_server(clock: Clock, tmp_path: Path) -> None:
    result = run_serve(tmp_path, clock, "--remote", "http://127.0.0.1:1", "--token", "t")
    assert result.returncode == 1 and "not through a server" in result.stderr
    result = run_serve(tmp_path, clock, "--db", "postgresql://nobody@127.0.0.1:1/none", "--port", "0")
    assert result.returncode == 1 and "cannot open the store" in result.stderr
    assert "Traceback" not in result.stderr
