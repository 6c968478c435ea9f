"""The OpenAPI document: committed as docs/openapi.json, served as /openapi.json, and true — a
Schemathesis run against the real server finds no 500 and no answer off the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from chatadmin.clock import Clock, parse_instant
from chatadmin.server.openapi import openapi_document, render

from .builders import load_store
from .server_process import SERVED_DATA, ServerProcess

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def test_the_committed_document_is_the_apps() -> None:
    committed = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert committed == openapi_document(), (
        "docs/openapi.json is out of date: python -m chatadmin.server.openapi docs/openapi.json"
    )
    assert DOCUMENT.read_text(encoding="utf-8") == render()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    """One server for the whole module (Schemathesis makes one test per operation)."""
    where = tmp_path_factory.mktemp("schema")
    clock = Clock(zone=ZoneInfo("America/Mexico_City"), fixed=parse_instant("2026-11-24T18:00:00Z"))
    url = f"sqlite:///{where / 'store.sqlite3'}"
    load_store(url, clock, SERVED_DATA).dispose()
    server = ServerProcess(url, clock, where / "server")
    token = server.token("ana")
    server.start()
    yield server, token
    server.stop()


def test_the_server_serves_the_committed_document(live: tuple[ServerProcess, str]) -> None:
    server, _ = live
    served = httpx.get(f"{server.url}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == json.loads(DOCUMENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def api(live: tuple[ServerProcess, str]) -> Any:
    server, _ = live
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


@pytest.fixture(scope="module")
def token(live: tuple[ServerProcess, str]) -> str:
    return live[1]


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_schema_and_never_fails(case: Any, token: str) -> None:
    """Generated requests, valid and invalid: never a 5xx, every answer as documented.

    All of Schemathesis' default checks but one: a schema-valid request may still be a
    user's mistake the schema cannot express (an unknown group, a closed conversation, a time
    zone that does not exist), which is a documented 400, not a bug.
    """
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
