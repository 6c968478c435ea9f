"""The Backend interface over HTTP: a ``chatadmin serve`` server, as the token's agent.

One pooled :class:`httpx.Client` (TLS verified, timeouts on every call). Reads, and writes
sent with an ``Idempotency-Key`` (every write gets one), are retried a bounded number of
times with backoff when the connection fails or the server says it is unavailable; a slow
answer is not retried. Server errors come back as the same :mod:`chatadmin.errors` classes
the local store raises; an unreachable server is :class:`BackendUnavailable`, at once, and
the next call tries again.
"""

from __future__ import annotations

import random
import ssl
import time
import uuid
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from chatadmin import __version__
from chatadmin.backend import UNSET, Interrupt, Unset
from chatadmin.clock import Clock, local_zone
from chatadmin.domain import (
    Agent,
    Changes,
    ConversationDetail,
    ConversationFilter,
    ConversationPage,
    ConversationRow,
    Group,
    GroupActivity,
    MessagePage,
    Metrics,
    Note,
    Principal,
    RoutingConfig,
    Sort,
    TransferResult,
)
from chatadmin.errors import (
    BackendUnavailable,
    ChatAdminError,
    Interrupted,
    InvalidInput,
    PermissionDenied,
)
from chatadmin.routing.changes import RoutingChange
from chatadmin.server.protocol import (
    IDEMPOTENCY_HEADER,
    STATUS_OF,
    ZONE_HEADER,
    Count,
    segment,
)
from chatadmin.text import one_line

T = TypeVar("T")

# the server's error codes and statuses, back to the classes the local store raises
BY_STATUS: dict[int, type[ChatAdminError]] = {
    **{status: cls for cls, status in STATUS_OF.items()},
    401: PermissionDenied,
    413: InvalidInput,
    422: InvalidInput,
}
ERRORS: dict[str, type[ChatAdminError]] = {
    **{cls.code: cls for cls in STATUS_OF},
    "unauthorized": PermissionDenied,
    "validation_error": InvalidInput,
    "too_large": InvalidInput,
    "idempotency_key_reused": InvalidInput,
}
RETRY_STATUSES = frozenset({502, 503, 504})
# failures where the request never reached the server, or the connection broke: worth a retry.
# Not timeouts: a host that does not answer would only make every caller wait several times over.
RETRY_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)

_agents = TypeAdapter(list[Agent])
_groups = TypeAdapter(list[Group])
_activity = TypeAdapter(list[GroupActivity])
_strings = TypeAdapter(list[str])
_changes = TypeAdapter(list[RoutingChange])


def filter_params(filters: ConversationFilter) -> list[tuple[str, str]]:
    """A filter as the server's query parameters (sets repeat the name, in a stable order)."""
    params: list[tuple[str, str]] = []
    if filters.search is not None:
        params.append(("search", filters.search))
    for name, values in (
        ("status", [s.value for s in filters.statuses]),
        ("group", list(filters.groups)),
        ("agent", list(filters.agents)),
        ("country", list(filters.countries)),
        ("tag", list(filters.tags)),
        ("rating", [str(r) for r in filters.ratings]),
    ):
        params.extend((name, value) for value in sorted(values))
    for name, day in (("from", filters.created_from), ("to", filters.created_to)):
        if day is not None:
            params.append((name, day.isoformat()))
    for name in ("no_response_over", "inactive_over", "response_creation_over", "response_assignment_over"):
        value = getattr(filters, name)
        if value is not None:
            params.append((name, str(value)))
    return params


class RemoteBackend:
    """Conversations on a ``chatadmin serve`` server, seen and changed as the token's agent."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        clock: Clock | None = None,
        *,
        timeout: float = 15.0,
        connect_timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not token or not token.strip():
            raise InvalidInput("a server needs a token: --token or CHATADMIN_TOKEN (from chatadmin token create)")
        if not all(33 <= ord(c) < 127 for c in token.strip()):
            raise InvalidInput("that is not a token: a token is printable ASCII (see chatadmin token create)")
        try:
            base = httpx.URL(url.strip())
        except (httpx.InvalidURL, TypeError):
            raise InvalidInput(f"not a server URL: {url!r}") from None
        if base.scheme not in ("http", "https") or not base.host:
            raise InvalidInput(f"a server URL starts with https:// or http://, not {url!r}")
        if base.userinfo or base.query:
            raise InvalidInput("put the token in --token or CHATADMIN_TOKEN, not in the server URL")
        self._location = str(base.copy_with(fragment=None)).rstrip("/")
        # the reporting zone of every answer ("today", --from/--to); the server's clock gives "now"
        self.clock = clock or Clock(zone=local_zone())
        self.retries = max(0, retries)
        self.backoff = backoff
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._client = httpx.Client(
            base_url=self._location,
            headers={"Authorization": f"Bearer {token.strip()}", "User-Agent": f"chatadmin/{__version__}"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=5, keepalive_expiry=30),
            verify=verify,
            follow_redirects=False,
            transport=transport,
        )

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def location(self) -> str:
        return self._location

    def dispose(self) -> None:
        self._client.close()

    def _headers(self, key: str | None) -> dict[str, str]:
        headers = {ZONE_HEADER: self.clock.zone_name}
        if key is not None:
            headers[IDEMPOTENCY_HEADER] = key
        return headers

    def _pause(self, attempt: int) -> None:
        time.sleep(min(2.0, self.backoff * 2**attempt) * (0.5 + random.random() / 2))

    def _send(self, method: str, path: str, *, params: Any = None, json: Any = None, stream: bool = False) -> httpx.Response:
        """One call, retried when that is safe (reads, and writes with their idempotency key)."""
        key = None if method == "GET" else uuid.uuid4().hex
        headers = self._headers(key)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                request = self._client.build_request(method, path, params=params, json=json, headers=headers)
                response = self._client.send(request, stream=stream)
            except RETRY_ERRORS as exc:
                if last:
                    raise BackendUnavailable(f"cannot reach {self._location}: {_reason(exc)}") from None
                self._pause(attempt)
                continue
            except httpx.ConnectTimeout:
                raise BackendUnavailable(f"cannot reach {self._location} within {self._connect_timeout:g} s") from None
            except httpx.TimeoutException:
                raise BackendUnavailable(f"{self._location} did not answer within {self._timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise BackendUnavailable(f"cannot talk to {self._location}: {_reason(exc)}") from None
            if response.status_code in RETRY_STATUSES and not last:
                response.close()
                self._pause(attempt)
                continue
            if response.is_success:
                return response
            if stream:
                try:
                    response.read()
                except httpx.HTTPError:
                    pass
                finally:
                    response.close()
            raise self._error(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, response: httpx.Response) -> ChatAdminError:
        status = response.status_code
        try:
            problem = response.json()["error"]
            code, message = str(problem["code"]), one_line(str(problem["message"]))[:500]
        except (ValueError, KeyError, TypeError):
            code, message = "", f"{self._location} answered {status} {response.reason_phrase}"
        cls = ERRORS.get(code) or BY_STATUS.get(status, BackendUnavailable)
        if status == 401:
            message = f"the server refused the token: {message}"
        return cls(message)

    def _get(self, path: str, model: type[T] | TypeAdapter[T], params: Any = None) -> T:
        return self._parse(self._send("GET", path, params=params), model)

    def _write(self, method: str, path: str, body: Any, model: type[T] | TypeAdapter[T]) -> T:
        return self._parse(self._send(method, path, json=body), model)

    def _parse(self, response: httpx.Response, model: type[T] | TypeAdapter[T]) -> T:
        try:
            if isinstance(model, TypeAdapter):
                return model.validate_json(response.content)
            assert issubclass(model, BaseModel)
            return model.model_validate_json(response.content)  # type: ignore[return-value]
        except ValidationError:
            raise BackendUnavailable(f"{self._location} sent an answer this version does not understand") from None

    @staticmethod
    def _conversation(conversation_id: str, action: str = "") -> str:
        return f"/v1/conversations/{segment(conversation_id)}{action}"

    def whoami(self) -> Principal:
        return self._get("/v1/me", Principal)

    # -- reading ----------------------------------------------------------------------------

    def list_conversations(
        self,
        filters: ConversationFilter = ConversationFilter(),
        sort: Sort = Sort(),
        offset: int = 0,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ConversationPage:
        params = [*filter_params(filters), ("sort", str(sort)), ("offset", str(offset)), ("limit", str(limit))]
        if cursor is not None:
            params.append(("cursor", cursor))
        return self._get("/v1/conversations", ConversationPage, params)

    def iter_conversations(
        self,
        filters: ConversationFilter = ConversationFilter(),
        sort: Sort = Sort(),
        limit: int | None = None,
    ) -> Iterator[ConversationRow]:
        if limit is not None and limit < 0:
            raise InvalidInput("limit must be 0 or more")
        params = [*filter_params(filters), ("sort", str(sort))]
        if limit is not None:
            params.append(("limit", str(limit)))
        response = self._send("GET", "/v1/conversations:stream", params=params, stream=True)
        try:
            for line in response.iter_lines():
                if line:
                    try:
                        yield ConversationRow.model_validate_json(line)
                    except ValidationError:
                        raise BackendUnavailable(f"{self._location} sent a row this version does not understand") from None
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"the answer from {self._location} broke off: {_reason(exc)}") from None
        finally:
            response.close()

    def count_conversations(self, filters: ConversationFilter = ConversationFilter(), interrupt: Interrupt | None = None) -> int:
        """Over HTTP an interrupt stops nothing on the server: the count runs on there, and a
        count interrupted meanwhile raises :class:`Interrupted` rather than answer."""
        if interrupt is None:
            return self._get("/v1/conversations:count", Count, filter_params(filters)).count
        with interrupt.armed(lambda: None):
            count = self._get("/v1/conversations:count", Count, filter_params(filters)).count
        if interrupt.pulled:
            raise Interrupted("the count was interrupted")
        return count

    def changes_since(self, seq: int) -> Changes:
        return self._get("/v1/conversations:changes", Changes, {"since": seq})

    def get_conversation(self, conversation_id: str) -> ConversationRow:
        return self._get(self._conversation(conversation_id), ConversationRow)

    def conversation_detail(self, conversation_id: str) -> ConversationDetail:
        return self._get(self._conversation(conversation_id, "/detail"), ConversationDetail)

    def conversation_messages(
        self,
        conversation_id: str,
        after: str | None = None,
        before: str | None = None,
        limit: int = 50,
        newest: bool = False,
    ) -> MessagePage:
        params: list[tuple[str, str]] = [("limit", str(limit))]
        params += [(name, value) for name, value in (("after", after), ("before", before)) if value is not None]
        if newest:
            params.append(("newest", "true"))
        return self._get(self._conversation(conversation_id, "/messages"), MessagePage, params)

    def metrics(self) -> Metrics:
        return self._get("/v1/metrics", Metrics)

    def list_agents(self) -> list[Agent]:
        return self._get("/v1/agents", _agents)

    def list_groups(self) -> list[Group]:
        return self._get("/v1/groups", _groups)

    def group_activity(self) -> list[GroupActivity]:
        return self._get("/v1/groups:activity", _activity)

    def list_tags(self) -> list[str]:
        return self._get("/v1/tags", _strings)

    def list_countries(self) -> list[str]:
        return self._get("/v1/countries", _strings)

    # -- acting on a conversation -------------------------------------------------------------

    def add_note(self, conversation_id: str, text: str) -> Note:
        return self._write("POST", self._conversation(conversation_id, "/notes"), {"text": text}, Note)

    def transfer(
        self,
        conversation_id: str,
        group: str,
        agent: str | None = None,
        expected_version: int | None = None,
    ) -> TransferResult:
        body = {"group": group, "agent": agent, "expected_version": expected_version}
        return self._write("POST", self._conversation(conversation_id, "/transfer"), body, TransferResult)

    def _change(self, conversation_id: str, action: str, expected_version: int | None) -> ConversationRow:
        body = {"expected_version": expected_version}
        return self._write("POST", self._conversation(conversation_id, action), body, ConversationRow)

    def close_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow:
        return self._change(conversation_id, "/close", expected_version)

    def reopen_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow:
        return self._change(conversation_id, "/reopen", expected_version)

    def unassign_conversation(self, conversation_id: str, expected_version: int | None = None) -> ConversationRow:
        return self._change(conversation_id, "/unassign", expected_version)

    def set_tags(
        self, conversation_id: str, tags: list[str], expected_version: int | None = None
    ) -> ConversationRow:
        body = {"tags": list(tags), "expected_version": expected_version}
        return self._write("PUT", self._conversation(conversation_id, "/tags"), body, ConversationRow)

    # -- routing configuration ---------------------------------------------------------------

    def routing_log(self, group: str | None = None, agent: str | None = None, limit: int = 50) -> list[RoutingChange]:
        params = [(name, value) for name, value in (("group", group), ("agent", agent)) if value is not None]
        return self._get("/v1/routing/log", _changes, [*params, ("limit", str(limit))])

    def set_routing(self, group: str, config: RoutingConfig) -> Group:
        return self._write("PUT", f"/v1/groups/{segment(group)}/routing", config.model_dump(mode="json"), Group)

    def set_agent(
        self,
        agent: str,
        available: bool | None = None,
        max_active: int | None | Unset = UNSET,
        add_groups: tuple[str, ...] = (),
        remove_groups: tuple[str, ...] = (),
    ) -> Agent:
        body: dict[str, Any] = {"add_groups": list(add_groups), "remove_groups": list(remove_groups)}
        if available is not None:
            body["available"] = available
        if not isinstance(max_active, Unset):
            body["max_active"] = max_active
        return self._write("PATCH", f"/v1/agents/{segment(agent)}", body, Agent)


def _reason(exc: Exception) -> str:
    text = one_line(str(exc)) or type(exc).__name__
    return text[:200]
