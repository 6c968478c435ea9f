"""Writes are safe to retry: a replayed Idempotency-Key returns the first answer and changes
nothing more, even when the retries race; a stale version is a 409 that changes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .server_process import Served, served  # noqa: F401 - fixture


def notes_of(served: Served, conversation_id: str) -> list[str]:
    with served.http("ana") as client:
        return [n["text"] for n in client.get(f"/v1/conversations/{conversation_id}/detail").json()["notes"]]


def test_replaying_a_transfer_returns_the_first_answer_and_changes_nothing(served: Served) -> None:
    with served.http("ana") as client:
        version = client.get("/v1/conversations/s-1").json()["version"]
        body = {"group": "support", "expected_version": version}
        first = client.post("/v1/conversations/s-1/transfer", json=body, headers={"Idempotency-Key": "move-1"})
        assert first.status_code == 200 and "idempotent-replayed" not in first.headers
        after_first = served.snapshot()
        again = client.post("/v1/conversations/s-1/transfer", json=body, headers={"Idempotency-Key": "move-1"})
        assert again.status_code == 200 and again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert served.snapshot() == after_first
        # the key is the user's: another request under it is refused, and changes nothing
        other = client.post(
            "/v1/conversations/s-1/transfer", json={"group": "sales"}, headers={"Idempotency-Key": "move-1"}
        )
        assert other.status_code == 400 and other.json()["error"]["code"] == "idempotency_key_reused"
        assert served.snapshot() == after_first
        # without a key the same body is a new request: now stale, so a conflict
        stale = client.post("/v1/conversations/s-1/transfer", json=body)
        assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
        assert served.snapshot() == after_first


def test_a_key_belongs_to_one_user(served: Served) -> None:
    with served.http("ana") as ana, served.http("sol") as sol:
        assert ana.post("/v1/conversations/t-1/notes", json={"text": "one"}, headers={"Idempotency-Key": "k"}).status_code == 201
        note = sol.post("/v1/conversations/t-1/notes", json={"text": "one"}, headers={"Idempotency-Key": "k"})
        assert note.status_code == 201 and note.json()["author"] == "sol"
        assert "idempotent-replayed" not in note.headers
    assert notes_of(served, "t-1") == ["one", "one"]


def test_racing_retries_with_one_key_write_once(served: Served) -> None:
    def send(_: int) -> tuple[int, str]:
        with served.http("ana") as client:
            response = client.post(
                "/v1/conversations/s-2/notes", json={"text": "only once"}, headers={"Idempotency-Key": "race"}
            )
            return response.status_code, response.text

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert {status for status, _ in answers} == {201}
    assert len({text for _, text in answers}) == 1
    assert notes_of(served, "s-2") == ["only once"]


def test_every_write_replays(served: Served) -> None:
    writes = [
        ("POST", "/v1/conversations/s-2/unassign", {}),
        ("PUT", "/v1/conversations/s-2/tags", {"tags": ["vip", "refund"]}),
        ("POST", "/v1/conversations/s-2/close", None),
        ("POST", "/v1/conversations/s-2/reopen", {"expected_version": None}),
        ("PUT", "/v1/groups/sales/routing", {"rule": "least_busy"}),
        ("PATCH", "/v1/agents/bo", {"max_active": None, "available": False}),
    ]
    with served.http("ana") as client:
        for index, (method, path, body) in enumerate(writes):
            key = {"Idempotency-Key": f"w-{index}"}
            first = client.request(method, path, json=body, headers=key)
            assert first.status_code == 200, (path, first.text)
            state = served.snapshot()
            again = client.request(method, path, json=body, headers=key)
            assert (again.status_code, again.json()) == (200, first.json())
            assert served.snapshot() == state


def test_a_failed_write_is_not_remembered(served: Served) -> None:
    """A write that failed changed nothing, so its key stays free for the corrected retry."""
    with served.http("ana") as client:
        key = {"Idempotency-Key": "fix-and-retry"}
        closed = client.post("/v1/conversations/t-1/reopen", json={}, headers=key)
        assert closed.status_code == 400  # not closed: nothing to reopen
        assert client.post("/v1/conversations/t-1/close", json={}, headers={"Idempotency-Key": "c"}).status_code == 200
        assert client.post("/v1/conversations/t-1/reopen", json={}, headers=key).status_code == 200


def test_keys_must_be_printable_ascii(served: Served) -> None:
    with served.http("ana") as client:
        for bad in ("", "with space", "x" * 256):
            response = client.post("/v1/conversations/t-1/notes", json={"text": "x"}, headers={"Idempotency-Key": bad})
            assert response.status_code == 422, bad
    assert notes_of(served, "t-1") == []
