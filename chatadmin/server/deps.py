"""What an endpoint gets per request: the store acting as the token's user, in the asked zone."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from chatadmin.clock import Clock, load_zone
from chatadmin.server.protocol import ZONE_HEADER
from chatadmin.server.store import RequestStore

# documents the scheme in OpenAPI; the Authenticate middleware does the checking
bearer_scheme = HTTPBearer(auto_error=False, description="a token from `chatadmin token create`")


def user_store(
    request: Request,
    timezone: Annotated[
        str | None,
        Header(
            alias=ZONE_HEADER,
            max_length=64,
            description="reporting time zone (IANA name) for 'today' and dates; default: the server's",
        ),
    ] = None,
) -> RequestStore:
    server = request.app.state
    clock: Clock = server.clock
    if timezone:
        clock = Clock(zone=load_zone(timezone), fixed=clock.fixed)
    bearer = request.scope["state"]["bearer"]
    return RequestStore(server.engine, clock, acting_as=bearer.agent)


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


_KNOWN: dict[int, frozenset[str]] = {}


def known_query(request: Request) -> None:
    """An unknown query parameter is an error, not silence: ``?stauts=open`` must not list all."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    if id(route) not in _KNOWN:
        _KNOWN[id(route)] = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - _KNOWN[id(route)])
    if unknown:
        raise RequestValidationError(
            [{"loc": ("query", unknown[0][:40]), "msg": "unknown query parameter", "type": "extra_forbidden"}]
        )


Store = Annotated[RequestStore, Depends(user_store)]
Auth = Depends(bearer_scheme)
KnownQuery = Depends(known_query)
