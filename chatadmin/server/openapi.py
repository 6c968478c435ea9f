"""The API's OpenAPI document: ``python -m chatadmin.server.openapi docs/openapi.json`` rewrites it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from chatadmin.server.app import create_app


def openapi_document() -> dict[str, Any]:
    """The document exactly as ``/openapi.json`` serves it."""
    return create_app(None, None).openapi()


def render() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "-"
    if target == "-":
        sys.stdout.write(render())
    else:
        Path(target).write_text(render(), encoding="utf-8")
