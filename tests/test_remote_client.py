"""The HTTP client: the same errors and exit statuses as the local store, safe bounded retries,
timeouts, TLS verification, and recovery when the server comes back."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from chatadmin.cli import cli
from chatadmin.domain import ConversationFilter, ConversationRow, Sort, Status
from chatadmin.errors import (
    BackendUnavailable,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from chatadmin.store.remote import RemoteBackend

from .server_process import Served, served  # noqa: F401 - fixture

# -- a bare socket server, for what a real server does not do on demand ---------------------------


class RawServer:
    """Answers each connection with ``reply(request_bytes)``: bytes to send (then close), or None
    to hold the connection open without a word. Keeps every request it read."""

    def __init__(self, reply: Callable[[bytes], bytes | None], wrap: ssl.SSLContext | None = None) -> None:
        self.reply = reply
        self.wrap = wrap
        self.requests: list[bytes] = []
        self.held: list[socket.socket] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"{'https' if wrap else 'http'}://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                if self.wrap is not None:
                    conn = self.wrap.wrap_socket(conn, server_side=True)
                request = self._read(conn)
            except (OSError, ssl.SSLError):
                conn.close()
                continue
            self.requests.append(request)
            answer = self.reply(request)
            if answer is None:
                self.held.append(conn)
                continue
            try:
                conn.sendall(answer)
            finally:
                conn.close()

    @staticmethod
    def _read(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            body += conn.recv(65536)
        return head + b"\r\n\r\n" + body

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def http_answer(status: str, body: bytes, content_type: str = "application/json") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode() + body


def header(request: bytes, name: str) -> str | None:
    for line in request.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
        key, _, value = line.decode().partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    made: list[RawServer] = []

    def make(reply: Callable[[bytes], bytes | None], wrap: ssl.SSLContext | None = None) -> RawServer:
        made.append(RawServer(reply, wrap))
        return made[-1]

    yield make
    for server in made:
        server.close()


def client(url: str, **options: object) -> RemoteBackend:
    return RemoteBackend(url, token="ca_000000000000_" + "x" * 43, backoff=0.01, **options)  # type: ignore[arg-type]


# -- against a real server ----------------------------------------------------------------------


def test_errors_come_back_as_the_local_stores_classes(served: Served) -> None:
    admin, agent = served.remote("ana"), served.remote("eve")
    try:
        with pytest.raises(NotFound, match="unknown conversation 'nope'"):
            admin.get_conversation("nope")
        with pytest.raises(InvalidInput, match="unknown group 'nope'"):
            admin.count_conversations(ConversationFilter(groups=frozenset({"nope"})))
        with pytest.raises(PermissionDenied):
            agent.metrics()
        version = admin.get_conversation("s-1").version
        admin.close_conversation("s-1", expected_version=version)
        with pytest.raises(Conflict):
            admin.reopen_conversation("s-1", expected_version=version)
        with pytest.raises(InvalidInput):
            admin.list_conversations(limit=5000)
        assert admin.whoami().agent_id == "ana" and admin.location == served.url
    finally:
        admin.dispose()
        agent.dispose()
    revoked = RemoteBackend(served.url, token="ca_000000000000_" + "x" * 43)
    with pytest.raises(PermissionDenied, match="refused the token"):
        revoked.whoami()
    revoked.dispose()


def test_streaming_gives_every_row_in_order(served: Served) -> None:
    backend = served.remote("ana")
    try:
        newest_first = [r.id for r in backend.iter_conversations()]
        assert newest_first == ["a/b%c?d#e", "t-1", "s-2", "s-1"]
        assert [r.id for r in backend.iter_conversations(sort=Sort.parse("id:asc"), limit=2)] == ["a/b%c?d#e", "s-1"]
        assert list(backend.iter_conversations(limit=0)) == []
        page = backend.list_conversations(ConversationFilter(statuses=frozenset({Status.OPEN})), limit=2, offset=1)
        assert [r.id for r in page.rows] == ["t-1", "s-1"]
    finally:
        backend.dispose()


class LoseFirstWriteAnswer(httpx.BaseTransport):
    """Delivers every request, but loses the answer to the first write on its way back."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.keys: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if request.method != "GET":
            self.keys.append(request.headers.get("idempotency-key"))
            if len(self.keys) == 1:
                response.close()
                raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_a_write_whose_answer_was_lost_is_retried_once_safely(served: Served) -> None:
    transport = LoseFirstWriteAnswer()
    backend = served.remote("ana", transport=transport, backoff=0.01)
    try:
        result = backend.transfer("s-1", "support", "bo")
        assert (result.group, result.agent) == ("support", "bo")
        assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1] is not None
        events = backend.conversation_detail("s-1").events
        assert [e.kind.value for e in events] == ["transferred"]  # one transfer, not two
        note = backend.add_note("s-1", "after")  # a new call: a new key
        assert note.text == "after" and transport.keys[2] != transport.keys[0]
    finally:
        backend.dispose()


def test_the_client_recovers_when_the_server_comes_back(served: Served) -> None:
    backend = served.remote("ana", backoff=0.01)
    try:
        assert backend.metrics().unassigned == 3
        served.server.kill()
        with pytest.raises(BackendUnavailable, match="cannot reach"):
            backend.metrics()
        with pytest.raises(BackendUnavailable):
            list(backend.iter_conversations())
        served.server.start()  # the same port
        assert backend.metrics().unassigned == 3
        assert backend.add_note("s-1", "back").author == "ana"
    finally:
        backend.dispose()


# -- the command line against a server --------------------------------------------------------


def run(served: Served, who: str, *args: str) -> tuple[int, str, str]:
    env = {"CHATADMIN_REMOTE": served.url, "CHATADMIN_TOKEN": served.tokens[who], "CHATADMIN_DB": None}
    env |= {"CHATADMIN_TZ": served.clock.zone_name, "CHATADMIN_NOW": "2026-11-24T18:00:00Z"}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_command_line_gives_the_same_output_and_exit_statuses(served: Served, tmp_path: Path) -> None:
    local_env = {
        "CHATADMIN_DB": served.server.db_url, "CHATADMIN_REMOTE": None, "CHATADMIN_TOKEN": None,
        "CHATADMIN_TZ": served.clock.zone_name, "CHATADMIN_NOW": "2026-11-24T18:00:00Z",
    }  # fmt: skip
    for args in (["list", "--format", "json"], ["metrics", "--format", "json"], ["show", "s-2", "--format", "json"]):
        local = CliRunner().invoke(cli, args, env=local_env, catch_exceptions=False)
        assert (0, local.stdout) == run(served, "ana", *args)[:2], args
    assert run(served, "ana", "routing", "set", "sales", "--rule", "least_busy")[0] == 0
    for args in (["routing", "show", "--log", "--format", "json"], ["routing", "show", "sales", "--log"]):
        local = CliRunner().invoke(cli, args, env=local_env, catch_exceptions=False)
        assert "least_busy" in local.stdout or "least busy" in local.stdout, local.stdout
        assert (0, local.stdout) == run(served, "ana", *args)[:2], args
    assert run(served, "ana", "show", "nope")[0] == 2
    assert run(served, "eve", "metrics")[0] == 3
    assert run(served, "sol", "note", "s-1", "not my group")[0] == 3
    code, out, _ = run(served, "ana", "transfer", "s-1", "--group", "sales", "--agent", "bo", "--format", "json")
    assert code == 0 and json.loads(out) == {"id": "s-1", "agent": "bo", "group": "sales", "status": "in_progress"}
    code, _, err = run(served, "ana", "transfer", "s-1", "--group", "support", "--expect-version", "1")
    assert code == 4 and err.startswith("chatadmin: ") and "Traceback" not in err
    served.server.stop()
    code, _, err = run(served, "ana", "metrics")
    assert code == 1 and "cannot reach" in err and len(err.strip().splitlines()) == 1


# -- what a real server does not do on demand ---------------------------------------------------


def test_a_server_that_does_not_answer_times_out_without_a_retry(raw_server: Callable[..., RawServer]) -> None:
    silent = raw_server(lambda request: None)
    backend = client(silent.url, timeout=0.3)
    with pytest.raises(BackendUnavailable, match="did not answer"):
        backend.metrics()
    assert len(silent.requests) == 1  # slow is not retried: it would only add load
    backend.dispose()


def test_a_host_that_does_not_accept_fails_after_the_connect_timeout() -> None:
    """A listener whose backlog is full drops new connections, like a host behind a firewall."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    waiting = []
    for _ in range(4):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(listener.getsockname())
        waiting.append(sock)
    backend = client(f"http://127.0.0.1:{listener.getsockname()[1]}", connect_timeout=0.3)
    try:
        with pytest.raises(BackendUnavailable, match=r"cannot reach .* within 0.3 s"):
            backend.metrics()
    finally:
        backend.dispose()
        for sock in [*waiting, listener]:
            sock.close()


def test_broken_connections_are_retried_a_bounded_number_of_times(raw_server: Callable[..., RawServer]) -> None:
    hangs_up = raw_server(lambda request: b"")
    backend = client(hangs_up.url, retries=3)
    with pytest.raises(BackendUnavailable, match="cannot reach"):
        backend.add_note("c-1", "hello")
    assert len(hangs_up.requests) == 4
    keys = {header(r, "idempotency-key") for r in hangs_up.requests}
    assert len(keys) == 1 and None not in keys  # every attempt carries the one key
    backend.dispose()


def test_unavailable_answers_are_retried_and_user_errors_are_not(raw_server: Callable[..., RawServer]) -> None:
    problem = json.dumps({"error": {"code": "unavailable", "message": "the store cannot be reached"}}).encode()
    busy = raw_server(lambda request: http_answer("503 Service Unavailable", problem))
    backend = client(busy.url, retries=2)
    with pytest.raises(BackendUnavailable, match="the store cannot be reached"):
        backend.list_tags()
    assert len(busy.requests) == 3
    backend.dispose()

    conflict = json.dumps({"error": {"code": "conflict", "message": "changed meanwhile"}}).encode()
    refuses = raw_server(lambda request: http_answer("409 Conflict", conflict))
    backend = client(refuses.url, retries=2)
    with pytest.raises(Conflict, match="changed meanwhile"):
        backend.close_conversation("c-1", expected_version=1)
    assert len(refuses.requests) == 1
    backend.dispose()

    proxy = raw_server(lambda request: http_answer("502 Bad Gateway", b"<html>\x1b[31mbad</html>", "text/html"))
    backend = client(proxy.url, retries=0)
    with pytest.raises(BackendUnavailable, match="answered 502") as caught:
        backend.metrics()
    assert "\x1b" not in str(caught.value)
    backend.dispose()


def test_an_answer_that_breaks_off_is_an_outage_not_a_short_list(raw_server: Callable[..., RawServer]) -> None:
    now = datetime(2026, 11, 24, 18, tzinfo=UTC)
    row = ConversationRow(
        id="c-1", version=1, customer_phone="+525512345678", customer_wa_id="525512345678", customer_name="Luis",
        country="MX", agent=None, agent_name=None, group=None, group_name=None, created_at=now, assigned_at=None,
        closed_at=None, rating=None, status=Status.OPEN, last_message_at=None, waiting_since=None, duration_s=0,
        inactivity_s=None, response_creation_s=None, response_assignment_s=None, no_response_s=None, sent_by=None,
    )  # fmt: skip
    line = row.model_dump_json().encode() + b"\n"
    chunk = f"{len(line):x}\r\n".encode() + line + b"\r\n"
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n"
    cut = raw_server(lambda request: head + chunk)  # no last chunk: the server died mid-answer
    backend = client(cut.url)
    rows = backend.iter_conversations()
    assert next(rows).id == "c-1"
    with pytest.raises(BackendUnavailable, match="broke off"):
        next(rows)
    backend.dispose()


def test_tls_certificates_are_verified(raw_server: Callable[..., RawServer], tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    metrics = {"unassigned": 1, "active": 0, "completed_today": 0, "highest_load_group": None,
               "timezone": "UTC", "now": "2026-11-24T18:00:00Z"}  # fmt: skip
    tls = raw_server(lambda request: http_answer("200 OK", json.dumps(metrics).encode()), wrap=context)
    untrusted = client(tls.url)
    with pytest.raises(BackendUnavailable, match="(?i)certificate"):
        untrusted.metrics()
    untrusted.dispose()
    trusted = client(tls.url, verify=ssl.create_default_context(cafile=cert))
    assert trusted.metrics().unassigned == 1
    assert header(tls.requests[-1], "authorization") == "Bearer ca_000000000000_" + "x" * 43
    trusted.dispose()


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        ("ftp://example.com", "t", "https:// or http://"),
        ("example.com:8750", "t", "https:// or http://"),
        ("https://user:secret@example.com", "t", "not in the server URL"),
        ("https://example.com/?token=abc", "t", "not in the server URL"),
        ("https://example.com", None, "needs a token"),
        ("https://example.com", "", "needs a token"),
        ("https://example.com", "ca_tökén", "not a token"),
        ("https://example.com", "ca_a b", "not a token"),
    ],
)
def test_bad_connection_settings_are_clear_errors(url: str, token: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        RemoteBackend(url, token=token)
