"""Every endpoint refuses who may not use it (no token, a bad or revoked one, an agent, a supervisor
of another group) with the right status, and the store is unchanged afterwards."""

from __future__ import annotations

import re
from typing import Any

import httpx

from chatadmin.server.openapi import openapi_document
from chatadmin.server.tokens import revoke_token
from chatadmin.store.engine import make_engine

from .server_process import Served, served  # noqa: F401 - fixture

# every operation, on something in the sales group (s-1 is an open sales conversation)
ENDPOINTS: list[tuple[str, str, Any]] = [
    ("GET", "/v1/me", None),
    ("GET", "/v1/conversations", None),
    ("GET", "/v1/conversations:count", None),
    ("GET", "/v1/conversations:stream", None),
    ("GET", "/v1/conversations:changes", None),
    ("GET", "/v1/conversations/s-1", None),
    ("GET", "/v1/conversations/s-1/detail", None),
    ("GET", "/v1/conversations/s-1/messages", None),
    ("GET", "/v1/metrics", None),
    ("GET", "/v1/agents", None),
    ("GET", "/v1/groups", None),
    ("GET", "/v1/groups:activity", None),
    ("GET", "/v1/tags", None),
    ("GET", "/v1/countries", None),
    ("GET", "/v1/routing/log", None),
    ("POST", "/v1/conversations/s-1/notes", {"text": "hello"}),
    ("POST", "/v1/conversations/s-1/transfer", {"group": "sales", "agent": "bo"}),
    ("POST", "/v1/conversations/s-1/close", {}),
    ("POST", "/v1/conversations/s-1/reopen", {}),
    ("POST", "/v1/conversations/s-1/unassign", {}),
    ("PUT", "/v1/conversations/s-1/tags", {"tags": ["x"]}),
    ("PUT", "/v1/groups/sales/routing", {"rule": "least_busy", "only_available": True, "sticky": False}),
    ("PATCH", "/v1/agents/bo", {"available": False}),
]
# what a supervisor of support may still use on the sales group: the lists, scoped to support
SCOPED_LISTS = {
    "/v1/me", "/v1/conversations", "/v1/conversations:count", "/v1/conversations:stream",
    "/v1/conversations:changes", "/v1/metrics",
    "/v1/agents", "/v1/groups", "/v1/groups:activity", "/v1/tags", "/v1/countries", "/v1/routing/log",
}  # fmt: skip


def template(path: str) -> str:
    return re.sub(r"/(s-1|sales|bo)(?=/|$)", lambda m: "/{" + {"s-1": "conversation_id", "sales": "group_id", "bo": "agent_id"}[m.group(1)] + "}", path)


def test_the_matrix_covers_every_operation_of_the_api() -> None:
    document = openapi_document()
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item if path.startswith("/v1/")
    }
    assert {(method, template(path)) for method, path, _ in ENDPOINTS} == operations


def call(served: Served, who: str | None, method: str, path: str, body: Any, **headers: str) -> Any:
    """One request with ``who``'s token (None: none, or the ``Authorization`` given)."""
    if who is not None:
        headers["Authorization"] = f"Bearer {served.tokens[who]}"
    if served.url not in CLIENTS:
        CLIENTS[served.url] = httpx.Client(base_url=served.url, timeout=30)
    return CLIENTS[served.url].request(method, path, json=body, headers=headers)


CLIENTS: dict[str, httpx.Client] = {}  # one pooled client per server: building one costs ~30 ms


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_without_a_valid_token_every_endpoint_answers_401_and_changes_nothing(served: Served) -> None:
    before = served.snapshot()
    engine = make_engine(served.server.db_url)
    try:
        revoke_token(engine, served.clock, served.tokens["bo"])
    finally:
        engine.dispose()
    forged = served.tokens["ana"][:-4] + "AAAA"
    for method, path, body in ENDPOINTS:
        assert_error(call(served, None, method, path, body), 401, "unauthorized")
        assert_error(call(served, None, method, path, body, Authorization=f"Basic {served.tokens['ana']}"), 401, "unauthorized")
        assert_error(call(served, None, method, path, body, Authorization="Bearer not-a-token"), 401, "unauthorized")
        assert_error(call(served, None, method, path, body, Authorization=f"Bearer {forged}"), 401, "unauthorized")
        revoked = call(served, "bo", method, path, body)
        assert_error(revoked, 401, "unauthorized")
        assert "Bearer" in revoked.headers["www-authenticate"]
    assert served.snapshot() == before
    # unknown paths too: nothing is told to a caller without a token
    assert_error(call(served, None, "GET", "/v1/nothing-here", None), 401, "unauthorized")


def test_an_agent_token_is_refused_everything_but_who_it_is(served: Served) -> None:
    before = served.snapshot()
    for method, path, body in ENDPOINTS:
        response = call(served, "eve", method, path, body)
        if path == "/v1/me":
            assert response.status_code == 200
            assert response.json()["agent_id"] == "eve" and response.json()["role"] == "agent"
        else:
            assert_error(response, 403, "forbidden")
    assert served.snapshot() == before


def test_a_supervisor_is_refused_other_groups_and_the_routing(served: Served) -> None:
    before = served.snapshot()
    for method, path, body in ENDPOINTS:
        response = call(served, "sol", method, path, body)
        if path in SCOPED_LISTS:
            assert response.status_code == 200, (path, response.text)
        else:
            assert_error(response, 403, "forbidden")
    # their own group's conversation, but transferred into a group they do not belong to
    assert_error(call(served, "sol", "POST", "/v1/conversations/t-1/transfer", {"group": "sales"}), 403, "forbidden")
    # changing routing or agents is not a supervisor's, even in their own group
    assert_error(
        call(served, "sol", "PUT", "/v1/groups/support/routing", {"rule": "manual"}), 403, "forbidden"
    )
    assert served.snapshot() == before
    # what they see is their group only
    with served.http("sol") as client:
        rows = client.get("/v1/conversations").json()["rows"]
        assert sorted(r["id"] for r in rows) == ["a/b%c?d#e", "t-1"]
        assert client.get("/v1/conversations:count").json() == {"count": 2}
        streamed = client.get("/v1/conversations:stream").text.splitlines()
        assert len(streamed) == 2


def test_each_request_acts_as_the_tokens_agent(served: Served) -> None:
    with served.http("sam") as client:
        assert client.get("/v1/me").json() == {
            "agent_id": "sam", "name": "Sam Sales", "role": "supervisor", "groups": ["sales"],
        }  # fmt: skip
        note = client.post("/v1/conversations/s-1/notes", json={"text": "called back"})
        assert note.status_code == 201 and note.json()["author"] == "sam"
        moved = client.post("/v1/conversations/s-1/transfer", json={"group": "sales", "agent": "bo"})
        assert moved.status_code == 200 and moved.json()["agent"] == "bo"
        events = client.get("/v1/conversations/s-1/detail").json()["events"]
        assert events[-1]["actor"] == "sam" and events[-1]["kind"] == "transferred"
    with served.http("operator") as client:
        assert client.get("/v1/me").json()["role"] == "admin"
        note = client.post("/v1/conversations/t-1/notes", json={"text": "from the operator"})
        assert note.json()["author"] == "system"


def teardown_module() -> None:
    for client in CLIENTS.values():
        client.close()
