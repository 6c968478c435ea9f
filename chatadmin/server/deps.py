"""What an endpoint gets per request: the store acting as the token's user, in the asked zone."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
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


Store = Annotated[RequestStore, Depends(user_store)]
Auth = Depends(bearer_scheme)
