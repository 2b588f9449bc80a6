"""``brag add`` with no text: a commented template in ``$EDITOR``, like ``git commit``."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

from .errors import BragError

TEMPLATE = """\

impact:
tags:

# Write the title on the first line: what you did, ideally with its number
# ("Cut checkout p99 from 800ms to 200ms"). Then, optionally:
#   impact:   the outcome, in words ("cart abandonment down 3%")
#   tags:     comma-separated
#   areas:    revenue, cost, risk, customer, retention, velocity, quality, people, strategy
#   leverage: execution, strategic, interpersonal or expert
#   with:     collaborators, comma-separated
#   url:      a link to the evidence
#   date:     today, yesterday, last friday, 2026-03-14 …
# After a blank line, anything else is the body (Markdown).
# Lines starting with '#' are ignored; an empty title aborts.
"""

FIELDS = ("impact", "tags", "areas", "leverage", "with", "url", "date")
_FIELD_LINE = re.compile(rf"^({'|'.join(FIELDS)})\s*:\s?(.*)$", re.IGNORECASE)


def parse_template(text: str) -> dict[str, str]:
    """Title, fields and body from an edited template; empty title -> ``{}``."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not lines[0].strip():
        return {}
    result = {"title": lines[0].strip()}
    i = 1
    while i < len(lines):
        m = _FIELD_LINE.match(lines[i])
        if m:
            result[m.group(1).lower()] = m.group(2).strip()
        elif lines[i].strip():
            break
        i += 1
    body = "\n".join(lines[i:]).strip("\n")
    if body:
        result["body"] = body + "\n"
    return result


def editor_command() -> list[str]:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(editor)


def run_editor(path: Path) -> None:
    cmd = editor_command()
    try:
        proc = subprocess.run([*cmd, str(path)])
    except FileNotFoundError:
        raise BragError(
            f"editor '{cmd[0]}' not found: set $EDITOR (or pass the text on the command line)"
        ) from None
    if proc.returncode != 0:
        raise BragError(f"editor '{cmd[0]}' exited with code {proc.returncode}; nothing saved")
