"""Ids in URL paths: any id, even one holding ``/`` or ``%`` (the NDJSON allows both)."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.convertors import Convertor, register_url_convertor
from starlette.types import ASGIApp, Receive, Scope, Send


class IdConvertor(Convertor[str]):
    """A path segment holding an id: ``%2F`` and ``%25`` inside it come back as ``/`` and ``%``."""

    regex = "[^/]+"

    def convert(self, value: str) -> str:
        return unquote(value)

    def to_string(self, value: str) -> str:
        return value.replace("%", "%25").replace("/", "%2F")


ID_CONVERTOR = IdConvertor()
register_url_convertor("id", ID_CONVERTOR)


class EncodedSlashes:
    """Route on the raw path with ``%2F`` kept encoded, so an id may hold ``/`` (the NDJSON allows it).

    Servers decode the path before routing, which would split such an id into two segments;
    this decodes each segment on its own and leaves ``/`` and ``%`` inside it escaped for
    :class:`IdConvertor`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path")
        if scope["type"] == "http" and raw and b"%" in raw:
            segments = raw.decode("latin-1").split("/")
            scope["path"] = "/".join(unquote(s).replace("%", "%25").replace("/", "%2F") for s in segments)
        await self.app(scope, receive, send)
