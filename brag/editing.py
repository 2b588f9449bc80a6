"""The editor paths of ``brag add`` and ``brag edit``: templates, unsaved text, merges.

``brag add`` with no text opens ``$EDITOR`` on a template, like ``git commit``.
Only the template's own instruction block is ignored: it sits below a
scissors line (``# ------------------------ >8 ------------------------``)
as in git, so a Markdown heading (``## Why``) in the body is kept.

Nothing the user typed is ever thrown away. The editor works on a file under
``.git/brag/unsaved/`` (``add.md``, ``edit-ID.md``) that stays there until its
text is saved as an entry: an invalid date, a missing title, a killed process
or an editor that crashed leave it, and the next ``brag add`` / ``brag edit ID``
reopens it ("Resuming your unsaved text from …"). A template left unchanged
is an abort with nothing to keep.

An editor session can last minutes, so ``brag edit`` records the entry's text
when it starts; if the entry changed meanwhile (``brag edit --impact`` in
another terminal, a ``brag sync`` that pulled the other machine's edit) the
two edits are merged field by field, and a field changed both ways is a
conflict kept the way sync keeps one (see :func:`merge_three_way`).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import re
import shlex
import subprocess
from pathlib import Path

from .entry import Entry
from .errors import BragError

SCISSORS = "# ------------------------ >8 ------------------------"
_SCISSORS_LINE = re.compile(r"^# -+ >8 -+\s*$")

TEMPLATE = f"""\

impact:
tags:

{SCISSORS}
# Do not modify or remove the line above: everything below it is ignored.
# Write the title on the first line: what you did, ideally with its number
# ("Cut checkout p99 from 800ms to 200ms"). Then, optionally:
#   impact:   the outcome, in words ("cart abandonment down 3%")
#   tags:     comma-separated
#   areas:    revenue, cost, risk, customer, retention, velocity, quality, people, strategy
#   leverage: execution, strategic, interpersonal or expert
#   with:     collaborators, comma-separated
#   url:      a link to the evidence
#   date:     today, yesterday, last friday, 2026-03-14 …
# After a blank line, anything else is the body (Markdown, headings included).
# Leaving this template unchanged (or deleting everything) aborts.
"""

FIELDS = ("impact", "tags", "areas", "leverage", "with", "url", "date")
_FIELD_LINE = re.compile(rf"^({'|'.join(FIELDS)})\s*:\s?(.*)$", re.IGNORECASE)


class NothingTyped(BragError):
    """The template came back unchanged (or empty): an abort, nothing to keep."""

    exit_code = 1


def strip_instructions(text: str) -> str:
    """``text`` without the scissors line and everything below it."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _SCISSORS_LINE.match(line):
            return "\n".join(lines[:i])
    return "\n".join(lines)


def parse_template(text: str) -> dict[str, str]:
    """Title, fields and body from an edited template.

    An empty title gives ``{}`` when nothing else was typed, and otherwise the
    fields without a ``title`` key (the caller keeps the text for next time).
    """
    lines = strip_instructions(text).splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    result: dict[str, str] = {}
    i = 0
    if lines and not _FIELD_LINE.match(lines[0]):
        result["title"] = lines[0].strip()
        i = 1
    while i < len(lines):
        m = _FIELD_LINE.match(lines[i])
        if m:
            if m.group(2).strip():
                result[m.group(1).lower()] = m.group(2).strip()
        elif lines[i].strip():
            break
        i += 1
    body = "\n".join(lines[i:]).strip("\n")
    if body.strip():
        result["body"] = body + "\n"
    return result


# -- unsaved text -------------------------------------------------------------------------


def unsaved_dir(root: Path) -> Path:
    """Where typed-but-unsaved text waits: inside ``.git`` (never committed), else the cache."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git / "brag" / "unsaved"
    from platformdirs import user_cache_dir

    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(user_cache_dir("brag")) / f"unsaved-{key}"


def unsaved_path(root: Path, key: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in key)
    return unsaved_dir(root) / f"{safe}.md"


def discard(path: Path) -> None:
    """Forget a text once it is saved (its base copy too)."""
    path.unlink(missing_ok=True)
    base_path(path).unlink(missing_ok=True)


def base_path(path: Path) -> Path:
    """The entry's text when the edit began, kept beside the unsaved edit."""
    return path.with_name(path.stem + ".base")


def resuming_note(path: Path) -> str:
    return f"Resuming your unsaved text from {path}"


def kept_message(reason: str, path: Path, command: str) -> str:
    return f"{reason}. '{command}' reopens your text, kept in {path}"


# -- the editor ---------------------------------------------------------------------------


def editor_command() -> list[str]:
    name = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
    editor = os.environ.get(name) or "vi"
    try:
        cmd = shlex.split(editor)
    except ValueError as exc:
        raise BragError(
            f"${name} is not a command brag can run ({str(exc).lower()}): {editor!r}; "
            f"fix the quoting, e.g. export {name}='code --wait'"
        ) from None
    if not cmd:
        raise BragError(f"${name} is empty: set it to your editor, e.g. export {name}=vim")
    return cmd


def run_editor(path: Path, cmd: list[str] | None = None) -> None:
    cmd = cmd or editor_command()
    try:
        proc = subprocess.run([*cmd, str(path)])
    except FileNotFoundError:
        raise BragError(
            f"editor '{cmd[0]}' not found: set $EDITOR (or pass the text on the command line)"
        ) from None
    except PermissionError:
        raise BragError(
            f"editor '{cmd[0]}' cannot be run (permission denied): check $EDITOR"
        ) from None
    if proc.returncode != 0:
        raise BragError(f"editor '{cmd[0]}' exited with code {proc.returncode}; nothing saved")


def edit_file(path: Path, initial: str, command: str) -> str:
    """Open ``path`` (holding ``initial``) in the editor and return what it holds after.

    An editor that removes the file or saves bytes that are not UTF-8 gets one
    line; the text is kept in ``path`` (``initial`` if the file is gone).
    """
    cmd = editor_command()  # a bad $EDITOR is reported before anything is written
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(path, initial)
    try:
        run_editor(path, cmd)
    except BragError as exc:
        raise BragError(kept_message(str(exc), path, command)) from None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _write_private(path, initial)
        raise BragError(
            kept_message(f"the editor removed {path.name} instead of saving it", path, command)
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BragError(
            kept_message(
                f"the editor saved text that is not UTF-8 ({exc.reason} at byte {exc.start}); "
                "save it as UTF-8",
                path,
                command,
            )
        ) from None


def _write_private(path: Path, text: str) -> None:
    if path.is_symlink():
        raise BragError(f"refusing to write through the symbolic link {path}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def read_unsaved(path: Path) -> str | None:
    """The unsaved text at ``path``, or None. Bytes that are not UTF-8 are kept as-is."""
    try:
        return path.read_bytes().decode("utf-8", errors="surrogateescape")
    except FileNotFoundError:
        return None


# -- three-way merge of an entry ------------------------------------------------------------

# Fields brag sets itself; they never make a conflict.
_STAMPS = ("created", "updated", "path")
MERGED_FIELDS = tuple(f.name for f in dataclasses.fields(Entry) if f.name not in _STAMPS)


def merge_three_way(base: Entry, current: Entry, mine: Entry) -> tuple[Entry, list[str]]:
    """``mine`` (the editor's result) merged with ``current`` (what the file holds now).

    Field by field against ``base`` (the file when the editor opened): a field
    only one side changed takes that side's value; a field both changed to the
    same value takes it; a field both changed differently keeps ``mine`` and is
    named in the returned list of conflicts.
    """
    merged = copy.deepcopy(mine)
    conflicts: list[str] = []
    for name in MERGED_FIELDS:
        b, c, m = getattr(base, name), getattr(current, name), getattr(mine, name)
        if m == c or c == b:
            continue
        if m == b:
            setattr(merged, name, copy.deepcopy(c))
        else:
            conflicts.append("with" if name == "with_" else name)
    merged.created = current.created or mine.created
    merged.path = current.path
    return merged, conflicts


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogateescape")).hexdigest()


def describe(fields: list[str]) -> str:
    return ", ".join(fields)
