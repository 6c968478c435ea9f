"""The command line as scripts use it: output shapes, exit statuses, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chatadmin.cli import cli
from chatadmin.cli.output import LIST_KEYS

from .builders import agent, conversation, group, lines, msg

NOW = "2026-11-24T18:00:00Z"

DATA = [
    group("sales", "Sales"),
    group("support", "Support"),
    agent("ana", ["sales"], name="Ana Pérez", role="admin"),
    agent("bo", ["sales", "support"], name="Bo Silva"),
    agent("sol", ["support"], role="supervisor"),
    conversation(
        "c-1",
        "2026-11-24T08:00:00Z",
        phone="+5215512345678",
        name="=HYPERLINK(\"x\")",
        status="open",
        group_id="sales",
        messages=[msg("2026-11-24T08:00:00Z", "customer", "Hola \x1b]52;c;aGk=\x07 [bold]x[/]\x9b")],
        tags=["vip", "-refund"],
    ),
    conversation(
        "c-2",
        "2026-11-24T09:00:00Z",
        phone="+17875550123",
        name="Ana Boricua",
        status="in_progress",
        group_id="support",
        agent_id="bo",
        assigned_at="2026-11-24T09:00:00Z",
        messages=[msg("2026-11-24T09:00:00Z", "customer"), msg("2026-11-24T09:01:00Z", "agent", "Hi", "bo")],
    ),
    conversation(
        "c-3",
        "2026-11-23T09:00:00Z",
        phone="+525587654321",
        name="Closed One",
        status="closed",
        group_id="sales",
        agent_id="ana",
        assigned_at="2026-11-23T09:00:00Z",
        closed_at="2026-11-24T10:00:00Z",
        rating=5,
    ),
]


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data.ndjson"
    data.write_text("".join(lines(*DATA)), encoding="utf-8")
    environment = {"CHATADMIN_DB": db_url, "CHATADMIN_NOW": NOW, "CHATADMIN_TZ": "America/Mexico_City"}
    result = CliRunner().invoke(cli, ["import", str(data)], env=environment)
    assert result.exit_code == 0, result.output
    return environment


def run(env: dict[str, str], *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, input=input)


def test_list_json_has_exactly_the_contract_keys(env: dict[str, str]) -> None:
    result = run(env, "list", "--status", "open", "--country", "MX", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == ["c-1"]
    row = rows[0]
    assert tuple(row) == LIST_KEYS
    assert row["customer_phone"] == "+525512345678"
    assert row["created_at"] == "2026-11-24T08:00:00Z"
    assert row["duration_s"] == 10 * 3600 and row["inactivity_s"] == 10 * 3600
    assert row["agent"] is None and row["group"] == "sales"
    assert row["tags"] == ["-refund", "vip"] and row["sent_by"] == "customer"


def test_list_aliases_sort_and_limit(env: dict[str, str]) -> None:
    ids = lambda *a: [r["id"] for r in json.loads(run(env, "list", "--format", "json", *a).output)]  # noqa: E731
    assert ids() == ["c-2", "c-1", "c-3"]  # created_at:desc by default
    assert ids("--sort", "created_at:asc", "--limit", "2") == ["c-3", "c-1"]
    assert ids("--status", "assigned") == ["c-2"]
    assert ids("--status", "unassigned", "--status", "completed") == ["c-1", "c-3"]
    assert ids("--country", "PR") == ["c-2"]
    assert ids("--search", "boricua") == ["c-2"]
    assert ids("--search", "(787) 555") == ["c-2"]
    assert ids("--from", "2026-11-24", "--to", "2026-11-24") == ["c-2", "c-1"]
    assert ids("--response-creation-over", "59s") == ["c-2"]
    assert ids("--response-creation-over", "1m") == []
    assert ids("--no-response-over", "9h") == ["c-1"]
    assert ids("--no-response-over", "24855d") == []  # the longest wait one may ask about
    assert ids("--rating", "5") == ["c-3"]
    assert ids("--group", "support", "--agent", "bo") == ["c-2"]


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--status", "nope"],
        ["list", "--from", "2026-13-40"],
        ["list", "--no-response-over", "-5m"],
        ["list", "--no-response-over", "soon"],
        ["list", "--no-response-over", "999999999999999h"],
        ["list", "--inactive-over", "24856d"],
        ["list", "--inactive-over", "9" * 5000 + "s"],  # past int()'s own digit limit
        ["agent", "set", "bo", "--max-active", "99999999999999999999"],
        ["agent", "set", "bo", "--max-active", "²"],
        ["agent", "set", "bo", "--max-active", "9" * 5000],  # past int()'s own digit limit
        ["list", "--rating", "6"],
        ["list", "--sort", "colour"],
        ["list", "--group", "nope"],
        ["show", "nope"],
        ["transfer", "nope", "--group", "sales"],
        ["transfer", "c-1", "--group", "nope"],
        ["transfer", "c-1", "--group", "support", "--agent", "ana"],
        ["note", "c-1", "   "],
        ["list", "--now", "2026-11-24T18:00:00"],
        ["list", "--tz", "Mars/Olympus"],
    ],
)
def test_mistakes_exit_2_with_one_line_and_change_nothing(env: dict[str, str], args: list[str]) -> None:
    before = run(env, "export").output
    result = run(env, *args)
    assert result.exit_code == 2, result.output
    message = result.stderr if hasattr(result, "stderr") else result.output
    assert len(message.strip().splitlines()) == 1 and "Traceback" not in message
    assert run(env, "export").output == before


def test_metrics_json(env: dict[str, str]) -> None:
    result = run(env, "metrics", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "unassigned": 1,
        "active": 1,
        "completed_today": 1,
        "highest_load_group": {"group": "support", "name": "Support", "assigned_today": 1},
        "timezone": "America/Mexico_City",
        "now": NOW,
    }


def test_show_json_and_text_keep_hostile_text_inert(env: dict[str, str]) -> None:
    shown = json.loads(run(env, "show", "c-1", "--format", "json").output)
    assert set(shown) == {"id", "messages", "notes", "events"}
    assert shown["messages"] == [
        {"at": "2026-11-24T08:00:00Z", "from": "customer", "agent": None, "text": "Hola \x1b]52;c;aGk=\x07 [bold]x[/]\x9b"}
    ]
    raw = run(env, "show", "c-1", "--format", "json").output
    assert "\x1b" not in raw and "\x9b" not in raw and "\x07" not in raw
    text = run(env, "show", "c-1").output
    assert "[bold]x[/]" in text and "\x1b" not in text and "\x9b" not in text
    table = run(env, "list").output
    assert "\x1b" not in table and '=HYPERLINK("x")' in table


def test_csv_defuses_formulas_in_customer_text(env: dict[str, str]) -> None:
    result = run(env, "list", "--format", "csv", "--sort", "id:asc")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == list(LIST_KEYS)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["customer_name"] == "'=HYPERLINK(\"x\")"
    assert first["tags"] == "'-refund;vip"
    assert first["customer_phone"] == "+525512345678"  # not text a person typed: left alone


def test_transfer_note_and_conflict_exit_statuses(env: dict[str, str]) -> None:
    result = run(env, "transfer", "c-1", "--group", "support", "--agent", "bo", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"id": "c-1", "agent": "bo", "group": "support", "status": "in_progress"}
    stale = run(env, "transfer", "c-1", "--group", "sales", "--agent", "ana", "--expect-version", "1")
    assert stale.exit_code == 4
    assert run(env, "show", "c-1", "--format", "json").output.count('"kind": "transferred"') == 1
    noted = run({**env, "CHATADMIN_AS": "sol"}, "note", "c-1", "Call back at 5")
    assert noted.exit_code == 0, noted.output
    notes = json.loads(run(env, "show", "c-1", "--format", "json").output)["notes"]
    assert [(n["author"], n["text"]) for n in notes] == [("sol", "Call back at 5")]


def test_roles_give_exit_3(env: dict[str, str]) -> None:
    as_bo = {**env, "CHATADMIN_AS": "bo"}  # an agent: no admin section
    assert run(as_bo, "list").exit_code == 3
    as_sol = {**env, "CHATADMIN_AS": "sol"}  # supervisor of support only
    assert run(as_sol, "transfer", "c-2", "--group", "sales").exit_code == 3
    assert run(as_sol, "routing", "set", "support", "--rule", "manual").exit_code == 3
    assert [r["id"] for r in json.loads(run(as_sol, "list", "--format", "json").output)] == ["c-2"]


def test_routing_and_agent_commands(env: dict[str, str]) -> None:
    result = run(env, "routing", "set", "support", "--rule", "least_busy", "--any", "--sticky")
    assert result.exit_code == 0, result.output
    shown = json.loads(run(env, "routing", "show", "support", "--format", "json").output)
    assert shown[0]["routing"] == {"rule": "least_busy", "only_available": False, "sticky": True}
    result = run(env, "agent", "set", "bo", "--unavailable", "--max-active", "3")
    assert result.exit_code == 0, result.output
    agents = {a["id"]: a for a in json.loads(run(env, "agent", "list", "--format", "json").output)}
    assert agents["bo"]["available"] is False and agents["bo"]["max_active"] == 3
    assert run(env, "agent", "set", "bo", "--max-active", "lots").exit_code == 2
    assert run(env, "agent", "set", "bo", "--max-active", "none").exit_code == 0


def test_connection_options_work_before_and_after_the_command(env: dict[str, str], db_url: str) -> None:
    plain = {k: v for k, v in env.items() if k != "CHATADMIN_DB"}
    before = run(plain, "--db", db_url, "metrics", "--format", "json")
    after = run(plain, "metrics", "--format", "json", "--db", db_url)
    assert before.exit_code == after.exit_code == 0
    assert before.output == after.output


def test_import_is_all_or_nothing_from_stdin(env: dict[str, str]) -> None:
    before = run(env, "export").output
    bad = "".join(lines(group("new"), agent("zed", ["new"]))) + '{"type":"group","id":"x","name":"X","colour":"red"}\n'
    result = run(env, "import", "-", input=bad)
    assert result.exit_code == 2
    assert "<stdin>:3:" in result.output
    assert run(env, "export").output == before


def test_the_installed_entry_point_never_shows_a_traceback(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.ndjson"
    broken.write_bytes(b'{"type":"group","id":"g","name":"G"}\n{not json\n')
    environment = {**os.environ, **env}
    proc = subprocess.run(
        [sys.executable, "-m", "chatadmin", "import", str(broken)], env=environment, capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("chatadmin: ") and f"{broken}:2:" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    missing = subprocess.run(
        [sys.executable, "-m", "chatadmin", "import", str(tmp_path / "nope.ndjson")],
        env=environment, capture_output=True, text=True,
    )
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
