"""Text hygiene shared by every output: terminal-safe strings and word-boundary cuts."""

from __future__ import annotations

import re

# ANSI/VT escape sequences (CSI, OSC, and two-character escapes), then any other
# C0/C1 control character except newline and tab.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[@-Z\\-_]"  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def strip_control(text: str, keep_newlines: bool = True) -> str:
    """``text`` without escape sequences and control characters.

    Entry text can come from imported files and synced journals; printed raw, an
    ESC sequence could rewrite the terminal's title, hide lines or fake output.
    Newlines and tabs stay unless ``keep_newlines`` is False (one-line output),
    where they become spaces.
    """
    if not text or text.isprintable():
        return text  # no control character, so no escape sequence either: the common case
    text = _ESCAPES.sub("", text)
    if keep_newlines:
        return _CONTROLS.sub("", text)
    return _CONTROLS_ONE_LINE.sub(" ", text.replace("\r\n", " ").replace("\n", " "))


def entries(n: int) -> str:
    """``n`` with its noun: "1 entry", "3 entries"."""
    return f"{n} entry" if n == 1 else f"{n} entries"


def shorten(text: str, width: int = 60) -> str:
    """``text`` cut to at most ``width`` characters at a word boundary, with "…".

    >>> shorten("Cut checkout p99 from 800ms to 200ms", 20)
    'Cut checkout p99…'
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"
