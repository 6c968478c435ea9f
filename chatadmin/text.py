"""Text helpers: accent-insensitive folding for search, and stripping terminal controls."""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab and newline, DEL, and C1 controls (which include the 8-bit CSI \x9b).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: ``Pérez`` and ``PEREZ`` both become ``perez``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def strip_controls(text: str) -> str:
    """Remove every character that could drive a terminal (ESC, CSI, OSC, BEL, …)."""
    return _CONTROLS.sub("", text)


def one_line(text: str) -> str:
    """Untrusted text for a single table cell: no controls, no line breaks."""
    return strip_controls(text).replace("\n", " ").replace("\t", " ")


def visible_controls(text: str) -> str:
    """Controls (newlines included) shown as escapes, for one-line messages that quote input."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", text)
