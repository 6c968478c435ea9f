"""What the console asks of Textual before importing it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chatadmin.console import FRAMES_PER_SECOND, prepare_textual


def test_the_console_paints_up_to_its_own_frame_rate_unless_the_user_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    prepare_textual()
    assert os.environ["TEXTUAL_FPS"] == str(FRAMES_PER_SECOND)
    monkeypatch.setenv("TEXTUAL_FPS", "30")
    prepare_textual()
    assert os.environ["TEXTUAL_FPS"] == "30"


def test_the_setting_reaches_textual_because_the_console_module_does_not_import_it() -> None:
    code = (
        "import os, sys; os.environ.pop('TEXTUAL_FPS', None)\n"
        "import chatadmin.cli, chatadmin.console\n"
        "assert 'textual' not in sys.modules\n"
        "chatadmin.console.prepare_textual()\n"
        "import textual.constants\n"
        "print(textual.constants.MAX_FPS)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(FRAMES_PER_SECOND)
