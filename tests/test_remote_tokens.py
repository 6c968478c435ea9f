"""``chatadmin token create|list|revoke``: a token is shown once, only its hash is stored, and a
revoked token is refused from the next request on."""

from __future__ import annotations

import hashlib
import json
import re

import httpx
import sqlalchemy as sa
from click.testing import CliRunner

from chatadmin.cli import cli

from .builders import agent, group, load_store
from .server_process import Served, served  # noqa: F401 - fixture

TOKEN = re.compile(r"^ca_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$")


def chatadmin(db: str, *args: str) -> tuple[int, str, str]:
    env = {"CHATADMIN_DB": db, "CHATADMIN_REMOTE": None, "CHATADMIN_NOW": "2026-11-24T18:00:00Z"}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def stored_rows(db: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text("select * from api_tokens"))]
    finally:
        engine.dispose()


def test_a_token_is_printed_once_and_only_its_hash_is_stored(db_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    load_store(db_url, clock, [group("sales"), agent("ana", ["sales"], role="admin")]).dispose()
    code, out, err = chatadmin(db_url, "token", "create", "ana", "--name", "laptop")
    assert code == 0
    token = out.strip()
    assert TOKEN.match(token) and "not shown again" in err
    rows = stored_rows(db_url)
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    assert hashlib.sha256(token.encode()).hexdigest() in rows[0]
    code, out, _ = chatadmin(db_url, "token", "list", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and len(listed) == 1
    assert {k: listed[0][k] for k in ("agent", "role", "name", "revoked_at")} == {
        "agent": "ana", "role": "admin", "name": "laptop", "revoked_at": None,
    }  # fmt: skip
    assert token.split("_")[1] == listed[0]["id"] and token not in out
    code, out, _ = chatadmin(db_url, "token", "list")
    assert code == 0 and "laptop" in out and token not in out


def test_token_mistakes_are_one_line_errors(db_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    load_store(db_url, clock, [group("sales"), agent("eve", ["sales"])]).dispose()
    code, _, err = chatadmin(db_url, "token", "create", "nobody")
    assert code == 2 and "unknown acting user 'nobody'" in err
    code, _, err = chatadmin(db_url, "token", "create")
    assert code == 1 and "--operator" in err
    code, _, err = chatadmin(db_url, "token", "create", "eve", "--operator")
    assert code == 1
    code, _, err = chatadmin(db_url, "token", "create", "eve", "--name", "bad\x1b[2J")
    assert code == 2 and "control characters" in err
    code, _, err = chatadmin(db_url, "token", "revoke", "0123456789ab")
    assert code == 2 and "unknown token" in err
    assert stored_rows(db_url) == []
    code, _, err = chatadmin(db_url, "token", "create", "eve")
    assert code == 0 and "agent role" in err  # made, with a warning: the server will refuse it
    result = CliRunner().invoke(cli, ["token", "list"], env={"CHATADMIN_REMOTE": "http://127.0.0.1:1"})
    assert result.exit_code == 1 and "not through a server" in result.stderr


def test_created_tokens_work_and_revoked_ones_are_refused_at_once(served: Served) -> None:
    db = served.server.db_url
    code, out, _ = chatadmin(db, "token", "create", "sam")
    token = out.strip()
    code, operator_out, _ = chatadmin(db, "token", "create", "--operator", "--name", "cron")
    operator = operator_out.strip()
    with httpx.Client(base_url=served.url) as client:
        me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["agent_id"] == "sam"
        assert client.get("/v1/me", headers={"Authorization": f"Bearer {operator}"}).json()["agent_id"] is None
        code, _, _ = chatadmin(db, "token", "revoke", token.split("_")[1])
        assert code == 0
        assert client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        code, _, _ = chatadmin(db, "token", "revoke", operator)  # the whole token names it too
        assert code == 0
        assert client.get("/v1/me", headers={"Authorization": f"Bearer {operator}"}).status_code == 401
    listed = {t["agent"]: t for t in json.loads(chatadmin(db, "token", "list", "--format", "json")[1])}
    assert listed["sam"]["revoked_at"] == "2026-11-24T18:00:00Z"
    assert listed["sam"]["last_used_at"] == "2026-11-24T18:00:00Z"
    assert listed[None]["role"] == "admin" and listed[None]["name"] == "cron"
