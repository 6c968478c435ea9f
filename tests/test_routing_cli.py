"""``chatadmin routing`` and ``chatadmin agent`` as scripts use them: output, the change log, exit statuses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chatadmin.cli import cli

from .builders import agent, conversation, group, lines

NOW = "2026-11-24T18:00:00Z"
HOSTILE = "Ventas \x1b]52;c;aGk=\x07 [bold]x[/] \x9b2J"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

DATA = [
    group("sales", HOSTILE),
    group("vip", "VIP", routing={"rule": "manual"}),
    agent("boss", [], role="admin"),
    agent("ana", ["sales"], max_active=2),
    agent("bo", ["sales"], available=False),
    agent("sol", ["sales"], role="supervisor"),
    conversation(
        "c-1", "2026-11-24T08:00:00Z", status="in_progress", group_id="sales", agent_id="ana",
        assigned_at="2026-11-24T08:01:00Z",
    ),
    conversation("q-1", "2026-11-24T09:00:00Z", group_id="vip"),
    conversation("q-2", "2026-11-24T09:30:00Z", group_id="vip"),
]  # fmt: skip


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data.ndjson"
    data.write_text("".join(lines(*DATA)), encoding="utf-8")
    environment = {"CHATADMIN_DB": db_url, "CHATADMIN_NOW": NOW, "CHATADMIN_TZ": "America/Mexico_City"}
    result = CliRunner().invoke(cli, ["import", str(data)], env=environment)
    assert result.exit_code == 0, result.output
    return environment | {"CHATADMIN_AS": "boss"}


def run(env: dict[str, str], *args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env=env)


def test_show_lists_rules_queues_and_members_with_names_shown_literally(env: dict[str, str]) -> None:
    result = run(env, "routing", "show")
    assert result.exit_code == 0, result.output
    assert not CONTROL.search(result.output)
    assert "[bold]x[/]" in result.output
    sales = next(line for line in result.output.splitlines() if "sales" in line)
    assert "round_robin" in sales and "ana 1/2" in sales and "bo 0/∞ (away)" in sales
    vip = next(line for line in result.output.splitlines() if "vip" in line)
    assert "manual" in vip and " 2 " in vip  # two chats wait in its queue


def test_set_keeps_the_options_not_given_and_drains_the_queue_it_frees(env: dict[str, str]) -> None:
    result = run(env, "routing", "set", "vip", "--sticky")
    assert result.exit_code == 0, result.output
    assert result.output == "vip: manual, only available agents, sticky; 2 waiting\n"
    assert (
        run(env, "agent", "set", "ana", "--add-group", "vip").output
        == "ana: available, load 1, cap 2, groups sales, vip\n"
    )
    result = run(env, "routing", "set", "vip", "--rule", "round_robin")
    assert result.output == "vip: round_robin, only available agents, sticky; 1 waiting\n"  # ana took one, to her cap
    shown = json.loads(run(env, "routing", "show", "vip", "--format", "json").output)
    assert shown[0]["routing"] == {"rule": "round_robin", "only_available": True, "sticky": True}
    assert shown[0]["queue_length"] == 1 and shown[0]["members"] == ["ana"]


def test_the_log_shows_who_changed_what_and_when(env: dict[str, str]) -> None:
    assert run(env, "routing", "show", "--log").output == "no routing changes yet\n"
    run(env, "routing", "set", "sales", "--rule", "least_busy", "--any")
    run(env, "agent", "set", "bo", "--available", "--max-active", "3", "--remove-group", "sales")
    result = run(env, "routing", "show", "--log")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "2026-11-24 12:00" in line]  # 18:00Z in Mexico City
    changes = [re.sub(r"\s*│\s*", "|", row).strip("|").split("|")[1:] for row in rows]
    assert changes == [
        ["boss", "sales: rule round_robin → least_busy"],
        ["boss", "sales: only available on → off"],
        ["boss", "bo: cap none → 3"],
        ["boss", "bo: available off → on"],
        ["boss", "bo left sales"],
    ]
    only_bo = json.loads(run(env, "routing", "show", "--log", "--limit", "2", "--format", "json").output)
    assert only_bo == [
        {
            "at": NOW,
            "actor": "boss",
            "group": None,
            "agent": "bo",
            "setting": "available",
            "old": "false",
            "new": "true",
        },
        {
            "at": NOW,
            "actor": "boss",
            "group": "sales",
            "agent": "bo",
            "setting": "member",
            "old": "true",
            "new": "false",
        },
    ]
    of_sales = json.loads(run(env, "routing", "show", "sales", "--log", "--format", "json").output)
    assert [c["setting"] for c in of_sales] == ["rule", "only_available", "member"]


def test_mistakes_are_one_line_with_the_contract_exit_status(env: dict[str, str]) -> None:
    for args, code, message in [
        (("routing", "show", "nope"), 2, "unknown group 'nope'"),
        (("routing", "show", "nope", "--log"), 2, "unknown group 'nope'"),
        (("routing", "set", "nope", "--rule", "manual"), 2, "unknown group 'nope'"),
        (("routing", "set", "sales", "--rule", "fastest"), 2, "'fastest' is not one of"),
        (("agent", "set", "nobody", "--available"), 2, "unknown agent 'nobody'"),
        (("agent", "set", "ana", "--max-active", "lots"), 2, "--max-active takes a number from 0 to 2147483647 or none"),
        (("agent", "set", "ana", "--add-group", "nope"), 2, "unknown group 'nope'"),
        (("routing", "show", "--log", "--limit", "0"), 2, "0 is not in the range"),
    ]:
        result = run(env, *args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert run(env, "routing", "show", "--log").output == "no routing changes yet\n"


def test_a_supervisor_may_read_but_not_change_routing(env: dict[str, str]) -> None:
    as_sol = env | {"CHATADMIN_AS": "sol"}
    assert run(as_sol, "routing", "show", "--log").exit_code == 0
    for args in (("routing", "set", "sales", "--rule", "manual"), ("agent", "set", "ana", "--unavailable")):
        result = run(as_sol, *args)
        assert result.exit_code == 3 and "may not" in result.output
    assert run(env, "routing", "show", "--log").output == "no routing changes yet\n"
