"""Errors are JSON with the right status and never a trace; odd ids, limits, zones and logs."""

from __future__ import annotations

import re

import pytest

from .server_process import Served, served  # noqa: F401 - fixture

LEAKS = re.compile(r"Traceback|File \"|sqlalchemy|psycopg|sqlite3|SELECT |INSERT |UPDATE ", re.IGNORECASE)


def problem(response, status: int, code: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert not LEAKS.search(response.text), response.text
    return str(body["error"]["message"])


MISTAKES = [
        ("GET", "/v1/conversations/nope", {}, 404, "not_found"),
        ("GET", "/v1/conversations?group=nope", {}, 400, "invalid_input"),
        ("GET", "/v1/conversations?status=maybe", {}, 422, "validation_error"),
    ("GET", "/v1/conversations?stauts=open", {}, 422, "validation_error"),  # a typo never lists everything
    ("POST", "/v1/conversations/s-1/close?force=1", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?limit=0", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?limit=1001", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?offset=-1", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?cursor=nope", {}, 400, "invalid_input"),
        ("GET", "/v1/conversations?cursor=eyJzIjoxfQ", {}, 400, "invalid_input"),  # {"s":1}
        ("GET", "/v1/conversations?cursor=" + "A" * 9000, {}, 422, "validation_error"),
        ("GET", "/v1/conversations/s-1/messages?after=nope", {}, 400, "invalid_input"),
        ("GET", "/v1/conversations/s-1/messages?newest=maybe", {}, 422, "validation_error"),
        ("GET", "/v1/conversations/nope/messages", {}, 404, "not_found"),
        ("GET", "/v1/routing/log?group=nope", {}, 400, "invalid_input"),
        ("GET", "/v1/routing/log?limit=0", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?sort=nope", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?rating=9", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?from=yesterday", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?search=%00", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?no_response_over=99999999999999999999", {}, 422, "validation_error"),
        ("GET", "/v1/conversations?inactive_over=2147472001", {}, 422, "validation_error"),  # 68 years and 1 s
        ("GET", "/v1/conversations:count?response_creation_over=2147472001", {}, 422, "validation_error"),
        ("GET", "/v1/nothing", {}, 404, "not_found"),
        ("DELETE", "/v1/conversations/s-1", {}, 405, "method_not_allowed"),
        ("POST", "/v1/conversations/s-1/notes", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "validation_error"),
        ("POST", "/v1/conversations/s-1/notes", {"json": {"text": 5}}, 422, "validation_error"),
        ("POST", "/v1/conversations/s-1/notes", {"json": {"text": "x", "extra": 1}}, 422, "validation_error"),
        ("POST", "/v1/conversations/s-1/notes", {"json": {"text": "nul \x00 inside"}}, 422, "validation_error"),
        ("POST", "/v1/conversations/s-1/notes", {"content": b'{"text": "lone \\ud800"}', "headers": {"content-type": "application/json"}}, 422, "validation_error"),
        ("POST", "/v1/conversations/s-1/notes", {"json": {"text": "   "}}, 400, "invalid_input"),
        ("POST", "/v1/conversations/nope/notes", {"json": {"text": "x"}}, 404, "not_found"),
        ("POST", "/v1/conversations/s-1/transfer", {"json": {"group": "nope"}}, 400, "invalid_input"),
        ("POST", "/v1/conversations/s-1/transfer", {"json": {"group": "support", "agent": "ana"}}, 400, "invalid_input"),
        ("POST", "/v1/conversations/s-1/transfer", {"json": {"group": "sales", "expected_version": 99}}, 409, "conflict"),
        ("POST", "/v1/conversations/s-1/reopen", {}, 400, "invalid_input"),
        ("PUT", "/v1/conversations/s-1/tags", {"json": {"tags": ["bad\x1b[31m"]}}, 400, "invalid_input"),
        ("PUT", "/v1/groups/nope/routing", {"json": {"rule": "manual"}}, 400, "invalid_input"),
        ("PUT", "/v1/groups/sales/routing", {"json": {"rule": "fastest"}}, 422, "validation_error"),
        ("PATCH", "/v1/agents/bo", {"json": {"max_active": -1}}, 422, "validation_error"),
        ("PATCH", "/v1/agents/bo", {"json": {"max_active": 2**31}}, 422, "validation_error"),
        ("GET", "/v1/metrics", {"headers": {"Chatadmin-Timezone": "Mars/Olympus"}}, 400, "invalid_input"),
        ("GET", "/v1/metrics", {"headers": {"Chatadmin-Timezone": "../../etc/passwd"}}, 400, "invalid_input"),
]


def test_a_users_mistake_is_a_json_error_and_changes_nothing(served: Served) -> None:
    """One server for all the cases (each starts one): a failure names its case."""
    before = served.snapshot()
    with served.http("ana") as client:
        for method, path, kwargs, status, code in MISTAKES:
            case = f"{method} {path} {kwargs}"
            try:
                problem(client.request(method, path, **kwargs), status, code)
            except AssertionError as exc:
                raise AssertionError(f"{case}: {exc}") from None
            assert served.snapshot() == before, case


def test_a_wait_of_68_years_is_the_longest_the_api_takes_as_the_other_front_ends_do(served: Served) -> None:
    """The bound of ``parse_duration`` (CLI, console, views): more than that is 422 above, that much lists."""
    with served.http("ana") as client:
        response = client.get("/v1/conversations", params={"no_response_over": 24855 * 86400})
        assert response.status_code == 200, response.text
        assert response.json()["rows"] == []


def test_bodies_over_the_limit_are_refused(served: Served) -> None:
    before = served.snapshot()
    with served.http("ana") as client:
        message = problem(client.post("/v1/conversations/s-1/notes", json={"text": "x" * 300_000}), 413, "too_large")
        assert message
        # streamed without a length: counted as it arrives
        chunks = (b'{"text": "' + b"x" * 100_000 for _ in range(1))
        streamed = client.post(
            "/v1/conversations/s-1/notes",
            content=iter([next(chunks), b"y" * 300_000, b'"}']),
            headers={"content-type": "application/json"},
        )
        problem(streamed, 413, "too_large")
    assert served.snapshot() == before


def test_ids_with_slashes_percent_and_dots_round_trip(served: Served) -> None:
    odd = "a/b%c?d#e"
    backend = served.remote("ana")
    try:
        assert backend.get_conversation(odd).customer_name == "Odd Id"
        assert backend.add_note(odd, "reached").text == "reached"
        assert [n.text for n in backend.conversation_detail(odd).notes] == ["reached"]
        for missing in ("..", ".", "a/..", "%2F", "s-1/detail"):
            with pytest.raises(Exception) as caught:
                backend.get_conversation(missing)
            assert type(caught.value).__name__ == "NotFound", missing
    finally:
        backend.dispose()


def test_the_reporting_zone_comes_with_each_request(served: Served) -> None:
    with served.http("ana") as client:
        assert client.get("/v1/metrics").json()["timezone"] == served.clock.zone_name
        tokyo = client.get("/v1/metrics", headers={"Chatadmin-Timezone": "Asia/Tokyo"}).json()
        assert tokyo["timezone"] == "Asia/Tokyo"
        assert tokyo["now"] == "2026-11-24T18:00:00Z"  # the server's clock, whatever the zone


def test_each_request_has_an_id_and_one_log_line(served: Served) -> None:
    with served.http("sam") as client:
        given = client.get("/v1/metrics", headers={"X-Request-ID": "trace-42"})
        assert given.headers["x-request-id"] == "trace-42"
        made = client.get("/v1/conversations?search=Luis", headers={"X-Request-ID": "not an id; " + "x" * 80})
        assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
        refused = client.get("/v1/metrics", headers={"Authorization": "Bearer nope"})
        rid = refused.headers["x-request-id"]
    served.server.stop()  # flushes the log
    log = served.server.log_text()
    assert re.search(r"trace-42 GET /v1/metrics 200 user=sam \d+\.\dms", log)
    assert re.search(made.headers["x-request-id"] + r" GET /v1/conversations 200 user=sam \d+\.\dms", log)
    assert re.search(rid + r" GET /v1/metrics 401 user=- \d+\.\dms", log)
    assert "Luis" not in log  # searches name customers: no query strings in the log
    assert all(token not in log for token in served.tokens.values())
