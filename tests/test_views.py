"""Saved views: the TOML file (round trip, atomic, never overwritten when broken), and ``--view`` on the command line."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chatadmin.cli import cli
from chatadmin.domain import ConversationFilter, Sort, SortKey, Status
from chatadmin.errors import InvalidInput, NotFound
from chatadmin.views import SavedView, ViewStore, overlay, resolve, views_file

from .builders import agent, conversation, group, lines

NOW = "2026-11-24T18:00:00Z"

EVERYTHING = ConversationFilter(
    search="Luis Gómez",
    statuses=frozenset({Status.OPEN, Status.IN_PROGRESS}),
    groups=frozenset({"sales", "support"}),
    agents=frozenset({"ana"}),
    countries=frozenset({"MX", "PR"}),
    tags=frozenset({"vip", "-refund"}),
    ratings=frozenset({4, 5}),
    created_from=date(2026, 11, 1),
    created_to=date(2026, 11, 24),
    no_response_over=15 * 60,
    inactive_over=3600 + 30 * 60 + 5,
    response_creation_over=0,
    response_assignment_over=86400,
)


@pytest.fixture
def config_home(own_config_dir: Path) -> Path:
    """The user's config directory: the test's own (tests/conftest.py)."""
    return own_config_dir


def test_a_view_survives_a_new_store_instance_exactly(config_home: Path) -> None:
    saved = ViewStore().save(SavedView("  Sales — open ", EVERYTHING, Sort(key=SortKey.NO_RESPONSE, descending=False)))
    assert saved.name == "Sales — open"
    assert views_file() == config_home / "views.toml"
    again = ViewStore().load()
    assert list(again) == ["Sales — open"]
    assert again["Sales — open"] == saved
    # people read and edit the file: the keys are the options of chatadmin list
    table = tomllib.loads(views_file().read_text(encoding="utf-8"))["views"]["Sales — open"]
    assert table["sort"] == "no_response_s:asc"
    assert table["status"] == ["in_progress", "open"]
    assert table["from"] == date(2026, 11, 1)
    assert (table["no-response-over"], table["inactive-over"], table["response-creation-over"]) == ("15m", "1h30m5s", "0s")


def test_saving_replaces_one_view_and_keeps_the_others_in_order() -> None:
    store = ViewStore()
    store.save(SavedView("a", ConversationFilter(search="x"), Sort()))
    store.save(SavedView("b", ConversationFilter(), Sort()))
    store.save(SavedView("a", ConversationFilter(search="y"), Sort()))
    views = store.load()
    assert list(views) == ["a", "b"] and views["a"].filters.search == "y"
    store.delete("a")
    assert list(store.load()) == ["b"]
    with pytest.raises(NotFound, match="no saved view 'a'"):
        store.delete("a")
    with pytest.raises(NotFound, match=r"no saved view 'zz' \(saved: 'b'\)"):
        store.get("zz")
    assert not list(views_file().parent.glob(".views-*"))  # no temporary file left behind


def test_a_broken_file_is_one_clear_error_and_is_never_overwritten() -> None:
    path = views_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[views.a]\nsort = "created_at:desc"\nstatus = ["open"\n', encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InvalidInput, match="not valid TOML"):
        ViewStore().load()
    with pytest.raises(InvalidInput, match="not valid TOML"):
        ViewStore().save(SavedView("b", ConversationFilter(), Sort()))
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('colour = "red"', "view 'v': unknown key 'colour'"),
        ('status = ["pending"]', "view 'v': bad status: unknown status 'pending'"),
        ('no-response-over = "soon"', "view 'v': bad no-response-over: not a duration"),
        ('sort = "mood"', "view 'v': bad sort: unknown sort column 'mood'"),
        ("rating = [9]", "view 'v': bad rating"),
        ('from = "yesterday"', "view 'v': bad from"),
        ("search = 3", "view 'v': bad search: search is text in quotes"),
    ],
)
def test_a_wrong_value_names_the_view_and_the_key(table: str, message: str) -> None:
    views_file().parent.mkdir(parents=True, exist_ok=True)
    views_file().write_text(f"[views.v]\n{table}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        ViewStore().load()
    assert message in caught.value.message and str(views_file()) in caught.value.message


def test_names_are_one_line_and_not_empty() -> None:
    with pytest.raises(InvalidInput, match="needs a name"):
        ViewStore().save(SavedView(" \t", ConversationFilter(), Sort()))
    with pytest.raises(InvalidInput, match="at most 64"):
        ViewStore().save(SavedView("x" * 65, ConversationFilter(), Sort()))
    assert ViewStore().save(SavedView("a\x1b[2Jb\nc", ConversationFilter(), Sort())).name == "a[2Jb c"


def test_groups_and_agents_that_are_gone_are_left_out_with_a_warning() -> None:
    view = SavedView("mine", EVERYTHING, Sort())
    resolved, warnings = resolve(view, groups=["sales", "billing"], agents=["bo"])
    assert resolved.filters.groups == {"sales"} and resolved.filters.agents == frozenset()
    assert resolved.filters.statuses == EVERYTHING.statuses and resolved.filters.search == EVERYTHING.search
    assert warnings == [
        "view 'mine': group 'support' no longer exists and is left out of the view",
        "view 'mine': agent 'ana' no longer exists and is left out of the view",
    ]
    assert resolve(view, groups=["sales", "support"], agents=["ana"]) == (view, [])


def test_flags_replace_the_filters_they_name_and_keep_the_rest() -> None:
    base = ConversationFilter(search="luis", groups=frozenset({"sales"}), statuses=frozenset({Status.OPEN}))
    given = ConversationFilter(groups=frozenset({"support"}), tags=frozenset({"vip"}))
    assert overlay(base, given) == ConversationFilter(
        search="luis", groups=frozenset({"support"}), statuses=frozenset({Status.OPEN}), tags=frozenset({"vip"})
    )
    assert overlay(base, ConversationFilter()) == base


# ------------------------------------------------------------------------------ command line

DATA = [
    group("sales", "Sales"),
    group("support", "Support"),
    agent("ana", ["sales"], name="Ana Pérez"),
    agent("bo", ["sales", "support"], name="Bo Silva"),
    conversation("c-1", "2026-11-24T08:00:00Z", group_id="sales", tags=["vip"]),
    conversation("c-2", "2026-11-24T09:00:00Z", group_id="support"),
    conversation(
        "c-3", "2026-11-24T10:00:00Z", status="in_progress", group_id="sales", agent_id="ana",
        assigned_at="2026-11-24T10:00:00Z", tags=["vip"],
    ),
    conversation("c-4", "2026-11-23T10:00:00Z", group_id="sales", status="closed", closed_at="2026-11-24T10:00:00Z"),
]


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data.ndjson"
    data.write_text("".join(lines(*DATA)), encoding="utf-8")
    environment = {"CHATADMIN_DB": sqlite_url, "CHATADMIN_NOW": NOW, "CHATADMIN_TZ": "America/Mexico_City"}
    result = CliRunner().invoke(cli, ["import", str(data)], env=environment)
    assert result.exit_code == 0, result.output
    return environment


def run(env: dict[str, str], *args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env=env)


def ids(result: Any) -> list[str]:
    assert result.exit_code == 0, result.output
    return [row["id"] for row in json.loads(result.stdout)]


def test_list_with_a_view_gives_what_its_flags_give(env: dict[str, str]) -> None:
    ViewStore().save(
        SavedView("sales open", ConversationFilter(groups=frozenset({"sales"}), statuses=frozenset({Status.OPEN})),
                  Sort(key=SortKey.ID, descending=False))
    )  # fmt: skip
    by_view = run(env, "list", "--view", "sales open", "--format", "json")
    by_flags = run(env, "list", "--group", "sales", "--status", "open", "--sort", "id:asc", "--format", "json")
    assert by_view.stdout == by_flags.stdout and ids(by_view) == ["c-1"]
    # flags on top: --status replaces the view's, --tag adds a filter, --sort replaces its sort
    assert ids(run(env, "list", "--view", "sales open", "--status", "in_progress", "--format", "json")) == ["c-3"]
    assert ids(run(env, "list", "--view", "sales open", "--status", "open", "--status", "in_progress",
                   "--tag", "vip", "--sort", "id:desc", "--format", "json")) == ["c-3", "c-1"]  # fmt: skip


def test_list_with_a_view_naming_a_deleted_group_warns_and_leaves_it_out(env: dict[str, str]) -> None:
    ViewStore().save(SavedView("old", ConversationFilter(groups=frozenset({"retired"}), tags=frozenset({"vip"})), Sort()))
    result = run(env, "list", "--view", "old", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == "chatadmin: warning: view 'old': group 'retired' no longer exists and is left out of the view\n"
    assert sorted(ids(result)) == ["c-1", "c-3"]


def test_an_unknown_view_or_a_broken_file_is_exit_2_and_one_line(env: dict[str, str]) -> None:
    result = run(env, "list", "--view", "nope")
    assert result.exit_code == 2 and result.stderr == "chatadmin: no saved view 'nope' (saved: none yet)\n"
    result = run(env, "--view", "nope")  # the console is never opened
    assert result.exit_code == 2 and result.stderr.startswith("chatadmin: no saved view 'nope'")
    views_file().parent.mkdir(parents=True, exist_ok=True)
    views_file().write_text("[views\n", encoding="utf-8")
    result = run(env, "list", "--view", "nope")
    assert result.exit_code == 2 and "not valid TOML" in result.stderr and len(result.stderr.splitlines()) == 1


def test_views_command_lists_them_as_list_options_and_deletes(env: dict[str, str]) -> None:
    assert "no saved views yet" in run(env, "views").stdout
    ViewStore().save(SavedView("vip sales", ConversationFilter(groups=frozenset({"sales"}), tags=frozenset({"vip"})), Sort()))
    ViewStore().save(SavedView("waiting", ConversationFilter(no_response_over=900), Sort(key=SortKey.NO_RESPONSE)))
    listed = run(env, "views")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "vip sales  --sort created_at:desc --group sales --tag vip",
        "waiting    --sort no_response_s:desc --no-response-over 15m",
    ]
    assert run(env, "views", "delete", "waiting").exit_code == 0
    assert list(ViewStore().load()) == ["vip sales"]
    assert run(env, "views", "delete", "waiting").exit_code == 2


def test_the_console_opens_on_a_view_with_the_configured_keymap(env: dict[str, str], config_home: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``chatadmin --view NAME`` hands the view and the config file's keymap to the console."""
    import chatadmin.console

    config_home.mkdir(parents=True, exist_ok=True)
    (config_home / "config.toml").write_text('[keymap]\n"table.down" = "n"\n"app.search" = "f"\n', encoding="utf-8")
    view = ViewStore().save(SavedView("sales", ConversationFilter(groups=frozenset({"sales"})), Sort()))
    opened: list[dict[str, Any]] = []

    def run_console(backend: Any, **options: Any) -> None:
        opened.append(options)
        backend.dispose()

    monkeypatch.setattr(chatadmin.console, "run_console", run_console)
    result = run(env, "--view", "sales")
    assert result.exit_code == 0, result.output
    assert len(opened) == 1
    assert opened[0]["view"] == view and opened[0]["keymap"] == {"table.down": "n", "app.search": "f"}
