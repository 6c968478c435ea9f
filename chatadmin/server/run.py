"""Running the server: open the store, listen (loopback unless told otherwise), log, stop cleanly."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import sys
from collections.abc import Iterator

import uvicorn

from chatadmin.clock import Clock
from chatadmin.errors import ChatAdminError
from chatadmin.server.app import create_app

log = logging.getLogger("chatadmin.server")


def listen(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one (the log line says which)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise ChatAdminError(f"cannot listen on {host}:{port}: {exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ChatAdminError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(uvicorn.Server):
    """Uvicorn's server, except that a stop signal (Ctrl-C, SIGTERM) ends ``serve`` normally:
    requests in flight finish, the store is closed, the exit status is 0 (uvicorn would raise
    the signal again once stopped, which kills the process before it cleans up)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            getattr(self, "_captured_signals", []).clear()


def serve(db: str, clock: Clock, host: str, port: int, log_level: str = "info") -> None:
    """Serve the store at ``db`` until interrupted (Ctrl-C or SIGTERM)."""
    from chatadmin.store.sql import SqlStore

    logging.basicConfig(
        level=log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    store = SqlStore.open(db, clock)
    sock = listen(host, port)
    try:
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        log.info("serving %s on http://%s:%d (zone %s)", store.location, shown, bound_port, clock.zone_name)
        if not is_loopback(host):
            log.warning("listening beyond this machine: put TLS in front of it (a reverse proxy), tokens travel in headers")
        config = uvicorn.Config(
            create_app(store.engine, clock),
            log_config=None,
            log_level=log_level,
            access_log=False,
            server_header=False,
            proxy_headers=False,
            timeout_keep_alive=5,
            timeout_graceful_shutdown=10,
        )
        _Server(config).run(sockets=[sock])
        log.info("stopped")
    finally:
        sock.close()
        store.dispose()
